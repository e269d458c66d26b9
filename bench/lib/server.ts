// The server side of a benchmark, in its own process so that process.cpuUsage()
// counts Tenor and nothing else: a back-to-back app on the chosen engine
// (engines.ts: embedded, or FreeSWITCH, whose own process's CPU is sampled
// beside it). Every incoming call is placed again through the "far" trunk (a
// SIPp uas), answered once the far end answers, and bridged; when either side
// hangs up, so does the other.
//
// Started by spawn-server.ts with fork(); talks over the IPC channel.

import pino from 'pino';
import type { Call } from '../../telephony/src/driver.js';
import { startBenchEngine, type BenchEngineHandle } from './engines.js';
import type { ServerReply, ServerRequest, ServerOptions } from './protocol.js';
import { recordPauses } from './pauses.js';

const opts = JSON.parse(process.argv[2] ?? '{}') as ServerOptions;
const log = pino({ level: process.env['TENOR_BENCH_LOG'] ?? 'silent' });

let failedBridges = 0;
let bridged = 0;

function reply(msg: ServerReply): void {
  if (process.connected) process.send?.(msg);
}

let engine: BenchEngineHandle;
try {
  engine = await startBenchEngine(opts, log);
} catch (err) {
  reply({ kind: 'failed', error: err instanceof Error ? err.message : String(err) });
  process.disconnect?.();
  process.exit(1);
}
const { driver } = engine;
const pauses = opts.recordPausesMs !== undefined ? recordPauses(opts.recordPausesMs) : undefined;

async function backToBack(a: Call): Promise<void> {
  let aEnded = false;
  a.once('hangup', () => { aEnded = true; });
  let b: Call;
  try {
    b = await driver.originate({ kind: 'number', number: a.to.number, trunk: 'far' }, { callerId: a.from, timeoutMs: 10_000 });
  } catch (err) {
    failedBridges++;
    log.warn({ callId: a.id, err }, 'b-leg failed');
    if (!aEnded) await a.reject('failed').catch((e: unknown) => log.debug({ callId: a.id, err: e }, 'reject after a failed b-leg failed'));
    return;
  }
  if (aEnded) {
    await b.hangup();
    return;
  }
  b.once('hangup', () => { void a.hangup().catch((e: unknown) => log.debug({ callId: a.id, err: e }, 'hang-up after the b-leg ended failed')); });
  a.once('hangup', () => { void b.hangup().catch((e: unknown) => log.debug({ callId: b.id, err: e }, 'hang-up after the a-leg ended failed')); });
  await a.answer();
  await driver.bridge(a, b);
  bridged++;
}

driver.on('incoming', ({ call }) => {
  backToBack(call).catch((err: unknown) => {
    failedBridges++;
    log.error({ callId: call.id, err }, 'back-to-back failed');
  });
});

function stop(): void {
  void engine.stop().catch((err: unknown) => log.error({ err }, 'engine stop failed')).finally(() => {
    reply({ kind: 'stopped' });
    if (process.connected) process.disconnect();
    process.exit(0);
  });
}

// A benchmark script that died without stopping its server: stop the engine (FreeSWITCH) rather than leave it running.
process.once('disconnect', stop);

process.on('message', (raw: unknown) => {
  const req = raw as ServerRequest;
  if (req.cmd === 'sample') {
    const cpu = process.cpuUsage();
    reply({
      kind: 'sample', cpuUserUs: cpu.user, cpuSystemUs: cpu.system, engineCpuUs: engine.engineCpuUs(),
      wallMs: performance.now(), stats: driver.stats(), bridged, failedBridges, rssBytes: process.memoryUsage().rss,
      ...(pauses ? { pauses: pauses.since(0) } : {}),
    });
  } else if (req.cmd === 'stop') {
    process.off('disconnect', stop);
    stop();
  }
});

reply({
  kind: 'ready', sipPort: engine.sipPort, engineStartMs: engine.startMs,
  ...(engine.pid !== undefined ? { enginePid: engine.pid } : {}),
});
