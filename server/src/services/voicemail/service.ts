// Voicemail as a Tenor service: applies its migrations, reads the site's
// voicemail settings, resumes e-mail notifications a previous run left
// unsent, and deletes expired messages at start and every hour.

import type { TenorConfig } from '../../config/schema.js';
import { defineService } from '../../core/service-manager.js';
import '../acd/index.js';
import '../crm/index.js';
import '../events.js';
import '../mail.js';
import '../prompts/index.js';
import '../store.js';
import { BoxDirectory } from './boxes.js';
import { voicemailCallRecordFields } from './call-records.js';
import { VOICEMAIL_DEFAULTS, type VoicemailSettings } from './config-schema.js';
import { voicemailMigrations } from './migrations.js';
import { Notifier } from './notifier.js';
import { VoicemailStore } from './store.js';
import { VoicemailReportReader } from './report-reader.js';
import type { VoicemailServiceHandle } from './types.js';
import { createVoicemail } from './voicemail.js';
import { voicemailRoutes } from './routes.js';

const HOUR_MS = 3_600_000;

export interface VoicemailServiceOptions {
  /** Instead of config.voicemail / the site file (tests). */
  settings?: VoicemailSettings;
  now?: () => number;
  retryDelaysMs?: readonly number[];
}

export function voicemailService(config: Pick<TenorConfig, 'dataDir' | 'file' | 'voicemail'>, opts: VoicemailServiceOptions = {}) {
  return defineService<VoicemailServiceHandle & { close(): Promise<void> }>({
    name: 'voicemail',
    version: '1.0.0',
    description: 'Voicemail boxes (general, per queue, per agent): messages, greetings, e-mail notification, retention',
    dependsOn: ['store', 'events', 'mail', 'crm', 'acd', 'prompts'],
    routes: { plugin: voicemailRoutes },
    async start(ctx) {
      const settings = opts.settings ?? config.voicemail;
      const now = opts.now ?? Date.now;
      const db = ctx.get('store');
      await db.migrate(voicemailMigrations);
      const store = new VoicemailStore(db);
      const acd = ctx.get('acd');
      const boxes = new BoxDirectory(settings, acd, await store.greetings());
      const notifier = new Notifier({
        mail: ctx.get('mail'), store, logger: ctx.logger, box: (name) => boxes.get(name), now,
        ...(opts.retryDelaysMs !== undefined ? { retryDelaysMs: opts.retryDelaysMs } : {}),
      });
      const crm = ctx.get('crm');
      const retentionDays = settings.retentionDays ?? VOICEMAIL_DEFAULTS.retentionDays;
      const voicemail = createVoicemail({
        dataDir: config.dataDir, store, boxes, prompts: ctx.get('prompts'), bus: ctx.get('events'), acd, crm, notifier, logger: ctx.logger, now, retentionDays,
      });
      await voicemail.purgeExpired();
      const purge = setInterval(() => {
        voicemail.purgeExpired().catch((err: unknown) => ctx.logger.error({ err }, 'voicemail retention check failed'));
      }, HOUR_MS);
      purge.unref(); // retention never keeps the process alive
      const resumed = await notifier.resumePending();
      // Messages left on a call appear in the ACD's call records (GET /api/calls) while voicemail runs.
      const removeCallRecordFields = acd.addCallRecordExtension(voicemailCallRecordFields(voicemail));
      ctx.logger.info({ boxes: boxes.names().length, retentionDays, notificationsResumed: resumed }, 'voicemail ready');
      return {
        ...voicemail,
        reportReader: new VoicemailReportReader(db),
        async close() {
          removeCallRecordFields();
          clearInterval(purge);
          await notifier.stop();
        },
      };
    },
    stop: (voicemail) => voicemail.close(),
    health: (voicemail) => ({ status: 'ok', detail: `${voicemail.boxes().length} boxes` }),
  });
}
