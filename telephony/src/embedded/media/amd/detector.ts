// The answering-machine detector, free of RTP and timers: fed 8 kHz PCM in
// order, it cuts it into 20 ms frames and decides human / machine / unknown
// from the energy and cadence of the greeting. The live path (on-leg.ts) feeds
// it a call's decoded inbound audio; the accuracy test and bench feed it the
// WAVs of telephony/amd-corpus/ directly, so both measure the same code.
//
// How it decides (classic energy + cadence, as Asterisk's app_amd, with an
// adaptive noise floor so line noise is not taken for speech):
// - a frame is voiced when its RMS is above both `silenceThreshold` and
//   VOICE_OVER_FLOOR times the noise floor (a slowly leaking minimum);
// - voiced runs, bridged over gaps shorter than BETWEEN_WORDS_SILENCE_MS, are
//   words once they last `minWordMs`; the greeting starts with the first word;
// - human: the greeting stops (silence ≥ afterGreetingSilenceMs) before it is
//   `greetingMs` long and before `maxWords` words: a person said "Hello?" and
//   waits. Decided right then, so the agent can take over within the legal 2 s;
// - machine: the greeting reaches `greetingMs`, or `maxWords` words, or a
//   steady tone (the beep) is heard;
// - unknown (configurable): nobody speaks within `initialSilenceMs`; and
//   unknown when `maxWaitMs` passes undecided.

import type { AmdOptions, AmdReason, AmdResult, AmdVerdict } from '../../../driver.js';
import { frameRms } from '../recorder.js';
import { analyseTone, ToneTracker } from './tone.js';

export const AMD_FRAME_MS = 20;
const RATE = 8000;
export const AMD_FRAME_SAMPLES = (RATE * AMD_FRAME_MS) / 1000;

/** Every threshold, with the defaults tuned on telephony/amd-corpus/ (docs/telephony/amd.md). */
export type AmdThresholds = Required<Omit<AmdOptions, 'signal'>>;

export const AMD_DEFAULTS: Readonly<AmdThresholds> = Object.freeze({
  maxWaitMs: 5000,
  initialSilenceMs: 2500,
  greetingMs: 1800,
  afterGreetingSilenceMs: 700,
  silenceThreshold: 200,
  minWordMs: 100,
  maxWords: 5,
  detectBeep: true,
  initialSilenceResult: 'unknown',
});

/** Speech must stand this far above the noise floor (×3 ≈ +9.5 dB). */
const VOICE_OVER_FLOOR = 3;
/** The floor follows the quietest frames at once and leaks upward slowly (≈ +1.3 dB/s), so it tracks rising noise but not speech. */
const FLOOR_LEAK = 1.003;
const FLOOR_MIN = 10;
/** A pause shorter than this does not split a word (hangover). */
const BETWEEN_WORDS_SILENCE_MS = 60;
/** A steady tone this long is a beep. */
const BEEP_MS = 120;

export class AmdDetector {
  readonly thresholds: Readonly<AmdThresholds>;
  #pending = new Int16Array(AMD_FRAME_SAMPLES);
  #pendingLength = 0;
  /** Frames analysed so far: the detector's clock. */
  #frames = 0;
  #floor: number | undefined;
  readonly #tone = new ToneTracker();
  // The current voiced run.
  #inRun = false;
  #runStart = 0;
  #runVoiced = 0;
  #runGap = 0;
  #runCounted = false;
  // The greeting.
  #words = 0;
  #greetingStart: number | undefined;
  #lastVoiced = -1;
  #decision: AmdResult | undefined;

  constructor(opts: Omit<AmdOptions, 'signal'> = {}) {
    const t = { ...AMD_DEFAULTS };
    for (const [k, v] of Object.entries(opts)) {
      if (v === undefined || !(k in t)) continue;
      if (typeof AMD_DEFAULTS[k as keyof AmdThresholds] === 'number' && !(typeof v === 'number' && Number.isFinite(v) && v >= 0)) {
        throw new RangeError(`AmdOptions.${k} must be a number ≥ 0, not ${String(v)}`);
      }
      Object.assign(t, { [k]: v });
    }
    this.thresholds = Object.freeze(t);
  }

  /** The decision, once made (it never changes afterwards). */
  get decision(): AmdResult | undefined {
    return this.#decision;
  }

  /** Milliseconds of audio analysed (real or filled in as silence). */
  get elapsedMs(): number {
    return this.#frames * AMD_FRAME_MS;
  }

  get words(): number {
    return this.#words;
  }

