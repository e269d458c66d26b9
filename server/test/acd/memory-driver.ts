// An in-memory implementation of the telephony driver contract, for the ACD's
// unit tests only. The driver contract suite runs against it
// (memory-driver-contract.test.ts, through memory-peer.ts), so what the ACD's
// tests rest on behaves as the real engines do.
//
// IT STANDS IN FOR THE EMBEDDED ENGINE ONLY UNTIL THE SIP END-TO-END TESTS ARE
// ADDED; IT IS NOT A SUBSTITUTE FOR THEM. It has no SIP, no RTP and no audio:
// it keeps what each call was asked to play, lets a test ring, answer, press
// keys and hang up, and runs on the simulated clock so ring timeouts and
// prompt lengths take no real time. What a far end hears is modelled without
// samples (memory-media.ts): a prompt, hold music, or the far end of a call
// bridged or monitored with it sending a tone. The end-to-end tests (SIPp callers,
// baresip agents, a SIPp "home phone" behind a trunk) must prove the same
// behaviour over the real engine.

import { EventEmitter } from 'node:events';
import {
  OriginateError,
  type AmdOptions, type AmdResult, type Bridge, type Call, type CallEvents, type CallParty, type CallRecording, type CallRecordingOptions, type CallState, type CollectOptions, type CollectResult,
  type DialTarget, type DriverEvents, type DriverStats, type HangupCause, type Monitor, type MonitorMode, type OriginateOptions,
  type PlayOptions, type PlayResult, type Prompt, type RecordOptions, type RecordResult, type TelephonyDriver,
  type CallSource, type IncomingCall, type PeerEnd, type SipWebSocketSink,
} from '@tenor/telephony';
import type { FakeClock } from './fake-clock.js';
import { collectFromKeys, hearsSomething, plannedAmd, writeSilentCallRecording, writeSilentRecording, type FarAudio } from './memory-media.js';

/** Simulated length of one prompt (music on hold loops until stopped). */
export const PROMPT_MS = 1000;

/** What answering-machine detection finds unless a test says otherwise: a person, 1.2 s after answer. */
export const DEFAULT_AMD_RESULT: AmdResult = Object.freeze({
  result: 'human', reason: 'short-greeting-then-silence', durationMs: 1200, words: 1, greetingMs: 500,
});

export interface PlayLog {
  prompts: Prompt[];
  loop: boolean;
  at: number;
  /** How the playback ended, once it has. */
  result: PlayResult['reason'] | undefined;
}

let nextId = 0;

/** What a call needs from its driver. */
interface CallSetup {
  direction: 'inbound' | 'outbound';
  from: CallParty;
  to: CallParty;
  state: CallState;
  /** How long a prompt plays (PROMPT_MS when it says nothing). */
  promptMs?: (prompt: Prompt) => number | undefined;
  /** The far end sending no media this long hangs the call up ('media-timeout'); absent: never. */
  mediaTimeoutMs?: number;
}

const DEFAULT_DIGITS = '0123456789*#';

export class MemoryCall extends EventEmitter<CallEvents> implements Call {
  readonly id: string;
  readonly direction: 'inbound' | 'outbound';
  readonly from: CallParty;
  readonly to: CallParty;
  #state: CallState;
  #cause: HangupCause | undefined;
  readonly plays: PlayLog[] = [];
  /** Digits a collectDigits call will get (as if typed then '#'). */
  typedDigits: string | undefined;
  /** What detectAnsweringMachine resolves with, after its durationMs of simulated time. */
  amdResult: AmdResult = DEFAULT_AMD_RESULT;
  bridgedWith: MemoryCall | undefined;
  /** What the far end sends (see FarAudio); a greeting unless a test says otherwise. */
  farAudio: FarAudio = 'greeting';
  /** Whether the driver has put the far end on hold. */
  farHeld = false;
  /** Where a blind transfer sent the far end. */
  transferTarget: string | undefined;
  /** Whether the driver sent ringing (or early media) to an incoming call's caller. */
  ringSent = false;
  readonly #clock: FakeClock;
  readonly #setup: CallSetup;
  readonly #onEnd = new Set<() => void>();
  /** Prompts sounding now (playbacks and hold music), for what the far end hears. */
  #sounding = 0;
  #holdMusic: AbortController | undefined;
  #farMediaFlowing = true;
  #mediaTimer: { cancel(): void } | undefined;
  #answered = false;
  #endedByFarEnd = false;

