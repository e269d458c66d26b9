// Messages between a benchmark script and its server process.
import type { DriverStats } from '../../telephony/src/driver.js';

export interface ServerOptions {
  rtpPorts: { from: number; to: number };
  /** SIP port of the SIPp uas the server calls out to (its "far" trunk). */
  farPort: number;
}

export type ServerRequest = { cmd: 'sample' } | { cmd: 'stop' };

export interface ServerSample {
  kind: 'sample';
  cpuUserUs: number;
  cpuSystemUs: number;
  wallMs: number;
  stats: DriverStats;
  bridged: number;
  failedBridges: number;
  rssBytes: number;
}

export type ServerReply =
  | { kind: 'ready'; sipPort: number }
  | ServerSample
  | { kind: 'stopped' };
