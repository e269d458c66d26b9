// GET /api/wallboard (supervisors and admins): thresholds, today's figures and
// the last hour of waiting callers per queue. The live figures come from
// GET /api/events like the monitor's.

import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServiceManager } from '../../core/service-manager.js';
import { requireRole } from '../../http/auth.js';
import './service.js';

const Band = Type.Object({ amber: Type.Number(), red: Type.Number() });

const WallboardSchema = Type.Object({
  at: Type.String(),
  sampleSeconds: Type.Integer({ description: 'seconds between history samples' }),
  queues: Type.Array(Type.Object({
    queue: Type.String(),
    thresholds: Type.Object({
      waiting: Type.Optional(Band), longestWait: Type.Optional(Band), serviceLevel: Type.Optional(Band), agentsReady: Type.Optional(Band),
    }),
    today: Type.Union([Type.Object({
      offered: Type.Integer(), answered: Type.Integer(), abandoned: Type.Integer(), serviceLevelPercent: Type.Union([Type.Number(), Type.Null()]),
    }), Type.Null()]),
    history: Type.Array(Type.Object({ at: Type.String(), waiting: Type.Integer() }), { description: 'waiting callers over the last hour, oldest first' }),
  })),
});

export function wallboardRoutes(opts: { services: ServiceManager }): FastifyPluginAsyncTypebox {
  return async (app) => {
    const { services } = opts;
    app.get('/api/wallboard', {
      onRequest: requireRole(services.get('users'), 'supervisor', 'admin'),
      schema: {
        summary: "The wallboard's figures besides the live events: thresholds, today's service level and abandoned calls, the last hour of waiting callers",
        tags: ['live'], security: [{ basicAuth: [] }, { sessionCookie: [] }],
        response: { 200: WallboardSchema, '4xx': { $ref: 'ErrorResponse#' } },
      },
    }, async () => services.get('wallboard').view());
  };
}
