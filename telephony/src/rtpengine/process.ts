// Starts Debian's rtpengine daemon (package rtpengine-daemon) for a test or a
// bench: userspace forwarding only (`--table=-1`: no kernel module), no
// configuration file, one interface and the ng control socket on a loopback
// address with free ports, its pid file and log in a temporary folder. It runs
// in the foreground as a child of this process and is stopped by its PID on
// close, which also removes the folder. A site runs its own rtpengine (as the
// operator's service) and points `rtp.relay` at it; Tenor never starts one there.
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import pino from 'pino';
import { stopperOf } from '../engine-process.js';
import { connectRtpengine } from './ng-client.js';

export interface StartRtpengineOptions {
  /** The binary. Default `rtpengine` (on PATH; Debian installs /usr/bin/rtpengine). */
  binary?: string;
  /** Where the ng socket and the media ports listen. Default 127.0.0.1. */
  address?: string;
  /** The media port range; default a random 1,000-port range between 20,000 and 29,999. */
  portMin?: number;
  portMax?: number;
  /** Worker threads (`--num-threads`). Default 1: benches charge one process, and two cores are shared. */
  threads?: number;
  /** How long to wait for the first `pong`. Default 15 s. */
  readyTimeoutMs?: number;
  logger?: Logger;
}

export interface RunningRtpengine {
  readonly ngAddress: string;
  readonly ngPort: number;
  readonly pid: number;
  readonly portMin: number;
  readonly portMax: number;
  /** The daemon's stderr (its log), inside the temporary folder; gone after close. */
  readonly logFile: string;
  /** Stops the daemon (SIGTERM, SIGKILL after 5 s), waits for it to exit, removes its folder. Idempotent. */
  close(): Promise<void>;
}

function freeUdpPort(address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, address, () => {
      const found = socket.address().port;
      socket.close(() => resolve(found));
    });
  });
}

/**
 * A random even 1,000-port range in 20,000–29,999. Other tests' ranges may overlap
 * it; rtpengine binds a port only when a call needs it, and passes over one in use.
 */
function randomMediaRange(): { min: number; max: number } {
  const min = 20_000 + Math.floor(Math.random() * 9) * 1_000 + Math.floor(Math.random() * 50) * 2;
  return { min, max: min + 999 };
}

export function rtpengineArgs(opts: { address: string; ngPort: number; portMin: number; portMax: number; pidFile: string; threads: number }): string[] {
  return [
    '--config-file=none',
    '--foreground',
    '--log-stderr',
    '--no-log-timestamps',
    '--log-level=5',
    '--table=-1',
    `--interface=${opts.address}`,
    `--listen-ng=${opts.address}:${opts.ngPort}`,
    `--port-min=${opts.portMin}`,
    `--port-max=${opts.portMax}`,
    `--pidfile=${opts.pidFile}`,
    `--num-threads=${opts.threads}`,
    // A deleted call is freed at once, so a test sees its ports closed.
    '--delete-delay=0',
  ];
}

export async function startRtpengine(opts: StartRtpengineOptions = {}): Promise<RunningRtpengine> {
  const address = opts.address ?? '127.0.0.1';
  const logger = opts.logger ?? pino({ level: 'silent' });
  const range = opts.portMin !== undefined && opts.portMax !== undefined ? { min: opts.portMin, max: opts.portMax } : randomMediaRange();
  const folder = await mkdtemp(join(tmpdir(), 'tenor-rtpengine-'));
  const logFile = join(folder, 'rtpengine.log');
  const ngPort = await freeUdpPort(address);
  const binary = opts.binary ?? 'rtpengine';
  const args = rtpengineArgs({ address, ngPort, portMin: range.min, portMax: range.max, pidFile: join(folder, 'rtpengine.pid'), threads: opts.threads ?? 1 });

  const started = Date.now();
  const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const log = createWriteStream(logFile);
  let stderrTail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    log.write(chunk);
    stderrTail = (stderrTail + chunk.toString('utf8')).slice(-2000);
  });
  const pid = child.pid;
  if (pid === undefined) {
    const err = await spawnError;
    await rm(folder, { recursive: true, force: true });
    throw new Error(`could not start ${binary} (install Debian's rtpengine-daemon): ${err.message}`);
  }
  const stop = stopperOf(child, pid);
  // If this process ends without calling close (a crash, a killed test), the daemon goes with it.
  const killOnExit = (): void => { if (child.exitCode === null) child.kill('SIGKILL'); };
  process.once('exit', killOnExit);
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    process.off('exit', killOnExit);
    await stop();
    await new Promise<void>((resolve) => log.end(() => resolve()));
    await rm(folder, { recursive: true, force: true });
  };

  const deadline = started + (opts.readyTimeoutMs ?? 15_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      await close();
      throw new Error(`rtpengine did not answer ping on ${address}:${ngPort} (exit ${child.exitCode ?? child.signalCode ?? 'none'}): ${stderrTail.trim()}`);
    }
    const client = await connectRtpengine({ address, port: ngPort, timeoutMs: 300, retransmitMs: 100, logger }).catch(() => undefined);
    if (client) {
      await client.close();
      break;
    }
  }
  logger.info({ pid, ngPort, portMin: range.min, portMax: range.max, startMs: Date.now() - started }, 'rtpengine ready');
  return { ngAddress: address, ngPort, pid, portMin: range.min, portMax: range.max, logFile, close };
}
