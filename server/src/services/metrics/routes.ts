// GET /metrics on the API port: the Prometheus text format for supervisors and
// admins (HTTP Basic in Prometheus's `basic_auth`, or a web session). Prometheus
// can also scrape the metrics-only listener (`metrics.listen`) without credentials.

import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServiceHttpContext } from '../../core/service-manager.js';
import { requireRole } from '../../http/auth.js';
import './service.js';

export function metricsRoutes(http: ServiceHttpContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    const { services } = http;
    const staff = requireRole(services.get('users'), 'supervisor', 'admin');
    app.get('/metrics', {
      onRequest: staff,
      schema: {
        summary: 'Prometheus metrics (text format 0.0.4): calls, SIP, RTP, queues, agents, campaigns, event loop, database writes — docs/metrics.md',
        tags: ['metrics'],
        security: [{ basicAuth: [] }],
        response: { 200: Type.String({ description: 'text/plain; version=0.0.4' }), '4xx': { $ref: 'ErrorResponse#' } },
      },
    }, async (_request, reply) => {
      const metrics = services.get('metrics');
      const text = await metrics.scrape();
      return reply.type(metrics.contentType).send(text);
    });
  };
}
