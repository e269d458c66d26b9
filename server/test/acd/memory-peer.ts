// The driver contract suite's harness for the memory driver (memory-driver.ts):
// a test peer in memory that calls the driver and is called by it through the
// MemoryCall hooks the ACD's tests use (farEndHangup, press, the far end's
// audio). The memory driver runs on a FakeClock; here the clock is pumped from
// real time (every 10 ms, by the real time elapsed), so the contract's
// real-time waits and the driver's timers keep the same pace. The pump also
// adds up how long each peer heard something (memory-media.ts).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitUntil, type DialTarget, type DriverHarness, type PeerAnswerMode, type PeerCall, type PeerEnd, type Prompt, type TestPeer } from '@tenor/telephony';
import { tonePromptFiles } from '../../../telephony/test/contract/prompt-files.js';
import { FakeClock } from './fake-clock.js';
import { MemoryDriver, type Dialing, type MemoryCall } from './memory-driver.js';

const MEDIA_TIMEOUT_MS = 1500;
const PUMP_MS = 10;
/** Between two digits a peer sends, as a phone's keypad would space them. */
const DIGIT_GAP_MS = 60;
/** The peer's own targets: peer:<answer mode>@memory, and ;after=<ms> for an answer after a delay. */
const PEER_TARGET = /^peer:(answer|busy|decline|ring)@memory(?:;after=(\d+))?$/;

class MemoryPeerCall implements PeerCall {
  #heardMs = 0;
  #answered = false;

  constructor(readonly call: MemoryCall, readonly driver: MemoryDriver, readonly dial?: Dialing) {
    call.farAudio = 'silence';
    if (call.state === 'answered') this.#answered = true;
    call.on('answered', () => void (this.#answered = true));
  }

  /** Called by the pump: `ms` more of what the driver sends to this peer. */
  listen(ms: number): void {
    if (this.driver.farEndHears(this.call)) this.#heardMs += ms;
  }

  get answered(): boolean {
    return this.#answered;
  }
  get heldByDriver(): boolean {
    return this.call.farHeld;
  }
  get transferTarget(): string | undefined {
    return this.call.transferTarget;
  }

  async waitAnswered(timeoutMs = 10_000): Promise<void> {
    await waitUntil(() => this.#answered || this.call.state === 'ended', timeoutMs, `call ${this.call.id} answered`);
    if (!this.#answered) throw new Error(`call ${this.call.id} ended before it was answered (${this.call.hangupCause})`);
  }

  async waitRinging(timeoutMs = 10_000): Promise<void> {
    // A call the driver placed rings here as soon as it is placed.
    if (this.dial !== undefined) return;
    await waitUntil(() => this.call.ringSent || this.#answered || this.call.state === 'ended', timeoutMs, `call ${this.call.id} ringing`);
    if (this.call.state === 'ended') throw new Error(`call ${this.call.id} ended before it rang`);
  }

  async waitEnded(timeoutMs = 10_000): Promise<PeerEnd> {
    await waitUntil(() => this.call.farEndView() !== undefined, timeoutMs, `call ${this.call.id} ended`);
    return this.call.farEndView() as PeerEnd;
  }

  async answer(): Promise<void> {
    if (this.dial === undefined) throw new Error('only a call the driver placed can be answered by the peer');
    this.dial.answer();
  }

  async hangup(): Promise<void> {
    if (this.dial !== undefined && !this.dial.settled) return this.dial.reject('rejected');
    this.call.farEndHangup(this.#answered ? 'normal' : 'cancelled');
  }

  async sendDigits(digits: string): Promise<void> {
    for (const digit of digits) {
      if (this.call.state === 'ended') return;
      this.call.press(digit);
      await new Promise((r) => setTimeout(r, DIGIT_GAP_MS));
    }
  }

  startTone(): void {
    this.call.farAudio = 'tone';
  }
  stopTone(): void {
    this.call.farAudio = 'silence';
  }
  setMediaFlowing(flowing: boolean): void {
    this.call.setFarMediaFlowing(flowing);
  }
  heardToneMs(): number {
    return this.#heardMs;
  }
}

export async function createMemoryHarness(): Promise<DriverHarness> {
  const dir = await mkdtemp(join(tmpdir(), 'tenor-memory-contract-'));
  const clock = new FakeClock(Date.now());
  const promptLengths = new Map<string, number>();
  const tones = tonePromptFiles(dir);
  const promptMs = (p: Prompt): number | undefined => promptLengths.get(typeof p === 'string' ? p : 'file' in p ? p.file : p.name);
  const driver = new MemoryDriver(clock, { promptMs, mediaTimeoutMs: MEDIA_TIMEOUT_MS });
  const calls: MemoryPeerCall[] = [];
  const placed: MemoryPeerCall[] = [];

  driver.onDial.add((d) => {
    const mode = d.target.kind === 'address' ? PEER_TARGET.exec(d.target.address) : null;
    if (mode === null) return d.reject('unreachable'); // nobody answers at any other target
    const peerCall = new MemoryPeerCall(d.call, driver, d);
    calls.push(peerCall);
    placed.push(peerCall);
    const [, kind, afterMs = '0'] = mode;
    if (kind === 'answer') clock.setTimer(Number(afterMs), () => d.answer());
    else if (kind === 'busy') d.reject('busy');
    else if (kind === 'decline') d.reject('rejected');
  });

  let running = true;
  const pump = (async () => {
    let last = Date.now();
    while (running) {
      await new Promise((r) => setTimeout(r, PUMP_MS));
      const now = Date.now();
      // What was sounding since the last tick sounded until now; then the driver's timers due by now fire.
      for (const c of calls) c.listen(now - last);
      await clock.advance(now - last);
      last = now;
    }
  })();

  const peer: TestPeer = {
    async call(opts) {
      const source = opts.as === 'trunk' ? { kind: 'trunk' as const, trunk: 'carrier' } : { kind: 'unknown' as const };
      // The application hears of the call through a promise, after the peer's audio is set to silence here.
      const call = driver.incomingCall({ from: { number: opts.from }, to: { number: opts.to }, source, ...(opts.headers ? { headers: opts.headers } : {}) });
      const peerCall = new MemoryPeerCall(call, driver);
      calls.push(peerCall);
      return peerCall;
    },
    target: (mode: PeerAnswerMode): DialTarget => ({
      kind: 'address',
      address: `peer:${mode.kind}@memory${mode.kind === 'answer' && mode.afterMs !== undefined ? `;after=${mode.afterMs}` : ''}`,
    }),
    unreachableTarget: () => ({ kind: 'device', user: 'nobody-registered' }),
    async nextCall(timeoutMs = 10_000) {
      await waitUntil(() => placed.length > 0, timeoutMs, 'a call placed to the peer');
      return placed.shift() as MemoryPeerCall;
    },
  };

  return {
    driver,
    peer,
    trunkSource: { kind: 'trunk', trunk: 'carrier' },
    tmpDir: dir,
    mediaTimeoutMs: MEDIA_TIMEOUT_MS,
    async promptFile(ms) {
      const file = await tones(ms);
      promptLengths.set(file, ms);
      return file;
    },
    async close() {
      await driver.stop();
      running = false;
      await pump;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
