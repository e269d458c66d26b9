// A whole call recorded in stereo by FreeSWITCH: a media bug on the channel
// (uuid_record) with RECORD_STEREO, which puts the read stream (what the far
// end sends) on the left and the write stream (what it hears: the bridged
// party, hold music, prompts) on the right (switch_core_media_bug.c). A
// whisper reaches the other channel and so never this bug. The bug belongs
// to the channel, not to a bridge: parking for hold and bridging again keep
// the one file going.
//
// Pause is uuid_record's mask: FreeSWITCH keeps writing, but zeros, so the
// paused span is silence of its true length. FreeSWITCH writes the file on
// its own host: the path must be one it can write and Tenor can read.
//
// The bug ends with `uuid_record stop` or with the channel; either way
// FreeSWITCH finishes the file and then fires RECORD_STOP, which stop() waits
// for before reading the length from the file.

import type { CallRecording, CallRecordingResult } from '../driver.js';
import { readWavFileHeader } from '../audio/index.js';
import { apiLogged, type FsChannel } from './channel.js';
import type { FsEvent } from './esl-connection.js';

/** RECORD_STOP follows the stop or the hangup at once; past this, the file is read as it is. */
const STOP_EVENT_WAIT_MS = 5000;

/** FreeSWITCH's API takes its arguments space-separated: a path with spaces or newlines would be cut. */
function checkPath(file: string): void {
  if (!/^[^\s{}]+$/.test(file)) throw new RangeError(`recording path not usable by FreeSWITCH (no spaces or braces): ${JSON.stringify(file)}`);
}

export async function startCallRecording(ch: FsChannel, opts: { file: string; signal?: AbortSignal }): Promise<CallRecording> {
  checkPath(opts.file);
  if (ch.ended) throw new Error(`call ${ch.uuid} has ended`);
  // Set per start: AMD leaves RECORD_READ_ONLY on the channel, and the
  // file's rate must be what a call carries whatever the codec.
  await apiLogged(ch, `uuid_setvar_multi ${ch.uuid} RECORD_STEREO=true;RECORD_READ_ONLY=false;RECORD_WRITE_ONLY=false;record_sample_rate=8000`);
  const recording = new FsCallRecording(ch, opts.file);
  const r = await ch.esl.api(`uuid_record ${ch.uuid} start ${opts.file}`);
  // Later recordings on this channel (AMD's) are mono again.
  await apiLogged(ch, `uuid_setvar ${ch.uuid} RECORD_STEREO false`);
  if (!r.ok) {
    recording.abandon();
    throw new Error(`FreeSWITCH refused to record call ${ch.uuid}: ${r.text.trim()}`);
  }
  recording.started();
  if (opts.signal?.aborted) await recording.stop();
  else opts.signal?.addEventListener('abort', () => void recording.stop().catch(() => undefined), { once: true });
  return recording;
}

class FsCallRecording implements CallRecording {
  readonly file: string;
  private readonly ch: FsChannel;
  private startedAt = process.hrtime.bigint();
  private endedAt: bigint | undefined;
  private pausedValue = false;
  /** Mask/unmask commands, in order. */
  private commands: Promise<unknown> = Promise.resolve();
  private stopping: Promise<CallRecordingResult> | undefined;
  private stopEvent: FsEvent | undefined;
  private readonly stopSeen: Promise<void>;
  private onStopSeen: () => void = () => undefined;
  private readonly offEnded: () => void;

  private readonly onEvent = (e: FsEvent): void => {
    if (e.name !== 'RECORD_STOP' || e.uuid !== this.ch.uuid || e.header('Record-File-Path') !== this.file) return;
    this.stopEvent = e;
    this.endedAt ??= process.hrtime.bigint();
    this.onStopSeen();
  };

  constructor(ch: FsChannel, file: string) {
    this.ch = ch;
    this.file = file;
    this.stopSeen = new Promise((resolve) => (this.onStopSeen = resolve));
    ch.esl.on('event', this.onEvent);
    // The channel's end ends the bug: the file is complete once RECORD_STOP comes.
    this.offEnded = ch.onEnded(() => {
      this.endedAt ??= process.hrtime.bigint();
      void this.stop().catch(() => undefined);
    });
  }

  started(): void {
    this.startedAt = process.hrtime.bigint();
    this.ch.logger.info({ callId: this.ch.uuid, file: this.file }, 'call recording started');
  }

  /** The start was refused: nothing to wait for. */
  abandon(): void {
    this.ch.esl.off('event', this.onEvent);
    this.offEnded();
  }

  get elapsedMs(): number {
    const until = this.endedAt ?? process.hrtime.bigint();
    return Math.floor(Number(until - this.startedAt) / 1e6);
  }

  get paused(): boolean {
    return this.pausedValue;
  }

  pause(): void {
    if (this.pausedValue || this.stopping) return;
    this.pausedValue = true;
    this.command('mask');
    this.ch.logger.info({ callId: this.ch.uuid, atMs: this.elapsedMs }, 'call recording paused');
  }

  resume(): void {
    if (!this.pausedValue || this.stopping) return;
    this.pausedValue = false;
    this.command('unmask');
    this.ch.logger.info({ callId: this.ch.uuid, atMs: this.elapsedMs }, 'call recording resumed');
  }

  stop(): Promise<CallRecordingResult> {
    this.stopping ??= (async () => {
      this.offEnded();
      await this.commands;
      if (!this.ch.ended) {
        this.endedAt ??= process.hrtime.bigint();
        await apiLogged(this.ch, `uuid_record ${this.ch.uuid} stop ${this.file}`);
      }
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.stopSeen, new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_EVENT_WAIT_MS)))]);
      clearTimeout(timer);
      this.ch.esl.off('event', this.onEvent);
      if (!this.stopEvent) this.ch.logger.warn({ callId: this.ch.uuid, file: this.file }, 'no RECORD_STOP from FreeSWITCH: reading the file as it is');
      const durationMs = await this.durationMs();
      this.ch.logger.info({ callId: this.ch.uuid, file: this.file, durationMs }, 'call recording stopped');
      return { file: this.file, durationMs };
    })();
    return this.stopping;
  }

  private command(action: 'mask' | 'unmask'): void {
    this.commands = this.commands.then(() => apiLogged(this.ch, `uuid_record ${this.ch.uuid} ${action} ${this.file}`));
  }

  /** The file's own length; FreeSWITCH's count when the file is on another host. */
  private async durationMs(): Promise<number> {
    try {
      return (await readWavFileHeader(this.file)).durationMs;
    } catch (err) {
      const ms = Number(this.stopEvent?.header('variable_record_ms'));
      if (Number.isFinite(ms) && ms > 0) return ms;
      this.ch.logger.warn({ callId: this.ch.uuid, file: this.file, err }, 'recording unreadable');
      return this.elapsedMs;
    }
  }
}
