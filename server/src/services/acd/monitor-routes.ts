// Supervisor monitoring over HTTP (supervisors and admins only). Registered by
// the HTTP shell next to the ACD's routes:
//   if (opts.services.has('monitoring')) await app.register(monitorRoutes({ services: opts.services }));

import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServiceManager } from '../../core/service-manager.js';
import { TenorError } from '../../core/errors.js';
import { currentUser, requireRole, type AuthUser } from '../../http/auth.js';
import './monitoring-service.js';
import type { MonitorView } from './monitoring.js';
import '../dialing/index.js';

const Mode = Type.Union([Type.Literal('listen'), Type.Literal('whisper'), Type.Literal('barge')], {
  description: 'listen: hear both sides; whisper: also speak to the agent only; barge: speak to both',
});

const StartBody = Type.Object(
  {
    mode: Mode,
    device: Type.Optional(Type.Object(
      { number: Type.String({ minLength: 1, maxLength: 64 }), trunk: Type.Optional(Type.String({ minLength: 1 })) },
      { additionalProperties: false, description: "call this number (through a trunk) instead of the supervisor's registered softphone" },
    )),
  },
  { additionalProperties: false },
);

export const MonitorViewSchema = Type.Object({
  id: Type.String(),
  agent: Type.String(),
  callId: Type.String({ description: "the customer's leg" }),
  mode: Mode,
  supervisor: Type.String(),
});

export function monitorRoutes(opts: { services: ServiceManager }): FastifyPluginAsyncTypebox {
  return async (app) => {
    const { services } = opts;
    const monitoring = () => services.get('monitoring');
    const supervisors = requireRole(services.get('users'), 'supervisor', 'admin');
    const security = [{ basicAuth: [] }];
    const errors = { '4xx': { $ref: 'ErrorResponse#' } } as const;
    const IdParams = Type.Object({ id: Type.String() });

    // Only the supervisor who started a monitor speaks through it; an admin may change or end any.
    const requireOwner = (user: AuthUser, id: string): MonitorView => {
      const view = monitoring().get(id);
      if (!view) throw new TenorError('TENOR_ERR_NOT_FOUND', [`monitor '${id}'`]);
      if (user.role !== 'admin' && view.supervisor !== user.username) throw new TenorError('TENOR_ERR_FORBIDDEN');
      return view;
    };

    app.post('/api/agents/:login/call/monitor', {
      onRequest: supervisors,
      schema: {
        summary: "Monitor the agent's connected call: Tenor calls you and joins you once you answer",
        description: "Calls the supervisor's registered softphone (SIP user = their username), or `device.number` through a trunk, and answers 201 once they hear the call. "
          + '404 TENOR_ERR_NO_CALL when the agent has no connected call; 409 TENOR_ERR_CALL_STATE when you already monitor it or it ends while your phone rings; '
          + '409 TENOR_ERR_MONITOR_UNREACHABLE when your phone does not answer.',
        tags: ['acd'], security, params: Type.Object({ login: Type.String() }), body: StartBody, response: { 201: MonitorViewSchema, ...errors },
      },
    }, async (request, reply) => {
      const user = currentUser(request);
      const { mode, device } = request.body;
      // Listening in from a phone number is an outbound leg like any other: the site's dialing policy decides.
      if (device) services.get('dialing').authorize(device.number, { purpose: 'monitor', role: user.role, ...(device.trunk !== undefined ? { trunk: device.trunk } : {}) });
      const view = await monitoring().start({
        agent: request.params.login, supervisor: user.username, mode,
        ...(device ? { device: { number: device.number, ...(device.trunk !== undefined ? { trunk: device.trunk } : {}) } } : {}),
      });
      return reply.status(201).send(view);
    });

    app.get('/api/monitors', {
      onRequest: supervisors,
      schema: { summary: 'Monitors in progress (every supervisor\'s)', tags: ['acd'], security, response: { 200: Type.Array(MonitorViewSchema), ...errors } },
    }, async () => monitoring().list());

    app.post('/api/monitors/:id', {
      onRequest: supervisors,
      schema: {
        summary: 'Switch a monitor between listen, whisper and barge (its supervisor, or an admin)', tags: ['acd'], security,
        params: IdParams, body: Type.Object({ mode: Mode }, { additionalProperties: false }), response: { 200: MonitorViewSchema, ...errors },
      },
    }, async (request) => {
      requireOwner(currentUser(request), request.params.id);
      return monitoring().setMode(request.params.id, request.body.mode);
    });

    app.delete('/api/monitors/:id', {
      onRequest: supervisors,
      schema: { summary: "End a monitor and hang up the supervisor's phone (its supervisor, or an admin)", tags: ['acd'], security, params: IdParams, response: { 204: Type.Null(), ...errors } },
    }, async (request, reply) => {
      requireOwner(currentUser(request), request.params.id);
      await monitoring().stop(request.params.id);
      return reply.status(204).send(null);
    });
  };
}
