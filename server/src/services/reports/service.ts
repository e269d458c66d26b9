// The reports as a Tenor service: statistics of the past computed from the
// store (the ACD's call records and agent state log, voicemail messages,
// campaign attempts), never from live counters. Depends on the ACD for queue
// thresholds and memberships, and so that its tables exist.

import { defineService } from '../../core/service-manager.js';
import '../store.js';
import '../acd/service.js';
import type { ReportsSettings } from './config-schema.js';
import { Reports } from './reports.js';
import { checkTimeZone } from './time-zone.js';
import { defaultTimeZone } from './query.js';
import { reportRoutes } from './routes.js';

declare module '../../core/service-manager.js' {
  interface ServiceMap {
    reports: Reports;
  }
}

export function reportsService(settings: ReportsSettings = {}) {
  return defineService<Reports>({
    name: 'reports',
    version: '1.0.0',
    description: 'Statistical reports: inbound calls, agent availability, voicemail, callbacks (JSON and CSV)',
    dependsOn: ['store', 'acd'],
    routes: { plugin: reportRoutes },
    start(ctx) {
      // A wrong time zone in the configuration fails at boot, not at the first report.
      const timeZone = checkTimeZone(defaultTimeZone(settings), 'reports.timeZone');
      ctx.logger.info({ timeZone }, 'reports ready');
      return new Reports({ db: ctx.get('store'), acd: ctx.get('acd'), settings });
    },
  });
}
