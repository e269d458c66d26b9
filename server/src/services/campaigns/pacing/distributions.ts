// Small numeric helpers for the predictive model: lognormal service times,
// the binomial number of live answers, the Poisson-binomial number of agents
// freeing up. Kept apart so predictive.ts reads as the model, not the maths.

/** Standard normal CDF (Abramowitz & Stegun 7.1.26 via erf; |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** A lognormal with the given mean and standard deviation (both > 0). */
export interface Lognormal {
  mu: number;
  sigma: number;
}

export function lognormalFromMoments(mean: number, sd: number): Lognormal {
  const m = Math.max(mean, 1e-9);
  const cv2 = Math.max(sd, 1e-9 * m) ** 2 / (m * m);
  const sigma2 = Math.log1p(cv2);
  return { mu: Math.log(m) - sigma2 / 2, sigma: Math.sqrt(sigma2) };
}

export function lognormalCdf(d: Lognormal, x: number): number {
  if (x <= 0) return 0;
  return normalCdf((Math.log(x) - d.mu) / d.sigma);
}

/**
 * P(T ≤ elapsed + horizon | T > elapsed): the chance something that has lasted
 * `elapsed` ends within the next `horizon`.
 */
export function endsWithin(d: Lognormal, elapsed: number, horizon: number): number {
  const before = lognormalCdf(d, elapsed);
  const survival = 1 - before;
  // Far in the tail the ratio is 0/0 numerically; the hazard there is small and slowly varying.
  if (survival < 1e-9) return 0.05;
  return Math.min(1, Math.max(0, (lognormalCdf(d, elapsed + horizon) - before) / survival));
}

/**
 * Standard-normal quantiles at the midpoints of 8 equal-probability bins:
 * a lognormal is then represented by 8 equally likely values (enough for a
 * wrap-up time added to a remaining talk time; exact tails do not matter here).
 */
const MIDPOINT_Z_8 = [-1.5341, -0.8871, -0.4888, -0.1573, 0.1573, 0.4888, 0.8871, 1.5341] as const;

export function lognormalQuantiles8(d: Lognormal): number[] {
  return MIDPOINT_Z_8.map((z) => Math.exp(d.mu + d.sigma * z));
}

/**
 * P(remaining + W ≤ horizon), where `remaining` is what is left of something
 * distributed as `d` that has lasted `elapsed`, and W (given by equally likely
 * values `wValues`) follows it: a talking agent's talk still to come plus the
 * whole wrap-up.
 */
export function endsWithinThen(d: Lognormal, elapsed: number, wValues: readonly number[], horizon: number): number {
  let sum = 0;
  for (const w of wValues) if (w < horizon) sum += endsWithin(d, elapsed, horizon - w);
  return sum / wValues.length;
}

/** pmf of Binomial(n, p) as an array of length n + 1 (computed from the mode, so no underflow). */
export function binomialPmf(n: number, p: number): Float64Array {
  const pmf = new Float64Array(n + 1);
  if (n === 0 || p <= 0) {
    pmf[0] = 1;
    return pmf;
  }
  if (p >= 1) {
    pmf[n] = 1;
    return pmf;
  }
  const mode = Math.min(n, Math.floor((n + 1) * p));
  const ratio = p / (1 - p);
  pmf[mode] = 1;
  for (let k = mode; k < n; k++) pmf[k + 1] = (pmf[k] ?? 0) * ((n - k) / (k + 1)) * ratio;
  for (let k = mode; k > 0; k--) pmf[k - 1] = (pmf[k] ?? 0) * (k / (n - k + 1)) / ratio;
  let sum = 0;
  for (let k = 0; k <= n; k++) sum += pmf[k] ?? 0;
  for (let k = 0; k <= n; k++) pmf[k] = (pmf[k] ?? 0) / sum;
  return pmf;
}

/**
 * pmf of Binomial(n, p) over [from, from + pmf.length), leaving out both tails
 * beyond ~9 standard deviations (their mass is far below 1e-15): a few dozen
 * entries instead of n + 1 for the hundreds of calls a large team has ringing.
 */
export function binomialPmfWindow(n: number, p: number): { from: number; pmf: Float64Array } {
  const sd = Math.sqrt(n * p * (1 - p));
  const from = Math.max(0, Math.floor(n * p - 9 * sd - 2));
  const to = Math.min(n, Math.ceil(n * p + 9 * sd + 2));
  if (from === 0 && to === n) return { from: 0, pmf: binomialPmf(n, p) };
  const pmf = new Float64Array(to - from + 1);
  if (p <= 0 || p >= 1) return { from: 0, pmf: binomialPmf(n, p) };
  const mode = Math.min(to, Math.max(from, Math.floor((n + 1) * p)));
  const ratio = p / (1 - p);
  pmf[mode - from] = 1;
  for (let k = mode; k < to; k++) pmf[k + 1 - from] = (pmf[k - from] ?? 0) * ((n - k) / (k + 1)) * ratio;
  for (let k = mode; k > from; k--) pmf[k - 1 - from] = ((pmf[k - from] ?? 0) * (k / (n - k + 1))) / ratio;
  let sum = 0;
  for (let i = 0; i < pmf.length; i++) sum += pmf[i] ?? 0;
  for (let i = 0; i < pmf.length; i++) pmf[i] = (pmf[i] ?? 0) / sum;
  return { from, pmf };
}

/** pmf of the number of successes among independent trials with the given probabilities. */
export function poissonBinomialPmf(probabilities: readonly number[]): Float64Array {
  const pmf = new Float64Array(probabilities.length + 1);
  pmf[0] = 1;
  let n = 0;
  for (const q of probabilities) {
    // In place, from the top down, so each entry still holds the previous trial's value when read.
    n++;
    for (let k = n; k > 0; k--) pmf[k] = (pmf[k] ?? 0) * (1 - q) + (pmf[k - 1] ?? 0) * q;
    pmf[0] = (pmf[0] ?? 0) * (1 - q);
  }
  return pmf;
}
