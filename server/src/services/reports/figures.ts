// Arithmetic shared by every report: means, the nearest-rank percentile and
// the rounding figures are given with (documented in docs/reports.md).

/** Rounded to two decimals (seconds, percentages). */
export function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

/** Mean of ms values in seconds, or null when there are none (nothing to average is not zero). */
export function meanSeconds(ms: readonly number[]): number | null {
  if (ms.length === 0) return null;
  return round2(ms.reduce((a, b) => a + b, 0) / ms.length / 1000);
}

/**
 * Nearest-rank percentile of ms values, in seconds: the smallest value with at
 * least p% of the values at or below it (the value at rank ⌈p/100 × n⌉).
 */
export function percentileSeconds(ms: readonly number[], p: number): number | null {
  if (ms.length === 0) return null;
  const sorted = [...ms].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return round2((sorted[rank - 1] ?? 0) / 1000);
}

export function seconds(ms: number): number {
  return round2(ms / 1000);
}

/** part / whole in percent, or null when the whole is 0. */
export function percent(part: number, whole: number): number | null {
  return whole > 0 ? round2((part / whole) * 100) : null;
}
