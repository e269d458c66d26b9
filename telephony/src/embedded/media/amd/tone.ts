// Beep detection: the tone a voicemail plays before it records. A pure tone is
// perfectly predicted by a second-order linear predictor (x[n] = 2cos(w)·x[n-1]
// − x[n-2]); speech is not, even on a vowel. So each 20 ms frame gets an
// order-2 LPC fit: a high prediction gain with a pole on the unit circle
// (a2 ≈ −1) marks a tonal frame, and its frequency follows from a1. A beep is
// a run of tonal frames at one steady frequency.

/** Prediction gain (signal / residual energy) a tonal frame must reach: 20 dB. */
const MIN_GAIN = 100;
/** a2 must be this close to −1 (a pole this close to the unit circle). */
const MAX_A2 = -0.95;
/** Voicemail beeps sit here (most are 440 Hz–1.4 kHz). */
const MIN_HZ = 300;
const MAX_HZ = 2500;
/** Frames of one beep may drift this much in frequency. */
const MAX_DRIFT_HZ = 20;

export interface ToneFrame {
  tonal: boolean;
  /** Estimated frequency in Hz (NaN when not tonal). */
  frequency: number;
  /** Prediction gain as a ratio (signal energy / residual energy). */
  gain: number;
}

/**
 * Order-2 linear prediction of one frame at `rate` Hz, by the covariance
 * method (no window): a pure tone is predicted exactly (a2 = −1, no residual),
 * where the autocorrelation method would pull its pole inside the circle.
 */
export function analyseTone(pcm: Int16Array, rate = 8000): ToneFrame {
  // phi[i][j] = Σ x[n-i]·x[n-j] for n = 2 … N-1
  let p00 = 0;
  let p01 = 0;
  let p02 = 0;
  let p11 = 0;
  let p12 = 0;
  let p22 = 0;
  for (let n = 2; n < pcm.length; n++) {
    const x0 = pcm[n] as number;
    const x1 = pcm[n - 1] as number;
    const x2 = pcm[n - 2] as number;
    p00 += x0 * x0;
    p01 += x0 * x1;
    p02 += x0 * x2;
    p11 += x1 * x1;
    p12 += x1 * x2;
    p22 += x2 * x2;
  }
  const det = p11 * p22 - p12 * p12;
  if (p00 === 0 || det <= 0) return { tonal: false, frequency: Number.NaN, gain: 1 };
  const a1 = (p01 * p22 - p02 * p12) / det;
  const a2 = (p02 * p11 - p01 * p12) / det;
  const residual = p00 - a1 * p01 - a2 * p02;
  const gain = residual > 0 ? p00 / residual : Number.POSITIVE_INFINITY;
  // x[n] = a1·x[n-1] + a2·x[n-2]: a tone at w has a1 = 2cos(w), a2 = −1.
  const cos = a1 / 2;
  if (gain < MIN_GAIN || a2 > MAX_A2 || cos <= -1 || cos >= 1) return { tonal: false, frequency: Number.NaN, gain };
  const frequency = (Math.acos(cos) * rate) / (2 * Math.PI);
  return { tonal: frequency >= MIN_HZ && frequency <= MAX_HZ, frequency, gain };
}

/** Follows runs of tonal frames at one frequency; reports how long the current run lasts. */
export class ToneTracker {
  #runFrames = 0;
  #runHz = Number.NaN;

  /** Feeds one frame's analysis (only frames loud enough to be heard); returns the run length in frames. */
  push(frame: ToneFrame, loud: boolean): number {
    if (!loud || !frame.tonal) {
      this.#runFrames = 0;
      this.#runHz = Number.NaN;
      return 0;
    }
    if (this.#runFrames > 0 && Math.abs(frame.frequency - this.#runHz) <= MAX_DRIFT_HZ) {
      this.#runFrames++;
    } else {
      this.#runFrames = 1;
      this.#runHz = frame.frequency;
    }
    return this.#runFrames;
  }

  get frequency(): number {
    return this.#runHz;
  }
}
