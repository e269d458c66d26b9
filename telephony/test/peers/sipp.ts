// SIPp as a real peer: spawned from Node (never -bg, so we keep the handle and
// the exit code), on free ports of 127.0.0.1, with its error, stat and log
// files in a temp dir we read afterwards, and a hard timeout that kills it.
//
// Exit codes (SIPp 3.6): 0 all calls OK, 1 some failed, 99 no call processed,
// 254/255 fatal (e.g. a port already taken).

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freeSippMediaPort, freeUdpPort, isPortBound } from './ports.js';

/** Folder holding our SIPp XML scenarios, named by behaviour. */
export const SCENARIO_DIR = join(dirname(fileURLToPath(import.meta.url)), 'scenarios');

export interface SippOptions {
  /** 'uac' / 'uas' (built-in), a file name in scenarios/, or an absolute path. */
  scenario: string;
  /** "host:port" of the peer (for a client scenario). */
  remote?: string;
  /** Request-URI user (-s), "service" in SIPp terms. */
  service?: string;
  /** Stop after this many calls (-m). */
  calls?: number;
  /** Call rate (-r), per ratePeriodMs (-rp, 1000 unless told). */
  rate?: number;
  ratePeriodMs?: number;
  /** Max simultaneous calls (-l). */
  limit?: number;
  /** Length of every <pause/> without its own duration (-d), e.g. how long a call stays up. */
  pauseMs?: number;
  /** Scenario variables ([$name] in the XML), passed with -set. */
  vars?: Record<string, string>;
  /** Echo every RTP packet received on the media port. */
  rtpEcho?: boolean;
  /** Files linked into SIPp's working dir under these names (rtp_stream paths are relative to it). */
  files?: Record<string, string>;
  /** Hard limit; SIPp is killed (SIGKILL) after it. 30 s unless told. */
  timeoutMs?: number;
  /** Log every SIP message to messages.log (debugging; costly under load). */
  traceMessages?: boolean;
  /** Larger socket buffers for high call rates. */
  buffSize?: number;
  /** Digest credentials for [authentication] in the scenario (-au / -ap). */
  auth?: { user: string; password: string };
  /** Local SIP port; a free one unless told. */
  port?: number;
  /**
   * Local address for SIP and media (-i / -mi), 127.0.0.1 unless told: another
   * 127.0.0.x makes SIPp a different source address (an attacker, a second phone).
   */
  localAddress?: string;
  /** Transport mode (-t): 'u1' (one UDP socket, default) or 't1'. */
  transport?: 'u1' | 'un' | 't1' | 'tn';
  /** Anything else for the command line. */
  extraArgs?: string[];
  /** The SIPp program: `sipp` on the PATH unless told. */
  command?: string;
}

export interface SippStats {
  successful: number;
  failed: number;
  retransmissions: number;
  /** Every column of the last line of the stat CSV, by header name. */
  raw: Record<string, string>;
}

export interface SippResult {
  /** Process exit code; null when killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when the hard timeout killed it. */
  timedOut: boolean;
  stats: SippStats;
  stderr: string;
  stdout: string;
  /** Content of the -error_file (unexpected messages, failed binds, ...). */
  errors: string;
  /** Output of <log> actions in the scenario. */
  logs: string;
  /** SIP messages when traceMessages was on. */
  messages: string;
}

export interface SippProcess {
  readonly port: number;
  readonly mediaPort: number;
  readonly dir: string;
  readonly child: ChildProcess;
  /** Resolves when SIPp has exited and its files have been read. */
  readonly done: Promise<SippResult>;
  /** Resolves once SIPp's SIP port is bound (server scenarios must wait for it). */
  ready(timeoutMs?: number): Promise<void>;
  /** Graceful stop (SIGUSR1), then SIGKILL after graceMs. */
  stop(graceMs?: number): Promise<SippResult>;
}

const BUILT_IN = new Set(['uac', 'uas', 'uac_pcap', 'regexp', 'branchc', 'branchs', 'ooc_default']);

function scenarioArgs(scenario: string): string[] {
  if (BUILT_IN.has(scenario)) return ['-sn', scenario];
  return ['-sf', isAbsolute(scenario) ? scenario : join(SCENARIO_DIR, scenario)];
}

