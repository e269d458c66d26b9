// Checking a call's audio by its bytes: the caller streams frames that each
// differ from every other (a tone repeats itself every few samples, so it
// cannot show which audio came back), and what the engine sent to the caller
// is matched frame by frame against what the caller sent. Packet counts alone
// would not tell the caller's own audio from a stranger's.
import { writeFile } from 'node:fs/promises';
import { decodeRtp, type UdpPacket } from '../peers/capture.js';

export const FRAME_BYTES = 160;

/** A raw PCMU file of `frames` 20 ms frames, each unlike any other; returns the frames. */
export async function writeDistinctUlaw(file: string, frames: number): Promise<Buffer[]> {
  const out: Buffer[] = [];
  let x = 0x2545f491;
  for (let i = 0; i < frames; i++) {
    const frame = Buffer.alloc(FRAME_BYTES);
    for (let j = 0; j < FRAME_BYTES; j++) {
      // xorshift32: deterministic noise; 0x7f/0xff (digital silence) avoided.
      x ^= x << 13; x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5; x >>>= 0;
      const byte = x & 0xff;
      frame[j] = byte === 0x7f || byte === 0xff ? 0x55 : byte;
    }
    out.push(frame);
  }
  await writeFile(file, Buffer.concat(out));
  return out;
}

export interface EchoCheck {
  /** RTP packets the engine sent to the caller's media port. */
  received: number;
  /** How many of the caller's own frames came back (each counted once). */
  ownFramesBack: number;
  /** Packets whose payload is none of the caller's frames (someone else's audio). */
  foreign: number;
}

/** Compares what reached `callerMediaPort` from `fromPorts` with the frames the caller sent. */
export function checkEcho(packets: UdpPacket[], callerMediaPort: number, frames: Buffer[], fromPorts: { from: number; to: number }): EchoCheck {
  const known = new Map(frames.map((f, i) => [f.toString('hex'), i]));
  const seen = new Set<number>();
  let received = 0;
  let foreign = 0;
  for (const p of packets) {
    if (p.dstPort !== callerMediaPort || p.srcPort < fromPorts.from || p.srcPort > fromPorts.to) continue;
    const rtp = decodeRtp(p);
    if (!rtp || rtp.payloadType !== 0) continue;
    received++;
    const index = known.get(rtp.payload.toString('hex'));
    if (index === undefined) foreign++;
    else seen.add(index);
  }
  return { received, ownFramesBack: seen.size, foreign };
}
