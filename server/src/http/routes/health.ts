import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { HealthCache } from '../health-cache.js';

const Health = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('unhealthy'), Type.Literal('shutting-down')]),
  version: Type.String(),
  uptimeSeconds: Type.Number(),
  services: Type.Record(Type.String(), Type.String({ description: 'ok, degraded or down' })),
  checkedAt: Type.String({ format: 'date-time', description: 'when the services were checked (checks run in the background, see docs/operations.md)' }),
  checkAgeMs: Type.Integer({ description: 'how old the checks are, in milliseconds' }),
});

// Answered from the cached checks (http/health-cache.ts); whether the server is
// shutting down is read live, so load balancers drain at once.
export function healthRoutes(opts: { checks: HealthCache; version: string; shuttingDown: () => boolean }): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/health',
      { schema: { summary: 'Is every service healthy? (checks run in the background; the answer says how old they are)', tags: ['server'], response: { 200: Health, 503: Health } } },
      async (_request, reply) => {
        const { services: list, checkedAt } = await opts.checks.current();
        const services: Record<string, string> = {};
        let healthy = true;
        for (const s of list) {
          services[s.name] = s.health.status;
          if (s.health.status === 'down') healthy = false;
        }
        const status = opts.shuttingDown() ? 'shutting-down' : healthy ? 'ok' : 'unhealthy';
        return reply.status(status === 'ok' ? 200 : 503).send({
          status,
          version: opts.version,
          uptimeSeconds: Math.round(process.uptime()),
          services,
          checkedAt: new Date(checkedAt).toISOString(),
          checkAgeMs: Math.max(0, Date.now() - checkedAt),
        });
      },
    );
  };
}
