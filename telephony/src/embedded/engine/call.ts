// One call leg as the rest of Tenor sees it: a SIP dialog (behind
// SignalingLeg) plus a media leg. The call keeps the contract's rules: states,
// hangup causes, what each method may do in each state, and the events.
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type {
  AmdOptions, AmdResult, Call, CallEvents, CallParty, CallRecording, CallRecordingOptions, CallState, CollectOptions, CollectResult, HangupCause, PlayOptions,
  PlayResult, Prompt, RecordOptions, RecordResult,
} from '../../driver.js';
import { detectOnLeg } from '../media/amd/on-leg.js';
import { recordCallOnLeg } from '../media/call-recorder.js';
import type { MediaLeg } from '../media/leg.js';
import { refusalFor, type RefusalCause } from './causes.js';
import type { MediaAnchor } from './media-reanchor.js';
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

/** A call's RTP side: its media leg and the SDP that describes it. */
export interface CallRtp {
  leg: MediaLeg;
  sdp: CallSdp;
}

export interface EmbeddedCallInit {
  id: string;
  direction: 'inbound' | 'outbound';
  from: CallParty;
  to: CallParty;
  /** Outbound calls are handed out answered. */
  state: CallState;
  signaling: SignalingLeg;
  /**
   * The media leg: given for a call handed out answered (outbound); for an
   * incoming call, a function that binds an RTP port when the application first
   * needs media (ring with early media, answer, play...). So an INVITE nobody
   * accepted holds no port.
   */
  rtp: CallRtp | (() => Promise<CallRtp>);
  media: CallMediaOps;
  logger: Logger;
  /** Turns a transfer target (a number, a user, a URI) into the Refer-To URI. */
  referTarget(target: string): string;
  /** Default music on hold. */
  holdMusic?: Prompt;
  /** End an answered call after this long without RTP (0: never). Paused while either side holds. */
  mediaTimeoutMs: number;
  /** What direct media needs to know of this call (absent: the call never leaves Tenor's relay). */
  directMedia?: DirectMediaFacts;
}

/** Whether a call may take direct media, and the addresses that tell whether it can (engine/media-reanchor.ts). */
export interface DirectMediaFacts {
  /** The trunk's `directMedia`, or the device's (config `directMedia`). */
  allowed: boolean;
  /** The address its SIP comes from (or goes to): an SDP address other than it means NAT. */
  signalledFrom: string;
  /** The far end's audio as its last offer or answer described it. */
  remote: RemoteAudio;
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
  readonly signaling: SignalingLeg;
  readonly log: Logger;
  #state: CallState;
  #hangupCause: HangupCause | undefined;
  readonly #media: CallMediaOps;
  #rtp: CallRtp | undefined;
  readonly #openRtp: (() => Promise<CallRtp>) | undefined;
  #rtpOpening: Promise<CallRtp> | undefined;
  readonly #referTarget: (target: string) => string;
  readonly #holdMusic: Prompt | undefined;
  /** Aborts media operations at the end; made on the first one (a bridged call needs none; aborting costs a DOMException). */
  #ended: AbortController | undefined;
  #holdMusicStop: AbortController | undefined;
  #heldByUs = false;
  #heldByPeer = false;
  #ending: Promise<void> | undefined;
  /** The bridge this call is in, if any (see BridgeHold). */
  bridgeHold: BridgeHold | undefined;
  /** Set by the driver while bridged: moves the bridge's audio back through Tenor when this call needs it. */
  mediaAnchor: MediaAnchor | undefined;
  readonly #mediaTimeoutMs: number;
  #directMedia: DirectMediaFacts | undefined;
  /** Features running on this call that need its audio through Tenor (play, collect, recording, hold...). */
  #tenorMediaNeeds = 0;
  /** The call's audio flows elsewhere (direct media): Tenor's port hears nothing, so no media timeout. */
  #mediaAway = false;
  #holdRelease: (() => void) | undefined;
  /** hangup() was called: its BYE may still be on the way (no re-INVITE should follow it). */
  #hangingUp = false;