  /**
   * Feeds audio that follows what came before. With `atMs` (when this audio
   * starts, on the detector's clock), a gap since the last audio is first
   * filled with silence (lost packets, a far end that stopped sending).
   * Returns the decision once it is made.
   */
  push(pcm: Int16Array, atMs?: number): AmdResult | undefined {
    if (atMs !== undefined) this.advanceTo(atMs);
    let at = 0;
    while (at < pcm.length && !this.#decision) {
      const take = Math.min(AMD_FRAME_SAMPLES - this.#pendingLength, pcm.length - at);
      this.#pending.set(pcm.subarray(at, at + take), this.#pendingLength);
      this.#pendingLength += take;
      at += take;
      if (this.#pendingLength === AMD_FRAME_SAMPLES) {
        this.#frame(this.#pending);
        this.#pendingLength = 0;
      }
    }
    return this.#decision;
  }

  /**
   * Time passes with no audio up to `ms`: whole frames of it count as
   * silence (they do not move the noise floor: absent audio is not line noise).
   */
  advanceTo(ms: number): AmdResult | undefined {
    while (!this.#decision && (this.#frames + 1) * AMD_FRAME_MS <= ms) {
      if (this.#pendingLength > 0) {
        this.#pending.fill(0, this.#pendingLength);
        this.#pendingLength = 0;
        this.#frame(this.#pending);
      } else {
        this.#frame(undefined);
      }
    }
    return this.#decision;
  }

  /**
   * Audio that never arrived (lost packets, a far end that paused sending)
   * between the last audio and the next: that much silence, in whole frames,
   * which like advanceTo() does not move the noise floor.
   */
  pushGap(ms: number): AmdResult | undefined {
    return this.advanceTo(this.elapsedMs + Math.round(ms / AMD_FRAME_MS) * AMD_FRAME_MS);
  }

  /** Ends detection without a decision from the audio (hangup, abort): 'unknown'. */
  stop(reason: Extract<AmdReason, 'hangup' | 'stopped'>): AmdResult {
    return this.#decision ?? this.#decide('unknown', reason);
  }

  #frame(pcm: Int16Array | undefined): void {
    const n = this.#frames++;
    let voiced = false;
    let toneRun = 0;
    if (pcm) {
      const rms = frameRms(pcm);
      // The first frame sets the floor (line noise from the first packet must not pass for speech).
      const floor = this.#floor ?? Math.max(FLOOR_MIN, rms);
      voiced = rms >= this.thresholds.silenceThreshold && rms >= floor * VOICE_OVER_FLOOR;
      this.#floor = Math.max(FLOOR_MIN, Math.min(rms, floor * FLOOR_LEAK));
      // A tone is never line noise: it counts when loud, even if it set the floor (a beep from the first frame).
      if (this.thresholds.detectBeep) toneRun = this.#tone.push(analyseTone(pcm, RATE), rms >= this.thresholds.silenceThreshold);
    } else {
      this.#tone.push({ tonal: false, frequency: Number.NaN, gain: 1 }, false);
    }
    this.#segment(n, voiced);
    this.#judge(n, toneRun);
  }

  #segment(n: number, voiced: boolean): void {
    const minWordFrames = Math.max(1, Math.ceil(this.thresholds.minWordMs / AMD_FRAME_MS));
    if (voiced) {
      if (!this.#inRun) {
        this.#inRun = true;
        this.#runStart = n;
        this.#runVoiced = 0;
        this.#runCounted = false;
      }
      this.#runVoiced++;
      this.#runGap = 0;
      this.#lastVoiced = n;
      if (!this.#runCounted && this.#runVoiced >= minWordFrames) {
        this.#runCounted = true;
        this.#words++;
        this.#greetingStart ??= this.#runStart;
      }
    } else if (this.#inRun) {
      this.#runGap++;
      if (this.#runGap * AMD_FRAME_MS >= BETWEEN_WORDS_SILENCE_MS) this.#inRun = false;
    }
  }

  #judge(n: number, toneRun: number): void {
    const t = this.thresholds;
    const now = (n + 1) * AMD_FRAME_MS;
    if (toneRun * AMD_FRAME_MS >= BEEP_MS) {
      this.#decide('machine', 'beep');
    } else if (this.#greetingStart !== undefined) {
      const greeting = (this.#lastVoiced + 1 - this.#greetingStart) * AMD_FRAME_MS;
      const silence = (n - this.#lastVoiced) * AMD_FRAME_MS;
      if (greeting >= t.greetingMs) this.#decide('machine', 'long-greeting');
      else if (this.#words >= t.maxWords) this.#decide('machine', 'too-many-words');
      else if (silence >= t.afterGreetingSilenceMs) this.#decide('human', 'short-greeting-then-silence');
    } else if (now >= t.initialSilenceMs && !this.#inRun) {
      this.#decide(t.initialSilenceResult, 'initial-silence');
    }
    if (!this.#decision && now >= t.maxWaitMs) this.#decide('unknown', 'max-wait');
  }

  #decide(result: AmdVerdict, reason: AmdReason): AmdResult {
    const greetingMs = this.#greetingStart === undefined ? 0 : (this.#lastVoiced + 1 - this.#greetingStart) * AMD_FRAME_MS;
    this.#decision = { result, reason, durationMs: this.elapsedMs, words: this.#words, greetingMs };
    return this.#decision;
  }
}
