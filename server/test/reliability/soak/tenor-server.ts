// `tenor start` as a real process for the soak, without tap (the bench runs it
// too): node with --expose-gc (so /metrics publishes the heap after a full
// collection), free ports on 127.0.0.1, its own data folder, and an admin's
// HTTP client that opens a new connection per request (a kept-alive socket of
// ours would be counted among the server's open files).

import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { freeTcpPort, freeUdpRange, freeUdpTcpPort } from '../../../../telephony/test/peers/index.js';

const cli = fileURLToPath(new URL('../../../dist/cli.js', import.meta.url));
export const ADMIN_PASSWORD = 'pw-admin-secret';

export interface ApiReply {
  status: number;
  body: string;
}

export interface TenorServer {
  pid: number;
  httpPort: number;
  /** host:port of its SIP listener. */
  sip: string;
  rtp: { from: number; to: number };
  /** An admin's request (HTTP Basic); `body` as JSON unless `contentType` says otherwise; no answer in `timeoutMs` (30 s) throws. */
  api(method: string, url: string, body?: unknown, contentType?: string, timeoutMs?: number): Promise<ApiReply>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
  exitCode(): number | null;
}

export interface TenorServerOptions {
  /** The site file (TENOR_CONFIG). */
  siteFile: string;
  dataDir: string;
  /** RTP ports to give the engine (two per call leg, with room). */
  rtpPorts: number;
  /** The server's log (its stdout after the banner) is appended here. */
  logFile: string;
  /** Its log level, warn unless told. */
  logLevel?: string;
}

export async function startTenorServer(opts: TenorServerOptions): Promise<TenorServer> {
  const httpPort = await freeTcpPort();
  const sipPort = await freeUdpTcpPort();
  const rtp = await freeUdpRange(opts.rtpPorts, { belowEphemeral: true });
  // The server as operators run it, without the test runner's hooks: tap's spawn puts its process-info
  // module back into NODE_OPTIONS whatever env we pass (doubling the heap), so env(1) drops it and execs node.
  const child: ChildProcess = spawn('env', ['-u', 'NODE_OPTIONS', process.execPath, '--expose-gc', cli, 'start'], {
    env: {
      ...process.env,
      TENOR_CONFIG: opts.siteFile,
      TENOR_HTTP_PORT: String(httpPort),
      TENOR_SIP_PORT: String(sipPort),
      TENOR_BIND: '127.0.0.1',
      TENOR_RTP_PORT_MIN: String(rtp.from),
      TENOR_RTP_PORT_MAX: String(rtp.to),
      TENOR_DATA_DIR: opts.dataDir,
      TENOR_ADMIN_PASSWORD: ADMIN_PASSWORD,
      TENOR_LOG_LEVEL: opts.logLevel ?? 'warn',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // A runner that ends us (a test's timeout) must not leave the server running.
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  const log = createWriteStream(opts.logFile, { flags: 'a' });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => {
    process.off('exit', killOnExit);
    log.end();
    resolve(code);
  }));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`tenor start: no banner in 60 s: ${out}`)), 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`tenor start exited (${code ?? 'signal'}) before its banner: ${out}`));
    });
    child.stdout?.on('data', (d: Buffer) => {
      log.write(d);
      out += d.toString();
      if (out.includes('Data:')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('tenor start: no pid');
  const auth = 'Basic ' + Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64');
  return {
    pid,
    httpPort,
    sip: `127.0.0.1:${sipPort}`,
    rtp,
    api(method, url, body, contentType, timeoutMs = 30_000) {
      const payload = body === undefined ? undefined : typeof body === 'string' && contentType !== undefined ? body : JSON.stringify(body);
      return new Promise<ApiReply>((resolve, reject) => {
        const req = request({
          host: '127.0.0.1', port: httpPort, method, path: url, agent: false,
          headers: {
            authorization: auth, connection: 'close',
            ...(payload !== undefined ? { 'content-type': contentType ?? 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
          },
          timeout: timeoutMs,
        }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
          res.on('error', reject);
        });
        req.on('timeout', () => req.destroy(new Error(`${method} ${url}: no answer in ${timeoutMs / 1000} s`)));
        req.on('error', reject);
        req.end(payload);
      });
    },
    async stop(graceMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(kill);
      return code;
    },
    exitCode: () => child.exitCode,
  };
}
