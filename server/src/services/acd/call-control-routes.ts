// Call controls over HTTP: an agent (or a supervisor/admin for them) holds,
// hangs up and transfers the call they are connected to. docs/acd.md,
// "Call controls", describes the contract. Registered by the HTTP shell:
//   if (opts.services.has('acd')) await app.register(callControlRoutes({ services: opts.services }));

import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServiceManager } from '../../core/service-manager.js';
import { TenorError } from '../../core/errors.js';
import { currentUser, requireRole, seesEverything } from '../../http/auth.js';
import { agentStates } from './agent-state.js';
import type { ConnectedCallView, TransferTarget } from './connected-call.js';
import './monitoring-service.js';
import './service.js';
import '../dialing/index.js';

const TransferTargetSchema = Type.Union([
  Type.Object({ type: Type.Literal('agent'), agent: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('queue'), queue: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
  Type.Object(
    { type: Type.Literal('number'), number: Type.String({ minLength: 1, maxLength: 40, pattern: '^\\+?[0-9*#]+$' }), trunk: Type.Optional(Type.String({ minLength: 1 })) },
    { additionalProperties: false },
  ),
]);

const TargetBody = Type.Object({ target: TransferTargetSchema }, { additionalProperties: false });

export const CallView = Type.Object({
  callId: Type.String({ description: "the customer's leg" }),
  recordId: Type.String({ description: 'the call record (GET /api/calls/:id)' }),
  queue: Type.Union([Type.String(), Type.Null()]),
  kind: Type.Union([Type.Literal('call'), Type.Literal('callback')]),
  caller: Type.Object({ number: Type.String(), customerId: Type.Union([Type.String(), Type.Null()]), customerName: Type.Union([Type.String(), Type.Null()]) }),
  answeredAt: Type.String({ format: 'date-time' }),
  held: Type.Boolean({ description: 'the customer hears music on hold' }),
  consult: Type.Union([Type.Object({ target: TransferTargetSchema, state: Type.Union([Type.Literal('dialing'), Type.Literal('talking')]) }), Type.Null()]),
  monitors: Type.Array(Type.Object({ id: Type.String(), supervisor: Type.String(), mode: Type.Union([Type.Literal('listen'), Type.Literal('whisper'), Type.Literal('barge')]) })),
});

const Transferred = Type.Object({ transferred: Type.Literal(true) });

export const TransferTargets = Type.Object({
  agents: Type.Array(Type.Object({ login: Type.String(), name: Type.String(), state: Type.Union(agentStates.map((state) => Type.Literal(state))) })),
  queues: Type.Array(Type.String()),
  numbers: Type.Boolean({ description: 'whether the caller of this route may transfer to a number (agents: dialing.agentsMayDialExternal)' }),
});

export function callControlRoutes(opts: { services: ServiceManager }): FastifyPluginAsyncTypebox {
  return async (app) => {
    const { services } = opts;
    const acd = () => services.get('acd');
    const anyone = requireRole(services.get('users'), 'agent', 'supervisor', 'admin');
    // The ACD writes through a queue: an answer to a change leaves once what it changed is committed.
    // Callback style, so a GET (nothing to flush) passes through without a promise of its own.
    app.addHook('onSend', (request, _reply, payload, done) => {
      if (request.method === 'GET') return done(null, payload);
      acd().flush().then(() => done(null, payload), done);
    });
    const security = [{ basicAuth: [] }];
    const errors = { '4xx': { $ref: 'ErrorResponse#' } } as const;
    const params = Type.Object({ login: Type.String() });
    const tags = ['acd'];

    // Agents control their own call only; supervisors and admins any agent's.
    const allowed = (request: Parameters<typeof currentUser>[0], login: string): void => {
      const user = currentUser(request);
      if (!seesEverything(user) && user.agent !== login) throw new TenorError('TENOR_ERR_FORBIDDEN');
    };
    // Supervisors listening in, when the monitoring service runs.
    const view = (v: ConnectedCallView, login: string): Static<typeof CallView> => ({
      ...v, monitors: services.has('monitoring') ? services.get('monitoring').monitorsOf(login) : [],
    });
    const target = (body: Static<typeof TargetBody>): TransferTarget => body.target;
    // A number is checked with the dialing policy for who asks (agents: only where the site allows) before anything is dialed.
    const dialable = (request: Parameters<typeof currentUser>[0], login: string, t: TransferTarget, purpose: 'transfer' | 'consult'): TransferTarget => {
      if (t.type !== 'number') return t;
      const { role } = currentUser(request);
      const callId = acd().connectedCall(login).callId;
      services.get('dialing').authorize(t.number, { purpose, role, agent: login, callId, ...(t.trunk !== undefined ? { trunk: t.trunk } : {}) });
      return t;
    };

    // An agent sees only themselves in the live snapshot; to transfer they need the others' names and states.
    app.get('/api/agents/:login/call/targets', {
      onRequest: anyone,
      schema: {
        summary: 'Who the agent can transfer to: the other agents (with their state; only ready ones can take a transfer), the queues, and whether numbers are allowed',
        tags, security, params,
        response: {
          200: TransferTargets,
          ...errors,
        },
      },
    }, async (request) => {
      const { login } = request.params;
      allowed(request, login);
      return {
        agents: acd().agents().filter((a) => a.login !== login && a.loggedIn).map((a) => ({ login: a.login, name: a.profile.name, state: a.state })),
        queues: acd().queues().map((q) => q.name),
        numbers: currentUser(request).role !== 'agent' || services.get('dialing').policy.settings.agentsMayDialExternal,
      };
    });

    app.get('/api/agents/:login/call', {
      onRequest: anyone,
      schema: { summary: "The agent's connected call (404 TENOR_ERR_NO_CALL when none)", tags, security, params, response: { 200: CallView, ...errors } },
    }, async (request) => {
      allowed(request, request.params.login);
      return view(acd().connectedCall(request.params.login), request.params.login);
    });

    app.post('/api/agents/:login/call/hold', {
      onRequest: anyone,
      schema: { summary: "Put the customer on hold (they hear the queue's music; counted into the record's holdMs)", tags, security, params, response: { 200: CallView, ...errors } },
    }, async (request) => {
      allowed(request, request.params.login);
      return view(await acd().holdCall(request.params.login), request.params.login);
    });

    app.post('/api/agents/:login/call/unhold', {
      onRequest: anyone,
      schema: { summary: 'Take the customer off hold', tags, security, params, response: { 200: CallView, ...errors } },
    }, async (request) => {
      allowed(request, request.params.login);
      return view(await acd().unholdCall(request.params.login), request.params.login);
    });

    app.post('/api/agents/:login/call/hangup', {
      onRequest: anyone,
      schema: { summary: "Hang up the customer's leg; the agent goes to wrap-up", tags, security, params, response: { 204: Type.Null(), ...errors } },
    }, async (request, reply) => {
      allowed(request, request.params.login);
      await acd().hangupCall(request.params.login);
      return reply.status(204).send(null);
    });

    app.post('/api/agents/:login/call/transfer', {
      onRequest: anyone,
      schema: {
        summary: 'Blind transfer to an agent (must be ready), a queue or a number; the agent leaves at once',
        tags, security, params, body: TargetBody, response: { 202: Transferred, ...errors },
      },
    }, async (request, reply) => {
      allowed(request, request.params.login);
      await acd().transferCall(request.params.login, dialable(request, request.params.login, target(request.body), 'transfer'));
      return reply.status(202).send({ transferred: true as const });
    });

    app.post('/api/agents/:login/call/consult', {
      onRequest: anyone,
      schema: {
        summary: 'Attended transfer, first step: the customer on hold, the agent calls an agent or a number',
        tags, security, params, body: TargetBody, response: { 200: CallView, ...errors },
      },
    }, async (request) => {
      allowed(request, request.params.login);
      return view(await acd().consultCall(request.params.login, dialable(request, request.params.login, target(request.body), 'consult')), request.params.login);
    });

    app.post('/api/agents/:login/call/consult/complete', {
      onRequest: anyone,
      schema: { summary: 'Connect the customer to the consulted party; the agent goes to wrap-up', tags, security, params, response: { 202: Transferred, ...errors } },
    }, async (request, reply) => {
      allowed(request, request.params.login);
      await acd().completeConsult(request.params.login);
      return reply.status(202).send({ transferred: true as const });
    });

    app.post('/api/agents/:login/call/consult/cancel', {
      onRequest: anyone,
      schema: { summary: 'End the consult leg; the agent is back with the customer, off hold', tags, security, params, response: { 200: CallView, ...errors } },
    }, async (request) => {
      allowed(request, request.params.login);
      return view(await acd().cancelConsult(request.params.login), request.params.login);
    });
  };
}
