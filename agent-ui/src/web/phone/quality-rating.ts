// The call quality rating: packet loss and jitter of the audio the agent receives, rated
// against thresholds. Pure (no browser types), so the rules are tested on their own.

export type QualityLevel = 'good' | 'fair' | 'poor';

export interface QualityReading {
  /** Packets lost in the last interval, in percent of those expected. */
  lossPercent: number;
  /** The receiver's jitter estimate, in milliseconds. */
  jitterMs: number;
  level: QualityLevel;
}

/** Rules of thumb for G.711 voice without loss concealment: above 1 % loss or 30 ms jitter it starts to be heard; above fair is poor. */
export const qualityThresholds = {
  good: { lossPercent: 1, jitterMs: 30 },
  fair: { lossPercent: 5, jitterMs: 60 },
} as const;

export function rate(lossPercent: number, jitterMs: number): QualityLevel {
  const { good, fair } = qualityThresholds;
  if (lossPercent <= good.lossPercent && jitterMs <= good.jitterMs) return 'good';
  if (lossPercent <= fair.lossPercent && jitterMs <= fair.jitterMs) return 'fair';
  return 'poor';
}

export interface InboundCounters {
  packetsReceived: number;
  packetsLost: number;
  jitterSeconds: number;
}

/** The reading for the interval between two samples of the counters (cumulative in WebRTC). */
export function reading(previous: InboundCounters | undefined, now: InboundCounters): QualityReading {
  const received = now.packetsReceived - (previous?.packetsReceived ?? 0);
  const lost = Math.max(0, now.packetsLost - (previous?.packetsLost ?? 0));
  const expected = received + lost;
  const lossPercent = expected === 0 ? 0 : (100 * lost) / expected;
  const jitterMs = now.jitterSeconds * 1000;
  return { lossPercent, jitterMs, level: rate(lossPercent, jitterMs) };
}

