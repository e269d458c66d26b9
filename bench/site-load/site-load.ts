// A whole contact-center site under load (issue 19, item 4): the real `tenor
// start` on a generated site (site.ts), `agents` agents whose phones behind a
// trunk are one SIPp answering and echoing RTP, `ivrCallers` callers sitting in
// an IVR menu, callers arriving at a steady rate into the queues (one SIPp per
// queue, 20 ms PCMU streamed), five supervisors on /api/events. After a ramp
// (one hold time, so every agent is on a call), a steady window is measured:
// CPU of the server, of the load generators and of the machine; the ACD's offer
// latency from the server's log; peaks; RTP loss and jitter from the server's
// own counters; event-loop delay and RSS from /metrics. Then the callers
// finish, the server stops and its database is read for the call records.

import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { makeToneUlaw } from '../../telephony/test/peers/audio.js';
import { freeTcpPort, freeUdpRange, freeUdpTcpPort } from '../../telephony/test/peers/ports.js';
import { startSipp, type SippProcess, type SippResult } from '../../telephony/test/peers/sipp.js';
import { processCpuUs } from '../lib/proc-cpu.js';
import { offerLatency, type OfferLatency } from './latency.js';
import { machineBusyPct, machineCpu, metric, runQueueWaitNs, scrape, type Scrape } from './probes.js';
import { ADMIN_PASSWORD, startTenorServer, type TenorServer } from './server.js';
import { CALLERS_ADDRESS, IVR_NUMBER, QUEUE_NUMBERS, QUEUES, writeSite } from './site.js';
import { connectSupervisors, type SupervisorCounts } from './supervisors.js';

const CALLER_SCENARIO = fileURLToPath(new URL('../../server/test/acd-sip/scenarios/uac-caller-tone.xml', import.meta.url));
const BUFF = 4 * 1024 * 1024;
const SUPERVISORS = 5;
/** Beyond the hold time, how long the ramp waits before the window opens (call set-up, the last agents). */
const RAMP_SLACK_MS = 5000;
/** Callers arrive this much slower than agents free up, so that an agent is (just) free when the next caller comes. */
const ARRIVAL_SLACK_MS = 500;

/** One scrape of the window (every 2 s): what moved since the one before. */
export interface Sample {
  atS: number;
  serverPctOfOneCore: number;
  machinePctOfAll: number;
  loopP99Ms: number;
  loopMaxMs: number;
  agentsOnCall: number;
  rtpLost: number;
  /** Share of the time the server's event-loop thread was runnable but got no core. */
  loopThreadWaitingPct: number;
  /** Time the server spent in database writes (statements and transactions, /metrics). */
  dbWriteMs: number;
}

export interface SiteLoadOptions {
  agents: number;
  ivrCallers: number;
  /** The steady window measured. */
  minutes: number;
  /** How long a queue caller stays once answered (in line, then with the agent). */
  holdSeconds: number;
  /** Node flags for the server process (BENCH_SERVER_NODE_ARGS). */
  nodeArgs: string[];
  say(line: string): void;
}

