// HTTP figures: the real server (`tenor start --demo`, its own process, a
// temporary data folder, free ports) under autocannon, route by route, against
// bare node:http with one SQLite read (reference-server.mjs) on the same
// machine. Prints requests/s, p50/p99 latency and non-2xx answers per target,
// the ratio to the reference, and the load average before each measurement
// (figures from a shared machine are not comparable: run it when it is quiet).
//
//   npm run build && node bench/http/run.mjs [--duration 10] [--connections 50] [--rounds 3] [--only name,name]
//   BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" node bench/http/run.mjs --only me   # profile the server
//
// With several rounds each target runs once per round in turn and the table
// shows the median round (and the lowest and highest requests/s) and the
// server's CPU per request (from /proc: the figure a loaded machine moves least).
//
//   node bench/http/run.mjs --ladder [--only health,me]   # the comparison ladder first (ladder-server.mjs)
//   node bench/http/run.mjs --baseline /tmp/old-dist/cli.js   # A/B: every Tenor target also on a second server built from other code
//
// --ladder adds the rungs from bare node:http to Tenor's fastify shell
// (ladder-server.mjs, one process each) before Tenor's own routes, so each
// rung's cost is the difference to the one before, measured in the same minutes.

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { freePort, measure, median, startChild, stopChildren } from './common.mjs';
import { RUNGS } from './ladder-rungs.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '1' },
    only: { type: 'string' },
    ladder: { type: 'boolean', default: false },
    baseline: { type: 'string' },
  },
});
const duration = Number(args.duration);
const connections = Number(args.connections);
const rounds = Number(args.rounds);
const ADMIN_PASSWORD = 'bench-admin-password';
const DEMO_PASSWORD = 'demo-password';
const basic = (user, password) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

const temp = mkdtempSync(path.join(os.tmpdir(), 'tenor-bench-http-'));
process.on('exit', () => rmSync(temp, { recursive: true, force: true }));

/** A `tenor start --demo` process (`cli`: the built CLI to run): its base URL and pid (for its CPU). */
async function startTenor(cli = path.join(root, 'server/dist/cli.js'), name = 'tenor') {
  const httpPort = await freePort();
  const rtpBase = 20_000 + Math.floor(Math.random() * 20_000);
  const env = {
    ...process.env,
    TENOR_HTTP_PORT: String(httpPort), TENOR_SIP_PORT: '0', TENOR_BIND: '127.0.0.1',
    TENOR_RTP_PORT_MIN: String(rtpBase), TENOR_RTP_PORT_MAX: String(rtpBase + 200),
    TENOR_DATA_DIR: path.join(temp, name), TENOR_ADMIN_PASSWORD: ADMIN_PASSWORD, TENOR_SHUTDOWN_GRACE_SECONDS: '1', TENOR_LOG_LEVEL: process.env.TENOR_BENCH_LOG ?? 'warn',
  };
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const { child } = await startChild(process.execPath, [...nodeArgs, cli, 'start', '--demo'], env, /Demo:/, 'tenor start');
  return { base: `http://127.0.0.1:${httpPort}`, pid: child.pid };
}

async function startReference() {
  const { child, match } = await startChild(process.execPath, [path.join(here, 'reference-server.mjs'), path.join(temp, 'reference.db')], process.env, /listening (\d+)/, 'reference server');
  return { base: `http://127.0.0.1:${match[1]}`, pid: child.pid };
}

