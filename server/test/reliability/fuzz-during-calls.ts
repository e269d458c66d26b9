// Mutated SIP while real calls run, against a `tenor start` process: SIPp
// calls the echo number at a steady rate (answered, held, hung up by the
// caller) while the seeded fuzzer floods the same SIP port from another
// loopback address. Shared by the suite's short run (sip-fuzz.test.ts) and
// the bench's long one (bench/sip-fuzz.ts).
//
// Memory: the fuzzer's transactions linger for Timer J (32 s on UDP), so the
// server's RSS is compared between two like moments: after a warm-up long
// enough to reach that steady state, the fuzz pauses for `settleMs` (calls go
// on), a full garbage collection is asked for through the server's inspector
// (without it the RSS follows V8's sawtooth: 230-290 MB within one run) and
// the RSS is sampled; the same after the main run. Growth between the two is
// what a leak would show.

import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { processCpuUs } from '../../../bench/lib/proc-cpu.js';
import { freeTcpPort, freeUdpRange, makeToneUlaw, startSipp, type SippResult } from '../../../telephony/test/peers/index.js';
import { runSipFuzz, type SipFuzzReport } from '../../../telephony/test/peers/sip-fuzzer.js';
import type { LiveDialog } from '../../../telephony/test/peers/sip-messages-fuzzed.js';

/**
 * The environment for `tenor start` as the fuzz target, writing its site file into `dir`:
 * - `sip.limits.requestsPerAddress` lifted, or the fuzzer's address is banned after
 *   100 messages and the rest never reach the parser;
 * - 200 RTP ports (not the harness's 40): the fuzzer's INVITEs to the echo number are
 *   answered too, and hold ports until their missing ACK times out (its 10 unanswered
 *   calls per address are the engine's cap), beside the real calls;
 * - the inspector on a free loopback port, for the garbage collection before each
 *   memory reading (`extraNodeOptions` adds node flags, e.g. a heap snapshot signal).
 */
export async function fuzzTargetEnv(dir: string, extraNodeOptions = ''): Promise<{ env: NodeJS.ProcessEnv; inspectPort: number }> {
  const site = path.join(dir, 'site.yaml');
  writeFileSync(site, ['sip:', '  limits:', '    requestsPerAddress: 1000000', ''].join('\n'));
  const rtp = await freeUdpRange(200, { belowEphemeral: true });
  const inspectPort = await freeTcpPort();
  return {
    inspectPort,
    env: {
      TENOR_CONFIG: site,
      TENOR_RTP_PORT_MIN: String(rtp.from),
      TENOR_RTP_PORT_MAX: String(rtp.to),
      NODE_OPTIONS: `--inspect=127.0.0.1:${inspectPort} ${extraNodeOptions}`.trim(),
    },
  };
}

export interface FuzzDuringCallsOptions {
  /** Messages in all, warm-up included. */
  messages: number;
  warmupMessages: number;
  seed: number;
  ratePerSecond: number;
  tcpShare: number;
  probeEvery: number;
  maxProbeLagMs: number;
  callsPerSecond: number;
  holdMs: number;
  settleMs: number;
  corpus: Buffer[];
  /** The fuzzer's source address (the callers use 127.0.0.1). */
  fuzzAddress: string;
  log: (line: string) => void;
}

export interface RssLevel {
  /** Median of the samples taken in the settle window, in KiB. */
  medianKiB: number;
  samplesKiB: number[];
}

export interface FuzzDuringCallsResult {
  warmup: SipFuzzReport;
  main: SipFuzzReport;
  sipp: SippResult;
  rssAfterWarmup: RssLevel;
  rssAtEnd: RssLevel;
  /** (end − warm-up) / warm-up, in %. */
  rssGrowthPct: number;
  /** The server's CPU (user + system) per fuzz message during the main run, calls included, in µs. */
  serverCpuUsPerMessage: number;
  /** False when the server process was gone at any check. */
  serverAlive: boolean;
}

/** VmRSS of a process in KiB, from /proc. */
export function rssKiB(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m?.[1]) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    // ESRCH: the process is gone, which is the answer.
    return false;
  }
}

/** A full garbage collection in the process listening with --inspect on 127.0.0.1:port (Chrome DevTools protocol). */
export async function collectGarbage(inspectPort: number): Promise<void> {
  const targets = (await (await fetch(`http://127.0.0.1:${inspectPort}/json/list`)).json()) as { webSocketDebuggerUrl?: string }[];
  const url = targets[0]?.webSocketDebuggerUrl;
  if (url === undefined) throw new Error(`no inspector target on port ${inspectPort}`);
  const ws = new WebSocket(url);
  try {
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('HeapProfiler.collectGarbage: no answer in 30 s')), 30_000);
      ws.on('message', (data: Buffer) => {
        if ((JSON.parse(data.toString()) as { id?: number }).id !== 1) return;
        clearTimeout(timer);
        resolve();
      });
      ws.send(JSON.stringify({ id: 1, method: 'HeapProfiler.collectGarbage' }));
    });
  } finally {
    ws.close();
  }
}

