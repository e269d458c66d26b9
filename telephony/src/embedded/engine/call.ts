// One call leg as the rest of Tenor sees it: a SIP dialog (behind
// SignalingLeg) plus a media leg. The call keeps the contract's rules: states,
// hangup causes, what each method may do in each state, and the events.
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type {
  AmdOptions, AmdResult, Call, CallEvents, CallParty, CallState, CollectOptions, CollectResult, HangupCause, PlayOptions,
  PlayResult, Prompt, RecordOptions, RecordResult,
} from '../../driver.js';
import { detectOnLeg } from '../media/amd/on-leg.js';
import type { MediaLeg } from '../media/leg.js';
import { refusalFor, type RefusalCause } from './causes.js';
import type { RemoteAudio } from './sdp.js';
import type { SignalingLeg } from './signaling.js';

/** The media operations a call runs on its leg (from media/, wired by the driver). */
export interface CallMediaOps {
  play(leg: MediaLeg, opts: PlayOptions & { sourceName?: string }): Promise<PlayResult>;
  collect(leg: MediaLeg, opts: CollectOptions): Promise<CollectResult>;
  record(leg: MediaLeg, opts: RecordOptions): Promise<RecordResult>;
}

/** How the call builds SDP for its own offers and answers (the driver knows addresses and ports). */
export interface CallSdp {
  /** An offer for a re-INVITE with the given direction. */
  offer(direction: 'sendrecv' | 'sendonly'): string;
  /** The answer we gave or will give to the initial offer. */
  answer(): string;
  /** An answer to a later offer (re-INVITE), with our own direction. */
  answerTo(remote: RemoteAudio, ours: 'sendrecv' | 'sendonly'): string;
}

export interface EmbeddedCallInit {
  id: string;
  direction: 'inbound' | 'outbound';
  from: CallParty;
  to: CallParty;
  /** Outbound calls are handed out answered. */
  state: CallState;
  signaling: SignalingLeg;
  leg: MediaLeg;
  media: CallMediaOps;
  sdp: CallSdp;
  logger: Logger;
  /** Turns a transfer target (a number, a user, a URI) into the Refer-To URI. */
  referTarget(target: string): string;
  /** Default music on hold. */
  holdMusic?: Prompt;
  /** End an answered call after this long without RTP (0: never). Paused while either side holds. */
  mediaTimeoutMs: number;
}

/** Set by the driver while the call is bridged: hold then pauses the relay and plays music to this side only. */
export interface BridgeHold {
  hold(music: Prompt): Promise<void>;
  unhold(): void;
}

export class CallStateError extends Error {
  constructor(callId: string, action: string, state: CallState) {
    super(`cannot ${action} call ${callId} in state ${state}`);
    this.name = 'CallStateError';
  }
}

export class EmbeddedCall extends EventEmitter<CallEvents> implements Call {
  readonly id: string;
  readonly direction: 'inbound' | 'outbound';
  readonly from: CallParty;
  readonly to: CallParty;
  readonly leg: MediaLeg;
  readonly signaling: SignalingLeg;
  readonly log: Logger;
  #state: CallState;
  #hangupCause: HangupCause | undefined;
  readonly #media: CallMediaOps;
  readonly #sdp: CallSdp;
  readonly #referTarget: (target: string) => string;
  readonly #holdMusic: Prompt | undefined;
  /** Aborts every media operation when the call ends. */
  readonly #ended = new AbortController();
  #holdMusicStop: AbortController | undefined;
  #heldByUs = false;
  #heldByPeer = false;
  #ending: Promise<void> | undefined;
  /** The bridge this call is in, if any (see BridgeHold). */
  bridgeHold: BridgeHold | undefined;
  readonly #mediaTimeoutMs: number;

