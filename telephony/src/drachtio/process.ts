// Starts a drachtio-server for a test or a site: writes its configuration into a
// folder of its own, runs the binary in the foreground, waits until its SIP
// port answers an OPTIONS (503 while no application is connected) and its admin
// port accepts connections, and stops it by its PID. drachtio is the SIP edge
// only: an application (drachtio-srf) logs in on the admin port with the secret
// and handles the requests; media belongs to FreeSWITCH.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdir, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { stopperOf } from '../engine-process.js';
import { freeControlPort, freeSipPort } from '../free-ports.js';

export interface StartDrachtioOptions {
  /** Install prefix of the build (holds bin/drachtio); printed by scripts/build-drachtio.sh. */
  prefix: string;
  /** A folder for this instance's configuration and log. */
  folder: string;
  /** Where drachtio listens for SIP and for applications. Default 127.0.0.1. */
  address?: string;
  sipPort?: number;
  /** Where applications connect. Default: `address` (a site's Tenor passes 127.0.0.1: it runs on the same host). */
  adminAddress?: string;
  adminPort?: number;
  /** The applications' shared secret. Default: random. */
  secret?: string;
  /** How long to wait for SIP and the admin port. Default 30 s. */
  readyTimeoutMs?: number;
  logger?: Logger;
}

export interface RunningDrachtio {
  readonly pid: number;
  readonly address: string;
  readonly sipPort: number;
  /** Where a drachtio-srf application connects: `srf.connect({ host, port, secret })`. */
  readonly admin: { host: string; port: number; secret: string };
  readonly startMs: number;
  readonly logFile: string;
  /** Stops the process (SIGTERM, then SIGKILL after 5 s) and waits for it to exit. */
  stop(): Promise<void>;
}

function escapeXml(value: string): string {
  return value.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function drachtioConfXml(opts: {
  address: string; sipPort: number; adminAddress?: string; adminPort: number; secret: string; logFile: string;
}): string {
  const a = escapeXml(opts.address);
  return `<drachtio>
  <admin port="${opts.adminPort}" secret="${escapeXml(opts.secret)}">${escapeXml(opts.adminAddress ?? opts.address)}</admin>
  <sip>
    <contacts>
      <contact>sip:${a}:${opts.sipPort};transport=udp,tcp</contact>
    </contacts>
  </sip>
  <cdrs>false</cdrs>
  <logging>
    <file>
      <name>${escapeXml(opts.logFile)}</name>
      <size>10</size>
      <maxFiles>2</maxFiles>
      <auto-flush>true</auto-flush>
    </file>
    <sofia-loglevel>0</sofia-loglevel>
    <loglevel>info</loglevel>
  </logging>
</drachtio>
`;
}

/** Whether the SIP port answers an OPTIONS with any final response. */
function sipAnswers(address: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const timer = setTimeout(() => finish(false), timeoutMs);
    function finish(answered: boolean): void {
      clearTimeout(timer);
      socket.close();
      resolve(answered);
    }
    socket.on('error', () => finish(false));
    socket.on('message', (msg) => { if (/^SIP\/2\.0 [2-6]\d\d/.test(msg.toString('latin1'))) finish(true); });
    socket.bind(0, address, () => {
      const local = socket.address().port;
      const tag = randomBytes(6).toString('hex');
      const request = [
        `OPTIONS sip:ping@${address}:${port} SIP/2.0`,
        `Via: SIP/2.0/UDP ${address}:${local};branch=z9hG4bK${tag};rport`,
        'Max-Forwards: 70',
        `From: <sip:probe@${address}>;tag=${tag}`,
        `To: <sip:ping@${address}>`,
        `Call-ID: ${tag}@tenor-probe`,
        'CSeq: 1 OPTIONS',
        'Content-Length: 0',
        '', '',
      ].join('\r\n');
      socket.send(request, port, address);
    });
  });
}

function tcpAccepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port }, () => { socket.destroy(); resolve(true); });
    socket.on('error', () => resolve(false));
  });
}


export async function startDrachtio(opts: StartDrachtioOptions): Promise<RunningDrachtio> {
  const address = opts.address ?? '127.0.0.1';
  await mkdir(opts.folder, { recursive: true });
  const sipPort = opts.sipPort ?? await freeSipPort(address);
  const adminAddress = opts.adminAddress ?? address;
  const adminPort = opts.adminPort ?? await freeControlPort(adminAddress);
  const secret = opts.secret ?? randomBytes(12).toString('hex');
  const logFile = join(opts.folder, 'drachtio.log');
  const confFile = join(opts.folder, 'drachtio.conf.xml');
  await writeFile(confFile, drachtioConfXml({ address, sipPort, adminAddress, adminPort, secret, logFile }), { mode: 0o600 });

  const binary = join(opts.prefix, 'bin', 'drachtio');
  const started = Date.now();
  const child = spawn(binary, ['-f', confFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString('utf8')).slice(-4000); });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${binary}`);

  const stop = stopperOf(child, pid);

  const deadline = started + (opts.readyTimeoutMs ?? 30_000);
  while (!(await sipAnswers(address, sipPort, 300) && await tcpAccepts(adminAddress, adminPort))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`drachtio-server did not become ready (exit ${child.exitCode ?? 'none'}); see ${logFile}: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const startMs = Date.now() - started;
  opts.logger?.info({ pid, sipPort, adminPort, startMs }, 'drachtio-server ready');
  return { pid, address, sipPort, admin: { host: adminAddress, port: adminPort, secret }, startMs, logFile, stop };
}
