// The real `tenor start` for a site load, in a process of its own (so /proc
// counts it alone), logging at info (pino, JSON lines on stdout): the ACD's offer latency is read from the
// server's own structured lines ('contact queued', 'offering contact', and the
// engine's 'placing call' written just before the agent's INVITE goes out).

import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../server/dist/cli.js', import.meta.url));
export const ADMIN_PASSWORD = 'pw-site-load-admin';

/** The log lines the latency is computed from, with the server's own epoch-ms `time`. */
export interface OfferTimeline {
  /** Customer call id → when it entered its queue. */
  queued: Map<string, number>;
  /** Offers in the order made: the customer's call id, the agents offered, when. */
  offers: { callId: string; agents: string[]; at: number }[];
  /** Outbound INVITEs: the Request-URI's user (the number dialed), when. */
  invites: { number: string; at: number }[];
}

export interface TenorServer {
  child: ChildProcess;
  pid: number;
  base: string;
  timeline: OfferTimeline;
  /** Warnings and errors the server logged (the last 50). */
  problems: string[];
  exited: Promise<void>;
  stop(): Promise<void>;
}

interface LogLine {
  level?: number;
  /** ISO time with milliseconds (the logger's isoTime). */
  time?: string;
  msg?: string;
  callId?: string;
  agents?: unknown;
  uri?: string;
}

/** Reads the server's stdout: its log lines (JSON) and the start banner (plain text, `banner` gets those lines). */
function follow(child: ChildProcess, timeline: OfferTimeline, problems: string[], banner: (line: string) => void): void {
  if (!child.stdout) return;
  createInterface({ input: child.stdout }).on('line', (text) => {
    if (!text.startsWith('{')) {
      banner(text);
      return;
    }
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      return;
    }
    const at = typeof line.time === 'string' ? Date.parse(line.time) : Number.NaN;
    if (Number.isNaN(at)) return;
    if (line.msg === 'contact queued' && line.callId) timeline.queued.set(line.callId, at);
    else if (line.msg === 'offering contact' && line.callId && Array.isArray(line.agents)) timeline.offers.push({ callId: line.callId, agents: line.agents.map(String), at });
    else if (line.msg === 'placing call' && line.uri) timeline.invites.push({ number: /^sips?:([^@;]+)/.exec(line.uri)?.[1] ?? line.uri, at });
    if ((line.level ?? 0) >= 40) {
      problems.push(text.slice(0, 400));
      if (problems.length > 50) problems.shift();
    }
  });
}

export async function startTenorServer(opts: {
  dir: string; site: string; http: number; sip: number; rtp: { from: number; to: number }; nodeArgs: string[];
}): Promise<TenorServer> {
  const child = spawn(process.execPath, [...opts.nodeArgs, cli, 'start'], {
    env: {
      ...process.env, TENOR_CONFIG: opts.site, TENOR_DATA_DIR: path.join(opts.dir, 'data'), TENOR_HTTP_PORT: String(opts.http),
      TENOR_SIP_PORT: String(opts.sip), TENOR_BIND: '127.0.0.1', TENOR_RTP_PORT_MIN: String(opts.rtp.from), TENOR_RTP_PORT_MAX: String(opts.rtp.to),
      TENOR_ADMIN_PASSWORD: ADMIN_PASSWORD, TENOR_LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('tenor start could not be spawned');
  const timeline: OfferTimeline = { queued: new Map(), offers: [], invites: [] };
  const problems: string[] = [];
  let out = '';
  let started: (() => void) | undefined;
  follow(child, timeline, problems, (line) => {
    out += `${line}\n`;
    if (line.includes('Data:')) started?.();
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let gone = false;
  void exited.then(() => { gone = true; });
  await new Promise<void>((resolve, reject) => {
    // A loaded 2-core machine has taken over 60 s to start a server (server/test/e2e/tenor-process.ts).
    const timer = setTimeout(() => reject(new Error(`tenor start printed no banner in 90 s: ${out} ${stderr} ${problems.join('\n')}`)), 90_000);
    started = () => {
      clearTimeout(timer);
      resolve();
    };
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`tenor start exited (${child.exitCode ?? child.signalCode}): ${out} ${stderr} ${problems.join('\n')}`));
    });
  });
  return {
    child, pid, base: `http://127.0.0.1:${opts.http}`, timeline, problems, exited,
    async stop(): Promise<void> {
      if (gone) return;
      child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(kill);
    },
  };
}
