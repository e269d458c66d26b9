// The crash loop: the real `tenor start` process on a site with an IVR flow and
// queues, under steady SIP load (SIPp callers into the IVR and the queues, some
// asking for a callback, agents whose desk phones (SIPp) answer, a progressive
// campaign dialing a SIPp phone network that logs every INVITE), killed with
// SIGKILL at a seeded random moment and started again on the same data folder,
// cycle after cycle. Between the kill and the restart the database file is
// checked (integrity, and every acknowledged record in it); after the restart
// the API is (no agent left on a call of the dead process, no call left open,
// callbacks waiting with their place). Run by reliability/crash-loop.test.ts
// (10 cycles) and bench/crash-loop.ts (100).

import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { freeTcpPort, freeUdpRange, freeUdpTcpPort, startSipp, type SippProcess } from '../../../telephony/test/peers/index.js';
import { Prng } from '../../src/services/campaigns/simulator/prng.js';
import { Acknowledged, ADMIN_HEADERS, Observer } from './observer.js';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const HERE = path.dirname(fileURLToPath(import.meta.url));
const CALLER_SCENARIOS = path.join(HERE, '..', 'acd-sip', 'scenarios');

export const AGENTS = ['a1', 'a2', 'a3', 'a4'] as const;
/** Serves only `later`, logged in on a break all along: the queue is staffed (callers may join it) but never served. */
const IDLE_AGENT = 'a5';
/** The agent the observer moves between break and ready through the API. */
const TOGGLED = 'a4';
const CAMPAIGN = 'crash';
/** Every retry rule of the campaign: no number may be dialed again sooner. */
export const RETRY_MINUTES = 30;
const IVR_NUMBER = '+4930100';
const SUPPORT_NUMBER = '+4930200';
const LATER_NUMBER = '+4930300';
/** Campaign numbers start with this (callbacks go to +49305558…, agents' desks to +49305559…). */
const CAMPAIGN_PREFIX = '+49305551';

export interface CrashLoopOptions {
  cycles: number;
  seed: number;
  /** The kill comes this long (uniform, seeded) after the load started. */
  upMs: { min: number; max: number };
  /** A folder for the data, the site file and the server's stderr. */
  dir: string;
  /** Progress lines. */
  say(line: string): void;
  /** Registers cleanup (tap's t.teardown, or the bench's own list). */
  teardown(fn: () => Promise<void> | void): void;
}

export interface CycleReport {
  cycle: number;
  /** Load time before the kill. */
  upMs: number;
  /** From spawning `tenor start` again to its API answering. */
  serveAgainMs: number;
  integrity: string;
  acknowledged: number;
  /** Acknowledged things not in the database after the kill (must be empty). */
  lost: string[];
  /** Agents offered, on a call or in wrap-up of the dead process after the restart (must be empty). */
  stuckAgents: string[];
  /** Records of the dead process still open after the restart that are not waiting callbacks (must be empty). */
  leftOpen: string[];
  /** Callback requests waiting in the never-served queue: stored at the kill, and as the restarted server shows them. */
  callbacks: { stored: number; acknowledged: number; waitingAfter: number; longestWaitAfterS: number; oldestAgeS: number };
  problems: string[];
}

export interface CrashLoopReport {
  seed: number;
  cycles: CycleReport[];
  acknowledged: { records: number; callbacks: number; states: number; attempts: number };
  /** Campaign INVITEs the phone network logged, distinct calls. */
  campaignInvites: number;
  /** Numbers dialed twice within RETRY_MINUTES (must be empty). */
  doubleDialed: string[];
  /** Campaign numbers INVITEd with no attempt stored for them (must be empty). */
  dialedUnrecorded: string[];
}

interface Running {
  child: ChildProcess;
  exited: Promise<void>;
}

