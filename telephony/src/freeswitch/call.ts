// FreeSwitchCall: the contract's Call over one FreeSWITCH channel, driven by
// API commands on the shared event socket. The driver feeds it the channel's
// events (answer, DTMF, hangup); the media verbs live in play.ts, record.ts
// and amd.ts.
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type {
  AmdOptions, AmdResult, Call, CallEvents, CallParty, CallRecording, CallRecordingOptions, CallState, CollectOptions, CollectResult, HangupCause,
  PlayOptions, PlayResult, Prompt, RecordOptions, RecordResult,
} from '../driver.js';
import { detectAnsweringMachine } from './amd.js';
import { startCallRecording, type HoldAwareRecording } from './call-recording.js';
import { apiLogged, type FsChannel } from './channel.js';
import { causeToFreeSwitch } from './causes.js';
import type { EslConnection } from './esl-connection.js';
import { collectDigits, play } from './play.js';
import { record } from './record.js';

/** What every call is given by the driver. */
export interface CallContext {
  esl: EslConnection;
  logger: Logger;
  promptFile(prompt: Prompt): string;
  /** Music for hold() without `music`. */
  holdMusic: string;
  /** The host part for transfer targets given as a bare number or user. */
  transferDomain: string;
  /** Where AMD's temporary audio goes (FreeSWITCH writes it, Tenor reads it). */
  workDir: string;
  /** Re-joins a call taken off hold with the call it was bridged to. */
  rebridge(a: FreeSwitchCall, b: FreeSwitchCall): Promise<void>;
}

export class FreeSwitchCall extends EventEmitter<CallEvents> implements Call, FsChannel {
  readonly id: string;
  readonly uuid: string;
  readonly direction: 'inbound' | 'outbound';
  readonly from: CallParty;
  readonly to: CallParty;
  readonly #ctx: CallContext;
  #state: CallState;
  #cause: HangupCause | undefined;
  #requestedCause: HangupCause | undefined;
  #digitListeners = new Set<(digit: string) => void>();
  #endListeners = new Set<() => void>();
  /** The call this one is bridged to, set by the driver's bridges. */
  partner: FreeSwitchCall | undefined;
  /** Set while held: the call it was bridged to, re-joined on unhold. */
  #heldFrom: FreeSwitchCall | undefined;
  #held = false;
  /** Stops the hold music loop (unhold). */
  #holdMusic: AbortController | undefined;
  /** Recordings in progress: told of holds, which FreeSWITCH leaves out of them. */
  #recordings = new Set<HoldAwareRecording>();

  constructor(ctx: CallContext, init: { uuid: string; direction: 'inbound' | 'outbound'; from: CallParty; to: CallParty; state: CallState }) {
    super();
    this.#ctx = ctx;
    this.id = init.uuid;
    this.uuid = init.uuid;
    this.direction = init.direction;
    this.from = init.from;
    this.to = init.to;
    this.#state = init.state;
  }

