// The engine behind the benchmark server, in the server's process: Tenor's
// embedded engine, or a FreeSWITCH started from the cached build and driven by
// FreeSwitchDriver. Both get the same "far" trunk (the SIPp uas) so the
// back-to-back logic in server.ts is the same code on either.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { TelephonyDriver } from '../../telephony/src/driver.js';
import { EmbeddedDriver } from '../../telephony/src/embedded/index.js';
import { FreeSwitchDriver } from '../../telephony/src/freeswitch/driver.js';
import { startFreeSwitch } from '../../telephony/src/freeswitch/process.js';
import { processCpuUs } from './proc-cpu.js';
import type { ServerOptions } from './protocol.js';

export interface BenchEngineHandle {
  driver: TelephonyDriver;
  sipPort: number;
  /** Milliseconds from starting the engine until it took calls. */
  startMs: number;
  /** The engine's own process, when it has one (FreeSWITCH). */
  pid?: number;
  /** CPU of a process of the engine's own (FreeSWITCH), in µs so far; 0 when the engine runs in this process. */
  engineCpuUs(): number;
  stop(): Promise<void>;
}

/** An hour: FreeSWITCH's media_timeout cannot be switched off in the written configuration, and no benchmark call lasts that long. */
const NO_MEDIA_TIMEOUT_MS = 3_600_000;

async function startEmbedded(opts: ServerOptions, logger: Logger): Promise<BenchEngineHandle> {
  const started = Date.now();
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
    logger,
    // --direct-media: the callers are a trunk too (their address), and both trunks allow direct media.
    ...(opts.directMedia ? {
      trunks: [
        { name: 'far', host: '127.0.0.1', port: opts.farPort, transport: 'udp' as const, inboundAddresses: [], directMedia: true },
        { name: 'callers', host: '127.0.0.1', port: 5060, transport: 'udp' as const, inboundAddresses: ['127.0.0.1'], directMedia: true },
      ],
      rateLimit: { exempt: ['127.0.0.1'], trunkMaxRequests: 1_000_000 },
      callLimits: {
        maxUnansweredPerSource: 100_000, maxCallsPerSource: 100_000, maxCalls: 100_000,
        trunkMaxUnansweredPerSource: 100_000, trunkMaxCallsPerSource: 100_000,
      },
    } : {}),
  });
  await driver.start();
  return { driver, sipPort: driver.sipPort, startMs: Date.now() - started, engineCpuUs: () => 0, stop: () => driver.stop() };
}

async function startOnFreeSwitch(opts: ServerOptions, logger: Logger): Promise<BenchEngineHandle> {
  if (opts.freeswitchPrefix === undefined) throw new Error('engine freeswitch needs the build prefix');
  const folder = await mkdtemp(join(tmpdir(), 'tenor-bench-freeswitch-'));
  const fs = await startFreeSwitch({
    prefix: opts.freeswitchPrefix, folder,
    rtpPorts: { min: opts.rtpPorts.from, max: opts.rtpPorts.to },
    mediaTimeoutMs: NO_MEDIA_TIMEOUT_MS,
    gateways: [{ name: 'far', host: '127.0.0.1', port: opts.farPort, transport: 'udp' }],
    logger,
  });
  const driver = new FreeSwitchDriver({
    eventSocket: fs.eventSocket, profile: fs.profile, sipAddress: fs.address, sipPort: fs.sipPort,
    trunks: [{ name: 'far' }], workDir: folder, logger,
  });
  try {
    await driver.start();
  } catch (err) {
    await fs.stop();
    await rm(folder, { recursive: true, force: true });
    throw err;
  }
  return {
    driver, sipPort: fs.sipPort, startMs: fs.startMs, pid: fs.pid,
    engineCpuUs: () => processCpuUs(fs.pid),
    async stop(): Promise<void> {
      await driver.stop();
      await fs.stop();
      await rm(folder, { recursive: true, force: true });
    },
  };
}

export function startBenchEngine(opts: ServerOptions, logger: Logger): Promise<BenchEngineHandle> {
  return opts.engine === 'freeswitch' ? startOnFreeSwitch(opts, logger) : startEmbedded(opts, logger);
}