interface Ports {
  http: number;
  sip: number;
  rtp: { from: number; to: number };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function siteFile(dir: string, pstn: SippProcess, desks: SippProcess): string {
  mkdirSync(path.join(dir, 'flows'), { recursive: true });
  // JSON is YAML: the flow greets the caller and puts them in sales.
  writeFileSync(path.join(dir, 'flows', 'main.yaml'), JSON.stringify({
    name: 'main', version: 1, start: 'welcome',
    nodes: { welcome: { type: 'play', prompts: ['welcome'], next: 'sales' }, sales: { type: 'queue', queue: 'sales' } },
  }));
  const agent = (login: string, i: number): Record<string, unknown> => ({
    login, name: `Agent ${login}`,
    device: { type: 'external', number: `+4930555990${String(i + 1).padStart(3, '0')}`, trunk: 'desks' },
    queues: [{ queue: 'sales' }, { queue: 'support' }, { queue: 'outbound' }],
  });
  const file = path.join(dir, 'site.yaml');
  writeFileSync(file, JSON.stringify({
    trunks: [{ name: 'pstn', host: '127.0.0.1', port: pstn.port }, { name: 'desks', host: '127.0.0.1', port: desks.port }],
    dialing: { country: 'DE' },
    flows: [{ name: 'main', file: 'flows/main.yaml' }],
    entryNumbers: [{ number: IVR_NUMBER, flow: 'main' }, { number: SUPPORT_NUMBER, queue: 'support' }, { number: LATER_NUMBER, queue: 'later' }],
    queues: [
      { name: 'sales', ringTimeoutSeconds: 10, wrapUpSeconds: 1 },
      { name: 'support', ringTimeoutSeconds: 10, wrapUpSeconds: 1 },
      // Nobody serves it: callback requests pile up there, and must keep their place across every restart.
      { name: 'later', callbackKey: '*', callback: { attempts: 1, ringTimeoutSeconds: 10 } },
      { name: 'outbound', ringTimeoutSeconds: 10, wrapUpSeconds: 1 },
    ],
    agents: [...AGENTS.map(agent), { ...agent(IDLE_AGENT, AGENTS.length), queues: [{ queue: 'later' }] }],
  }, null, 2));
  return file;
}

async function startTenor(dir: string, site: string, ports: Ports): Promise<Running> {
  const child = spawn(process.execPath, [cli, 'start'], {
    env: {
      ...process.env, TENOR_CONFIG: site, TENOR_DATA_DIR: path.join(dir, 'data'), TENOR_HTTP_PORT: String(ports.http),
      TENOR_SIP_PORT: String(ports.sip), TENOR_BIND: '127.0.0.1', TENOR_RTP_PORT_MIN: String(ports.rtp.from), TENOR_RTP_PORT_MAX: String(ports.rtp.to),
      TENOR_ADMIN_PASSWORD: 'pw-admin-secret', TENOR_LOG_LEVEL: process.env['TENOR_LOG_LEVEL'] ?? 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  // TENOR_CRASH_LOOP_LOG: a file that collects every run's log (with TENOR_LOG_LEVEL=info, say) to see what a cycle did.
  const logFile = process.env['TENOR_CRASH_LOOP_LOG'];
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
    if (logFile) appendFileSync(logFile, d);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`tenor start printed no banner in 90 s: ${out} ${stderr}`)), 90_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (logFile) appendFileSync(logFile, d);
      if (out.includes('Data:')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`tenor start exited (${child.exitCode ?? child.signalCode}): ${out} ${stderr}`));
    });
  });
  return { child, exited };
}