export interface SiteLoadReport {
  date: string;
  loadAverageBefore: [number, number, number];
  cores: number;
  options: { agents: number; ivrCallers: number; minutes: number; holdSeconds: number; supervisors: number; arrivalsPerSecond: number };
  windowSeconds: number;
  cpu: {
    /** The server process, % of one core. */
    serverPctOfOneCore: number;
    /** The server process, % of all cores together. */
    serverPctOfAll: number;
    /** SIPp processes and this script (the supervisors' sockets), % of all cores. */
    loadGeneratorsPctOfAll: number;
    /** The whole machine (/proc/stat), everything on it, % of all cores. */
    machinePctOfAll: number;
  };
  offerLatency: OfferLatency;
  calls: {
    /** Queue callers placed by SIPp (over the whole run). */
    placed: number;
    /** SIPp's count: the caller stayed its whole hold and hung up itself. */
    completed: number;
    /** SIPp's count: refused, dropped or hung up on by the server. */
    failed: number;
    /** Call records of queue callers answered by an agent. */
    answeredByAgent: number;
    /** Queue callers' records with no agent. */
    notAnswered: number;
  };
  ivr: {
    placed: number;
    /** SIPp's count: the caller stayed its whole pause (past the window) and hung up itself. */
    stayedToTheEnd: number;
    failed: number;
    /** The server's flow events: callers in the flow at once at most, and how the flows ended. */
    peakInMenu: number;
    ended: Record<string, number>;
  };
  peaks: { agentsOnCall: number; bridges: number };
  records: { written: number; expected: number; leftOpen: number; byOutcome: Record<string, number> };
  rtp: { packetsReceived: number; packetsLost: number; lossPct: number; jitterMeanMs: number; jitterMaxMs: number };
  rssMiB: { start: number; peak: number; end: number };
  eventLoopDelayMs: { p99Max: number; max: number };
  supervisors: SupervisorCounts[];
  serverProblems: string[];
  /** The window scrape by scrape: where a stall or a loss happened, and what the machine did then. */
  samples: Sample[];
}

async function api<T>(base: string, url: string, headers: Record<string, string>, body?: unknown): Promise<T> {
  const res = await fetch(`${base}${url}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (res.status !== 200 && res.status !== 201) throw new Error(`${body === undefined ? 'GET' : 'POST'} ${url} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `fn` over `items`, `width` at a time. */
async function eachLimited<T>(items: T[], width: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await fn(items[next++] as T);
  }));
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(500);
  }
}

const cpuOf = (p: SippProcess): number => (p.child.pid !== undefined && p.child.exitCode === null ? processCpuUs(p.child.pid) : 0);

interface DbFigures {
  readyAt: Map<string, number[]>;
  queueRecords: number;
  answeredByAgent: number;
  leftOpen: number;
  byOutcome: Record<string, number>;
}

/** What the stopped server left in its database: the call records of the run and every agent's turns to ready. */
function readDatabase(file: string, since: number): DbFigures {
  const db = new BetterSqlite3(file, { readonly: true });
  try {
    const readyAt = new Map<string, number[]>();
    for (const r of db.prepare<[], { login: string; at: number }>("SELECT login, at FROM acd_agent_state_log WHERE to_state = 'ready' ORDER BY at").all()) {
      readyAt.set(r.login, [...(readyAt.get(r.login) ?? []), r.at]);
    }
    const rows = db.prepare<[number], { queue: string | null; agent: string | null; answered_at: number | null; outcome: string | null; live: number }>(
      'SELECT queue, agent, answered_at, outcome, live FROM acd_call_records WHERE arrived_at >= ? AND direction = \'inbound\'',
    ).all(since);
    const queued = rows.filter((r) => r.queue !== null);
    const byOutcome: Record<string, number> = {};
    for (const r of rows) byOutcome[r.outcome ?? 'open'] = (byOutcome[r.outcome ?? 'open'] ?? 0) + 1;
    return {
      readyAt, queueRecords: queued.length,
      answeredByAgent: queued.filter((r) => r.agent !== null && r.answered_at !== null).length,
      leftOpen: rows.filter((r) => r.live !== 0).length, byOutcome,
    };
  } finally {
    db.close();
  }
}

export async function runSiteLoad(opts: SiteLoadOptions): Promise<SiteLoadReport> {
  const { say } = opts;
  const teardowns: (() => Promise<void> | void)[] = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'tenor-site-load-'));
  teardowns.push(() => rmSync(dir, { recursive: true, force: true }));
  try {
    return await run(opts, dir, (fn) => teardowns.push(fn), say);
  } finally {
    for (const fn of teardowns.reverse()) await fn();
  }
}