  constructor(init: EmbeddedCallInit) {
    super();
    this.id = init.id;
    this.direction = init.direction;
    this.from = init.from;
    this.to = init.to;
    this.#state = init.state;
    this.signaling = init.signaling;
    this.#media = init.media;
    this.log = init.logger;
    this.#referTarget = init.referTarget;
    this.#holdMusic = init.holdMusic;
    this.#mediaTimeoutMs = init.mediaTimeoutMs;
    this.#directMedia = init.directMedia;
    if (typeof init.rtp === 'function') this.#openRtp = init.rtp;
    else this.#attach(init.rtp);
  }

  /** The media leg; throws while an incoming call has not been given media yet (see `hasMedia`). */
  get leg(): MediaLeg {
    if (!this.#rtp) throw new CallStateError(this.id, 'use the media (not accepted yet) of', this.#state);
    return this.#rtp.leg;
  }

  /** Whether the call holds an RTP port (an incoming call gets one when the application accepts it). */
  get hasMedia(): boolean {
    return this.#rtp !== undefined;
  }

  #attach(rtp: CallRtp): void {
    this.#rtp = rtp;
    rtp.leg.on('dtmf', (digit) => this.emit('dtmf', digit));
    rtp.leg.on('mediaTimeout', () => this.#onMediaTimeout());
    this.#armMediaTimeout();
  }

  /**
   * The call's media, binding it on first need. When no port can be bound the
   * INVITE is refused with 503 and the call ends as failed.
   */
  async #ensureRtp(action: string): Promise<CallRtp> {
    if (this.#rtp) return this.#rtp;
    if (this.#state === 'ended' || !this.#openRtp) throw new CallStateError(this.id, action, this.#state);
    this.#rtpOpening ??= this.#bindRtp(this.#openRtp);
    return this.#rtpOpening;
  }

  async #bindRtp(open: () => Promise<CallRtp>): Promise<CallRtp> {
    let rtp: CallRtp;
    try {
      rtp = await open();
    } catch (err) {
      this.log.error({ err }, 'no media port for the call');
      await this.signaling.refuse({ status: 503, reason: 'Service Unavailable' })
        .catch((refuseErr: unknown) => this.log.debug({ err: refuseErr }, 'could not refuse the INVITE (the caller may have gone)'));
      await this.end('failed');
      throw new Error(`call ${this.id} has no media: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (this.#state === 'ended') {
      // Cancelled while the port was being bound.
      await rtp.leg.close();
      throw new CallStateError(this.id, 'open media for', this.#state);
    }
    this.#attach(rtp);
    return rtp;
  }

  /** The media timeout runs only while the call is answered and nobody holds it. */
  #armMediaTimeout(): void {
    const leg = this.#rtp?.leg;
    if (!leg || leg.closed) return;
    const on = this.#state === 'answered' && !this.#heldByUs && !this.#heldByPeer && !this.#mediaAway;
    leg.session.setMediaTimeout(on ? this.#mediaTimeoutMs : 0);
  }

  /** The SDP of a call that has media (answered calls always have). */
  get #sdp(): CallSdp {
    if (!this.#rtp) throw new CallStateError(this.id, 'describe the media of', this.#state);
    return this.#rtp.sdp;
  }

  get state(): CallState {
    return this.#state;
  }

  /** Whether and how this call may take direct media; undefined when it never may. */
  get directMedia(): DirectMediaFacts | undefined {
    return this.#directMedia;
  }

  /** The call is ending or ended (hangup() called, or the far end left): its media is not moved any more. */
  get ending(): boolean {
    return this.#hangingUp || this.#state === 'ended';
  }

  /** A feature on this call needs its audio through Tenor: the bridge may not move it off. */
  get needsTenorMedia(): boolean {
    return this.#tenorMediaNeeds > 0;
  }

  /** Set by the media anchor while the call's audio flows off Tenor (the media timeout pauses). */
  setMediaAway(away: boolean): void {
    if (this.#mediaAway === away) return;
    this.#mediaAway = away;
    this.#armMediaTimeout();
  }

  /**
   * Brings the call's audio back through Tenor (when its bridge took it off) before a
   * feature that needs it, and keeps it there until the returned release is called.
   */
  async #needTenorMedia(reason: string): Promise<() => void> {
    this.#tenorMediaNeeds++;
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      this.#tenorMediaNeeds--;
      if (this.#tenorMediaNeeds === 0) this.mediaAnchor?.mayLeave();
    };
    await this.mediaAnchor?.returnToTenor(reason);
    return release;
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
    if (!this.#ended) {
      this.#ended = new AbortController();
      if (this.#state === 'ended') this.#ended.abort();
    }
    return this.#ended.signal;
  }

  async ring(opts: { earlyMedia?: boolean } = {}): Promise<void> {
    this.#expectUnansweredInbound('ring');
    const early = opts.earlyMedia ? (await this.#ensureRtp('ring')).sdp.answer() : undefined;
    await this.signaling.ring(early);
    if (opts.earlyMedia && this.#state === 'ringing') this.#state = 'early';
  }

  async answer(): Promise<void> {
    this.#expectUnansweredInbound('answer');
    // Throws when the call was cancelled meanwhile, or no port could be bound (then refused with 503).
    const { sdp } = await this.#ensureRtp('answer');
    await this.signaling.accept(sdp.answer());
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
    this.#hangingUp = true;
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

  // Media operations on an incoming call not yet answered bind its media: the
  // application working with the call is what accepting it means.

  async play(opts: PlayOptions): Promise<PlayResult> {
    if (this.#state === 'ended') return { reason: 'hangup' };
    const { leg } = await this.#ensureRtp('play on');
    const release = await this.#needTenorMedia('play');
    return this.#media.play(leg, { ...opts, signal: anySignal(opts.signal, this.endedSignal) })
      .then((r): PlayResult => (r.reason === 'stopped' && this.#state === 'ended' ? { reason: 'hangup' } : r))
      .finally(release);
  }

  async collectDigits(opts: CollectOptions): Promise<CollectResult> {
    if (this.#state === 'ended') return { digits: '', reason: 'hangup' };
    const { leg } = await this.#ensureRtp('collect digits on');
    const release = await this.#needTenorMedia('collect digits');
    return this.#media.collect(leg, { ...opts, signal: anySignal(opts.signal, this.endedSignal) })
      .then((r): CollectResult => (r.reason === 'stopped' && this.#state === 'ended' ? { ...r, reason: 'hangup' } : r))
      .finally(release);
  }

  async record(opts: RecordOptions): Promise<RecordResult> {
    if (this.#state === 'ended') return { file: opts.file, durationMs: 0, reason: 'hangup' };
    const { leg } = await this.#ensureRtp('record');
    const release = await this.#needTenorMedia('record');
    return this.#media.record(leg, { ...opts, signal: anySignal(opts.signal, this.endedSignal) })
      .then((r): RecordResult => (r.reason === 'stopped' && this.#state === 'ended' ? { ...r, reason: 'hangup' } : r))
      .finally(release);
  }

  /** Listens to the far end's inbound audio (media/amd/); a hangup or abort resolves 'unknown'. */
  async detectAnsweringMachine(opts: AmdOptions = {}): Promise<AmdResult> {
    if (this.#state === 'ended') return { result: 'unknown', reason: 'hangup', durationMs: 0, words: 0, greetingMs: 0 };
    const { leg } = await this.#ensureRtp('detect an answering machine on');
    const release = await this.#needTenorMedia('answering-machine detection');
    return detectOnLeg(leg, { ...opts, signal: anySignal(opts.signal, this.endedSignal) })
      .then((r) => {
        const result = r.reason === 'stopped' && this.#state === 'ended' ? { ...r, reason: 'hangup' as const } : r;
        this.log.info({ amd: result }, 'answering-machine detection done');
        return result;
      })
      .finally(release);
  }

  /** A stereo recording of the leg (media/call-recorder.ts); it follows the leg through bridges and holds and ends with it. */
  async startRecording(opts: CallRecordingOptions): Promise<CallRecording> {
    this.#expectAnswered('record');
    const release = await this.#needTenorMedia('call recording');
    let recording: CallRecording;
    try {
      recording = await recordCallOnLeg(this.leg, { file: opts.file, ...(opts.signal ? { signal: opts.signal } : {}), logger: this.log });
    } catch (err) {
      release();
      throw err;
    }
    // The audio stays on Tenor while the file is written: until stop, or the call's end.
    this.endedSignal.addEventListener('abort', release, { once: true });
    opts.signal?.addEventListener('abort', release, { once: true });
    const stop = recording.stop.bind(recording);
    return Object.assign(recording, { stop: () => stop().finally(release) });
  }

  async hold(opts: { music?: Prompt } = {}): Promise<void> {
    this.#expectAnswered('hold');
    if (this.#heldByUs) return;
    const release = await this.#needTenorMedia('hold');
    try {
      await this.signaling.reinvite(this.#sdp.offer('sendonly'));
    } catch (err) {
      release();
      throw err;
    }
    this.#holdRelease = release;
    this.#heldByUs = true;
    this.#armMediaTimeout();
    const music = opts.music ?? this.#holdMusic;
    if (music !== undefined && this.bridgeHold) {
      await this.bridgeHold.hold(music);
    } else if (music !== undefined) {
      const stop = new AbortController();
      this.#holdMusicStop = stop;
      this.#media.play(this.leg, { prompts: [music], loop: true, signal: anySignal(stop.signal, this.endedSignal), sourceName: 'hold-music' })
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
    this.#holdRelease?.();
    this.#holdRelease = undefined;
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
    if (this.#directMedia && remote.address !== '0.0.0.0') this.#directMedia = { ...this.#directMedia, remote };
    // A browser's media path is ICE's business, whatever its SDP's address says.
    if (remote.address !== '0.0.0.0' && remote.webrtc === undefined) this.#rtp?.leg.setRemote({ address: remote.address, port: remote.port });
    if (remote.holding !== this.#heldByPeer) {
      this.#heldByPeer = remote.holding;
      this.#armMediaTimeout();
      this.log.info({ held: remote.holding }, remote.holding ? 'far end put us on hold' : 'far end resumed');
    }
    // Our answer names Tenor's port: the bridge's audio is back on Tenor for this leg.
    this.mediaAnchor?.remoteReoffered(this);
  }

  /** A new offer of Tenor's own port for a re-INVITE (the media anchor narrows or re-targets it). */
  sdpOffer(): string {
    return this.#sdp.offer(this.#heldByUs ? 'sendonly' : 'sendrecv');
  }

  /** Our SDP answer to the far end's re-INVITE offer. */
  sdpAnswerTo(remote: RemoteAudio): string {
    return this.#sdp.answerTo(remote, this.#heldByUs ? 'sendonly' : 'sendrecv');
  }

  /** A digit arrived outside RTP (SIP INFO): it goes where RTP digits go. */
  remoteDigit(digit: string): void {
    // Without media yet (INFO before answer) the digit still reaches the application.
    if (this.#rtp) this.#rtp.leg.emit('dtmf', digit);
    else this.emit('dtmf', digit);
  }

  /** Ends the call once: stops media, frees the leg, tells listeners. */
  end(cause: HangupCause): Promise<void> {
    if (this.#ending) return this.#ending;
    this.#ending = (async () => {
      this.#state = 'ended';
      this.#hangupCause = cause;
      this.#ended?.abort();
      this.#holdMusicStop?.abort();
      await this.#rtp?.leg.close().catch((err: unknown) => this.log.warn({ err }, 'media close failed'));
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
