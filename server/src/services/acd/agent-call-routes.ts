// The agent places a call from the desktop (docs/acd.md, "Calls the agent
// places"): POST /api/agents/:login/calls. Only the agent themself: it rings
// their own phone. The customer on the call is the one asked for when the
// agent may see them or the number is theirs, else the number's match in the CRM.
// And the agent's scheduled callbacks: listed (supervisors and admins: any
// agent's), scheduled, rescheduled, closed with a reason (the agent's own only),
// and called with `callbackId` (done once the customer answered).

import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServiceManager } from '../../core/service-manager.js';
import { TenorError } from '../../core/errors.js';
import { currentUser, requireRole, seesEverything, type AuthUser } from '../../http/auth.js';
import type { ScheduledCallback } from './store/scheduled-callbacks-repo.js';
import { requireCustomerAccess } from '../sessions/index.js';
import '../crm/index.js';
import './service.js';

/** A number as people write it: digits with spaces, dashes, dots, slashes, brackets, a leading +. */
const DialedNumber = Type.String({ minLength: 3, maxLength: 40, pattern: '^\\+?[0-9 ()./-]+$', description: 'any common format; normalised to E.164 for the site country' });

const PlaceBody = Type.Object(
  {
    number: DialedNumber,
    customerId: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[0-9]+$' })),
    queue: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    callbackId: Type.Optional(Type.String({ minLength: 1, maxLength: 80, description: "one of the agent's scheduled callbacks: its number and customer are called; done once the customer answered" })),
  },
  { additionalProperties: false },
);

const CallbackView = Type.Object({
  id: Type.String(),
  agent: Type.String(),
  number: Type.String({ description: 'E.164' }),
  customer: Type.Union([Type.Object({ id: Type.String(), name: Type.Union([Type.String(), Type.Null()]) }), Type.Null()]),
  dueAt: Type.String({ format: 'date-time' }),
  overdue: Type.Boolean(),
  source: Type.String({ description: '`agent`, or `script <id>` for a script run' }),
  note: Type.Union([Type.String(), Type.Null()]),
  status: Type.Union([Type.Literal('open'), Type.Literal('done'), Type.Literal('closed')]),
  closeReason: Type.Union([Type.String(), Type.Null()]),
  attempts: Type.Integer(),
});

