// The call quality indicator: packet loss and jitter of the audio the agent receives,
// read from RTCPeerConnection.getStats() every few seconds and rated against thresholds.

import { reading, type InboundCounters, type QualityReading } from './quality-rating.js';

export type { QualityLevel, QualityReading } from './quality-rating.js';

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
