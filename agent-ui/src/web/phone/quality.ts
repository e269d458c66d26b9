// The call quality indicator: packet loss and jitter of the audio the agent receives,
// read from RTCPeerConnection.getStats() every few seconds and rated against thresholds.

export type QualityLevel = 'good' | 'fair' | 'poor';

export interface QualityReading {
  /** Packets lost in the last interval, in percent of those expected. */
  lossPercent: number;
  /** The receiver's jitter estimate, in milliseconds. */
  jitterMs: number;
  level: QualityLevel;
}

/** Thresholds (ITU-T G.1020-style rules of thumb for G.711): above fair is poor. */
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

/** The audio inbound-rtp entry of a stats report. */
export function inboundAudio(report: RTCStatsReport): InboundCounters | undefined {
  let found: InboundCounters | undefined;
  report.forEach((entry: { type?: string; kind?: string; packetsReceived?: number; packetsLost?: number; jitter?: number }) => {
    if (entry.type === 'inbound-rtp' && entry.kind === 'audio') {
      found = { packetsReceived: entry.packetsReceived ?? 0, packetsLost: entry.packetsLost ?? 0, jitterSeconds: entry.jitter ?? 0 };
    }
  });
  return found;
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

/** Poll a peer connection's stats every `intervalMs` until the returned stop is called. */
export function watchQuality(pc: RTCPeerConnection, onReading: (r: QualityReading) => void, intervalMs = 2000): () => void {
  let previous: InboundCounters | undefined;
  const timer = setInterval(() => {
    pc.getStats().then((report) => {
      const now = inboundAudio(report);
      if (now === undefined) return;
      onReading(reading(previous, now));
      previous = now;
    }, (err: unknown) => console.debug('tenor: reading the call statistics failed', err));
  }, intervalMs);
  return () => clearInterval(timer);
}
