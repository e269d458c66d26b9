// An in-memory implementation of the telephony driver contract, for the ACD's
// unit tests only.
//
// IT STANDS IN FOR THE EMBEDDED ENGINE ONLY UNTIL THE SIP END-TO-END TESTS ARE
// ADDED; IT IS NOT A SUBSTITUTE FOR THEM. It has no SIP, no RTP and no audio:
// it keeps what each call was asked to play, lets a test ring, answer, press
// keys and hang up, and runs on the simulated clock so ring timeouts and
// prompt lengths take no real time. The end-to-end tests (SIPp callers,
// baresip agents, a SIPp "home phone" behind a trunk) must prove the same
// behaviour over the real engine.

import { EventEmitter } from 'node:events';
import {
  OriginateError,
  type AmdOptions, type AmdResult, type Bridge, type Call, type CallEvents, type CallParty, type CallState, type CollectOptions, type CollectResult,
  type DialTarget, type DriverEvents, type DriverStats, type HangupCause, type Monitor, type MonitorMode, type OriginateOptions,
  type PlayOptions, type PlayResult, type Prompt, type RecordOptions, type RecordResult, type TelephonyDriver,
} from '@tenor/telephony';
import type { FakeClock } from './fake-clock.js';

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
  readonly #clock: FakeClock;
  readonly #onEnd = new Set<() => void>();

  constructor(clock: FakeClock, init: { direction: 'inbound' | 'outbound'; from: CallParty; to: CallParty; state: CallState }) {
    super();
    this.id = `mem-${++nextId}`;
    this.direction = init.direction;
    this.from = init.from;
    this.to = init.to;
    this.#state = init.state;
    this.#clock = clock;
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
  }

  async answer(): Promise<void> {
    if (this.#state === 'ended') throw new Error('call has ended');
    if (this.#state !== 'answered') {
      this.#state = 'answered';
      this.emit('answered');
    }
  }

  async reject(cause: HangupCause = 'rejected'): Promise<void> {
    this.#end(cause);
  }

  async hangup(cause: HangupCause = 'normal'): Promise<void> {
    this.#end(cause);
  }

  /** The far end hangs up (the caller, or the agent's phone). */
  farEndHangup(cause: HangupCause = 'normal'): void {
    this.#end(cause);
  }

  /** The far end presses a key. */
  press(digit: string): void {
    this.emit('dtmf', digit);
  }

  play(opts: PlayOptions): Promise<PlayResult> {
    const entry: PlayLog = { prompts: [...opts.prompts], loop: opts.loop ?? false, at: this.#clock.now(), result: undefined };
    this.plays.push(entry);
    if (this.#state === 'ended') return Promise.resolve(finish(entry, { reason: 'hangup' }));
    return new Promise<PlayResult>((resolve) => {
      const done = (r: PlayResult): void => {
        cleanup();
        resolve(finish(entry, r));
      };
      const onEnd = (): void => done({ reason: 'hangup' });
      const onAbort = (): void => done({ reason: 'stopped' });
      const timer = opts.loop ? undefined : this.#clock.setTimer(PROMPT_MS * opts.prompts.length, () => done({ reason: 'done' }));
      const cleanup = (): void => {
        timer?.cancel();
        this.#onEnd.delete(onEnd);
        opts.signal?.removeEventListener('abort', onAbort);
      };
      if (opts.signal?.aborted) return done({ reason: 'stopped' });
      this.#onEnd.add(onEnd);
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
    await this.#clock.sleep(opts.firstDigitTimeoutMs);
    return { digits: '', reason: this.hangupCause !== undefined ? 'hangup' : 'timeout' };
  }

  async record(opts: RecordOptions): Promise<RecordResult> {
    await this.#clock.sleep(opts.maxSeconds * 1000);
    return { file: opts.file, durationMs: opts.maxSeconds * 1000, reason: 'max-length' };
  }

  /** Resolves `amdResult` after its durationMs; 'unknown' with 'hangup' / 'stopped' if the call ends or the signal aborts first. */
  detectAnsweringMachine(opts: AmdOptions = {}): Promise<AmdResult> {
    const planned = this.amdResult;
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

  async hold(): Promise<void> {}
  async unhold(): Promise<void> {}

  async transfer(): Promise<void> {
    this.#end('transferred');
  }

  #end(cause: HangupCause): void {
    if (this.#state === 'ended') return;
    this.#state = 'ended';
    this.#cause = cause;
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
  reject(cause: HangupCause): void;
  settled: boolean;
}

export function targetKey(target: DialTarget): string {
  if (target.kind === 'device') return `device:${target.user}`;
  if (target.kind === 'number') return `number:${target.number}`;
  return `address:${target.address}`;
}

export class MemoryDriver extends EventEmitter<DriverEvents> implements TelephonyDriver {
  readonly name = 'memory';
  readonly #clock: FakeClock;
  /** Every originate, in order. */
  readonly dialed: Dialing[] = [];
  readonly bridges: Array<{ a: MemoryCall; b: MemoryCall; at: number; open: boolean }> = [];
  /** Targets that answer by themselves after a delay (ms of simulated time). */
  readonly autoAnswer = new Map<string, number>();
  /** What answering-machine detection finds on calls to a target (key as targetKey gives it); DEFAULT_AMD_RESULT otherwise. */
  readonly amdResults = new Map<string, AmdResult>();

  constructor(clock: FakeClock) {
    super();
    this.#clock = clock;
  }

  #refusing = false;

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  /** New originates fail as 'unreachable' from now on; calls in progress go on. */
  refuseNewCalls(): void {
    this.#refusing = true;
  }

  /** A caller whose call has been answered, as the IVR would hand it to the ACD. */
  caller(number: string, displayName?: string): MemoryCall {
    return this.#track(new MemoryCall(this.#clock, {
      direction: 'inbound', from: { number, ...(displayName ? { displayName } : {}) }, to: { number: '100' }, state: 'answered',
    }));
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

  originate(target: DialTarget, opts: OriginateOptions = {}): Promise<Call> {
    if (this.#refusing) return Promise.reject(new OriginateError('unreachable', 'the driver refuses new calls'));
    const call = this.#track(new MemoryCall(this.#clock, { direction: 'outbound', from: opts.callerId ?? { number: 'tenor' }, to: { number: targetKey(target) }, state: 'ringing' }));
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
      const timeout = opts.timeoutMs !== undefined ? this.#clock.setTimer(opts.timeoutMs, () => d.reject('no-answer')) : undefined;
      const onAbort = (): void => d.reject('cancelled');
      const settle = (): void => {
        d.settled = true;
        timeout?.cancel();
        opts.signal?.removeEventListener('abort', onAbort);
      };
      this.dialed.push(d);
      if (opts.signal?.aborted) return onAbort();
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      const auto = this.autoAnswer.get(d.key);
      if (auto !== undefined) this.#clock.setTimer(auto, () => d.answer());
    });
  }

  async bridge(a: Call, b: Call): Promise<Bridge> {
    if (!(a instanceof MemoryCall) || !(b instanceof MemoryCall)) throw new Error('not calls of this driver');
    if (a.state !== 'answered' || b.state !== 'answered') throw new Error('both calls must be answered to bridge');
    const entry = { a, b, at: this.#clock.now(), open: true };
    this.bridges.push(entry);
    a.bridgedWith = b;
    b.bridgedWith = a;
    return {
      a, b,
      unbridge: async () => {
        entry.open = false;
        if (a.bridgedWith === b) a.bridgedWith = undefined;
        if (b.bridgedWith === a) b.bridgedWith = undefined;
      },
    };
  }

  async monitor(_target: Call, _listener: Call, _mode: MonitorMode): Promise<Monitor> {
    throw new Error('the memory driver does not monitor calls (the ACD does not use it)');
  }

  stats(): DriverStats {
    return { activeCalls: this.#calls.filter((c) => c.state !== 'ended').length, activeBridges: this.bridges.filter((b) => b.open).length, resources: {} };
  }
}