const ScheduleBody = Type.Object(
  {
    number: DialedNumber,
    dueAt: Type.String({ format: 'date-time' }),
    customerId: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[0-9]+$' })),
    note: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);

const ChangeBody = Type.Union([
  Type.Object({ dueAt: Type.String({ format: 'date-time' }) }, { additionalProperties: false }),
  Type.Object({ status: Type.Literal('closed'), reason: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
]);

const Placed = Type.Object({
  recordId: Type.String({ description: 'the call record (GET /api/calls/:id)' }),
  callId: Type.String({ description: "the customer's leg" }),
  number: Type.String({ description: 'the number dialed, E.164' }),
  queue: Type.String(),
  customer: Type.Union([Type.Object({ id: Type.String(), name: Type.Union([Type.String(), Type.Null()]) }), Type.Null()]),
});

export function agentCallRoutes(opts: { services: ServiceManager }): FastifyPluginAsyncTypebox {
  return async (app) => {
    const { services } = opts;
    const anyone = requireRole(services.get('users'), 'agent', 'supervisor', 'admin');
    const errors = { '4xx': { $ref: 'ErrorResponse#' } } as const;

    const routeLog = app.log;
    /** A customer's id and name (the id alone when the CRM does not know it any more). */
    const customerName = async (id: string | undefined): Promise<{ id: string; name: string | null } | null> => {
      if (id === undefined) return null;
      if (!services.has('crm')) return { id, name: null };
      try {
        const record = (await services.get('crm').entity('Customer').get(Number(id))) as Record<string, unknown>;
        return { id, name: typeof record.name === 'string' ? record.name : null };
      } catch (err) {
        routeLog.debug({ err, customerId: id }, 'customer of an agent call or callback not found');
        return { id, name: null };
      }
    };
    /** The customer the call is for: the one asked for if the agent may see them or the number is theirs; else the number's match. */
    const customerFor = async (user: AuthUser, e164: string, asked: string | undefined): Promise<{ id: string; name: string | null } | null> => {
      if (!services.has('crm')) return null;
      const matches = await services.get('crm').findCustomersByPhone(e164);
      const named = (r: Record<string, unknown>): { id: string; name: string | null } => ({ id: String(r.id), name: typeof r.name === 'string' ? r.name : null });
      if (asked !== undefined) {
        const match = matches.find((m) => String(m.id) === asked);
        if (match) return named(match);
        await requireCustomerAccess(services, user, asked);
        return customerName(asked);
      }
      const [first] = matches;
      return first ? named(first) : null;
    };

    const view = async (c: ScheduledCallback): Promise<Static<typeof CallbackView>> => ({
      id: c.id, agent: c.agent, number: c.number, customer: await customerName(c.customerId), dueAt: new Date(c.dueAt).toISOString(),
      overdue: c.status === 'open' && c.dueAt < Date.now(), source: c.source, note: c.note ?? null, status: c.status, closeReason: c.closeReason ?? null, attempts: c.attempts,
    });
    const callbacks = () => services.get('acd').scheduledCallbacks;
    const params = Type.Object({ login: Type.String() });
    const tags = ['acd'];
    const security = [{ basicAuth: [] }];
    const own = (request: Parameters<typeof currentUser>[0], login: string): AuthUser => {
      const user = currentUser(request);
      if (user.agent !== login) throw new TenorError('TENOR_ERR_FORBIDDEN');
      return user;
    };

    app.get('/api/agents/:login/callbacks', {
      onRequest: anyone,
      schema: { summary: "The agent's open scheduled callbacks, soonest due first (agents: their own only)", tags, security, params, response: { 200: Type.Array(CallbackView), ...errors } },
    }, async (request) => {
      const user = currentUser(request);
      if (!seesEverything(user) && user.agent !== request.params.login) throw new TenorError('TENOR_ERR_FORBIDDEN');
      return Promise.all((await callbacks().list(request.params.login)).map(view));
    });

    app.post('/api/agents/:login/callbacks', {
      onRequest: anyone,
      schema: { summary: 'Schedule a callback for the agent themself', tags, security, params, body: ScheduleBody, response: { 201: CallbackView, ...errors } },
    }, async (request, reply) => {
      const user = own(request, request.params.login);
      const b = request.body;
      if (b.customerId !== undefined) await requireCustomerAccess(services, user, b.customerId);
      const c = await callbacks().schedule({
        agent: request.params.login, number: b.number, dueAt: Date.parse(b.dueAt), source: 'agent',
        ...(b.customerId !== undefined ? { customerId: b.customerId } : {}), ...(b.note !== undefined ? { note: b.note } : {}),
      });
      return reply.status(201).send(await view(c));
    });

    app.patch('/api/agents/:login/callbacks/:id', {
      onRequest: anyone,
      schema: {
        summary: 'Reschedule one of the agent\'s callbacks (dueAt) or close it with a reason (the agent themself)', tags, security,
        params: Type.Object({ login: Type.String(), id: Type.String() }), body: ChangeBody, response: { 200: CallbackView, ...errors },
      },
    }, async (request) => {
      const { login, id } = request.params;
      own(request, login);
      const b = request.body;
      const c = 'dueAt' in b ? await callbacks().reschedule(login, id, Date.parse(b.dueAt)) : await callbacks().close(login, id, b.reason);
      return view(c);
    });

    app.post('/api/agents/:login/calls', {
      onRequest: anyone,
      schema: {
        summary: "Call a number from the agent's desktop: the agent's phone rings, then the customer's; answers once the customer answered (the agent themself only)",
        tags: ['acd'], security: [{ basicAuth: [] }], params: Type.Object({ login: Type.String() }), body: PlaceBody,
        response: { 201: Placed, ...errors },
      },
    }, async (request, reply) => {
      const user = currentUser(request);
      const { login } = request.params;
      // It rings the agent's own phone: nobody places a call as another agent.
      if (user.agent !== login) throw new TenorError('TENOR_ERR_FORBIDDEN');
      const body = request.body;
      const dialing = services.get('dialing');
      // A callback of their list: the customer it was scheduled for (the agent's own list only).
      const callback = body.callbackId !== undefined ? await callbacks().openOf(login, body.callbackId) : undefined;
      // A callback is called at its own number, for its own customer: it is marked done by this call.
      const number = callback?.number ?? body.number;
      // Checked once here for the customer match (refusals are the ACD's to publish when it places the call).
      const e164 = dialing.policy.checkNumber(number).number.e164;
      const customer = callback ? await customerName(callback.customerId) : await customerFor(user, e164, body.customerId);
      let placed;
      try {
        placed = await services.get('acd').placeCall(login, {
          number, role: user.role,
          ...(customer ? { customerId: customer.id, ...(customer.name !== null ? { customerName: customer.name } : {}) } : {}),
          ...(body.queue !== undefined ? { queue: body.queue } : {}),
        });
      } catch (err) {
        // The customer did not answer: an attempt on the callback, which stays open.
        if (callback && err instanceof TenorError && err.code === 'TENOR_ERR_CUSTOMER_NOT_REACHED') await callbacks().attempted(callback.id, undefined, false);
        throw err;
      }
      if (callback) await callbacks().attempted(callback.id, placed.recordId, true);
      await services.get('acd').flush();
      return reply.status(201).send({ ...placed, customer });
    });
  };
}
