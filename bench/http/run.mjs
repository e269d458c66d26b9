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
// shows the median round (and the lowest and highest requests/s).

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '1' },
    only: { type: 'string' },
  },
});
const duration = Number(args.duration);
const connections = Number(args.connections);
const rounds = Number(args.rounds);
const ADMIN_PASSWORD = 'bench-admin-password';
const DEMO_PASSWORD = 'demo-password';
const basic = (user, password) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

const children = [];
const temp = mkdtempSync(path.join(os.tmpdir(), 'tenor-bench-http-'));
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(temp, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

/** SIGTERM every child and wait for it (a --cpu-prof profile is written at a clean exit), SIGKILL after 20 s. */
async function stopChildren() {
  await Promise.all(children.map((child) => new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  })));
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Start a child and resolve with the first stdout match of `ready` (bounded). */
function startChild(command, argv, env, ready, what) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { env, stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start within 60 s:\n${out}`)), 60_000);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = ready.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ child, match });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code}):\n${out}`));
    });
  });
}

async function startTenor() {
  const httpPort = await freePort();
  const rtpBase = 20_000 + Math.floor(Math.random() * 20_000);
  const env = {
    ...process.env,
    TENOR_HTTP_PORT: String(httpPort), TENOR_SIP_PORT: '0', TENOR_BIND: '127.0.0.1',
    TENOR_RTP_PORT_MIN: String(rtpBase), TENOR_RTP_PORT_MAX: String(rtpBase + 200),
    TENOR_DATA_DIR: path.join(temp, 'tenor'), TENOR_ADMIN_PASSWORD: ADMIN_PASSWORD, TENOR_SHUTDOWN_GRACE_SECONDS: '1', TENOR_LOG_LEVEL: process.env.TENOR_BENCH_LOG ?? 'warn',
  };
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  await startChild(process.execPath, [...nodeArgs, path.join(root, 'server/dist/cli.js'), 'start', '--demo'], env, /Demo:/, 'tenor start');
  return `http://127.0.0.1:${httpPort}`;
}

async function startReference() {
  const { match } = await startChild(process.execPath, [path.join(here, 'reference-server.mjs'), path.join(temp, 'reference.db')], process.env, /listening (\d+)/, 'reference server');
  return `http://127.0.0.1:${match[1]}`;
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

async function targets(tenor, reference) {
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
    { name: 'reference', what: 'bare node:http + 1 SQLite read', url: `${reference}/`, headers: {} },
    { name: 'me', what: 'GET /api/auth/me (session)', url: `${tenor}/api/auth/me`, headers: { cookie: alice } },
    { name: 'agent', what: 'GET /api/agents/alice (session)', url: `${tenor}/api/agents/alice`, headers: { cookie: alice } },
    { name: 'customers', what: 'GET /api/customers?phone= (supervisor session)', url: `${tenor}/api/customers?phone=%2B14155550123`, headers: { cookie: sam } },
    { name: 'token', what: 'GET /api/agents/alice (API token)', url: `${tenor}/api/agents/alice`, headers: { authorization: `Bearer ${token}` } },
    { name: 'basic', what: 'GET /api/agents/alice (Basic, cached)', url: `${tenor}/api/agents/alice`, headers: { authorization: aliceBasic } },
    { name: 'health', what: 'GET /health', url: `${tenor}/health`, headers: {} },
  ];
}

function measure(target) {
  return new Promise((resolve, reject) => {
    autocannon({ url: target.url, headers: target.headers, connections, duration, pipelining: 1 }, (err, result) => {
      if (err) reject(err);
      else resolve({ rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors + result.timeouts });
    });
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

const tenor = await startTenor();
const reference = await startReference();
let list = await targets(tenor, reference);
if (args.only) list = list.filter((t) => t.name === 'reference' || args.only.split(',').includes(t.name));
for (const t of list) {
  const check = await fetch(t.url, { headers: t.headers });
  await check.arrayBuffer();
  if (check.status !== 200) process.stderr.write(`warning: ${t.what} answers ${check.status}\n`);
}
const results = new Map(list.map((t) => [t.name, []]));
for (let round = 1; round <= rounds; round++) {
  for (const t of list) {
    const load = os.loadavg()[0].toFixed(2);
    const r = await measure(t);
    results.get(t.name).push({ ...r, load });
    process.stderr.write(`round ${round} ${t.name.padEnd(10)} ${Math.round(r.rps)} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms  (load ${load} before)\n`);
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
    'p50 ms': mid.p50, 'p99 ms': mid.p99, 'non-2xx': mid.non2xx + mid.errors, 'vs reference': (rps / refRps).toFixed(2), 'load before': runs.map((r) => r.load).join(' '),
  };
});
process.stdout.write(`\nHTTP, ${connections} connections, ${duration} s per target, ${rounds} round(s), ${new Date().toISOString()}, ${os.cpus().length} cores, node ${process.version}\n`);
console.table(rows);
await stopChildren();
process.exit(0);
