// Answering-machine detection on a live media leg: the leg's decoded inbound
// audio goes into an AmdDetector.
//
// Time comes from the audio itself: each packet follows the last, and a jump
// in RTP timestamp (lost packets, or a far end that paused sending) becomes
// that much silence. The wall clock only covers what no packet will tell: a
// far end that stops sending altogether after "Hello?". It fills silence once
// the audio is CLOCK_SLACK_MS behind the clock, a margin wide enough that a
// burst of packets delayed by a busy event loop is not cut by made-up silence;
// a later packet's timestamp jump is then reduced by what the clock already
// filled, so no gap is counted twice.

import type { AmdOptions, AmdResult } from '../../../driver.js';
import type { AudioFrame, MediaLeg } from '../leg.js';
import { AMD_FRAME_MS, AmdDetector } from './detector.js';

/** How far the audio may lag the wall clock before the lag counts as silence. */
const CLOCK_SLACK_MS = 200;
/** A larger timestamp jump is a new stream (the far end restarted), not a gap to fill. */
const MAX_GAP_SAMPLES = 8000 * 5;
const SAMPLES_PER_MS = 8;

export function detectOnLeg(leg: MediaLeg, opts: AmdOptions = {}): Promise<AmdResult> {
  const { signal, ...thresholds } = opts;
  let detector: AmdDetector;
  try {
    detector = new AmdDetector(thresholds);
  } catch (err) {
    return Promise.reject(err);
  }
  const start = process.hrtime.bigint();
  const elapsedMs = (): number => Number(process.hrtime.bigint() - start) / 1e6;
  if (leg.closed) return Promise.resolve(withWall(detector.stop('hangup'), 0));
  if (signal?.aborted) return Promise.resolve(withWall(detector.stop('stopped'), 0));

  return new Promise<AmdResult>((resolve) => {
    let lastTimestamp: number | undefined;
    let lastLength = 0;
    /** The detector's clock right after the last packet: what the wall clock filled since is elapsedMs - this. */
    let afterLastPacketMs = 0;
    const finish = (r: AmdResult): void => {
      clearInterval(ticker);
      leg.off('audio', onAudio);
      leg.off('closed', onClosed);
      signal?.removeEventListener('abort', onAbort);
      resolve(r);
    };
    const onAudio = (f: AudioFrame): void => {
      if (lastTimestamp !== undefined) {
        const gapSamples = ((f.timestamp - lastTimestamp) >>> 0) - lastLength;
        if (gapSamples > 0 && gapSamples <= MAX_GAP_SAMPLES) {
          const filledMs = detector.elapsedMs - afterLastPacketMs;
          const missingMs = gapSamples / SAMPLES_PER_MS - filledMs;
          if (missingMs > 0) detector.pushGap(missingMs);
        }
      }
      lastTimestamp = f.timestamp;
      lastLength = f.pcm.length;
      const r = detector.push(f.pcm);
      afterLastPacketMs = detector.elapsedMs;
      if (r) finish(r);
    };
    const onClosed = (): void => finish(withWall(detector.stop('hangup'), elapsedMs()));
    const onAbort = (): void => finish(withWall(detector.stop('stopped'), elapsedMs()));
    const ticker = setInterval(() => {
      const r = detector.advanceTo(elapsedMs() - CLOCK_SLACK_MS);
      if (r) finish(r);
    }, AMD_FRAME_MS);
    leg.on('audio', onAudio);
    leg.on('closed', onClosed);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function withWall(r: AmdResult, ms: number): AmdResult {
  return { ...r, durationMs: Math.round(ms) };
}