/** Parse SIPp's `;`-separated stat file, taking its last data line. */
export function parseSippStats(csv: string): SippStats {
  const lines = csv.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  const header = lines[0]?.split(';') ?? [];
  const last = lines.length > 1 ? (lines[lines.length - 1] ?? '').split(';') : [];
  const raw: Record<string, string> = {};
  header.forEach((name, i) => {
    if (name) raw[name] = last[i] ?? '';
  });
  const num = (name: string): number => Number(raw[name] ?? 0) || 0;
  return {
    successful: num('SuccessfulCall(C)'),
    failed: num('FailedCall(C)'),
    retransmissions: num('Retransmissions(C)'),
    raw,
  };
}

async function readOr(file: string): Promise<string> {
  return readFile(file, 'utf8').catch(() => '');
}

/** SIPp's words when a port it was given is taken (exit code 254). */
const PORT_TAKEN = /Unable to bind .*errno = 98/;
const LAUNCH_ATTEMPTS = 4;

interface Launch {
  child: ChildProcess;
  port: number;
  mediaPort: number;
  output: { stdout: string; stderr: string };
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function sippArgs(opts: SippOptions, ports: { port: number; mediaPort: number; controlPort: number }, files: Record<'errors' | 'stats' | 'logs' | 'messages', string>): string[] {
  const args = [
    ...scenarioArgs(opts.scenario),
    '-i', opts.localAddress ?? '127.0.0.1', '-p', String(ports.port),
    '-mi', opts.localAddress ?? '127.0.0.1', '-mp', String(ports.mediaPort),
    '-ci', '127.0.0.1', '-cp', String(ports.controlPort),
    '-t', opts.transport ?? 'u1',
    '-nostdin',
    '-trace_err', '-error_file', files.errors,
    '-trace_stat', '-stf', files.stats, '-fd', '1',
    '-trace_logs', '-log_file', files.logs,
  ];
  if (opts.traceMessages) args.push('-trace_msg', '-message_file', files.messages);
  if (opts.service !== undefined) args.push('-s', opts.service);
  if (opts.calls !== undefined) args.push('-m', String(opts.calls));
  if (opts.rate !== undefined) args.push('-r', String(opts.rate));
  if (opts.ratePeriodMs !== undefined) args.push('-rp', String(opts.ratePeriodMs));
  if (opts.limit !== undefined) args.push('-l', String(opts.limit));
  if (opts.auth) args.push('-au', opts.auth.user, '-ap', opts.auth.password);
  if (opts.pauseMs !== undefined) args.push('-d', String(opts.pauseMs));
  if (opts.rtpEcho) args.push('-rtp_echo');
  if (opts.buffSize !== undefined) args.push('-buff_size', String(opts.buffSize));
  for (const [k, v] of Object.entries(opts.vars ?? {})) args.push('-set', k, v);
  args.push(...(opts.extraArgs ?? []));
  if (opts.remote) args.push(opts.remote);
  return args;
}

/**
 * Spawn SIPp on free ports and wait until it has bound its SIP port (or exited).
 * A free port can be taken by another process between our picking it and SIPp
 * binding it; SIPp then exits at once (254, errno 98), and it is started again
 * on fresh ports rather than failing a test over a neighbour's socket.
 */
async function launchSipp(opts: SippOptions, dir: string, files: Record<'errors' | 'stats' | 'logs' | 'messages', string>): Promise<Launch> {
  const command = opts.command ?? 'sipp';
  for (let attempt = 1; ; attempt++) {
    const port = opts.port ?? (await freeUdpPort());
    const mediaPort = await freeSippMediaPort();
    const controlPort = await freeUdpPort();
    const child = spawn(command, sippArgs(opts, { port, mediaPort, controlPort }, files), { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    // A SIPp that cannot start is not a SIPp run that failed: say so at once, so
    // no test mistakes a missing binary for the failure it expects.
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', (err) => reject(new Error(`SIPp could not be started ('${command}': ${err.message}); install it with apt-get install sip-tester`, { cause: err })));
    });
    const output = { stdout: '', stderr: '' };
    child.on('error', (err) => { output.stderr += `\nprocess error: ${err.message}`; });
    // SIPp redraws its screen on stdout; keep only the tail so long runs stay small.
    child.stdout?.on('data', (d: Buffer) => { output.stdout = (output.stdout + d.toString()).slice(-20000); });
    child.stderr?.on('data', (d: Buffer) => { output.stderr = (output.stderr + d.toString()).slice(-20000); });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    let gone: { code: number | null } | undefined;
    void exited.then((e) => { gone = e; });
    const deadline = Date.now() + 3000;
    while (gone === undefined && Date.now() < deadline && !(await isPortBound(port))) await new Promise((r) => setTimeout(r, 10));
    // Let an exit that raced the bind check land before deciding.
    if (gone === undefined) await Promise.race([exited, new Promise((r) => setTimeout(r, 0))]);
    const portTaken = gone?.code === 254 && PORT_TAKEN.test(output.stderr);
    if (!portTaken || attempt === LAUNCH_ATTEMPTS) return { child, port, mediaPort, output, exited };
    await Promise.all(Object.values(files).map((f) => rm(f, { force: true })));
  }
}

/** Start SIPp; the caller must await `done` (or `stop()`) to reap it. */
export async function startSipp(opts: SippOptions): Promise<SippProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'tenor-sipp-'));
  for (const [name, src] of Object.entries(opts.files ?? {})) {
    await symlink(src, join(dir, name));
  }
  const files = {
    errors: join(dir, 'errors.log'),
    stats: join(dir, 'stats.csv'),
    logs: join(dir, 'logs.log'),
    messages: join(dir, 'messages.log'),
  };
  let launch: Launch;
  try {
    launch = await launchSipp(opts, dir, files);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const { child, port, mediaPort, output, exited } = launch;

  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, opts.timeoutMs ?? 30_000);

  const done = exited.then(async ({ code, signal }) => {
    clearTimeout(timer);
    const [statsCsv, errors, logs, messages] = await Promise.all([
      readOr(files.stats), readOr(files.errors), readOr(files.logs), readOr(files.messages),
    ]);
    await rm(dir, { recursive: true, force: true });
    const result: SippResult = {
      code, signal, timedOut, stats: parseSippStats(statsCsv), stderr: output.stderr, stdout: output.stdout, errors, logs, messages,
    };
    return result;
  });

  let finished = false;
  void done.then(() => { finished = true; });

  return {
    port,
    mediaPort,
    dir,
    child,
    done,
    async ready(timeoutMs = 5000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      // SIPp prints nothing reliable when it has bound; the port showing in /proc/net is the signal.
      while (!(await isPortBound(port))) {
        if (finished) throw new Error(`sipp exited before binding: ${output.stderr}`);
        if (Date.now() > deadline) throw new Error(`sipp did not bind port ${port} in ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async stop(graceMs = 3000): Promise<SippResult> {
      if (!finished && child.exitCode === null && child.signalCode === null) {
        child.kill('SIGUSR1');
        const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
        const r = await done;
        clearTimeout(kill);
        return r;
      }
      return done;
    },
  };
}

/** Run a SIPp scenario to completion. */
export async function runSipp(opts: SippOptions): Promise<SippResult> {
  const p = await startSipp(opts);
  return p.done;
}

/** One-line summary of a SIPp result for assertion messages. */
export function describeSipp(r: SippResult): string {
  return `code=${r.code} signal=${r.signal} timedOut=${r.timedOut} ok=${r.stats.successful} `
    + `failed=${r.stats.failed} retrans=${r.stats.retransmissions}\n`
    + `errors: ${r.errors.slice(-2000)}\nstderr: ${r.stderr.slice(-2000)}`;
}

/**
 * The 401 that the uac-register-expect-401 scenario logged, with what differs
 * per request by nature masked (the nonce, and the echo of our own Via, From,
 * To and Call-ID): two of these are equal when the registrar treats the two
 * requests alike.
 */
export function normalised401(log: string): string {
  const m = /BEGIN-401 ([\s\S]*?)END-401/.exec(log);
  const msg = m?.[1] ?? '';
  return msg
    .replace(/nonce="[^"]*"/g, 'nonce="*"')
    .replace(/^(Via|From|To|Call-ID):.*$/gim, '$1: *')
    .replace(/\r/g, '')
    .trim();
}