async function call(url, init = {}) {
  const res = await fetch(url, init);
  const text = await res.text();
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url} answered ${res.status}: ${text}`);
  return { res, body: text ? JSON.parse(text) : undefined };
}

async function login(base, username) {
  const { res } = await call(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: DEMO_PASSWORD }) });
  return (res.headers.get('set-cookie') ?? '').split(';')[0];
}

async function targets({ base: tenor, pid }, reference) {
  const admin = { authorization: basic('admin', ADMIN_PASSWORD), 'content-type': 'application/json' };
  const alice = await login(tenor, 'alice');
  const sam = await login(tenor, 'sam');
  const samCsrf = (await call(`${tenor}/api/auth/me`, { headers: { cookie: sam } })).body.csrfToken;
  await call(`${tenor}/api/customers`, {
    method: 'POST', headers: { cookie: sam, 'x-csrf-token': samCsrf, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Bench Customer', phones: ['+14155550123'] }),
  }).catch((err) => process.stderr.write(`(no bench customer: ${err.message})\n`));
  const token = (await call(`${tenor}/api/tokens`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'bench', role: 'agent', agent: 'alice' }) })).body.secret;
  const aliceBasic = basic('alice', DEMO_PASSWORD);
  return [
    { name: 'reference', what: 'bare node:http + 1 SQLite read', url: `${reference.base}/`, headers: {}, pid: reference.pid },
    { name: 'me', what: 'GET /api/auth/me (session)', url: `${tenor}/api/auth/me`, headers: { cookie: alice }, pid },
    { name: 'agent', what: 'GET /api/agents/alice (session)', url: `${tenor}/api/agents/alice`, headers: { cookie: alice }, pid },
    { name: 'customers', what: 'GET /api/customers?phone= (supervisor session)', url: `${tenor}/api/customers?phone=%2B14155550123`, headers: { cookie: sam }, pid },
    { name: 'token', what: 'GET /api/agents/alice (API token)', url: `${tenor}/api/agents/alice`, headers: { authorization: `Bearer ${token}` }, pid },
    { name: 'basic', what: 'GET /api/agents/alice (Basic, cached)', url: `${tenor}/api/agents/alice`, headers: { authorization: aliceBasic }, pid },
    { name: 'health', what: 'GET /health', url: `${tenor}/health`, headers: {}, pid },
  ];
}

async function startLadder() {
  const rungs = [];
  for (const rung of RUNGS) {
    const { child, match } = await startChild(process.execPath, [path.join(here, 'ladder-server.mjs'), rung.name], process.env, /listening (\d+)/, `ladder rung ${rung.name}`);
    rungs.push({ name: rung.name, what: rung.what, url: `http://127.0.0.1:${match[1]}/`, headers: {}, pid: child.pid });
  }
  return rungs;
}

const tenor = await startTenor();
const reference = await startReference();
let list = await targets(tenor, reference);
if (args.only) list = list.filter((t) => t.name === 'reference' || args.only.split(',').includes(t.name));
if (args.baseline) {
  // Each Tenor target right after the same target on the baseline server: A/B in the same minute.
  const baseline = (await targets(await startTenor(path.resolve(args.baseline), 'baseline'), reference)).slice(1);
  list = list.flatMap((t) => {
    const b = baseline.find((x) => x.name === t.name);
    return b ? [{ ...b, name: `${t.name}@baseline`, what: `${t.what}, baseline` }, t] : [t];
  });
}
if (args.ladder) list = [list[0], ...(await startLadder()), ...list.slice(1)];
for (const t of list) {
  const check = await fetch(t.url, { headers: t.headers });
  await check.arrayBuffer();
  if (check.status !== 200) process.stderr.write(`warning: ${t.what} answers ${check.status}\n`);
}
const results = new Map(list.map((t) => [t.name, []]));
for (let round = 1; round <= rounds; round++) {
  for (const t of list) {
    const load = os.loadavg()[0].toFixed(2);
    const r = await measure(t, { connections, duration, pid: t.pid });
    results.get(t.name).push({ ...r, load });
    process.stderr.write(`round ${round} ${t.name.padEnd(10)} ${Math.round(r.rps)} req/s  ${r.cpuUsPerRequest.toFixed(1)} µs CPU/req  p50 ${r.p50} ms  p99 ${r.p99} ms  (load ${load} before)\n`);
  }
}

const refRps = median(results.get('reference').map((r) => r.rps));
const rows = list.map((t) => {
  const runs = results.get(t.name);
  const rps = median(runs.map((r) => r.rps));
  const mid = runs.find((r) => r.rps === rps);
  return {
    target: t.what, 'req/s': Math.round(rps),
    'min–max': runs.length > 1 ? `${Math.round(Math.min(...runs.map((r) => r.rps)))}–${Math.round(Math.max(...runs.map((r) => r.rps)))}` : '',
    'CPU µs/req': median(runs.map((r) => r.cpuUsPerRequest)).toFixed(1),
    'p50 ms': mid.p50, 'p99 ms': mid.p99, 'non-2xx': mid.non2xx + mid.errors, 'vs reference': (rps / refRps).toFixed(2), 'load before': runs.map((r) => r.load).join(' '),
  };
});
process.stdout.write(`\nHTTP, ${connections} connections, ${duration} s per target, ${rounds} round(s), ${new Date().toISOString()}, ${os.cpus().length} cores, node ${process.version}\n`);
console.table(rows);
await stopChildren();
process.exit(0);
