// Sample-rate conversion by band-limited interpolation: each output sample is
// the input convolved with a Kaiser-windowed sinc low-pass centred on the
// output instant. One filter handles any ratio (44.1 kHz → 8 kHz is 80/441, no
// small integer factors), and the low-pass sits below the *output* Nyquist so
// nothing above 4 kHz folds back into the band a phone carries.
//
// Design at 8 kHz out: pass band to 3.4 kHz, cut-off 3.7 kHz, stop band from
// 4.0 kHz with ~80 dB attenuation. The filter length follows the input rate
// (a sharper edge needs more taps), about 370 at 44.1 kHz.

/** Attenuation in the stop band, dB. */
const STOPBAND_DB = 80;
/** Kaiser β for that attenuation (Kaiser's formula for A > 50 dB). */
const BETA = 0.1102 * (STOPBAND_DB - 8.7);

/**
 * The low-pass as a polyphase bank: with the rate ratio reduced to L/M
 * (44.1 kHz → 8 kHz is 80/441), output i sits at input position i·M/L, whose
 * fractional part takes only L values. Each gets its own row of taps, so the
 * inner loop is a plain dot product.
 */
interface Bank {
  /** Output samples per cycle (L) and input samples per cycle (M). */
  up: number;
  down: number;
  /** Taps per row (2 · half). */
  width: number;
  half: number;
  /** Row p holds the taps for fractional position p / up, for inputs base − half + 1 … base + half. */
  rows: Float64Array;
}

const banks = new Map<string, Bank>();

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Zeroth-order modified Bessel function of the first kind (series; converges fast for β ≤ 10). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 50; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-12) break;
  }
  return sum;
}

/**
 * The bank for one conversion. `cutoff` and `transition` are in Hz: the
 * response is flat below cutoff − transition/2 and down STOPBAND_DB above
 * cutoff + transition/2. Taps are in input-sample units.
 */
function bankFor(fromRate: number, toRate: number, cutoff: number, transition: number): Bank {
  const key = `${fromRate}:${toRate}:${cutoff}:${transition}`;
  const cached = banks.get(key);
  if (cached) return cached;
  const g = gcd(fromRate, toRate);
  const up = toRate / g;
  const down = fromRate / g;
  // Kaiser's length estimate: N = (A − 8) / (2.285 · Δω), Δω = 2π · transition / rate.
  const taps = (STOPBAND_DB - 8) / (2.285 * ((2 * Math.PI * transition) / fromRate));
  const half = Math.ceil(taps / 2);
  const width = 2 * half;
  const fc = cutoff / fromRate; // cycles per input sample
  const i0beta = besselI0(BETA);
  const h = (d: number): number => {
    const r = d / half;
    if (Math.abs(r) >= 1) return 0;
    const sinc = d === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * d) / (Math.PI * d);
    return sinc * (besselI0(BETA * Math.sqrt(1 - r * r)) / i0beta);
  };
  const rows = new Float64Array(up * width);
  for (let p = 0; p < up; p++) {
    const frac = p / up;
    // Input base − half + 1 + k lies at distance frac + half − 1 − k from the output instant.
    for (let k = 0; k < width; k++) rows[p * width + k] = h(frac + half - 1 - k);
  }
  const bank = { up, down, width, half, rows };
  banks.set(key, bank);
  return bank;
}

export interface ResampleOptions {
  /** Top of the band kept flat, Hz (default 0.425 × the lower rate: 3.4 kHz at 8 kHz). */
  passband?: number;
}

/** One conversion, run over the output in slices (so a long file can yield between them). */
class Conversion {
  readonly out: Float32Array;
  readonly #bank: Bank;
  readonly #padded: Float64Array;

  constructor(samples: Float32Array, fromRate: number, toRate: number, opts: ResampleOptions) {
    const low = Math.min(fromRate, toRate);
    const passband = opts.passband ?? 0.425 * low;
    const stopband = low / 2;
    this.#bank = bankFor(fromRate, toRate, (passband + stopband) / 2, stopband - passband);
    // Zeros around the input: the edges need no bounds checks.
    this.#padded = new Float64Array(samples.length + 2 * this.#bank.width);
    this.#padded.set(samples, this.#bank.width);
    this.out = new Float32Array(Math.floor((samples.length * toRate) / fromRate));
  }

  run(from: number, to: number): void {
    const { up, down, width, half, rows } = this.#bank;
    const x = this.#padded;
    const end = Math.min(to, this.out.length);
    for (let i = from; i < end; i++) {
      const pos = i * down;
      const base = Math.floor(pos / up);
      const row = (pos - base * up) * width;
      const first = base - half + 1 + width; // + width: the padding
      let acc = 0;
      for (let k = 0; k < width; k++) acc += (x[first + k] as number) * (rows[row + k] as number);
      this.out[i] = acc;
    }
  }
}

/**
 * Converts mono samples from one rate to another. Going down, everything
 * above the new Nyquist is filtered out first; going up, the same filter
 * interpolates (no images above the old Nyquist). The filter's DC gain is 1
 * at every fractional offset, so levels are kept both ways.
 */
export function resample(samples: Float32Array, fromRate: number, toRate: number, opts: ResampleOptions = {}): Float32Array {
  if (fromRate === toRate) return samples;
  const c = new Conversion(samples, fromRate, toRate, opts);
  c.run(0, c.out.length);
  return c.out;
}

/** Output samples converted between two yields to the event loop (about 10 ms of work). */
const SLICE = 4000;

/**
 * The same, giving the event loop a turn between slices: converting a long
 * upload must not hold up the calls whose media this process paces every 20 ms.
 */
export async function resampleYielding(samples: Float32Array, fromRate: number, toRate: number, opts: ResampleOptions = {}): Promise<Float32Array> {
  if (fromRate === toRate) return samples;
  const c = new Conversion(samples, fromRate, toRate, opts);
  for (let i = 0; i < c.out.length; i += SLICE) {
    c.run(i, i + SLICE);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return c.out;
}