async function settle(pid: number, inspectPort: number, ms: number): Promise<RssLevel> {
  // The first half lets the last bursts' garbage go and the transactions end; then a full GC, and the RSS is measured.
  await new Promise((r) => setTimeout(r, ms / 2));
  await collectGarbage(inspectPort);
  await new Promise((r) => setTimeout(r, 500));
  const samplesKiB: number[] = [];
  const until = Date.now() + ms / 2;
  while (Date.now() < until) {
    samplesKiB.push(rssKiB(pid));
    await new Promise((r) => setTimeout(r, 200));
  }
  const sorted = [...samplesKiB].sort((a, b) => a - b);
  return { medianKiB: sorted[Math.floor(sorted.length / 2)] ?? 0, samplesKiB };
}

export async function fuzzDuringCalls(server: { pid: number; host: string; port: number; inspectPort: number }, o: FuzzDuringCallsOptions): Promise<FuzzDuringCallsResult> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tenor-sip-fuzz-'));
  try {
    const tone = await makeToneUlaw(path.join(dir, 'tone.ul'), { seconds: 1 });
    const expectedSeconds = o.messages / o.ratePerSecond + 2 * o.settleMs / 1000;
    const callers = await startSipp({
      scenario: 'uac-call-echo-rtp.xml', remote: `${server.host}:${server.port}`, service: '9196',
      rate: o.callsPerSecond, pauseMs: o.holdMs, limit: Math.ceil(o.callsPerSecond * (o.holdMs / 1000 + 5)) + 5,
      files: { 'audio.ul': tone }, timeoutMs: (expectedSeconds * 3 + 120) * 1000,
    });
    const sippPid = callers.child.pid ?? 0;
    const callersStarted = Date.now();
    // SIPp's defaults: Call-ID "<n>-<pid>@<ip>", From tag "<pid>SIPpTag00<n>", calls numbered from 1 at the set rate.
    const gen = { n: 0 };
    const liveDialog = (): LiveDialog | undefined => {
      const started = Math.floor(((Date.now() - callersStarted) / 1000) * o.callsPerSecond);
      const up = Math.max(1, Math.floor((o.holdMs / 1000) * o.callsPerSecond));
      if (started < 2) return undefined;
      // A call started between 1 s ago and its hold time ago: answered and not yet hung up.
      const n = Math.max(1, started - 1 - ((gen.n++) % up));
      return { callId: `${n}-${sippPid}@127.0.0.1`, fromTag: `${sippPid}SIPpTag00${n}`, fromUri: `sip:sipp@127.0.0.1:${callers.port}`, toUri: `sip:9196@${server.host}:${server.port}` };
    };
    await new Promise((r) => setTimeout(r, 2000));
    let serverAlive = alive(server.pid);
    const fuzz = (messages: number, seed: number): Promise<SipFuzzReport> => runSipFuzz({
      host: server.host, port: server.port, localAddress: o.fuzzAddress, seed, messages, ratePerSecond: o.ratePerSecond, tcpShare: o.tcpShare,
      corpus: o.corpus, liveDialog, probeEvery: o.probeEvery, maxProbeLagMs: o.maxProbeLagMs,
      onProgress: (sent) => {
        if (sent % 10_000 < o.ratePerSecond) o.log(`  ${sent} sent, server RSS ${alive(server.pid) ? rssKiB(server.pid) : 'gone'} KiB`);
      },
    });
    o.log(`warm-up: ${o.warmupMessages} messages at ${o.ratePerSecond}/s while ${o.callsPerSecond} calls/s are held ${o.holdMs} ms`);
    const warmup = await fuzz(o.warmupMessages, o.seed);
    serverAlive &&= alive(server.pid);
    const rssAfterWarmup = await settle(server.pid, server.inspectPort, o.settleMs);
    o.log(`RSS after warm-up: ${rssAfterWarmup.medianKiB} KiB`);
    const cpuBefore = processCpuUs(server.pid);
    const main = await fuzz(o.messages - o.warmupMessages, o.seed + 1);
    const serverCpuUsPerMessage = (processCpuUs(server.pid) - cpuBefore) / main.sent;
    serverAlive &&= alive(server.pid);
    const rssAtEnd = await settle(server.pid, server.inspectPort, o.settleMs);
    serverAlive &&= alive(server.pid);
    o.log(`RSS at the end: ${rssAtEnd.medianKiB} KiB; server CPU ${Math.round(serverCpuUsPerMessage)} µs per message (${((serverCpuUsPerMessage * main.sent) / 1e6 / main.seconds * 100).toFixed(0)}% of a core)`);
    // SIGUSR1: no new calls, the calls up finish their hold and hang up.
    const sipp = await callers.stop(o.holdMs + 15_000);
    return {
      warmup, main, sipp, rssAfterWarmup, rssAtEnd, serverAlive, serverCpuUsPerMessage,
      rssGrowthPct: ((rssAtEnd.medianKiB - rssAfterWarmup.medianKiB) / rssAfterWarmup.medianKiB) * 100,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
