import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { HealthCache, HealthSnapshot } from '../health-cache.js';

const Health = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('unhealthy'), Type.Literal('shutting-down')]),
  version: Type.String(),
  uptimeSeconds: Type.Number(),
  services: Type.Record(Type.String(), Type.String({ description: 'ok, degraded or down' })),
  checkedAt: Type.String({ format: 'date-time', description: 'when the services were checked (checks run in the background, see docs/operations.md)' }),
  checkAgeMs: Type.Integer({ description: 'how old the checks are, in milliseconds' }),
});

/** What a round of checks says, worked out once per round: the services as JSON, and whether any is down. */
interface RoundView {
  snapshot: HealthSnapshot;
  servicesJson: string;
  healthy: boolean;
  checkedAtJson: string;
}

function viewOf(snapshot: HealthSnapshot): RoundView {
  const services: Record<string, string> = {};
  let healthy = true;
  for (const s of snapshot.services) {
    services[s.name] = s.health.status;
    if (s.health.status === 'down') healthy = false;
  }
  return { snapshot, servicesJson: JSON.stringify(services), healthy, checkedAtJson: JSON.stringify(new Date(snapshot.checkedAt).toISOString()) };
}

// Answered from the cached checks (http/health-cache.ts); whether the server is
// shutting down is read live, so load balancers drain at once. A load balancer
// or monitor may poll this hard: the body is put together from the round's
// JSON made once per round (the `Health` schema documents it; every value in it
// is ours or JSON-encoded), not serialised field by field on every request.
export function healthRoutes(opts: { checks: HealthCache; version: string; shuttingDown: () => boolean }): FastifyPluginAsyncTypebox {
  const versionJson = JSON.stringify(opts.version);
  let last: RoundView | undefined;
  return async (app) => {
    app.get(
      '/health',
      { schema: { summary: 'Is every service healthy? (checks run in the background; the answer says how old they are)', tags: ['server'], response: { 200: Health, 503: Health } } },
      async (_request, reply) => {
        const snapshot = await opts.checks.current();
        if (last?.snapshot !== snapshot) last = viewOf(snapshot);
        const status = opts.shuttingDown() ? 'shutting-down' : last.healthy ? 'ok' : 'unhealthy';
        const body = `{"status":"${status}","version":${versionJson},"uptimeSeconds":${Math.round(process.uptime())},"services":${last.servicesJson},`
          + `"checkedAt":${last.checkedAtJson},"checkAgeMs":${Math.max(0, Date.now() - snapshot.checkedAt)}}`;
        // A JSON string with its content type is sent as it is (fastify serialises only objects); the type provider wants the object.
        return reply.status(status === 'ok' ? 200 : 503).type('application/json; charset=utf-8').send(body as unknown as Static<typeof Health>);
      },
    );
  };
}