  constructor(clock: FakeClock, init: CallSetup) {
    super();
    this.id = `mem-${++nextId}`;
    this.direction = init.direction;
    this.from = init.from;
    this.to = init.to;
    this.#state = init.state;
    this.#answered = init.state === 'answered';
    this.#clock = clock;
    this.#setup = init;
  }

  /** Whether a prompt or hold music is sounding to the far end now. */
  get playing(): boolean {
    return this.#sounding > 0 && this.#state !== 'ended';
  }

  /** Whether the far end sends a tone the driver's side can hear (media flowing, not ended). */
  get farSendsTone(): boolean {
    return this.farAudio === 'tone' && this.#farMediaFlowing && this.#state !== 'ended';
  }

  /** How the call ended, seen from the far end (undefined while it goes on). */
  farEndView(): PeerEnd | undefined {
    const cause = this.#cause;
    if (this.#state !== 'ended' || cause === undefined) return undefined;
    if (this.#endedByFarEnd) return { by: 'peer' };
    if (this.#answered) return { by: 'driver' };
    if (this.direction === 'outbound') return { by: 'driver', refused: 'cancelled' };
    const refused = cause === 'busy' || cause === 'rejected' || cause === 'unreachable' || cause === 'no-answer' ? cause : 'failed';
    return { by: 'driver', refused };
  }

  /** The far end stops sending media (or resumes): after the driver's media timeout an answered call is hung up. */
  setFarMediaFlowing(flowing: boolean): void {
    this.#farMediaFlowing = flowing;
    this.#mediaTimer?.cancel();
    this.#mediaTimer = undefined;
    const timeoutMs = this.#setup.mediaTimeoutMs;
    if (flowing || timeoutMs === undefined || this.#state === 'ended') return;
    this.#mediaTimer = this.#clock.setTimer(timeoutMs, () => {
      if (this.#state !== 'answered' || this.#farMediaFlowing) return;
      this.emit('mediaTimeout');
      this.#end('media-timeout', false);
    });
  }

  get state(): CallState {
    return this.#state;
  }
  get hangupCause(): HangupCause | undefined {
    return this.#cause;
  }

  /** The prompts of every playback so far, flattened (names as given). */
  heard(): string[] {
    return this.plays.flatMap((p) => p.prompts.map((x) => (typeof x === 'string' ? x : 'file' in x ? x.file : x.name)));
  }

  async ring(): Promise<void> {
    if (this.#state === 'ringing') this.#state = 'early';
    if (this.#state !== 'ended') this.ringSent = true;
  }

  async answer(): Promise<void> {
    if (this.#state === 'ended') throw new Error('call has ended');
    if (this.#state !== 'answered') {
      this.#state = 'answered';
      this.#answered = true;
      this.emit('answered');
    }
  }

  async reject(cause: HangupCause = 'rejected'): Promise<void> {
    this.#end(cause, false);
  }

  async hangup(cause: HangupCause = 'normal'): Promise<void> {
    this.#end(cause, false);
  }

  /** The far end hangs up (the caller, or the agent's phone). */
  farEndHangup(cause: HangupCause = 'normal'): void {
    this.#end(cause, true);
  }

  /** The far end presses a key. */
  press(digit: string): void {
    this.emit('dtmf', digit);
  }

  play(opts: PlayOptions): Promise<PlayResult> {
    return this.#play(opts, true);
  }

  #play(opts: PlayOptions, logged: boolean): Promise<PlayResult> {
    const entry: PlayLog = { prompts: [...opts.prompts], loop: opts.loop ?? false, at: this.#clock.now(), result: undefined };
    if (logged) this.plays.push(entry);
    if (this.#state === 'ended') return Promise.resolve(finish(entry, { reason: 'hangup' }));
    const keys = opts.interruptOn === true ? DEFAULT_DIGITS : opts.interruptOn || '';
    const lengthMs = opts.prompts.reduce((ms, p) => ms + (this.#setup.promptMs?.(p) ?? PROMPT_MS), 0);
    return new Promise<PlayResult>((resolve) => {
      const done = (r: PlayResult): void => {
        cleanup();
        resolve(finish(entry, r));
      };
      const onEnd = (): void => done({ reason: 'hangup' });
      const onAbort = (): void => done({ reason: 'stopped' });
      const onDigit = (digit: string): void => {
        if (keys.includes(digit)) done({ reason: 'dtmf', digit });
      };
      const timer = opts.loop ? undefined : this.#clock.setTimer(lengthMs, () => done({ reason: 'done' }));
      const cleanup = (): void => {
        timer?.cancel();
        this.#sounding--;
        this.#onEnd.delete(onEnd);
        this.off('dtmf', onDigit);
        opts.signal?.removeEventListener('abort', onAbort);
      };
      this.#sounding++;
      if (opts.signal?.aborted) return done({ reason: 'stopped' });
      this.#onEnd.add(onEnd);
      if (keys !== '') this.on('dtmf', onDigit);
      opts.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  async collectDigits(opts: CollectOptions): Promise<CollectResult> {
    if (this.#state === 'ended') return { digits: '', reason: 'hangup' };
    if (this.typedDigits !== undefined) {
      const digits = this.typedDigits;
      this.typedDigits = undefined;
      return { digits, reason: 'terminator' };
    }
    let first = '';
    if (opts.prompts !== undefined && opts.prompts.length > 0) {
      const played = await this.play({ prompts: opts.prompts, interruptOn: true, ...(opts.signal ? { signal: opts.signal } : {}) });
      if (played.reason === 'hangup' || played.reason === 'stopped') return { digits: '', reason: played.reason };
      first = played.digit ?? '';
    }
    return collectFromKeys(this, this.#clock, opts, first, (f) => this.#whileUp(f));
  }

  /** Runs `f` when the call ends (now if it has); returns a function that forgets it. */
  #whileUp(f: () => void): () => void {
    if (this.#state === 'ended') {
      f();
      return () => undefined;
    }
    this.#onEnd.add(f);
    return () => this.#onEnd.delete(f);
  }

  /**
   * Records for up to maxSeconds (ended early by a stop key, the far end's
   * silence, a hangup or the signal) and writes a WAV of that length: silence,
   * since there are no samples here.
   */
  async record(opts: RecordOptions): Promise<RecordResult> {
    const started = this.#clock.now();
    const silenceMs = opts.silenceSeconds && this.farAudio === 'silence' ? opts.silenceSeconds * 1000 : undefined;
    const ended = await new Promise<Pick<RecordResult, 'reason' | 'key'>>((resolve) => {
      let forget = (): void => undefined;
      const stop = (r: Pick<RecordResult, 'reason' | 'key'>): void => {
        timer.cancel();
        forget();
        this.off('dtmf', onDigit);
        opts.signal?.removeEventListener('abort', onAbort);
        resolve(r);
      };
      const onDigit = (digit: string): void => {
        if (opts.stopKeys?.includes(digit)) stop({ reason: 'key', key: digit });
      };
      const onAbort = (): void => stop({ reason: 'stopped' });
      const timer = silenceMs !== undefined && silenceMs < opts.maxSeconds * 1000
        ? this.#clock.setTimer(silenceMs, () => stop({ reason: 'silence' }))
        : this.#clock.setTimer(opts.maxSeconds * 1000, () => stop({ reason: 'max-length' }));
      this.on('dtmf', onDigit);
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      forget = this.#whileUp(() => stop({ reason: 'hangup' }));
    });
    const durationMs = this.#clock.now() - started;
    await writeSilentRecording(opts.file, durationMs);
    return { file: opts.file, durationMs, ...ended };
  }

  /**
   * A call recording on the simulated clock: elapsedMs follows the clock,
   * pause/resume only flip the flag (there are no samples to silence), and
   * stop() (or the hangup) writes a silent stereo WAV of the recorded length.
   */
  async startRecording(opts: CallRecordingOptions): Promise<CallRecording> {
    if (this.#state !== 'answered') throw new Error(`cannot record call ${this.id} in state ${this.#state}`);
    const clock = this.#clock;
    const started = clock.now();
    let endedAt: number | undefined;
    let paused = false;
    let stopping: Promise<{ file: string; durationMs: number }> | undefined;
    const stop = (): Promise<{ file: string; durationMs: number }> => {
      stopping ??= (async () => {
        endedAt ??= clock.now();
        forget();
        const durationMs = endedAt - started;
        await writeSilentCallRecording(opts.file, durationMs);
        return { file: opts.file, durationMs };
      })();
      return stopping;
    };
    const forget = this.#whileUp(() => void stop());
    opts.signal?.addEventListener('abort', () => void stop(), { once: true });
    return {
      file: opts.file,
      get elapsedMs() { return (endedAt ?? clock.now()) - started; },
      get paused() { return paused; },
      pause: () => { if (!stopping) paused = true; },
      resume: () => { if (!stopping) paused = false; },
      stop,
    };
  }

  /**
   * Resolves what the far end's audio makes of it (plannedAmd: `amdResult` for
   * a greeting) after its durationMs; 'unknown' with 'hangup' / 'stopped' if
   * the call ends or the signal aborts first.
   */
  detectAnsweringMachine(opts: AmdOptions = {}): Promise<AmdResult> {
    const planned = plannedAmd(this.farAudio, this.amdResult, opts);
    const cut = (reason: 'hangup' | 'stopped', durationMs: number): AmdResult => ({ result: 'unknown', reason, durationMs, words: 0, greetingMs: 0 });
    if (this.#state === 'ended') return Promise.resolve(cut('hangup', 0));
    if (opts.signal?.aborted) return Promise.resolve(cut('stopped', 0));
    const started = this.#clock.now();
    return new Promise<AmdResult>((resolve) => {
      const done = (r: AmdResult): void => {
        timer.cancel();
        this.#onEnd.delete(onEnd);
        opts.signal?.removeEventListener('abort', onAbort);
        resolve(r);
      };
      const onEnd = (): void => done(cut('hangup', this.#clock.now() - started));
      const onAbort = (): void => done(cut('stopped', this.#clock.now() - started));
      const timer = this.#clock.setTimer(planned.durationMs, () => done({ ...planned }));
      this.#onEnd.add(onEnd);
      opts.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** The far end is held; with music, it hears the music (looped, not in `plays`) until unhold. */
  async hold(opts: { music?: Prompt } = {}): Promise<void> {
    if (this.#state === 'ended') throw new Error('call has ended');
    this.farHeld = true;
    if (opts.music === undefined || this.#holdMusic !== undefined) return;
    const stop = new AbortController();
    this.#holdMusic = stop;
    void this.#play({ prompts: [opts.music], loop: true, signal: stop.signal }, false);
  }

  async unhold(): Promise<void> {
    this.farHeld = false;
    this.#holdMusic?.abort();
    this.#holdMusic = undefined;
  }

  async transfer(target: string): Promise<void> {
    this.transferTarget = target;
    this.#end('transferred', false);
  }

  #end(cause: HangupCause, byFarEnd: boolean): void {
    if (this.#state === 'ended') return;
    this.#state = 'ended';
    this.#cause = cause;
    this.#endedByFarEnd = byFarEnd;
    this.#mediaTimer?.cancel();
    this.#holdMusic?.abort();
    for (const f of [...this.#onEnd]) f();
    this.emit('hangup', cause);
  }
}

function finish(entry: PlayLog, r: PlayResult): PlayResult {
  entry.result = r.reason;
  return r;
}

/** A call the ACD placed that is ringing at the far end, for the test to answer or refuse. */
export interface Dialing {
  target: DialTarget;
  /** 'device:ann' or 'number:+3120...' */
  key: string;
  call: MemoryCall;
  opts: OriginateOptions;
  at: number;
  answer(): void;
  /** The far end refuses (busy, declined, unreachable). */
  reject(cause: HangupCause): void;
  settled: boolean;
}

export function targetKey(target: DialTarget): string {
  if (target.kind === 'device') return `device:${target.user}`;
  if (target.kind === 'number') return `number:${target.number}`;
  return `address:${target.address}`;
}

/** Who the far end of a dialed target is: the number, the device's user, or the user part of an address (sip:ann@host → ann). */
function dialedParty(target: DialTarget): CallParty {
  if (target.kind === 'device') return { number: target.user };
  if (target.kind === 'number') return { number: target.number };
  const user = /^[a-z]+:([^@;]+)@/i.exec(target.address)?.[1];
  return { number: user ?? target.address };
}

export interface MemoryDriverOptions {
  /** How long a prompt plays (PROMPT_MS when it says nothing), e.g. from a tone file's length. */
  promptMs?: (prompt: Prompt) => number | undefined;
  /** The far end sending no media this long hangs a call up; absent: never. */
  mediaTimeoutMs?: number;
}

interface MonitorEntry {
  target: MemoryCall;
  listener: MemoryCall;
  mode: MonitorMode;
  open: boolean;
}

export class MemoryDriver extends EventEmitter<DriverEvents> implements TelephonyDriver {
  readonly name = 'memory';
  readonly #clock: FakeClock;
  readonly #options: MemoryDriverOptions;
  /** Every originate, in order. */
  readonly dialed: Dialing[] = [];
  readonly bridges: Array<{ a: MemoryCall; b: MemoryCall; at: number; open: boolean }> = [];
  readonly monitors: MonitorEntry[] = [];
  /** Targets that answer by themselves after a delay (ms of simulated time). */
  readonly autoAnswer = new Map<string, number>();
  /** What answering-machine detection finds on calls to a target (key as targetKey gives it); DEFAULT_AMD_RESULT otherwise. */
  readonly amdResults = new Map<string, AmdResult>();
  /** Told of every originate as it starts ringing (a test peer's phone). */
  readonly onDial = new Set<(d: Dialing) => void>();

  constructor(clock: FakeClock, options: MemoryDriverOptions = {}) {
    super();
    this.#clock = clock;
    this.#options = options;
  }

  #refusing = false;

  async start(): Promise<void> {}

  /** Refuses new calls, cancels calls still ringing, and hangs up the rest with 'server-shutdown'. */
  async stop(): Promise<void> {
    this.#refusing = true;
    for (const d of this.dialed) if (!d.settled) this.#cancelDial(d, 'server-shutdown');
    for (const call of this.#calls) await call.hangup('server-shutdown');
  }

  /** New originates fail as 'unreachable' from now on; calls in progress go on. */
  attachSipWebSocket(): SipWebSocketSink {
    throw new Error('SIP over WebSocket is not supported on the memory driver');
  }

  refuseNewCalls(): void {
    this.#refusing = true;
  }

  /** A caller whose call has been answered, as the IVR would hand it to the ACD. */
  caller(number: string, displayName?: string): MemoryCall {
    return this.#track(this.#newCall({
      direction: 'inbound', from: { number, ...(displayName ? { displayName } : {}) }, to: { number: '100' }, state: 'answered',
    }));
  }

  /**
   * A call arriving, ringing, raised as 'incoming' for the application to
   * ring, answer or reject. While the driver refuses new calls it is refused
   * at once ('unreachable') and never raised.
   */
  incomingCall(opts: { from: CallParty; to: CallParty; source: CallSource; headers?: Record<string, string> }): MemoryCall {
    const call = this.#track(this.#newCall({ direction: 'inbound', from: opts.from, to: opts.to, state: 'ringing' }));
    if (this.#refusing) {
      void call.reject('unreachable');
      return call;
    }
    const headers = Object.fromEntries(Object.entries(opts.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    const incoming: IncomingCall = { call, source: opts.source, headers };
    this.emit('incoming', incoming);
    return call;
  }

  #newCall(init: { direction: 'inbound' | 'outbound'; from: CallParty; to: CallParty; state: CallState }): MemoryCall {
    const { promptMs, mediaTimeoutMs } = this.#options;
    return new MemoryCall(this.#clock, { ...init, ...(promptMs ? { promptMs } : {}), ...(mediaTimeoutMs !== undefined ? { mediaTimeoutMs } : {}) });
  }

  readonly #calls: MemoryCall[] = [];

  #track(call: MemoryCall): MemoryCall {
    this.#calls.push(call);
    return call;
  }

  /** The calls ringing now at a target. */
  ringing(key: string): Dialing[] {
    return this.dialed.filter((d) => d.key === key && !d.settled);
  }

  readonly #cancels = new Map<Dialing, (cause: HangupCause) => void>();

  /** The driver gives up on a ringing call (timeout, abort, shutdown): the far end sees it cancelled. */
  #cancelDial(d: Dialing, cause: HangupCause): void {
    this.#cancels.get(d)?.(cause);
  }

  originate(target: DialTarget, opts: OriginateOptions = {}): Promise<Call> {
    if (this.#refusing) return Promise.reject(new OriginateError('unreachable', 'the driver refuses new calls'));
    const call = this.#track(this.#newCall({ direction: 'outbound', from: opts.callerId ?? { number: 'tenor' }, to: dialedParty(target), state: 'ringing' }));
    const amd = this.amdResults.get(targetKey(target));
    if (amd) call.amdResult = amd;
    return new Promise<Call>((resolve, reject) => {
      const d: Dialing = {
        target, key: targetKey(target), call, opts, at: this.#clock.now(), settled: false,
        answer: () => {
          if (d.settled) return;
          settle();
          void call.answer().then(() => resolve(call));
        },
        reject: (cause) => {
          if (d.settled) return;
          settle();
          call.farEndHangup(cause);
          reject(new OriginateError(cause));
        },
      };
      const cancel = (cause: HangupCause): void => {
        if (d.settled) return;
        settle();
        void call.hangup(cause);
        reject(new OriginateError(cause));
      };
      const timeout = opts.timeoutMs !== undefined ? this.#clock.setTimer(opts.timeoutMs, () => cancel('no-answer')) : undefined;
      const onAbort = (): void => cancel('cancelled');
      const settle = (): void => {
        d.settled = true;
        this.#cancels.delete(d);
        timeout?.cancel();
        opts.signal?.removeEventListener('abort', onAbort);
      };
      this.dialed.push(d);
      this.#cancels.set(d, cancel);
      if (opts.signal?.aborted) return onAbort();
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      const auto = this.autoAnswer.get(d.key);
      if (auto !== undefined) this.#clock.setTimer(auto, () => d.answer());
      for (const f of this.onDial) f(d);
    });
  }

  /** Connects two answered calls; the bridge ends when either call does. */
  async bridge(a: Call, b: Call): Promise<Bridge> {
    if (!(a instanceof MemoryCall) || !(b instanceof MemoryCall)) throw new Error('not calls of this driver');
    if (a.state !== 'answered' || b.state !== 'answered') throw new Error('both calls must be answered to bridge');
    const entry = { a, b, at: this.#clock.now(), open: true };
    this.bridges.push(entry);
    a.bridgedWith = b;
    b.bridgedWith = a;
    const unbridge = async (): Promise<void> => {
      entry.open = false;
      if (a.bridgedWith === b) a.bridgedWith = undefined;
      if (b.bridgedWith === a) b.bridgedWith = undefined;
    };
    for (const leg of [a, b]) leg.once('hangup', () => void unbridge());
    return { a, b, unbridge };
  }

  /** Joins `listener` to the bridged call `target`: what each side hears follows the mode (memory-media.ts). */
  async monitor(target: Call, listener: Call, mode: MonitorMode): Promise<Monitor> {
    if (!(target instanceof MemoryCall) || !(listener instanceof MemoryCall)) throw new Error('not calls of this driver');
    if (target.bridgedWith === undefined) throw new Error('only a bridged call can be monitored');
    const entry: MonitorEntry = { target, listener, mode, open: true };
    this.monitors.push(entry);
    for (const leg of [target, listener]) leg.once('hangup', () => void (entry.open = false));
    return {
      get mode() {
        return entry.mode;
      },
      setMode: async (next) => void (entry.mode = next),
      stop: async () => void (entry.open = false),
    };
  }

  /** Whether the far end of `call` hears something now (see memory-media.ts). */
  farEndHears(call: MemoryCall): boolean {
    return hearsSomething(call, this.monitors.filter((m) => m.open));
  }

  stats(): DriverStats {
    return { activeCalls: this.#calls.filter((c) => c.state !== 'ended').length, activeBridges: this.bridges.filter((b) => b.open).length, resources: {} };
  }
}
