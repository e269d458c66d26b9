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
//
// While FreeSWITCH holds the leg (uuid_hold: CF_LEG_HOLDING), its read of the
// channel returns at once with no frame and skips the media bugs
// (switch_core_io.c, SWITCH_STATUS_INUSE): nothing reaches the file, hold
// music included. The call tells its recordings when it holds and unholds;
// stop() then puts silence of each held span's length back at its place, so
// the file stays true to wall time and offsets after a hold still match.

import { open, rename, rm } from 'node:fs/promises';
import type { CallRecording, CallRecordingResult } from '../driver.js';
import { decodeWav, readWavFileHeader } from '../audio/index.js';
import { apiLogged, type FsChannel } from './channel.js';
import type { FsEvent } from './esl-connection.js';

/** RECORD_STOP follows the stop or the hangup at once; past this, the file is read as it is. */
const STOP_EVENT_WAIT_MS = 5000;

/** FreeSWITCH's API takes its arguments space-separated: a path with spaces or newlines would be cut. */
function checkPath(file: string): void {
  if (!/^[^\s{}]+$/.test(file)) throw new RangeError(`recording path not usable by FreeSWITCH (no spaces or braces): ${JSON.stringify(file)}`);
}

/** What FreeSwitchCall tells its recordings (see the note on hold above). */
export interface HoldAwareRecording extends CallRecording {
  /** FreeSWITCH is about to hold the leg: its bug gets nothing from now. */
  holdStarted(): void;
  /** FreeSWITCH no longer holds the leg. */
  holdEnded(): void;
  /** Resolves when the recording has stopped (the call forgets it then). */
  readonly done: Promise<unknown>;
}

export async function startCallRecording(ch: FsChannel, opts: { file: string; signal?: AbortSignal; held?: boolean }): Promise<HoldAwareRecording> {
  checkPath(opts.file);
  if (ch.ended) throw new Error(`call ${ch.uuid} has ended`);
  // Set per start: AMD leaves RECORD_READ_ONLY on the channel, and the
  // file's rate must be what a call carries whatever the codec. The media
  // bug's pre-buffer (25 frames by default) is not flushed when the bug
  // closes: its last half second would be lost.
  await apiLogged(ch, `uuid_setvar_multi ${ch.uuid} RECORD_STEREO=true;RECORD_READ_ONLY=false;RECORD_WRITE_ONLY=false;record_sample_rate=8000;RECORD_PRE_BUFFER_FRAMES=1`);
  const recording = new FsCallRecording(ch, opts.file);
  const r = await ch.esl.api(`uuid_record ${ch.uuid} start ${opts.file}`);
  // Later recordings on this channel (AMD's) are mono again.
  await apiLogged(ch, `uuid_setvar ${ch.uuid} RECORD_STEREO false`);
  if (!r.ok) {
    recording.abandon();
    throw new Error(`FreeSWITCH refused to record call ${ch.uuid}: ${r.text.trim()}`);
  }
  recording.started();
  if (opts.held) recording.holdStarted();
  if (opts.signal?.aborted) await recording.stop();
  else opts.signal?.addEventListener('abort', () => void recording.stop().catch(() => undefined), { once: true });
  return recording;
}

/** Where the data chunk's audio starts, from the first bytes of a WAV file. */
function wavDataOffset(head: Buffer): number {
  let offset = 12;
  while (offset + 8 <= head.length) {
    const size = head.readUInt32LE(offset + 4);
    if (head.toString('ascii', offset, offset + 4) === 'data') return offset + 8;
    offset += 8 + size + (size & 1);
  }
  // readWavFileHeader has read the same bytes, so this is a file that changed under us.
  decodeWav(head);
  throw new Error('no data chunk in the first 64 KB of the recording');
}

class FsCallRecording implements HoldAwareRecording {
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
  /** Spans FreeSWITCH held the leg, in ms of the recording. */
  private readonly holds: { fromMs: number; toMs: number | undefined }[] = [];
  private readonly stopped: Promise<unknown>;
  private onStopped: () => void = () => undefined;

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
    this.stopped = new Promise((resolve) => (this.onStopped = () => resolve(undefined)));
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

  get done(): Promise<unknown> {
    return this.stopped;
  }

  holdStarted(): void {
    const last = this.holds.at(-1);
    if (this.stopping || (last && last.toMs === undefined)) return;
    this.holds.push({ fromMs: this.elapsedMs, toMs: undefined });
  }

  holdEnded(): void {
    const last = this.holds.at(-1);
    if (this.stopping || !last || last.toMs !== undefined) return;
    last.toMs = this.elapsedMs;
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
      await this.restoreHeldSpans().catch((err: unknown) => this.ch.logger.warn({ callId: this.ch.uuid, file: this.file, err }, 'held spans not restored in the recording'));
      this.onStopped();
      const durationMs = await this.durationMs();
      this.ch.logger.info({ callId: this.ch.uuid, file: this.file, durationMs }, 'call recording stopped');
      return { file: this.file, durationMs };
    })();
    return this.stopping;
  }

  /** Puts silence where FreeSWITCH held the leg and wrote nothing (streamed: the file may be long). */
  private async restoreHeldSpans(): Promise<void> {
    const end = this.elapsedMs;
    const gaps = this.holds.map((h) => ({ atMs: h.fromMs, ms: (h.toMs ?? end) - h.fromMs })).filter((g) => g.ms > 0);
    if (gaps.length === 0) return;
    const header = await readWavFileHeader(this.file);
    const blockAlign = header.channels * (header.bitsPerSample / 8);
    const bytesOf = (ms: number): number => Math.round((ms * header.sampleRate) / 1000) * blockAlign;
    const source = await open(this.file, 'r');
    const tmp = `${this.file}.restoring`;
    const target = await open(tmp, 'w');
    try {
      const { size } = await source.stat();
      const probe = Buffer.alloc(Math.min(size, 64 * 1024));
      await source.read(probe, 0, probe.length, 0);
      const dataOffset = wavDataOffset(probe);
      const dataBytes = header.frames * blockAlign;
      const added = gaps.reduce((sum, g) => sum + bytesOf(g.ms), 0);
      const head = probe.subarray(0, dataOffset);
      head.writeUInt32LE(dataOffset - 8 + dataBytes + added, 4);
      head.writeUInt32LE(dataBytes + added, dataOffset - 4);
      let out = 0;
      await target.write(head, 0, head.length, out);
      out += head.length;
      const chunk = Buffer.alloc(64 * 1024);
      let copied = 0;
      const copyUntil = async (bytes: number): Promise<void> => {
        while (copied < bytes) {
          const { bytesRead } = await source.read(chunk, 0, Math.min(chunk.length, bytes - copied), dataOffset + copied);
          if (bytesRead === 0) return;
          await target.write(chunk, 0, bytesRead, out);
          out += bytesRead;
          copied += bytesRead;
        }
      };
      // The file is short of every earlier gap: a gap at atMs of the recording sits that much earlier in it.
      let missingMs = 0;
      for (const g of gaps) {
        await copyUntil(Math.min(dataBytes, bytesOf(g.atMs - missingMs)));
        const silence = Buffer.alloc(bytesOf(g.ms));
        await target.write(silence, 0, silence.length, out);
        out += silence.length;
        missingMs += g.ms;
      }
      await copyUntil(dataBytes);
    } finally {
      await source.close();
      await target.close();
    }
    await rename(tmp, this.file).catch(async (err: unknown) => {
      await rm(tmp, { force: true });
      throw err;
    });
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
