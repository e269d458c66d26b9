// The ACD over HTTP: queues (CRUD and live figures), agents (CRUD, state,
// state log) and call records. A fastify plugin, registered by the HTTP shell:
//   if (opts.services.has('acd')) await app.register(acdRoutes({ services: opts.services }));

import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AgentDeviceSchema, QueueSchema } from '../../config/schema.js';
import type { ServiceManager } from '../../core/service-manager.js';
import { TenorError } from '../../core/errors.js';
import { currentUser, requireRole, seesEverything, type AuthUser } from '../../http/auth.js';
import { SUPERVISOR_REASON, type Agent } from './agent-state.js';
import { AcdQueueFields } from './config-schema.js';
import { queueFromConfig, type QueueConfigWithAcd } from './config.js';
import type { AgentProfile } from './model.js';
import type { CallRecord, CallSegment } from './store/call-records.js';
import './service.js';

const { name: _queueName, ...queueFields } = QueueSchema.properties;
const QueueBody = Type.Object({ ...queueFields, ...AcdQueueFields }, { additionalProperties: false });

const Figures = Type.Object({
  waiting: Type.Integer(),
  longestWaitSeconds: Type.Integer(),
  agentsLoggedIn: Type.Integer(),
  agentsReady: Type.Integer(),
  agentsBusy: Type.Integer(),
  agentsOnBreak: Type.Integer(),
});

const QueueView = Type.Object({
  name: Type.String(),
  strategy: Type.String(),
  definition: Type.Unknown({ description: 'the full definition, defaults filled in' }),
  live: Figures,
});

const Login = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' });

const AgentBody = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    device: Type.Optional(AgentDeviceSchema),
    skills: Type.Optional(Type.Record(Type.String(), Type.Integer({ minimum: 1, maximum: 10 }))),
    queues: Type.Optional(Type.Array(Type.Object({ queue: Type.String({ minLength: 1 }), penalty: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })) }, { additionalProperties: false }))),
  },
  { additionalProperties: false },
);

const AgentView = Type.Object({
  login: Type.String(),
  name: Type.String(),
  device: Type.Unknown(),
  skills: Type.Record(Type.String(), Type.Integer()),
  queues: Type.Array(Type.Object({ queue: Type.String(), penalty: Type.Integer() })),
  state: Type.String({ description: 'logged-out, ready, break, offered, on-call or wrap-up' }),
  reason: Type.String(),
  since: Type.String({ format: 'date-time' }),
  callId: Type.Union([Type.String(), Type.Null()]),
});

const StateBody = Type.Object(
  {
    state: Type.Union([Type.Literal('ready'), Type.Literal('break'), Type.Literal('logged-out')], {
      description: 'ready: log in or end a break / wrap-up; break: with a reason (logs in paused when logged out); logged-out',
    }),
    reason: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
  },
  { additionalProperties: false },
);

const LogLine = Type.Object({ from: Type.String(), to: Type.String(), reason: Type.String(), callId: Type.Union([Type.String(), Type.Null()]), at: Type.String() });

const Outcome = Type.Union(['answered', 'abandoned', 'voicemail', 'callback', 'overflow', 'transferred', 'exited', 'failed'].map((o) => Type.Literal(o)));

const CallsQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date-time', description: 'arrived at or after' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'arrived before' })),
    queue: Type.Optional(Type.String()),
    agent: Type.Optional(Type.String()),
    outcome: Type.Optional(Outcome),
    customerId: Type.Optional(Type.String()),
    live: Type.Optional(Type.Boolean()),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    offset: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());
const seconds = (ms: number | undefined): number | null => (ms === undefined ? null : Math.round(ms / 100) / 10);

function segmentView(s: CallSegment) {
  return {
    seq: s.seq, kind: s.kind, queue: s.queue ?? null, agent: s.agent ?? null, startedAt: iso(s.startedAt), offeredAt: iso(s.offeredAt),
    answeredAt: iso(s.answeredAt), endedAt: iso(s.endedAt), outcome: s.outcome ?? null, detail: s.detail ?? null,
  };
}

