// A paced RTP sender and its receiver, for measuring the jitter a relay adds
// (bench/rtp-jitter.ts). SIPp's rtp_stream sends in bursts (its own p99 is
// about 20 ms), which hides what the relay adds; this sender keeps its own
// jitter far below a millisecond and says how far below.
//
// The sending runs in a worker thread (paced-sender-worker.mjs) so its
// spinning never delays the receiver, which timestamps each packet as it
// arrives on this thread. Both use one UDP port: the worker binds it first,
// this thread second, with SO_REUSEADDR; Linux delivers what arrives to the
// socket bound last, and every packet leaves from that port, so the far end
// (symmetric RTP, latching) answers to where the receiver listens.
import dgram from 'node:dgram';
import { Worker } from 'node:worker_threads';

const MAGIC = 0x544a4954; // 'TJIT', as the worker writes it

export interface PacedStream {
  remoteAddress: string;
  remotePort: number;
}

export interface Arrival {
  frame: number;
  /** When the sender sent it and when it came back (process.hrtime, ns). */
  departedNs: bigint;
  arrivedNs: bigint;
}

export interface SenderReport {
  sent: number;
  /** How late each packet left after its deadline (ns). */
  latenessNs: number[];
}

export interface PacedRig {
  /** The UDP port the sender sends from and the receiver listens on (put it in the SDP). */
  readonly port: number;
  /** Sends 20 ms frames to every stream for `durationMs`; resolves with the sender's own figures. */
  run(streams: PacedStream[], durationMs: number): Promise<SenderReport>;
  /** Per stream (by index in `streams`), what came back, in arrival order. */
  arrivals(): Arrival[][];
  close(): Promise<void>;
}

interface WorkerMessage {
  kind: 'bound' | 'done' | 'error';
  error?: string;
  sent?: number;
  lateness?: number[];
}

export async function startPacedRig(opts: { address: string; port: number; streams: number; slots?: number; spinUs?: number }): Promise<PacedRig> {
  const worker = new Worker(new URL('./paced-sender-worker.mjs', import.meta.url), {
    workerData: { address: opts.address, port: opts.port, frameMs: 20, slots: opts.slots ?? 20, spinUs: opts.spinUs ?? 400 },
  });
  const next = (): Promise<WorkerMessage> => new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    worker.once('error', onError);
    worker.once('message', (m: WorkerMessage) => {
      worker.off('error', onError);
      if (m.kind === 'error') reject(new Error(m.error));
      else resolve(m);
    });
  });
  await next(); // bound
  const arrivals: Arrival[][] = Array.from({ length: opts.streams }, () => []);
  const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true, recvBufferSize: 8 * 1024 * 1024 });
  socket.on('message', (msg) => {
    const arrivedNs = process.hrtime.bigint();
    if (msg.length < 32 || msg.readUInt32BE(12) !== MAGIC) return;
    const stream = msg.readUInt32BE(16);
    arrivals[stream]?.push({ frame: msg.readUInt32BE(20), departedNs: msg.readBigUInt64BE(24), arrivedNs });
  });
  await new Promise<void>((resolve) => socket.bind(opts.port, opts.address, () => resolve()));
  return {
    port: opts.port,
    async run(streams, durationMs) {
      const done = next();
      worker.postMessage({ streams, durationMs });
      const m = await done;
      return { sent: m.sent ?? 0, latenessNs: m.lateness ?? [] };
    },
    arrivals: () => arrivals,
    async close() {
      await worker.terminate();
      await new Promise<void>((resolve) => socket.close(() => resolve()));
    },
  };
}

/** Figures over the arrivals of frames `fromFrame` up to (not including) `toFrame`. */
export interface JitterFigures {
  /** |inter-arrival − inter-departure| of consecutive arrivals, ms, all streams pooled. */
  added: number[];
  /** The sender's own |inter-departure − 20 ms| of consecutive frames, ms. */
  senderJitter: number[];
  /** The largest (inter-arrival − inter-departure): how much later than its send spacing a packet came, ms. */
  largestGapMs: number;
  /** Arrival times (process.hrtime, ns) of the two frames around the largest gap. */
  largestGapFromNs: bigint;
  largestGapToNs: bigint;
  /** Gaps (inter-arrival − inter-departure) of 10 ms or more. */
  gapsOver10Ms: number;
  received: number;
}

export function jitterOf(arrivals: Arrival[][], fromFrame: number, toFrame: number): JitterFigures {
  const added: number[] = [];
  const senderJitter: number[] = [];
  let largestGapMs = 0;
  let largestGapFromNs = 0n;
  let largestGapToNs = 0n;
  let gapsOver10Ms = 0;
  let received = 0;
  for (const list of arrivals) {
    let prev: Arrival | undefined;
    for (const a of list) {
      if (a.frame < fromFrame || a.frame >= toFrame) continue;
      received++;
      if (prev) {
        const dArr = Number(a.arrivedNs - prev.arrivedNs) / 1e6;
        const dDep = Number(a.departedNs - prev.departedNs) / 1e6;
        added.push(Math.abs(dArr - dDep));
        const gap = dArr - dDep;
        if (gap >= 10) gapsOver10Ms++;
        if (gap > largestGapMs) {
          largestGapMs = gap;
          largestGapFromNs = prev.arrivedNs;
          largestGapToNs = a.arrivedNs;
        }
        if (a.frame === prev.frame + 1) senderJitter.push(Math.abs(dDep - 20));
      }
      prev = a;
    }
  }
  added.sort((x, y) => x - y);
  senderJitter.sort((x, y) => x - y);
  return { added, senderJitter, largestGapMs, largestGapFromNs, largestGapToNs, gapsOver10Ms, received };
}
