// Call recording as a Tenor service: applies the recordings' migrations,
// opens the vault (encryption at rest when a key file is set), marks rows a
// previous run left unfinished as failed, and follows the ACD's calls to
// record them by policy. The call records show each call's recordings.

import type { TenorConfig } from '../../config/schema.js';
import { defineService } from '../../core/service-manager.js';
import { systemClock } from '../acd/index.js';
import '../events.js';
import '../store.js';
import { RECORDING_DEFAULTS } from './config-schema.js';
import { recordingMigrations } from './migrations.js';
import { Recordings, type ControlRequest, type ControlResult, type LiveRecordingState, type OutsideCallToRecord } from './recordings.js';
import { RecordingsRepository } from './repository.js';
import { startRetention } from './retention.js';
import { recordingRoutes } from './routes.js';
import { RecordingVault, recordingVaultOptions } from './vault.js';

/** What `services.get('recordings')` gives: live control for others (scripts, the desk), and what the routes read. */
export interface RecordingsService {
  /** Acts on the recording of the live ACD call `callId` (the call record's id). */
  control(callId: string, req: ControlRequest): Promise<ControlResult>;
  /** The agent connected to a live ACD call now; undefined when no such call is live. */
  liveAgent(callId: string): string | undefined;
  /** The live ACD call's recording now (recording or paused, since when); undefined when it is not being recorded. */
  liveState(callId: string): LiveRecordingState | undefined;
  /** Record a call connected outside the ACD (a campaign's preview call) by its policy; the function returned ends it. */
  followOutsideCall(call: OutsideCallToRecord): () => void;
  /** Agents may play their own calls' recordings (recording.agentsMayListen). */
  readonly agentsMayListen: boolean;
  readonly repo: RecordingsRepository;
  readonly vault: RecordingVault;
  close(): Promise<void>;
}

declare module '../../core/service-manager.js' {
  interface ServiceMap {
    recordings: RecordingsService;
  }
}

export interface RecordingsServiceOptions {
  now?: () => number;
}

export function recordingsService(config: Pick<TenorConfig, 'dataDir' | 'baseDir' | 'recording' | 'site'>, opts: RecordingsServiceOptions = {}) {
  return defineService<RecordingsService>({
    name: 'recordings',
    version: '1.0.0',
    description: 'Call recording: policy per queue, campaign and flow node, pause and resume, markers, the stored files and who listened',
    dependsOn: ['store', 'events', 'acd'],
    routes: { plugin: recordingRoutes },
    async start(ctx) {
      const site = config.recording;
      const now = opts.now ?? Date.now;
      const db = ctx.get('store');
      await db.migrate(recordingMigrations);
      const repo = new RecordingsRepository(db);
      const vault = new RecordingVault(recordingVaultOptions(config.dataDir, config.baseDir, site.encryption));
      await vault.open();
      // Files past their retention go now and once a day (docs/recording-at-rest.md, Retention).
      const retention = startRetention({ db, vault, clock: { now, setTimer: systemClock.setTimer }, logger: ctx.logger });
      const unfinished = await repo.failUnfinished();
      if (unfinished > 0) ctx.logger.warn({ unfinished }, 'recordings a previous run left unfinished are marked failed');
      const optedOut = new Set(config.site.agents.filter((a) => a.recordingOptOut === true).map((a) => a.login));
      const acd = ctx.get('acd');
      const recordings = new Recordings({
        acd, bus: ctx.get('events'), repo, files: vault, log: ctx.logger, now, site,
        // The ACD's queue as it is now: the site file's and those the admin API created or changed.
        queuePolicy: (queue) => acd.queue(queue)?.recording,
        optedOut: (agent) => optedOut.has(agent),
      });
      const removeConnectStep = acd.addConnectStep((call) => recordings.announce(call));
      // The call records (GET /api/calls) show the recordings of each call.
      const removeCallRecordFields = acd.addCallRecordExtension({
        async fieldsFor(recordIds) {
          const byCall = await repo.forCalls(recordIds);
          return new Map([...byCall].map(([id, rows]) => [id, { recordings: rows.map((r) => ({ id: r.id, state: r.state, durationMs: r.durationMs })) }]));
        },
      });
      ctx.logger.info({ policy: site.policy ?? RECORDING_DEFAULTS.policy, queues: acd.queues().filter((q) => q.recording !== undefined).length, encrypted: vault.currentKeyId !== null }, 'recordings ready');
      return {
        control: (callId, req) => recordings.control(callId, req),
        liveAgent: (callId) => recordings.agentOf(callId),
        liveState: (callId) => recordings.liveStateOf(callId),
        followOutsideCall: (call) => recordings.followOutsideCall(call),
        agentsMayListen: site.agentsMayListen ?? RECORDING_DEFAULTS.agentsMayListen,
        repo,
        vault,
        async close() {
          retention.stop();
          removeCallRecordFields();
          removeConnectStep();
          await recordings.close();
        },
      };
    },
    stop: (service) => service.close(),
  });
}
