// The paced sender's thread (started by paced-sender.ts; plain ESM so a worker
// loads it without a TypeScript loader). One UDP socket sends every stream's
// 20 ms frames on absolute deadlines: the frame period is cut into slots, each
// stream has its slot (so streams are spread over the period as independent
// phones would be), and each slot is reached by sleeping (Atomics.wait) until
// shortly before its deadline and spinning the rest. Every payload carries its
// stream, its frame number and its departure time (process.hrtime, the clock
// the receiver reads too), so the receiver needs no shared state.
import dgram from 'node:dgram';
import { parentPort, workerData } from 'node:worker_threads';

const { address, port, frameMs, slots, spinUs } = workerData;
const FRAME_NS = BigInt(Math.round(frameMs * 1e6));
const SPIN_NS = BigInt(spinUs * 1000);
const sleeper = new Int32Array(new SharedArrayBuffer(4));
export const MAGIC = 0x544a4954; // 'TJIT'

const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
socket.on('error', (err) => parentPort.postMessage({ kind: 'error', error: String(err) }));
await new Promise((resolve) => socket.bind(port, address, resolve));
parentPort.postMessage({ kind: 'bound' });

const msg = await new Promise((resolve) => parentPort.once('message', resolve));
const { streams, durationMs } = msg; // streams: [{ remotePort, remoteAddress }]
const n = streams.length;
const seqs = new Uint16Array(n);
const timestamps = new Uint32Array(n);
const ssrcs = streams.map((_, i) => 0x10000 + i);
const lateness = []; // ns each packet left after its deadline
const start = process.hrtime.bigint() + 50_000_000n;
const end = start + BigInt(durationMs) * 1_000_000n;
const slotNs = FRAME_NS / BigInt(slots);
let sent = 0;

function packet(i, frame, departure) {
  const buf = Buffer.alloc(12 + 160, 0xff);
  buf[0] = 0x80;
  buf[1] = frame === 0 ? 0x80 : 0x00; // PCMU, marker on the first frame
  buf.writeUInt16BE(seqs[i], 2);
  buf.writeUInt32BE(timestamps[i], 4);
  buf.writeUInt32BE(ssrcs[i], 8);
  buf.writeUInt32BE(MAGIC, 12);
  buf.writeUInt32BE(i, 16);
  buf.writeUInt32BE(frame, 20);
  buf.writeBigUInt64BE(departure, 24);
  seqs[i] = (seqs[i] + 1) & 0xffff;
  timestamps[i] = (timestamps[i] + 160) >>> 0;
  return buf;
}

const byslot = Array.from({ length: slots }, () => []);
for (let i = 0; i < n; i++) byslot[i % slots].push(i);

for (let frame = 0; ; frame++) {
  const frameStart = start + BigInt(frame) * FRAME_NS;
  if (frameStart >= end) break;
  for (let s = 0; s < slots; s++) {
    const members = byslot[s];
    if (members.length === 0) continue;
    const deadline = frameStart + BigInt(s) * slotNs;
    const sleepNs = deadline - SPIN_NS - process.hrtime.bigint();
    if (sleepNs > 0n) Atomics.wait(sleeper, 0, 0, Number(sleepNs) / 1e6);
    while (process.hrtime.bigint() < deadline) { /* spin the last stretch */ }
    for (const i of members) {
      const now = process.hrtime.bigint();
      lateness.push(Number(now - deadline));
      const st = streams[i];
      socket.send(packet(i, frame, now), st.remotePort, st.remoteAddress);
      sent++;
    }
    // Back to the event loop: node sends an unconnected datagram on the next tick.
    await new Promise((resolve) => setImmediate(resolve));
  }
}
parentPort.postMessage({ kind: 'done', sent, lateness, frames: Math.ceil(Number(end - start) / Number(FRAME_NS)) });
await new Promise((resolve) => setTimeout(resolve, 50));
socket.close();