async function run(opts: SiteLoadOptions, dir: string, teardown: (fn: () => Promise<void> | void) => void, say: (line: string) => void): Promise<SiteLoadReport> {
  const loadAverageBefore = loadavg().map((l) => Math.round(l * 100) / 100) as [number, number, number];
  const holdMs = opts.holdSeconds * 1000;
  const windowMs = Math.round(opts.minutes * 60_000);
  const rampMs = holdMs + RAMP_SLACK_MS;
  // One SIPp per queue, each placing one call every `periodMs`: together `agents` calls per hold time (a little less).
  const periodMs = Math.round(((holdMs + ARRIVAL_SLACK_MS) * QUEUES.length) / opts.agents);
  const perQueue = Math.ceil((rampMs + windowMs) / periodMs);

  const phones = await startSipp({ scenario: 'uas-answer-echo.xml', rtpEcho: true, buffSize: BUFF, timeoutMs: 24 * 3_600_000, extraArgs: ['-rtp_buffsize', String(BUFF)] });
  teardown(async () => void (await phones.stop(1000)));
  await phones.ready(10_000);
  const site = writeSite(dir, { agents: opts.agents, ivrCallers: opts.ivrCallers, phonesPort: phones.port });
  const loginOf = new Map(site.agents.map((a) => [a.number, a.login]));
  const rtp = await freeUdpRange(4 * (opts.agents + opts.ivrCallers) + 200, { belowEphemeral: true });
  const http = await freeTcpPort();
  const sip = await freeUdpTcpPort();
  say(`starting tenor: ${opts.agents} agents, ${QUEUES.length} queues, IVR; RTP ports ${rtp.from}-${rtp.to}`);
  const server: TenorServer = await startTenorServer({ dir, site: site.file, http, sip, rtp, nodeArgs: opts.nodeArgs });
  teardown(() => server.stop());
  const { base } = server;

  const basic = { authorization: `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}` };
  const adminToken = await api<{ secret: string }>(base, '/api/tokens', basic, { name: 'site-load admin', role: 'admin' });
  const admin = { authorization: `Bearer ${adminToken.secret}` };
  const supervisorSecrets: string[] = [];
  for (let i = 1; i <= SUPERVISORS; i++) supervisorSecrets.push((await api<{ secret: string }>(base, '/api/tokens', admin, { name: `supervisor ${i}`, role: 'supervisor' })).secret);
  const supervisorHeaders = { authorization: `Bearer ${supervisorSecrets[0] ?? ''}` };
  await eachLimited(site.agents, 8, (a) => api(base, `/api/agents/${a.login}/state`, admin, { state: 'ready' }));
  const supervisors = await connectSupervisors(base, supervisorSecrets);
  teardown(() => supervisors.close());
  say(`${opts.agents} agents ready, ${SUPERVISORS} supervisors connected`);

  const audio = await makeToneUlaw(path.join(dir, 'stream.ul'), { seconds: 2, frequency: 440 });
  const remote = `127.0.0.1:${sip}`;
  const caller = { scenario: CALLER_SCENARIO, remote, localAddress: CALLERS_ADDRESS, files: { 'audio.ul': audio }, buffSize: BUFF, extraArgs: ['-rtp_buffsize', String(BUFF)] };
  const loadStartedAt = Date.now();
  // The IVR callers arrive first (10 a second) and stay until just after the window.
  const ivr = await startSipp({
    ...caller, service: IVR_NUMBER, rate: 10, calls: opts.ivrCallers, limit: opts.ivrCallers, pauseMs: rampMs + windowMs + 2000,
    vars: { caller: '+4930555800000' }, timeoutMs: rampMs + windowMs + 120_000,
  });
  teardown(async () => void (await ivr.stop(1000)));
  const queueCallers = await Promise.all(QUEUES.map((q, i) => startSipp({
    ...caller, service: QUEUE_NUMBERS[q], rate: 1, ratePeriodMs: periodMs, calls: perQueue, limit: 2 * opts.agents, pauseMs: holdMs,
    vars: { caller: `+493055581000${i}` }, timeoutMs: rampMs + windowMs + holdMs + 180_000,
  })));
  for (const c of queueCallers) teardown(async () => void (await c.stop(1000)));
  const arrivalsPerSecond = (1000 * QUEUES.length) / periodMs;
  say(`load: ${opts.ivrCallers} IVR callers, ${arrivalsPerSecond.toFixed(2)} queue callers/s held ${opts.holdSeconds} s; ramp ${Math.round(rampMs / 1000)} s, then ${Math.round(windowMs / 1000)} s measured`);
  await sleep(rampMs);

  // The steady window.
  const generators = [phones, ivr, ...queueCallers];
  const first = await scrape(base, supervisorHeaders);
  const at0 = { t: process.hrtime.bigint(), server: processCpuUs(server.pid), gens: generators.reduce((s, p) => s + cpuOf(p), 0), self: process.cpuUsage(), machine: machineCpu() };
  const windowFrom = Date.now();
  const peaks = { agentsOnCall: 0, bridges: 0, rss: metric(first, 'process_resident_memory_bytes'), loopP99: 0, loopMax: 0, jitterMean: [] as number[], jitterMax: 0 };
  let last: Scrape = first;
  const samples: Sample[] = [];
  const dbWriteS = (m: Scrape): number => metric(m, 'tenor_db_write_duration_seconds_sum{kind="statement"}') + metric(m, 'tenor_db_write_duration_seconds_sum{kind="transaction"}');
  let prev = { server: at0.server, machine: at0.machine, t: Date.now(), wait: runQueueWaitNs(server.pid) };
  while (Date.now() - windowFrom < windowMs) {
    await sleep(Math.min(2000, Math.max(0, windowMs - (Date.now() - windowFrom))));
    const before = last;
    last = await scrape(base, supervisorHeaders);
    const now = { server: processCpuUs(server.pid), machine: machineCpu(), t: Date.now(), wait: runQueueWaitNs(server.pid) };
    samples.push({
      atS: Math.round((now.t - windowFrom) / 100) / 10,
      serverPctOfOneCore: Math.round((100 * (now.server - prev.server)) / ((now.t - prev.t) * 1000)),
      machinePctOfAll: Math.round(machineBusyPct(prev.machine, now.machine)),
      loopP99Ms: Math.round(1000 * metric(last, 'tenor_event_loop_delay_seconds{stat="p99"}')),
      loopMaxMs: Math.round(1000 * metric(last, 'tenor_event_loop_delay_seconds{stat="max"}')),
      agentsOnCall: metric(last, 'tenor_agents{state="on-call"}'),
      rtpLost: metric(last, 'tenor_rtp_packets_lost_total') - metric(before, 'tenor_rtp_packets_lost_total'),
      loopThreadWaitingPct: Math.round((100 * (now.wait - prev.wait)) / ((now.t - prev.t) * 1e6)),
      dbWriteMs: Math.round(1000 * (dbWriteS(last) - dbWriteS(before))),
    });
    prev = now;
    peaks.agentsOnCall = Math.max(peaks.agentsOnCall, metric(last, 'tenor_agents{state="on-call"}'));
    peaks.bridges = Math.max(peaks.bridges, metric(last, 'tenor_bridges_in_progress'));
    peaks.rss = Math.max(peaks.rss, metric(last, 'process_resident_memory_bytes'));
    peaks.loopP99 = Math.max(peaks.loopP99, metric(last, 'tenor_event_loop_delay_seconds{stat="p99"}'));
    peaks.loopMax = Math.max(peaks.loopMax, metric(last, 'tenor_event_loop_delay_seconds{stat="max"}'));
    peaks.jitterMean.push(metric(last, 'tenor_rtp_jitter_seconds{stat="mean"}'));
    peaks.jitterMax = Math.max(peaks.jitterMax, metric(last, 'tenor_rtp_jitter_seconds{stat="max"}'));
  }
  const selfCpu = process.cpuUsage(at0.self);
  const at1 = { t: process.hrtime.bigint(), server: processCpuUs(server.pid), gens: generators.reduce((s, p) => s + cpuOf(p), 0), machine: machineCpu() };
  const windowTo = Date.now();
  const wallUs = Number(at1.t - at0.t) / 1000;
  const cores = availableParallelism();
  const received = (s: Scrape): number => metric(s, 'tenor_rtp_packets_total{direction="received"}');
  const lost = (s: Scrape): number => metric(s, 'tenor_rtp_packets_lost_total');
  const rtpReceived = received(last) - received(first);
  const rtpLost = lost(last) - lost(first);
  say(`window done (${Math.round(wallUs / 1e6)} s); waiting for the last callers to finish`);

  const [ivrResult, ...queueResults] = await Promise.all([ivr.done, ...queueCallers.map((c) => c.done)]) as [SippResult, ...SippResult[]];
  // Every agent back to ready: the last calls' records are closed.
  await waitUntil(async () => metric(await scrape(base, supervisorHeaders), 'tenor_agents{state="ready"}') === opts.agents, 60_000, 'every agent ready again').catch((err: unknown) => say(String(err)));
  const rssEnd = metric(await scrape(base, supervisorHeaders), 'process_resident_memory_bytes');
  const supervisorCounts = supervisors.counts();
  await supervisors.close();
  await server.stop();
  const db = readDatabase(path.join(dir, 'data', 'tenor.db'), loadStartedAt);

  const placed = queueResults.reduce((s, r) => s + r.stats.successful + r.stats.failed, 0);
  const MiB = 1024 * 1024;
  return {
    date: new Date().toISOString(), loadAverageBefore, cores,
    options: { agents: opts.agents, ivrCallers: opts.ivrCallers, minutes: opts.minutes, holdSeconds: opts.holdSeconds, supervisors: SUPERVISORS, arrivalsPerSecond },
    windowSeconds: wallUs / 1e6,
    cpu: {
      serverPctOfOneCore: (100 * (at1.server - at0.server)) / wallUs,
      serverPctOfAll: (100 * (at1.server - at0.server)) / wallUs / cores,
      loadGeneratorsPctOfAll: (100 * (at1.gens - at0.gens + selfCpu.user + selfCpu.system)) / wallUs / cores,
      machinePctOfAll: machineBusyPct(at0.machine, at1.machine),
    },
    offerLatency: offerLatency(server.timeline, loginOf, db.readyAt, windowFrom, windowTo),
    calls: {
      placed,
      completed: queueResults.reduce((s, r) => s + r.stats.successful, 0),
      failed: queueResults.reduce((s, r) => s + r.stats.failed, 0),
      answeredByAgent: db.answeredByAgent,
      notAnswered: db.queueRecords - db.answeredByAgent,
    },
    ivr: { placed: ivrResult.stats.successful + ivrResult.stats.failed, stayedToTheEnd: ivrResult.stats.successful, failed: ivrResult.stats.failed, peakInMenu: supervisorCounts[0]?.ivrPeak ?? 0, ended: supervisorCounts[0]?.ivrEnded ?? {} },
    peaks: { agentsOnCall: peaks.agentsOnCall, bridges: peaks.bridges },
    // A caller who stays in the IVR gets no call record (records start at the queue).
    records: { written: db.queueRecords, expected: placed, leftOpen: db.leftOpen, byOutcome: db.byOutcome },
    rtp: {
      packetsReceived: rtpReceived, packetsLost: rtpLost, lossPct: rtpReceived + rtpLost > 0 ? (100 * rtpLost) / (rtpReceived + rtpLost) : 0,
      jitterMeanMs: 1000 * (peaks.jitterMean.reduce((a, b) => a + b, 0) / Math.max(1, peaks.jitterMean.length)), jitterMaxMs: 1000 * peaks.jitterMax,
    },
    rssMiB: { start: metric(first, 'process_resident_memory_bytes') / MiB, peak: peaks.rss / MiB, end: rssEnd / MiB },
    eventLoopDelayMs: { p99Max: 1000 * peaks.loopP99, max: 1000 * peaks.loopMax },
    supervisors: supervisorCounts,
    serverProblems: server.problems,
    samples,
  };
}