function callView(r: CallRecord) {
  return {
    id: r.id, direction: r.direction, from: r.from, to: r.to, customerId: r.customerId ?? null, queue: r.queue ?? null, agent: r.agent ?? null,
    arrivedAt: iso(r.arrivedAt), queuedAt: iso(r.queuedAt), offeredAt: iso(r.offeredAt), answeredAt: iso(r.answeredAt), endedAt: iso(r.endedAt),
    waitSeconds: seconds(r.waitMs), talkSeconds: seconds(r.talkMs), holdSeconds: seconds(r.holdMs), wrapUpSeconds: seconds(r.wrapUpMs),
    outcome: r.outcome ?? null, endCause: r.endCause ?? null, live: r.live, segments: r.segments.map(segmentView),
  };
}

function agentView(a: Agent): Static<typeof AgentView> {
  return {
    login: a.login, name: a.profile.name, device: a.profile.device, skills: { ...a.profile.skills }, queues: a.profile.queues.map((q) => ({ ...q })),
    state: a.state, reason: a.reason, since: new Date(a.stateSince).toISOString(), callId: a.callId ?? null,
  };
}

function parseTime(value: string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new TenorError('TENOR_ERR_VALIDATION', [`${field} is not a date-time`]);
  return ms;
}

export function acdRoutes(opts: { services: ServiceManager }): FastifyPluginAsyncTypebox {
  return async (app) => {
    const { services } = opts;
    const acd = () => services.get('acd');
    const users = services.get('users');
    const anyone = requireRole(users, 'agent', 'supervisor', 'admin');
    const admins = requireRole(users, 'admin');
    const security = [{ basicAuth: [] }];
    const errors = { '4xx': { $ref: 'ErrorResponse#' } } as const;

    const queueView = (name: string): Static<typeof QueueView> => {
      const def = acd().queue(name);
      const f = acd().figures(name);
      if (!def || !f) throw new TenorError('TENOR_ERR_NOT_FOUND', [`queue '${name}'`]);
      return {
        name, strategy: def.strategy, definition: def,
        live: { waiting: f.waiting, longestWaitSeconds: Math.round(f.longestWaitMs / 1000), agentsLoggedIn: f.agentsLoggedIn, agentsReady: f.agentsReady, agentsBusy: f.agentsBusy, agentsOnBreak: f.agentsOnBreak },
      };
    };

    // Agents see their own agent, the queues they serve and the calls they took; supervisors and admins everything.
    const agentQueues = (user: AuthUser): Set<string> => new Set(acd().agent(user.agent ?? '')?.profile.queues.map((q) => q.queue) ?? []);
    const requireSelf = (user: AuthUser, login: string): void => {
      if (!seesEverything(user) && user.agent !== login) throw new TenorError('TENOR_ERR_FORBIDDEN');
    };

    // ---- queues ----
    app.get('/api/queues', { onRequest: anyone, schema: { summary: 'Queues with live figures (agents: the queues they serve)', tags: ['acd'], security, response: { 200: Type.Array(QueueView), ...errors } } },
      async (request) => {
        const user = currentUser(request);
        const mine = seesEverything(user) ? undefined : agentQueues(user);
        return acd().queues().filter((q) => !mine || mine.has(q.name)).map((q) => queueView(q.name));
      });

    app.get('/api/queues/:name', { onRequest: anyone, schema: { summary: 'One queue with live figures (agents: only a queue they serve)', tags: ['acd'], security, params: Type.Object({ name: Type.String() }), response: { 200: QueueView, ...errors } } },
      async (request) => {
        const user = currentUser(request);
        if (!seesEverything(user) && !agentQueues(user).has(request.params.name)) throw new TenorError('TENOR_ERR_FORBIDDEN');
        return queueView(request.params.name);
      });

    app.put('/api/queues/:name', {
      onRequest: admins,
      schema: { summary: 'Create or replace a queue', tags: ['acd'], security, params: Type.Object({ name: Login }), body: QueueBody, response: { 200: QueueView, ...errors } },
    }, async (request) => {
      await acd().saveQueue(queueFromConfig({ ...request.body, name: request.params.name } as QueueConfigWithAcd));
      return queueView(request.params.name);
    });

    app.delete('/api/queues/:name', { onRequest: admins, schema: { summary: 'Delete a queue (refused while callers wait)', tags: ['acd'], security, params: Type.Object({ name: Type.String() }), response: { 204: Type.Null(), ...errors } } },
      async (request, reply) => {
        if (!(await acd().removeQueue(request.params.name))) throw new TenorError('TENOR_ERR_NOT_FOUND', [`queue '${request.params.name}'`]);
        return reply.status(204).send(null);
      });

    // ---- agents ----
    const requireAgent = (login: string): Agent => {
      const agent = acd().agent(login);
      if (!agent) throw new TenorError('TENOR_ERR_NOT_FOUND', [`agent '${login}'`]);
      return agent;
    };

    app.get('/api/agents', { onRequest: anyone, schema: { summary: 'Agents with their state (agents: only themselves)', tags: ['acd'], security, response: { 200: Type.Array(AgentView), ...errors } } },
      async (request) => {
        const user = currentUser(request);
        return acd().agents().filter((a) => seesEverything(user) || a.login === user.agent).map(agentView);
      });

    app.get('/api/agents/:login', { onRequest: anyone, schema: { summary: 'One agent with its state (agents: only themselves)', tags: ['acd'], security, params: Type.Object({ login: Type.String() }), response: { 200: AgentView, ...errors } } },
      async (request) => {
        requireSelf(currentUser(request), request.params.login);
        return agentView(requireAgent(request.params.login));
      });

    app.put('/api/agents/:login', {
      onRequest: admins,
      schema: { summary: 'Create or update an agent (its state is kept)', tags: ['acd'], security, params: Type.Object({ login: Login }), body: AgentBody, response: { 200: AgentView, ...errors } },
    }, async (request) => {
      const b = request.body;
      const profile: AgentProfile = {
        login: request.params.login, name: b.name, device: b.device ?? { type: 'softphone' }, skills: b.skills ?? {},
        queues: (b.queues ?? []).map((q) => ({ queue: q.queue, penalty: q.penalty ?? 0 })),
      };
      return agentView(await acd().saveAgent(profile));
    });

    app.delete('/api/agents/:login', { onRequest: admins, schema: { summary: 'Delete a logged-out agent', tags: ['acd'], security, params: Type.Object({ login: Type.String() }), response: { 204: Type.Null(), ...errors } } },
      async (request, reply) => {
        if (!(await acd().removeAgent(request.params.login))) throw new TenorError('TENOR_ERR_NOT_FOUND', [`agent '${request.params.login}'`]);
        return reply.status(204).send(null);
      });

    app.get('/api/break-reasons', {
      onRequest: anyone,
      schema: { summary: 'The break reasons agents choose from', tags: ['acd'], security, response: { 200: Type.Object({ reasons: Type.Array(Type.String()) }), ...errors } },
    }, async () => ({ reasons: [...acd().breakReasons()] }));

    app.post('/api/agents/:login/state', {
      onRequest: anyone,
      schema: {
        summary: 'Log in, go ready, take a break (with a reason) or log out',
        description: "Agents change only their own state; supervisors may also force another agent on break (reason 'supervisor' unless given) or log them out; admins may set any state.",
        tags: ['acd'], security, params: Type.Object({ login: Type.String() }), body: StateBody, response: { 200: AgentView, ...errors },
      },
    }, async (request) => {
      const { login } = request.params;
      const user = currentUser(request);
      const { state } = request.body;
      let { reason } = request.body;
      if (user.agent !== login) {
        requireSelf(user, login);
        // Putting someone else ready would route calls to a desk that may be empty: only admins (scripts, set-up) may.
        if (state === 'ready' && user.role !== 'admin') throw new TenorError('TENOR_ERR_FORBIDDEN');
        // A break forced by a supervisor shows as such in the state log and the reports.
        if (state === 'break') reason ??= SUPERVISOR_REASON;
      } else if (reason === SUPERVISOR_REASON) {
        throw new TenorError('TENOR_ERR_VALIDATION', [`'${SUPERVISOR_REASON}' is the reason of a break a supervisor forces; choose one of: ${acd().breakReasons().join(', ')}`]);
      }
      const agent = requireAgent(login);
      if (state === 'logged-out') return agentView(await acd().logout(login, reason ?? 'logout'));
      if (state === 'break' && reason === undefined) throw new TenorError('TENOR_ERR_VALIDATION', ['a break needs a reason']);
      if (!agent.loggedIn) return agentView(await acd().login(login, state === 'break' ? { breakReason: reason ?? '' } : {}));
      return agentView(state === 'ready' ? acd().ready(login) : acd().takeBreak(login, reason ?? ''));
    });

    app.get('/api/agents/:login/log', {
      onRequest: anyone,
      schema: {
        summary: "The agent's state changes (append-only log)", tags: ['acd'], security, params: Type.Object({ login: Type.String() }),
        querystring: Type.Object({ from: Type.Optional(Type.String({ format: 'date-time' })), to: Type.Optional(Type.String({ format: 'date-time' })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })) }, { additionalProperties: false }),
        response: { 200: Type.Array(LogLine), ...errors },
      },
    }, async (request) => {
      requireSelf(currentUser(request), request.params.login);
      requireAgent(request.params.login);
      const q = request.query;
      const from = parseTime(q.from, 'from');
      const to = parseTime(q.to, 'to');
      const lines = await acd().agentStateLog({ login: request.params.login, ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}), ...(q.limit !== undefined ? { limit: q.limit } : {}) });
      return lines.map((l) => ({ from: l.from, to: l.to, reason: l.reason, callId: l.callId ?? null, at: new Date(l.at).toISOString() }));
    });

    // ---- call records ----
    app.get('/api/calls', {
      onRequest: anyone,
      schema: { summary: 'Call records, newest first, with their segments (agents: the calls they answered)', tags: ['acd'], security, querystring: CallsQuery, response: { 200: Type.Array(Type.Unknown()), ...errors } },
    }, async (request) => {
      const user = currentUser(request);
      const q = { ...request.query };
      if (!seesEverything(user)) {
        if (user.agent === undefined || (q.agent !== undefined && q.agent !== user.agent)) throw new TenorError('TENOR_ERR_FORBIDDEN');
        q.agent = user.agent;
      }
      const from = parseTime(q.from, 'from');
      const to = parseTime(q.to, 'to');
      const records = await acd().callRecords({
        ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}),
        ...(q.queue !== undefined ? { queue: q.queue } : {}), ...(q.agent !== undefined ? { agent: q.agent } : {}),
        ...(q.outcome !== undefined ? { outcome: q.outcome as CallRecord['outcome'] & string } : {}),
        ...(q.customerId !== undefined ? { customerId: q.customerId } : {}), ...(q.live !== undefined ? { live: q.live } : {}),
        ...(q.limit !== undefined ? { limit: q.limit } : {}), ...(q.offset !== undefined ? { offset: q.offset } : {}),
      });
      return records.map(callView);
    });

    app.get('/api/calls/:id', { onRequest: anyone, schema: { summary: 'One call record (agents: a call offered to or answered by them)', tags: ['acd'], security, params: Type.Object({ id: Type.String() }), response: { 200: Type.Unknown(), ...errors } } },
      async (request) => {
        const user = currentUser(request);
        const record = await acd().callRecord(request.params.id);
        const theirs = record && (record.agent === user.agent || record.segments.some((s) => s.agent !== undefined && s.agent === user.agent));
        if (record && !seesEverything(user) && (user.agent === undefined || !theirs)) throw new TenorError('TENOR_ERR_FORBIDDEN');
        if (!record) throw new TenorError('TENOR_ERR_NOT_FOUND', [`call '${request.params.id}'`]);
        return callView(record);
      });
  };
}