  get esl(): EslConnection { return this.#ctx.esl; }
  get logger(): Logger { return this.#ctx.logger; }
  get state(): CallState { return this.#state; }
  get hangupCause(): HangupCause | undefined { return this.#cause; }
  get ended(): boolean { return this.#state === 'ended'; }
  get bridged(): boolean { return this.partner !== undefined && this.#heldFrom === undefined; }

  promptFile(prompt: Prompt): string {
    return this.#ctx.promptFile(prompt);
  }

  onDigit(listener: (digit: string) => void): () => void {
    this.#digitListeners.add(listener);
    return () => this.#digitListeners.delete(listener);
  }

  onEnded(listener: () => void): () => void {
    this.#endListeners.add(listener);
    return () => this.#endListeners.delete(listener);
  }

  // ---- fed by the driver from the channel's events ----

  markAnswered(): void {
    if (this.#state === 'answered' || this.#state === 'ended') return;
    this.#state = 'answered';
    this.emit('answered');
  }

  markDigit(digit: string): void {
    if (this.ended) return;
    for (const l of [...this.#digitListeners]) l(digit);
    this.emit('dtmf', digit);
  }

  markEnded(cause: HangupCause): void {
    if (this.ended) return;
    this.#state = 'ended';
    this.#cause = this.#requestedCause ?? cause;
    this.logger.info({ callId: this.uuid, cause: this.#cause }, 'call ended');
    for (const l of [...this.#endListeners]) l();
    this.#endListeners.clear();
    this.#digitListeners.clear();
    if (this.#cause === 'media-timeout') this.emit('mediaTimeout');
    this.emit('hangup', this.#cause);
  }

  // ---- the contract ----

  async ring(opts: { earlyMedia?: boolean } = {}): Promise<void> {
    if (this.#state !== 'ringing' && this.#state !== 'early') return;
    if (opts.earlyMedia) {
      const r = await this.esl.api(`uuid_pre_answer ${this.uuid}`);
      if (!r.ok) throw new Error(`early media refused: ${r.text}`);
      this.#state = 'early';
    } else {
      await apiLogged(this, `uuid_ring_ready ${this.uuid}`);
    }
  }

  async answer(): Promise<void> {
    if (this.#state === 'answered') return;
    if (this.ended) throw new Error(`call ${this.uuid} has ended`);
    const r = await this.esl.api(`uuid_answer ${this.uuid}`);
    if (!r.ok) throw new Error(`answer refused: ${r.text}`);
    this.markAnswered();
  }

  async reject(cause: Exclude<HangupCause, 'normal' | 'media-timeout' | 'transferred'> = 'rejected'): Promise<void> {
    await this.#kill(cause);
  }

  async hangup(cause: HangupCause = 'normal'): Promise<void> {
    await this.#kill(cause);
  }

  async #kill(cause: HangupCause): Promise<void> {
    if (this.ended) return;
    this.#requestedCause ??= cause;
    const ended = new Promise<void>((resolve) => this.onEnded(resolve));
    const ok = await apiLogged(this, `uuid_kill ${this.uuid} ${causeToFreeSwitch(cause)}`);
    if (!ok) {
      // The channel is already gone: its hangup event may have been missed.
      this.markEnded(cause);
      return;
    }
    await ended;
  }

  play(opts: PlayOptions): Promise<PlayResult> {
    return play(this, opts);
  }

  collectDigits(opts: CollectOptions): Promise<CollectResult> {
    return collectDigits(this, opts);
  }

  record(opts: RecordOptions): Promise<RecordResult> {
    return record(this, opts);
  }

  /** A stereo media bug on this channel (call-recording.ts); it outlives parking and bridging. */
  async startRecording(opts: CallRecordingOptions): Promise<CallRecording> {
    if (this.#state !== 'answered') throw new Error(`cannot record call ${this.uuid} in state ${this.#state}`);
    const recording = await startCallRecording(this, { ...opts, held: this.#held });
    this.#recordings.add(recording);
    void recording.done.then(() => this.#recordings.delete(recording));
    return recording;
  }

  detectAnsweringMachine(opts?: AmdOptions): Promise<AmdResult> {
    return detectAnsweringMachine(this, this.#ctx.workDir, opts);
  }

  /**
   * Hold: the far end gets a sendonly re-INVITE and hears music played to this
   * channel. A bridged call is first parked out of its bridge, so its partner
   * hears nothing; unhold joins them again. FreeSWITCH's uuid_hold sends the
   * re-INVITE but also sets CF_HOLD, which drops every frame written to the
   * channel, music included; `pause <uuid> off` clears that flag alone (the call
   * stays held for FreeSWITCH, so `uuid_hold off` later sends the sendrecv one).
   */
  async hold(opts: { music?: Prompt } = {}): Promise<void> {
    if (this.#held || this.ended) return;
    this.#held = true;
    const partner = this.partner;
    if (partner) {
      this.#heldFrom = partner;
      await apiLogged(this, `uuid_park ${this.uuid}`);
    }
    for (const r of this.#recordings) r.holdStarted();
    await apiLogged(this, `uuid_hold ${this.uuid}`);
    await apiLogged(this, `pause ${this.uuid} off`);
    const music = opts.music !== undefined ? this.promptFile(opts.music) : this.#ctx.holdMusic;
    const stop = new AbortController();
    this.#holdMusic = stop;
    void this.#playMusic(music, stop.signal);
  }

  /**
   * The music, again and again until unhold: playback repeated, not
   * endless_playback, which plays on through uuid_break (the music would never stop).
   */
  async #playMusic(file: string, signal: AbortSignal): Promise<void> {
    const stopped = new Promise<undefined>((resolve) => signal.addEventListener('abort', () => resolve(undefined), { once: true }));
    while (!signal.aborted && !this.ended) {
      // uuid_break all drops a playback queued but not begun, which then never reports its end.
      const done = await Promise.race([this.esl.execute(this.uuid, 'playback', file), stopped]);
      if (done === undefined || done.header('Answer-State') === 'hangup') return;
    }
  }

  async unhold(): Promise<void> {
    if (!this.#held || this.ended) return;
    this.#held = false;
    this.#holdMusic?.abort();
    this.#holdMusic = undefined;
    await apiLogged(this, `uuid_break ${this.uuid} all`);
    await apiLogged(this, `uuid_hold off ${this.uuid}`);
    for (const r of this.#recordings) r.holdEnded();
    const partner = this.#heldFrom;
    this.#heldFrom = undefined;
    if (partner && !partner.ended && partner.partner === this) await this.#ctx.rebridge(this, partner);
  }

  /**
   * Blind transfer: a REFER (uuid_deflect), then the call ends as transferred.
   * Without sip_refer_continue_after_reply, FreeSWITCH holds the channel up to
   * 10 s for the REFER's final NOTIFY, which many phones never send.
   */
  async transfer(target: string): Promise<void> {
    if (this.#state !== 'answered') throw new Error('only an answered call can be transferred');
    const uri = target.startsWith('sip:') || target.startsWith('sips:') ? target
      : target.includes('@') ? `sip:${target}` : `sip:${target}@${this.#ctx.transferDomain}`;
    await apiLogged(this, `uuid_setvar ${this.uuid} sip_refer_continue_after_reply true`);
    const r = await this.esl.api(`uuid_deflect ${this.uuid} ${uri}`);
    if (!r.ok) throw new Error(`transfer refused: ${r.text}`);
    await this.#kill('transferred');
  }
}
