// The reports as a Tenor service: statistics of the past computed from the
// stored history (the ACD's call records and agent state log, voicemail
// messages, campaign attempts) read through each owner's report reader, never
// from live counters. Depends on the ACD for queue thresholds, memberships and
// its history; voicemail and campaigns are optional and looked up per report.

import { isTenorError } from '../../core/errors.js';
import { defineService, type ServiceContext } from '../../core/service-manager.js';
import '../acd/index.js';
import type { ReportsSettings } from './config-schema.js';
import { Reports } from './reports.js';
import { checkTimeZone } from './time-zone.js';
import { defaultTimeZone } from './query.js';
import type { AcdHistory, CampaignHistory, VoicemailHistory } from './source.js';
import { reportRoutes } from './routes.js';

declare module '../../core/service-manager.js' {
  interface ServiceMap {
    reports: Reports;
  }
}

/**
 * The report reader of an optional service (voicemail, campaigns), or
 * undefined when that service is not installed or not running.
 */
function optionalReader<T>(ctx: ServiceContext, name: 'voicemail' | 'campaigns'): () => Promise<T | undefined> {
  return async () => {
    try {
      // The handle throws when the service is registered but not running.
      return ctx.get<{ readonly reportReader: T }>(name).reportReader;
    } catch (err) {
      if (isTenorError(err, 'TENOR_ERR_SERVICE_NOT_FOUND') || isTenorError(err, 'TENOR_ERR_SERVICE_NOT_RUNNING')) return undefined;
      throw err;
    }
  };
}

export function reportsService(settings: ReportsSettings = {}) {
  return defineService<Reports>({
    name: 'reports',
    version: '1.0.0',
    description: 'Statistical reports: inbound calls, agent availability, voicemail, callbacks (JSON and CSV)',
    dependsOn: ['acd'],
    routes: { plugin: reportRoutes },
    start(ctx) {
      // A wrong time zone in the configuration fails at boot, not at the first report.
      const timeZone = checkTimeZone(defaultTimeZone(settings), 'reports.timeZone');
      ctx.logger.info({ timeZone }, 'reports ready');
      const acd = ctx.get('acd');
      // Read through the ACD's handle on each report, so a replaced ACD's reader answers.
      const acdHistory: AcdHistory = {
        calls: (...args) => acd.reportReader.calls(...args),
        wrapUps: (...args) => acd.reportReader.wrapUps(...args),
        stateLog: (...args) => acd.reportReader.stateLog(...args),
        answered: (...args) => acd.reportReader.answered(...args),
        callbacks: (...args) => acd.reportReader.callbacks(...args),
      };
      return new Reports({
        acd,
        acdHistory,
        voicemail: optionalReader<VoicemailHistory>(ctx, 'voicemail'),
        campaigns: optionalReader<CampaignHistory>(ctx, 'campaigns'),
        settings,
      });
    },
  });
}
