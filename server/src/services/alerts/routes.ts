// GET /api/alerts: the active alerts and the recent ended ones (supervisors
// and admins; agents see no alerts).

import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServiceManager } from '../../core/service-manager.js';
import { requireRole } from '../../http/auth.js';
import './service.js';

const Subject = {
  queue: Type.Optional(Type.String()),
  trunk: Type.Optional(Type.String()),
  campaign: Type.Optional(Type.String()),
};

export const AlertViewSchema = Type.Object({
  id: Type.String(),
  rule: Type.String(),
  severity: Type.Union([Type.Literal('warning'), Type.Literal('critical')]),
  ...Subject,
  message: Type.String(),
  value: Type.Number(),
  threshold: Type.Number(),
  at: Type.String({ description: 'when it was raised (ISO)' }),
  clearedAt: Type.Union([Type.String(), Type.Null()]),
  announced: Type.Boolean({ description: 'false: it broke again within the cool-down, so no event or e-mail was sent' }),
});

export function alertRoutes(opts: { services: ServiceManager }): FastifyPluginAsyncTypebox {
  return async (app) => {
    const { services } = opts;
    app.get('/api/alerts', {
      onRequest: requireRole(services.get('users'), 'supervisor', 'admin'),
      schema: {
        summary: 'Alerts: those active now and the latest ended ones (newest first, this process)', tags: ['alerts'], security: [{ basicAuth: [] }],
        response: { 200: Type.Object({ active: Type.Array(AlertViewSchema), recent: Type.Array(AlertViewSchema) }), '4xx': { $ref: 'ErrorResponse#' } },
      },
    }, async () => {
      const alerts = services.get('alerts');
      return { active: alerts.active(), recent: alerts.recent() };
    });
  };
}
