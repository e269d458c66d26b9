import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServiceManager } from '../../core/service-manager.js';

const Health = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('unhealthy'), Type.Literal('shutting-down')]),
  version: Type.String(),
  uptimeSeconds: Type.Number(),
  services: Type.Record(Type.String(), Type.String({ description: 'ok, degraded or down' })),
});

export function healthRoutes(opts: { services: ServiceManager; version: string; shuttingDown: () => boolean }): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/health',
      { schema: { summary: 'Is every service healthy?', tags: ['server'], response: { 200: Health, 503: Health } } },
      async (_request, reply) => {
        const list = await opts.services.list();
        const services = Object.fromEntries(list.map((s) => [s.name, s.health.status]));
        const healthy = list.every((s) => s.health.status !== 'down');
        const status = opts.shuttingDown() ? 'shutting-down' : healthy ? 'ok' : 'unhealthy';
        return reply.status(status === 'ok' ? 200 : 503).send({
          status,
          version: opts.version,
          uptimeSeconds: Math.round(process.uptime()),
          services,
        });
      },
    );
  };
}
