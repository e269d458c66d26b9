// The metrics service: one Prometheus registry whose collectors read the other
// services when it is scraped (no timer polls them), served at GET /metrics on
// the API port (routes.ts) and, when the site file asks, on a listener of its
// own (listener.ts).

import { Registry } from 'prom-client';
import { isTenorError } from '../../core/errors.js';
import { defineService, type ServiceContext } from '../../core/service-manager.js';
import type { TenorConfig } from '../../config/schema.js';
import '../acd/index.js';
import '../campaigns/index.js';
import '../telephony/index.js';
import '../store.js';
import type { CampaignsService } from '../campaigns/index.js';
import type { EventWebhooksService } from '../event-webhooks/index.js';
import { parseListen } from './config-schema.js';
import { registerContactCenterMetrics } from './contact-center-metrics.js';
import { startMetricsListener, type MetricsListener } from './listener.js';
import { metricsRoutes } from './routes.js';
import { registerRuntimeMetrics, type RuntimeMetrics } from './runtime-metrics.js';
import { registerTelephonyMetrics } from './telephony-metrics.js';
import { registerWebhookMetrics } from './webhook-metrics.js';

export interface MetricsService {
  /** The Content-Type of the exposition text (Prometheus text format 0.0.4). */
  readonly contentType: string;
  /** Every metric now, in the Prometheus text format. */
  scrape(): Promise<string>;
  /** Where the metrics-only listener listens (the real port after binding), when the site file asks for one. */
  readonly listener: { host: string; port: number } | undefined;
}

declare module '../../core/service-manager.js' {
  interface ServiceMap {
    metrics: MetricsService;
  }
}

interface RunningMetrics extends MetricsService {
  readonly runtime: RuntimeMetrics;
  readonly server: MetricsListener | undefined;
}

/** A service that may not be installed or running (a scrape still answers without it). */
function optional<T extends object>(ctx: ServiceContext, name: string): () => T | undefined {
  return () => {
    try {
      return ctx.get<T>(name);
    } catch (err) {
      if (isTenorError(err, 'TENOR_ERR_SERVICE_NOT_FOUND') || isTenorError(err, 'TENOR_ERR_SERVICE_NOT_RUNNING')) return undefined;
      throw err;
    }
  };
}

export function metricsService(config: Pick<TenorConfig, 'metrics'>) {
  return defineService<RunningMetrics>({
    name: 'metrics',
    version: '1.0.0',
    description: 'Prometheus metrics: calls, SIP, RTP, queues, agents, campaigns, event loop, database writes (GET /metrics)',
    dependsOn: ['store', 'telephony', 'acd'],
    routes: { plugin: metricsRoutes },
    async start(ctx) {
      const registry = new Registry();
      const telephony = ctx.get('telephony');
      registerTelephonyMetrics(registry, () => telephony.stats());
      const acd = ctx.get('acd');
      registerContactCenterMetrics(registry, { acd: () => acd, campaigns: optional<CampaignsService>(ctx, 'campaigns') });
      registerWebhookMetrics(registry, optional<EventWebhooksService>(ctx, 'eventWebhooks'));
      const runtime = registerRuntimeMetrics(registry, ctx.get('store'));
      const scrape = () => registry.metrics();
      let server: MetricsListener | undefined;
      if (config.metrics.listen) {
        try {
          server = await startMetricsListener(parseListen(config.metrics.listen), { scrape, contentType: registry.contentType, logger: ctx.logger });
        } catch (err) {
          runtime.stop();
          throw err;
        }
        ctx.logger.info({ listen: `${server.host}:${server.port}` }, 'metrics listener started (GET /metrics without credentials)');
      }
      return { contentType: registry.contentType, scrape, listener: server && { host: server.host, port: server.port }, runtime, server };
    },
    async stop(metrics) {
      metrics.runtime.stop();
      await metrics.server?.close();
    },
  });
}