async function api<T>(base: string, url: string, init: { method?: string; body?: string; type?: string } = {}): Promise<T> {
  const res = await fetch(`${base}${url}`, {
    method: init.method ?? 'GET', headers: { ...ADMIN_HEADERS, ...(init.body !== undefined ? { 'content-type': init.type ?? 'application/json' } : {}) },
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
  if (res.status !== 200) throw new Error(`${init.method ?? 'GET'} ${url} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

/** The campaign, its list and the agents logged in: once, on the first run (all of it is kept in the database). */
async function setUp(base: string): Promise<void> {
  const csv = ['Phone', ...Array.from({ length: 3000 }, (_, i) => `${CAMPAIGN_PREFIX}${String(i).padStart(5, '0')}`)].join('\n');
  await api(base, '/api/lists/crash-leads/import?map=phone=Phone', { method: 'POST', body: csv, type: 'text/csv' });
  const retry = { retry: true, delayMinutes: RETRY_MINUTES };
  await api(base, `/api/campaigns/${CAMPAIGN}`, {
    method: 'PUT',
    body: JSON.stringify({
      mode: 'progressive', target: { list: 'crash-leads' }, queue: 'outbound', callerId: '+4930999000', trunk: 'pstn', ringTimeSeconds: 15, maxAttempts: 3,
      retry: { busy: retry, 'no-answer': retry, machine: retry, failed: retry, unknown: retry },
      window: { from: '00:00', to: '23:59', days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] },
    }),
  });
  for (const login of AGENTS) await api(base, `/api/agents/${login}/state`, { method: 'POST', body: JSON.stringify({ state: 'ready' }) });
  await api(base, `/api/agents/${IDLE_AGENT}/state`, { method: 'POST', body: JSON.stringify({ state: 'break', reason: 'coffee' }) });
  await api(base, `/api/campaigns/${CAMPAIGN}/start`, { method: 'POST' });
}

/** The callers of one cycle: into the IVR, straight into support, and into `later` pressing * for a callback. */
async function startCallers(sip: string, cycle: number): Promise<SippProcess[]> {
  // From 127.0.0.2: callers, not the trunks' host (127.0.0.1), so Tenor takes them for phones calling in.
  const common = { remote: sip, timeoutMs: 600_000, localAddress: '127.0.0.2' };
  return Promise.all([
    startSipp({ ...common, scenario: path.join(CALLER_SCENARIOS, 'uac-caller.xml'), service: IVR_NUMBER, rate: 1, ratePeriodMs: 2000, calls: 100_000, pauseMs: 3000, vars: { caller: `+4930555700${String(cycle % 1000).padStart(3, '0')}` } }),
    startSipp({ ...common, scenario: path.join(CALLER_SCENARIOS, 'uac-caller.xml'), service: SUPPORT_NUMBER, rate: 1, ratePeriodMs: 2000, calls: 100_000, pauseMs: 2000, vars: { caller: `+4930555710${String(cycle % 1000).padStart(3, '0')}` } }),
    startSipp({ ...common, scenario: path.join(CALLER_SCENARIOS, 'uac-caller-key.xml'), service: LATER_NUMBER, rate: 1, ratePeriodMs: 2000, calls: 100_000, vars: { caller: `+4930555800${String(cycle % 1000).padStart(3, '0')}`, digits: '*' } }),
  ]);
}

/** What the killed server left in its database file, checked before anything opens it again. */
function checkDatabase(file: string, ack: Acknowledged): { integrity: string; lost: string[]; storedCallbacks: Set<string> } {
  const db = new BetterSqlite3(file);
  try {
    const integrity = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join(', ');
    const lost: string[] = [];
    const record = db.prepare<[string], { live: number; outcome: string | null }>('SELECT live, outcome FROM acd_call_records WHERE id = ?');
    for (const [id, outcome] of ack.records) {
      const row = record.get(id);
      if (!row) lost.push(`call record ${id}`);
      else if (row.live !== 0 || (row.outcome ?? '') !== outcome) lost.push(`call record ${id}: stored ${row.live ? 'live' : 'closed'} ${row.outcome}, acknowledged closed ${outcome}`);
    }
    const storedCallbacks = new Set(db.prepare<[], { entry_id: string }>('SELECT entry_id FROM acd_callback_requests').all().map((r) => r.entry_id));
    for (const id of ack.callbacks.keys()) {
      if (!storedCallbacks.has(id)) lost.push(`callback request ${id}`);
      if (!record.get(id)) lost.push(`callback record ${id}`);
    }
    const state = db.prepare<[string, string, number], { n: number }>('SELECT count(*) AS n FROM acd_agent_state_log WHERE login = ? AND to_state = ? AND at = ?');
    for (const s of ack.states) if ((state.get(s.login, s.to, s.at)?.n ?? 0) === 0) lost.push(`state ${s.login} → ${s.to} at ${new Date(s.at).toISOString()} (${s.how})`);
    const attempt = db.prepare<[string], { status: string; outcome: string | null }>('SELECT status, outcome FROM campaign_attempts WHERE id = ?');
    for (const [id, outcome] of ack.attempts) {
      const row = attempt.get(id);
      if (!row || row.status !== 'ended' || row.outcome !== outcome) lost.push(`campaign attempt ${id} (${outcome}): stored ${row ? `${row.status} ${row.outcome}` : 'nothing'}`);
    }
    return { integrity, lost, storedCallbacks };
  } finally {
    db.close();
  }
}

interface AgentView { login: string; state: string; since: string }
interface CallView { id: string; arrivedAt: string | null; live: boolean }
interface QueueView { live: { waiting: number; longestWaitSeconds: number } }

/** INVITE-NUMBER lines of the phone network: number, epoch ms, Call-ID. */
function parseInvites(logs: string): { number: string; at: number; callId: string }[] {
  return [...logs.matchAll(/INVITE-NUMBER (\S+) at \S+\s+\S+\s+(\d+\.\d+) call (\S+)/g)].map((m) => ({ number: m[1] ?? '', at: Number(m[2]) * 1000, callId: m[3] ?? '' }));
}

export async function crashLoop(opts: CrashLoopOptions): Promise<CrashLoopReport> {
  const { say } = opts;
  const random = new Prng(opts.seed);
  const pstn = await startSipp({ scenario: path.join(HERE, 'scenarios', 'uas-answer-log.xml'), pauseMs: 500, timeoutMs: 3_600_000 * 4 });
  opts.teardown(async () => void (await pstn.stop(1000)));
  const desks = await startSipp({ scenario: 'uas', timeoutMs: 3_600_000 * 4 });
  opts.teardown(async () => void (await desks.stop(1000)));
  await Promise.all([pstn.ready(10_000), desks.ready(10_000)]);
  const site = siteFile(opts.dir, pstn, desks);
  const ports: Ports = { http: await freeTcpPort(), sip: await freeUdpTcpPort(), rtp: await freeUdpRange(200, { belowEphemeral: true }) };
  const base = `http://127.0.0.1:${ports.http}`;
  const dbFile = path.join(opts.dir, 'data', 'tenor.db');
  const ack = new Acknowledged();
  const reports: CycleReport[] = [];
  let server: Running | undefined;
  opts.teardown(async () => {
    if (server && server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
    await server?.exited;
  });

  let spawnedAt = Date.now();
  server = await startTenor(opts.dir, site, ports);
  await api(base, '/api/agents');
  await setUp(base);
  let serveAgainMs = 0;
  for (let cycle = 1; cycle <= opts.cycles; cycle++) {
    const observer = new Observer(base, ack, TOGGLED);
    await observer.start();
    const callers = await startCallers(`127.0.0.1:${ports.sip}`, cycle);
    const upMs = Math.round(opts.upMs.min + random.next() * (opts.upMs.max - opts.upMs.min));
    await sleep(upMs);
    server.child.kill('SIGKILL');
    await server.exited;
    observer.stop();
    await Promise.all(callers.map((c) => c.stop(500)));

    const checked = checkDatabase(dbFile, ack);
    const storedLater = checked.storedCallbacks.size;
    const ackedLater = [...ack.callbacks.values()].filter((c) => c.queue === 'later');
    const oldest = Math.min(...ackedLater.map((c) => c.heardAt));

    spawnedAt = Date.now();
    server = await startTenor(opts.dir, site, ports);
    const agents = await api<AgentView[]>(base, '/api/agents');
    serveAgainMs = Date.now() - spawnedAt;
    const stuckAgents = agents
      .filter((a) => ['offered', 'on-call', 'wrap-up'].includes(a.state) && Date.parse(a.since) < spawnedAt)
      .map((a) => `${a.login} ${a.state} since ${a.since}`);
    const open = await api<CallView[]>(base, '/api/calls?live=true&limit=1000');
    const leftOpen = open.filter((c) => c.arrivedAt !== null && Date.parse(c.arrivedAt) < spawnedAt && !checked.storedCallbacks.has(c.id)).map((c) => c.id);
    const later = await api<QueueView>(base, '/api/queues/later');
    const report: CycleReport = {
      cycle, upMs, serveAgainMs, integrity: checked.integrity, acknowledged: ack.count(), lost: checked.lost, stuckAgents, leftOpen,
      callbacks: {
        stored: storedLater, acknowledged: ackedLater.length, waitingAfter: later.live.waiting, longestWaitAfterS: later.live.longestWaitSeconds,
        oldestAgeS: ackedLater.length > 0 ? Math.floor((Date.now() - oldest) / 1000) : 0,
      },
      problems: observer.problems,
    };
    reports.push(report);
    say(`cycle ${cycle}: killed after ${upMs} ms of load; integrity ${report.integrity}; ${report.acknowledged} acknowledged, ${report.lost.length} lost; `
      + `serving again in ${serveAgainMs} ms; ${stuckAgents.length} agents stuck, ${leftOpen.length} calls left open; `
      + `callbacks waiting ${later.live.waiting} (stored ${storedLater}, acknowledged ${ackedLater.length}), longest wait ${later.live.longestWaitSeconds} s`);
  }

  // The last restart serves; stop it and read what the phone network was asked to dial.
  server.child.kill('SIGTERM');
  await server.exited;
  const dialed = checkDialing(pstn, dbFile);
  return {
    seed: opts.seed, cycles: reports,
    acknowledged: { records: ack.records.size, callbacks: ack.callbacks.size, states: ack.states.length, attempts: ack.attempts.size },
    ...(await dialed),
  };
}

async function checkDialing(pstn: SippProcess, dbFile: string): Promise<Pick<CrashLoopReport, 'campaignInvites' | 'doubleDialed' | 'dialedUnrecorded'>> {
  const result = await pstn.stop(1000);
  const invites = new Map<string, { number: string; at: number }>();
  for (const i of parseInvites(result.logs)) if (i.number.startsWith(CAMPAIGN_PREFIX) && !invites.has(i.callId)) invites.set(i.callId, i);
  const byNumber = new Map<string, number[]>();
  for (const i of invites.values()) byNumber.set(i.number, [...(byNumber.get(i.number) ?? []), i.at]);
  const doubleDialed: string[] = [];
  for (const [number, times] of byNumber) {
    times.sort((a, b) => a - b);
    for (let k = 1; k < times.length; k++) {
      const gap = (times[k] ?? 0) - (times[k - 1] ?? 0);
      if (gap < RETRY_MINUTES * 60_000) doubleDialed.push(`${number}: INVITEs ${Math.round(gap / 1000)} s apart`);
    }
  }
  const db = new BetterSqlite3(dbFile, { readonly: true });
  try {
    const attempts = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM campaign_attempts WHERE phone = ?');
    const dialedUnrecorded = [...byNumber.keys()].filter((n) => (attempts.get(n)?.n ?? 0) === 0);
    return { campaignInvites: invites.size, doubleDialed, dialedUnrecorded };
  } finally {
    db.close();
  }
}
