// The alerts as a Tenor service (`alerts`): rules from the site file read
// against the ACD's queues, the reports' service level, the trunks'
// registrations and the campaigns' abandon rates (the last three when those
// services run); alerts go on the bus and by e-mail through `mail`.

import { isTenorError } from '../../core/errors.js';
import { defineService, type ServiceContext } from '../../core/service-manager.js';
import '../acd/index.js';
import '../events.js';
import '../mail.js';
import '../reports/index.js';
import '../trunks/index.js';
import '../campaigns/index.js';
import { Alerts } from './alerts.js';
import type { AlertsSettings } from './config-schema.js';
import type { Readings } from './rules.js';
import { alertRoutes } from './routes.js';

declare module '../../core/service-manager.js' {
  interface ServiceMap {
    alerts: Alerts;
  }
}

/** A service that may be absent or stopped: undefined then, so its rules raise nothing. */
function optional<K extends 'reports' | 'trunks' | 'campaigns'>(ctx: ServiceContext, name: K): import('../../core/service-manager.js').ServiceMap[K] | undefined {
  try {
    return ctx.get(name);
  } catch (err) {
    if (isTenorError(err, 'TENOR_ERR_SERVICE_NOT_FOUND') || isTenorError(err, 'TENOR_ERR_SERVICE_NOT_RUNNING')) return undefined;
    throw err;
  }
}

function readingsOf(ctx: ServiceContext): Readings {
  const acd = ctx.get('acd');
  return {
    queues: () => acd.queues().map((q) => q.name),
    queue(name) {
      const f = acd.figures(name);
      return f ? { waiting: f.waiting, longestWaitSeconds: Math.floor(f.longestWaitMs / 1000), agentsReady: f.agentsReady } : undefined;
    },
    async serviceLevel(queue, minutes) {
      const reports = optional(ctx, 'reports');
      if (!reports) return null;
      const to = Date.now();
      const report = await reports.inbound({ from: new Date(to - minutes * 60_000).toISOString(), to: new Date(to).toISOString(), queue, interval: 'day' });
      return report.total.serviceLevelPercent;
    },
    trunks: () => (optional(ctx, 'trunks')?.list() ?? []).flatMap((t) => (t.registration ? [{ name: t.name, state: t.registration.state }] : [])),
    async campaigns() {
      return (await optional(ctx, 'campaigns')?.live()) ?? [];
    },
  };
}

export function alertsService(settings: AlertsSettings = {}) {
  return defineService<Alerts>({
    name: 'alerts',
    version: '1.0.0',
    description: `Alerts: ${settings.rules?.length ?? 0} rule(s) on queues, service level, trunks and campaigns; on the bus and by e-mail`,
    dependsOn: ['acd', 'events', 'mail'],
    routes: { plugin: ({ services }) => alertRoutes({ services }) },
    start(ctx) {
      const alerts = new Alerts({ settings, readings: readingsOf(ctx), bus: ctx.get('events'), mail: ctx.get('mail'), log: ctx.logger });
      ctx.whenReplaced('events', () => alerts.listen());
      alerts.start();
      ctx.logger.info({ rules: settings.rules?.length ?? 0 }, 'alerts ready');
      return alerts;
    },
    stop: (alerts) => alerts.close(),
    health: (alerts) => ({ status: 'ok', detail: `${alerts.active().length} active alert(s)` }),
  });
}
