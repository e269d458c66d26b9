// One call's recording while the call goes on: the engine's recording handle,
// pause and resume (auto-resume after maxPauseSeconds), the markers at their
// offsets in the file, and the end: the file stored, the row completed.
// Every database write goes through one chain per recording, so the row is
// written before its markers and its end after them; a failed write is logged
// with the call id and never reaches the call.

import type { Logger } from 'pino';
import type { EventBus } from '../../core/events.js';
import type { CallRecording } from '@tenor/telephony';
import type { RecordingVault } from './vault.js';
import type { MarkerKind, RecordingsRepository } from './repository.js';
import './events.js';

export type LiveState = 'recording' | 'paused' | 'stopped';

export interface LiveRecordingDeps {
  repo: RecordingsRepository;
  files: Pick<RecordingVault, 'store'>;
  bus: EventBus;
  log: Logger;
  now(): number;
  /** 0: a pause lasts until resumed. */
  maxPauseMs: number;
  /** undefined: kept until erased. */
  retentionDays: number | undefined;
}

export interface LiveRecordingInfo {
  id: string;
  /** The call record's id. */
  recordId: string;
  startedAt: number;
  agent: string;
}

const DAY_MS = 86_400_000;

export class LiveRecording {
  readonly id: string;
  readonly recordId: string;
  readonly startedAt: number;
  #agent: string;
  readonly #d: LiveRecordingDeps;
  readonly #handle: CallRecording;
  #state: LiveState = 'recording';
  #stateSince: number;
  #autoResume: NodeJS.Timeout | undefined;
  #writes: Promise<void> = Promise.resolve();
  #finished: Promise<void> | undefined;

  constructor(info: LiveRecordingInfo, handle: CallRecording, deps: LiveRecordingDeps) {
    this.id = info.id;
    this.recordId = info.recordId;
    this.startedAt = info.startedAt;
    this.#agent = info.agent;
    this.#handle = handle;
    this.#d = deps;
    this.#stateSince = info.startedAt;
  }

  get state(): LiveState {
    return this.#state;
  }

  /** When the state last changed (started, paused, resumed): the desk's "paused for 0:42". */
  get stateSince(): number {
    return this.#stateSince;
  }

  /** Queue a database write after the earlier ones; its failure is logged, not thrown. */
  write(what: string, op: () => Promise<unknown>): void {
    this.#writes = this.#writes.then(op).then(
      () => undefined,
      (err: unknown) => this.#d.log.error({ err, callId: this.recordId, recordingId: this.id, what }, 'recording: database write failed'),
    );
  }

  /** A marker at the file's current offset. */
  mark(kind: MarkerKind, m: { by?: string; reason?: string; detail?: string } = {}): void {
    if (this.#state === 'stopped') return;
    const atMs = Math.max(0, Math.round(this.#handle.elapsedMs));
    this.write(`marker ${kind}`, () => this.#d.repo.addMarker(this.id, { atMs, kind, by: m.by ?? null, reason: m.reason ?? null, detail: m.detail ?? null }));
  }

  /** Another agent has the call from now on (a transfer, a requeue after a lost line). */
  agentConnected(agent: string): void {
    if (this.#state === 'stopped' || agent === this.#agent) return;
    this.#agent = agent;
    this.mark('agent', { detail: agent });
    this.write('agent', () => this.#d.repo.setAgent(this.id, agent));
  }

  pause(by: string, reason: string | undefined): LiveState {
    if (this.#state !== 'recording') return this.#state;
    this.#handle.pause();
    this.#state = 'paused';
    this.#stateSince = this.#d.now();
    this.mark('pause', { by, ...(reason !== undefined ? { reason } : {}) });
    this.write('paused', () => this.#d.repo.setState(this.id, 'paused'));
    if (this.#d.maxPauseMs > 0) {
      this.#autoResume = setTimeout(() => this.resume('system', 'maxPauseSeconds reached'), this.#d.maxPauseMs);
      this.#autoResume.unref();
    }
    this.#publish('recording_paused', by, reason);
    this.#d.log.info({ callId: this.recordId, recordingId: this.id, by, reason }, 'recording paused');
    return this.#state;
  }

  resume(by: string, reason: string | undefined): LiveState {
    if (this.#state !== 'paused') return this.#state;
    this.#clearAutoResume();
    this.#handle.resume();
    this.#state = 'recording';
    this.#stateSince = this.#d.now();
    this.mark('resume', { by, ...(reason !== undefined ? { reason } : {}) });
    this.write('resumed', () => this.#d.repo.setState(this.id, 'recording'));
    this.#publish('recording_resumed', by, reason);
    this.#d.log.info({ callId: this.recordId, recordingId: this.id, by, reason }, 'recording resumed');
    return this.#state;
  }

  /** End the file and store it; resolves once the row says stored (or failed) and recording_stopped is out. Runs once. */
  stop(by: string, reason?: string): Promise<void> {
    if (this.#finished) return this.#finished;
    this.#clearAutoResume();
    this.#state = 'stopped';
    this.#finished = this.#finish().then(() => {
      this.#publish('recording_stopped', by, reason);
      return this.#writes;
    });
    return this.#finished;
  }

  /** Started: the row, the first agent's marker and the event. */
  announceStart(by: string, meta: { queue: string | null; campaign: string | null; customerId: string | null }, reason?: string): void {
    this.write('insert', () => this.#d.repo.insert({
      id: this.id, callId: this.recordId, queue: meta.queue, campaign: meta.campaign, agent: this.#agent, customerId: meta.customerId,
      startedAt: new Date(this.startedAt).toISOString(), state: 'recording',
    }));
    this.mark('agent', { detail: this.#agent });
    this.#publish('recording_started', by, reason);
    this.#d.log.info({ callId: this.recordId, recordingId: this.id, by, agent: this.#agent }, 'recording started');
  }

  async #finish(): Promise<void> {
    const endedAt = new Date(this.#d.now()).toISOString();
    let durationMs = Math.round(this.#handle.elapsedMs);
    try {
      durationMs = Math.round((await this.#handle.stop()).durationMs);
      const stored = await this.#d.files.store(this.id, new Date(this.startedAt));
      const retainUntil = this.#d.retentionDays !== undefined ? new Date(this.startedAt + this.#d.retentionDays * DAY_MS).toISOString() : null;
      this.write('stored', () => this.#d.repo.finish(this.id, { endedAt, durationMs, path: stored.path, keyId: stored.keyId, bytes: stored.bytes, state: 'stored', retainUntil }));
      this.#d.log.info({ callId: this.recordId, recordingId: this.id, durationMs, bytes: stored.bytes }, 'recording stored');
    } catch (err) {
      this.#d.log.error({ err, callId: this.recordId, recordingId: this.id }, 'recording could not be stored; the call was not affected');
      this.write('failed', () => this.#d.repo.finish(this.id, { endedAt, durationMs, path: null, keyId: null, bytes: null, state: 'failed', retainUntil: null }));
    }
    await this.#writes;
  }

  #clearAutoResume(): void {
    if (this.#autoResume) clearTimeout(this.#autoResume);
    this.#autoResume = undefined;
  }

  #publish(type: 'recording_started' | 'recording_paused' | 'recording_resumed' | 'recording_stopped', by: string, reason: string | undefined): void {
    const payload = {
      recordingId: this.id, callId: this.recordId, at: new Date(this.#d.now()).toISOString(), by, agent: this.#agent,
      ...(reason !== undefined ? { reason } : {}),
    };
    // After the writes asked for before it: whoever hears the event finds the row and its markers.
    this.write(type, async () => this.#d.bus.publish(type, payload));
  }
}
