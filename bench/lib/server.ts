// The server side of a benchmark, in its own process so that process.cpuUsage()
// counts the engine and nothing else: Tenor's embedded engine running a
// back-to-back app. Every incoming call is placed again through the "far"
// trunk (a SIPp uas), answered once the far end answers, and bridged; when
// either side hangs up, so does the other.
//
// Started by spawn-server.ts with fork(); talks over the IPC channel.

import pino from 'pino';
import type { Call } from '../../telephony/src/driver.js';
import { EmbeddedDriver } from '../../telephony/src/embedded/index.js';
import type { ServerReply, ServerRequest, ServerOptions } from './protocol.js';

const opts = JSON.parse(process.argv[2] ?? '{}') as ServerOptions;
const log = pino({ level: process.env['TENOR_BENCH_LOG'] ?? 'silent' });

const driver = new EmbeddedDriver({
  bindAddress: '127.0.0.1',
  sipPort: 0,
  rtpPorts: { min: opts.rtpPorts.from, max: opts.rtpPorts.to },
  echoNumber: '',
  // The load comes from one address (SIPp on loopback): no rate limiting, no per-address call caps.
  rateLimit: { exempt: ['127.0.0.1'] },
  callLimits: { maxUnansweredPerSource: 100_000, maxCallsPerSource: 100_000, maxCalls: 100_000 },
  mediaTimeoutMs: 0,
  trunks: [{ name: 'far', host: '127.0.0.1', port: opts.farPort, transport: 'udp', inboundAddresses: [] }],
  logger: log,
});

let failedBridges = 0;
let bridged = 0;

async function backToBack(a: Call): Promise<void> {
  let aEnded = false;
  a.once('hangup', () => { aEnded = true; });
  let b: Call;
  try {
    b = await driver.originate({ kind: 'number', number: a.to.number, trunk: 'far' }, { callerId: a.from, timeoutMs: 10_000 });
  } catch (err) {
    failedBridges++;
    log.warn({ callId: a.id, err }, 'b-leg failed');
    if (!aEnded) await a.reject('failed').catch(() => undefined);
    return;
  }
  if (aEnded) {
    await b.hangup();
    return;
  }
  b.once('hangup', () => { void a.hangup().catch(() => undefined); });
  a.once('hangup', () => { void b.hangup().catch(() => undefined); });
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

function reply(msg: ServerReply): void {
  process.send?.(msg);
}

process.on('message', (raw: unknown) => {
  const req = raw as ServerRequest;
  if (req.cmd === 'sample') {
    const cpu = process.cpuUsage();
    reply({
      kind: 'sample', cpuUserUs: cpu.user, cpuSystemUs: cpu.system, wallMs: performance.now(),
      stats: driver.stats(), bridged, failedBridges, rssBytes: process.memoryUsage().rss,
    });
  } else if (req.cmd === 'stop') {
    void driver.stop().finally(() => {
      reply({ kind: 'stopped' });
      process.disconnect?.();
      process.exit(0);
    });
  }
});

await driver.start();
reply({ kind: 'ready', sipPort: driver.sipPort });
