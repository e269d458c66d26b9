// The agent places a call from the desktop (docs/acd.md, "Calls the agent
// places"): POST /api/agents/:login/calls. Only the agent themself: it rings
// their own phone. The customer on the call is the one asked for when the
// agent may see them or the number is theirs, else the number's match in the CRM.

import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServiceManager } from '../../core/service-manager.js';
import { TenorError } from '../../core/errors.js';
import { currentUser, requireRole, type AuthUser } from '../../http/auth.js';
import { mayAccessCustomer } from '../sessions/agent-scope.js';
import '../crm/index.js';
import './service.js';

/** A number as people write it: digits with spaces, dashes, dots, slashes, brackets, a leading +. */
const DialedNumber = Type.String({ minLength: 3, maxLength: 40, pattern: '^\\+?[0-9 ()./-]+$', description: 'any common format; normalised to E.164 for the site country' });

const PlaceBody = Type.Object(
  {
    number: DialedNumber,
    customerId: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[0-9]+$' })),
    queue: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
);

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

    /** The customer the call is for: the one asked for if the agent may see them or the number is theirs; else the number's match. */
    const customerFor = async (user: AuthUser, e164: string, asked: string | undefined): Promise<{ id: string; name: string | null } | null> => {
      if (!services.has('crm')) return null;
      const matches = await services.get('crm').findCustomersByPhone(e164);
      const named = (r: Record<string, unknown>): { id: string; name: string | null } => ({ id: String(r.id), name: typeof r.name === 'string' ? r.name : null });
      if (asked !== undefined) {
        const match = matches.find((m) => String(m.id) === asked);
        if (match) return named(match);
        if (!(await mayAccessCustomer(services, user, asked))) throw new TenorError('TENOR_ERR_FORBIDDEN');
        const record = (await services.get('crm').entity('Customer').get(Number(asked))) as Record<string, unknown>;
        return named(record);
      }
      const [first] = matches;
      return first ? named(first) : null;
    };

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
      // Checked once here for the customer match (refusals are the ACD's to publish when it places the call).
      const e164 = dialing.policy.checkNumber(body.number).number.e164;
      const customer = await customerFor(user, e164, body.customerId);
      const placed = await services.get('acd').placeCall(login, {
        number: body.number, role: user.role,
        ...(customer ? { customerId: customer.id, ...(customer.name !== null ? { customerName: customer.name } : {}) } : {}),
        ...(body.queue !== undefined ? { queue: body.queue } : {}),
      });
      await services.get('acd').flush();
      return reply.status(201).send({ ...placed, customer });
    });
  };
}
