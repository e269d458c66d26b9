// Messages between a benchmark script and its server process.
import type { DriverStats } from '../../telephony/src/driver.js';
import type { Pause } from './pauses.js';

/** The engine behind the benchmark server: Tenor's own, or FreeSWITCH driven over its event socket. */
export type BenchEngine = 'embedded' | 'freeswitch';
export const BENCH_ENGINES: readonly BenchEngine[] = ['embedded', 'freeswitch'];

export interface ServerOptions {
  engine: BenchEngine;
  rtpPorts: { from: number; to: number };
  /** SIP port of the SIPp uas the server calls out to (its "far" trunk). */
  farPort: number;
  /** Install prefix of the FreeSWITCH build (engine 'freeswitch'). */
  freeswitchPrefix?: string;
  /** Embedded engine: callers (from 127.0.0.1) and the far trunk take direct media, so bridges leave Tenor's relay. */
  directMedia?: boolean;
  /** Record the server's GC pauses and event-loop stalls of at least this many ms (lib/pauses.ts); samples then carry them. */
  recordPausesMs?: number;
}

export type ServerRequest = { cmd: 'sample' } | { cmd: 'stop' };

export interface ServerSample {
  kind: 'sample';
  /** CPU of the Tenor process (the driver and the back-to-back logic), from process.cpuUsage(). */
  cpuUserUs: number;
  cpuSystemUs: number;
  /** CPU of the engine's own process (FreeSWITCH: utime + stime of its PID, every thread); 0 for the embedded engine. */
  engineCpuUs: number;
  wallMs: number;
  stats: DriverStats;
  bridged: number;
  failedBridges: number;
  rssBytes: number;
  /** With `recordPausesMs`: every pause since the server started. */
  pauses?: Pause[];
}

export type ServerReply =
  /** enginePid: the engine's own process (FreeSWITCH), for a last-resort kill if the server hangs. */
  | { kind: 'ready'; sipPort: number; engineStartMs: number; enginePid?: number }
  | { kind: 'failed'; error: string }
  | ServerSample
  | { kind: 'stopped' };
