// Bridged calls with media both ways through the benchmark server (either engine):
//   SIPp uac (streams PCMU)  →  Tenor B2BUA  →  SIPp uas (-rtp_echo sends it all back)
// so every bridge relays 50 packets/s in each direction.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeToneUlaw } from '../../telephony/test/peers/audio.js';
import { freeUdpRange } from '../../telephony/test/peers/ports.js';
import { startSipp, type SippProcess } from '../../telephony/test/peers/sipp.js';
import type { BenchEngine } from './protocol.js';
import { spawnServer, type BenchServer } from './spawn-server.js';
import { waitFor } from './wait.js';

export interface MediaRig {
  server: BenchServer;
  uas: SippProcess;
  rtpPorts: { from: number; to: number };
  audioFile: string;
  close(): Promise<void>;
}

const BUFF = 4 * 1024 * 1024;

/**
 * Server on `engine` + echoing far end, and a µ-law file long enough for `callSeconds`.
 * `directMedia`: both ends accept the re-INVITE that sends them to each other (embedded engine only).
 * `freeswitchPrefix`: another FreeSWITCH build than the suite's.
 */
export async function startMediaRig(
  callSeconds: number,
  engine: BenchEngine = 'embedded',
  opts: { directMedia?: boolean; freeswitchPrefix?: string; recordPausesMs?: number } = {},
): Promise<MediaRig> {
  const dir = await mkdtemp(join(tmpdir(), 'tenor-bench-'));
  const audioFile = await makeToneUlaw(join(dir, 'stream.ul'), { seconds: callSeconds, frequency: 440 });
  const farScenario = opts.directMedia ? 'uas-answer-echo-follow-reinvites.xml' : 'uas-answer-echo.xml';
  const uas = await startSipp({ scenario: farScenario, rtpEcho: true, buffSize: BUFF, timeoutMs: 3_600_000 });
  await uas.ready();
  const rtpPorts = await freeUdpRange(4000, { belowEphemeral: true });
  let server: BenchServer;
  try {
    server = await spawnServer({ engine, rtpPorts, farPort: uas.port, freeswitchPrefix: opts.freeswitchPrefix, ...(opts.directMedia ? { directMedia: true } : {}), ...(opts.recordPausesMs !== undefined ? { recordPausesMs: opts.recordPausesMs } : {}) });
  } catch (err) {
    await uas.stop(1000);
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    server, uas, rtpPorts, audioFile,
    async close(): Promise<void> {
      await server.stop();
      await uas.stop(1000);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Start `calls` callers streaming for `holdMs`, placed at `rate` per second. */
export function startCallers(rig: MediaRig, calls: number, rate: number, holdMs: number, opts: { directMedia?: boolean } = {}): Promise<SippProcess> {
  return startSipp({
    scenario: opts.directMedia ? 'uac-call-echo-rtp-direct.xml' : 'uac-call-echo-rtp.xml', remote: rig.server.address, service: '1000',
    calls, rate, limit: calls, pauseMs: holdMs, files: { 'audio.ul': rig.audioFile },
    buffSize: BUFF, timeoutMs: holdMs + 120_000,
    extraArgs: ['-rtp_buffsize', String(BUFF)],
  });
}

/** Wait until the server holds `n` bridges (every call set up). */
export async function waitBridged(rig: MediaRig, n: number, timeoutMs: number): Promise<boolean> {
  return waitFor(async () => (await rig.server.sample()).stats.activeBridges >= n, timeoutMs, 200);
}
