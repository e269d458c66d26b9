// The floor of bench/rtp-jitter.ts on this machine: the same paced sender
// and receiver (lib/paced-sender.ts), the same N streams of 20 ms frames, but
// echoed by a trivial node process (lib/echo-child.ts: each datagram sent
// straight back) instead of crossing Tenor's relay twice and SIPp's echo.
// Whatever added jitter and gaps this shows are the sender's, the
// receiver's, node's and the machine's, not Tenor's.
//
//   bench/run.sh jitter-floor [streams=50,100,200] [windowSeconds=10]
import { fork } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { freeUdpPort } from '../telephony/test/peers/ports.js';
import { percentile } from '../telephony/test/peers/capture.js';
import { jitterOf, startPacedRig } from './lib/paced-sender.js';
import { describePauses, recordPauses } from './lib/pauses.js';

const steps = (process.argv[2] ?? '50,100,200').split(',').map(Number);
const windowS = Number(process.argv[3] ?? 10);
const WARMUP_S = 2;
const FRAMES_PER_S = 50;
const load = (): string => loadavg().map((l) => l.toFixed(1)).join(' ');

for (const streams of steps) {
  const loadBefore = load();
  const echo = fork(fileURLToPath(new URL('./lib/echo-child.ts', import.meta.url)), [String(streams)], {
    execArgv: ['--import=tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => echo.once('exit', () => resolve()));
  try {
    const ports = await new Promise<number[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('echo: not bound in 30 s')), 30_000);
      echo.once('message', (m: { ports: number[] }) => {
        clearTimeout(timer);
        resolve(m.ports);
      });
    });
    const paced = await startPacedRig({ address: '127.0.0.1', port: await freeUdpPort(), streams });
    const pauses = recordPauses(2);
    try {
      const sender = await paced.run(ports.map((p) => ({ remoteAddress: '127.0.0.1', remotePort: p })), (WARMUP_S + windowS + 0.5) * 1000);
      await new Promise((r) => setTimeout(r, 300));
      const fromFrame = WARMUP_S * FRAMES_PER_S;
      const j = jitterOf(paced.arrivals(), fromFrame, fromFrame + windowS * FRAMES_PER_S);
      const expected = streams * windowS * FRAMES_PER_S;
      const lateness = sender.latenessNs.map((ns) => ns / 1e6).sort((a, b) => a - b);
      console.log(`-- ${streams} streams echoed by bare node, ${windowS} s window, load ${loadBefore} → ${load()}`);
      console.log(`sender p50/p99 ${percentile(j.senderJitter, 0.5).toFixed(3)} / ${percentile(j.senderJitter, 0.99).toFixed(3)} ms (late p99 ${percentile(lateness, 0.99).toFixed(3)} ms); added p50/p99 ${percentile(j.added, 0.5).toFixed(3)} / ${percentile(j.added, 0.99).toFixed(3)} ms; largest extra gap ${j.largestGapMs.toFixed(1)} ms; gaps ≥ 10 ms ${j.gapsOver10Ms}; loss ${(100 * (1 - j.received / expected)).toFixed(3)} %`);
      console.log(`receiver's pauses ≥ 2 ms: ${describePauses(pauses.since(0))}`);
    } finally {
      pauses.stop();
      await paced.close();
    }
  } finally {
    if (echo.connected) echo.disconnect();
    const killer = setTimeout(() => echo.kill(), 10_000);
    await exited;
    clearTimeout(killer);
  }
}