  constructor(init: EmbeddedCallInit) {
    super();
    this.id = init.id;
    this.direction = init.direction;
    this.from = init.from;
    this.to = init.to;
    this.#state = init.state;
    this.signaling = init.signaling;
    this.leg = init.leg;
    this.#media = init.media;
    this.#sdp = init.sdp;
    this.log = init.logger;
    this.#referTarget = init.referTarget;
    this.#holdMusic = init.holdMusic;
    this.leg.on('dtmf', (digit) => this.emit('dtmf', digit));
    this.leg.on('mediaTimeout', () => this.#onMediaTimeout());
    this.#mediaTimeoutMs = init.mediaTimeoutMs;
    this.#armMediaTimeout();
  }

  /** The media timeout runs only while the call is answered and nobody holds it. */
  #armMediaTimeout(): void {
    if (this.leg.closed) return;
    const on = this.#state === 'answered' && !this.#heldByUs && !this.#heldByPeer;
    this.leg.session.setMediaTimeout(on ? this.#mediaTimeoutMs : 0);
  }

  get state(): CallState {
    return this.#state;
  }

  get hangupCause(): HangupCause | undefined {
    return this.#hangupCause;
  }

  /** Whether the far end put us on hold (its last offer was sendonly/inactive). */
  get heldByPeer(): boolean {
    return this.#heldByPeer;
  }

  get heldByUs(): boolean {
    return this.#heldByUs;
  }

  /** Resolves once the call has ended (for the driver's bookkeeping). */
  get endedSignal(): AbortSignal {
    return this.#ended.signal;
  }

  async ring(opts: { earlyMedia?: boolean } = {}): Promise<void> {
    this.#expectUnansweredInbound('ring');
    await this.signaling.ring(opts.earlyMedia ? this.#sdp.answer() : undefined);
    if (opts.earlyMedia && this.#state === 'ringing') this.#state = 'early';
  }

  async answer(): Promise<void> {
    this.#expectUnansweredInbound('answer');
    await this.signaling.accept(this.#sdp.answer());
    if (this.#state === 'ended') return;
    this.#state = 'answered';
    this.#armMediaTimeout();
    this.log.info('call answered');
    this.emit('answered');
  }

  async reject(cause: RefusalCause = 'rejected'): Promise<void> {
    this.#expectUnansweredInbound('reject');
    await this.signaling.refuse(refusalFor(cause)).catch((err: unknown) => this.log.warn({ err }, 'refusal failed'));
    await this.end(cause);
  }

  async hangup(cause: HangupCause = 'normal'): Promise<void> {
    if (this.#state === 'ended') return;
    try {
      if (this.#state === 'answered') await this.signaling.bye();
      else {
        // Only inbound calls exist unanswered (originate hands out answered calls).
        const refusal: RefusalCause = cause === 'normal' || cause === 'media-timeout' || cause === 'transferred' ? 'no-answer' : cause;
        await this.signaling.refuse(refusalFor(refusal));
      }
    } catch (err) {
      this.log.warn({ err, cause }, 'hangup signalling failed');
    }
    await this.end(cause);
  }

  play(opts: PlayOptions): Promise<PlayResult> {
    if (this.#state === 'ended') return Promise.resolve({ reason: 'hangup' });
    return this.#media.play(this.leg, { ...opts, signal: anySignal(opts.signal, this.#ended.signal) })
      .then((r) => (r.reason === 'stopped' && this.#state === 'ended' ? { reason: 'hangup' } : r));
  }

  collectDigits(opts: CollectOptions): Promise<CollectResult> {
    if (this.#state === 'ended') return Promise.resolve({ digits: '', reason: 'hangup' });
    return this.#media.collect(this.leg, { ...opts, signal: anySignal(opts.signal, this.#ended.signal) })
      .then((r) => (r.reason === 'stopped' && this.#state === 'ended' ? { ...r, reason: 'hangup' } : r));
  }

  record(opts: RecordOptions): Promise<RecordResult> {
    if (this.#state === 'ended') return Promise.resolve({ file: opts.file, durationMs: 0, reason: 'hangup' });
    return this.#media.record(this.leg, { ...opts, signal: anySignal(opts.signal, this.#ended.signal) })
      .then((r) => (r.reason === 'stopped' && this.#state === 'ended' ? { ...r, reason: 'hangup' } : r));
  }

  /** Listens to the far end's inbound audio (media/amd/); a hangup or abort resolves 'unknown'. */
  detectAnsweringMachine(opts: AmdOptions = {}): Promise<AmdResult> {
    if (this.#state === 'ended') return Promise.resolve({ result: 'unknown', reason: 'hangup', durationMs: 0, words: 0, greetingMs: 0 });
    return detectOnLeg(this.leg, { ...opts, signal: anySignal(opts.signal, this.#ended.signal) })
      .then((r) => {
        const result = r.reason === 'stopped' && this.#state === 'ended' ? { ...r, reason: 'hangup' as const } : r;
        this.log.info({ amd: result }, 'answering-machine detection done');
        return result;
      });
  }

  async hold(opts: { music?: Prompt } = {}): Promise<void> {
    this.#expectAnswered('hold');
    if (this.#heldByUs) return;
    await this.signaling.reinvite(this.#sdp.offer('sendonly'));
    this.#heldByUs = true;
    this.#armMediaTimeout();
    const music = opts.music ?? this.#holdMusic;
    if (music !== undefined && this.bridgeHold) {
      await this.bridgeHold.hold(music);
    } else if (music !== undefined) {
      const stop = new AbortController();
      this.#holdMusicStop = stop;
      this.#media.play(this.leg, { prompts: [music], loop: true, signal: anySignal(stop.signal, this.#ended.signal), sourceName: 'hold-music' })
        .catch((err: unknown) => this.log.warn({ err }, 'hold music failed'));
    }
    this.log.info('call put on hold');
  }

  async unhold(): Promise<void> {
    this.#expectAnswered('unhold');
    if (!this.#heldByUs) return;
    this.#holdMusicStop?.abort();
    this.#holdMusicStop = undefined;
    this.bridgeHold?.unhold();
    await this.signaling.reinvite(this.#sdp.offer('sendrecv'));
    this.#heldByUs = false;
    this.#armMediaTimeout();
    this.log.info('call taken off hold');
  }

  async transfer(target: string): Promise<void> {
    this.#expectAnswered('transfer');
    const status = await this.signaling.refer(this.#referTarget(target));
    if (status < 200 || status >= 300) throw new Error(`transfer refused with ${status}`);
    this.log.info({ target }, 'call transferred');
    await this.signaling.bye().catch((err: unknown) => this.log.warn({ err }, 'BYE after REFER failed'));
    await this.end('transferred');
  }

  // ---- called by the engine when the far end acts

  /** The far end sent BYE, or CANCEL before we answered. */
  remoteEnded(cause: HangupCause): Promise<void> {
    return this.end(cause);
  }

  /** The far end sent a new offer (re-INVITE): re-target media and note hold. */
  remoteReoffer(remote: RemoteAudio): void {
    if (remote.address !== '0.0.0.0') this.leg.setRemote({ address: remote.address, port: remote.port });
    if (remote.holding !== this.#heldByPeer) {
      this.#heldByPeer = remote.holding;
      this.#armMediaTimeout();
      this.log.info({ held: remote.holding }, remote.holding ? 'far end put us on hold' : 'far end resumed');
    }
  }

  /** Our SDP answer to the far end's re-INVITE offer. */
  sdpAnswerTo(remote: RemoteAudio): string {
    return this.#sdp.answerTo(remote, this.#heldByUs ? 'sendonly' : 'sendrecv');
  }

  /** A digit arrived outside RTP (SIP INFO): it goes where RTP digits go. */
  remoteDigit(digit: string): void {
    this.leg.emit('dtmf', digit);
  }

  /** Ends the call once: stops media, frees the leg, tells listeners. */
  end(cause: HangupCause): Promise<void> {
    if (this.#ending) return this.#ending;
    this.#ending = (async () => {
      this.#state = 'ended';
      this.#hangupCause = cause;
      this.#ended.abort();
      this.#holdMusicStop?.abort();
      await this.leg.close().catch((err: unknown) => this.log.warn({ err }, 'media close failed'));
      this.signaling.release();
      this.log.info({ cause }, 'call ended');
      this.emit('hangup', cause);
    })();
    return this.#ending;
  }

  #onMediaTimeout(): void {
    if (this.#state !== 'answered' || this.#heldByPeer || this.#heldByUs) return;
    this.log.warn('media timeout');
    this.emit('mediaTimeout');
    void this.hangup('media-timeout');
  }

  #expectUnansweredInbound(action: string): void {
    if (this.direction !== 'inbound' || (this.#state !== 'ringing' && this.#state !== 'early')) {
      throw new CallStateError(this.id, action, this.#state);
    }
  }

  #expectAnswered(action: string): void {
    if (this.#state !== 'answered') throw new CallStateError(this.id, action, this.#state);
  }
}

function anySignal(a: AbortSignal | undefined, b: AbortSignal): AbortSignal {
  return a ? AbortSignal.any([a, b]) : b;
}
