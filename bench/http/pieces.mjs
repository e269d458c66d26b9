// The pieces of a session read, old way against new, in this process: CPU per
// call (process.cpuUsage, median of 5 runs), so each change of the second HTTP
// pass (docs/performance.md, "HTTP, second pass", and the third pass's date
// texts) has its own figure even when
// the machine is too loaded for end-to-end req/s to separate them.
//   npm run build && node bench/http/pieces.mjs [--calls 200000]

import { createHash, hash } from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { Writable } from 'node:stream';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import { createLogger } from '../../server/dist/core/logger.js';
import { readCookie } from '../../server/dist/http/cookies.js';
import { LazyRequestLogger } from '../../server/dist/http/request-logger.js';
import { forSerialization } from '../../server/dist/http/response-serializers.js';
import { Me, expiryText } from '../../server/dist/services/sessions/routes.js';
import { AgentView, sinceText } from '../../server/dist/services/acd/routes.js';
import { Agent } from '../../server/dist/services/acd/agent-state.js';
import { median } from './common.mjs';

const { values: args } = parseArgs({ options: { calls: { type: 'string', default: '200000' } } });
const calls = Number(args.calls);

/** CPU µs per call of fn, median of 5 runs of `calls` calls (after one warm-up run). */
function cost(fn) {
  const runs = [];
  for (let run = 0; run < 6; run++) {
    const start = process.cpuUsage();
    for (let i = 0; i < calls; i++) fn(i);
    const used = process.cpuUsage(start);
    if (run > 0) runs.push((used.user + used.system) / calls);
  }
  return median(runs);
}

// The cookie parser as it was: split, trim, regex.
function readCookieBefore(header, name) {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    return value === '' ? undefined : value;
  }
  return undefined;
}

const sessionId = 'pE_fqcYptW6hGgKIEsrlBo9rG_c1WI1kKX8wAL-Rnwo';
const cookieHeader = `theme=dark; tenor_session=${sessionId}`;
const logger = createLogger('warn', new Writable({ write: (_c, _e, cb) => cb() })).child({ component: 'http' });
const compile = SerializerSelector()(undefined, undefined);
const route = (schema) => ({ method: 'GET', url: '/', httpStatus: '200', schema });
const me = {
  user: { username: 'alice', displayName: 'Alice Agent', role: 'agent' }, agent: 'alice', via: 'session',
  csrfToken: 'Vx2hY0bq7lS1n8d3kq0cZ5Jm4pF6tW9rVx2hY0bq7lS', expiresAt: new Date().toISOString(), mayHearRecordings: false,
};
const agent = {
  sipSecret: 'set', sipDigest: 'sha-256', login: 'alice', name: 'Alice Agent', device: { type: 'softphone' }, skills: {},
  queues: [{ queue: 'sales', penalty: 0 }, { queue: 'support', penalty: 0 }], state: 'logged-out', reason: '', since: new Date().toISOString(), callId: null, pending: null,
};
const serializeMeBefore = compile(route(Me));
const serializeMeAfter = compile(route(forSerialization(Me)));
const serializeAgentBefore = compile(route(AgentView));
const serializeAgentAfter = compile(route(forSerialization(AgentView)));
// A session view as the session store hands it to every request of the session (one frozen object until a touch).
const sessionView = Object.freeze({ idHash: 'h', username: 'alice', csrfToken: me.csrfToken, createdAt: Date.now(), lastSeenAt: Date.now(), expiresAt: Date.now() + 1_800_000 });
const alice = new Agent({ login: 'alice', name: 'Alice Agent', device: { type: 'softphone' }, skills: {}, queues: [] }, Date.now());
if (expiryText(sessionView) !== new Date(sessionView.expiresAt).toISOString() || sinceText(alice) !== new Date(alice.stateSince).toISOString()) throw new Error('the date texts disagree');
if (serializeMeBefore(me) !== serializeMeAfter(me) || serializeAgentBefore(agent) !== serializeAgentAfter(agent)) throw new Error('the serialisers disagree');

const pieces = [
  ['session id hash', () => createHash('sha256').update(sessionId).digest('hex'), () => hash('sha256', sessionId, 'hex')],
  ['session cookie parse', () => readCookieBefore(cookieHeader, 'tenor_session'), () => readCookie(cookieHeader, 'tenor_session')],
  ['request logger (not logged to)', (i) => logger.child({ reqId: `req-${i}` }, {}), (i) => new LazyRequestLogger(logger, { reqId: `req-${i}` }, {})],
  ['serialise GET /api/auth/me', () => serializeMeBefore(me), () => serializeMeAfter(me)],
  ['serialise GET /api/agents/:login', () => serializeAgentBefore(agent), () => serializeAgentAfter(agent)],
  ["/api/auth/me's expiresAt text", () => new Date(sessionView.expiresAt).toISOString(), () => expiryText(sessionView)],
  ["an agent view's since text", () => new Date(alice.stateSince).toISOString(), () => sinceText(alice)],
];
const rows = pieces.map(([what, before, after]) => {
  const b = cost(before);
  const a = cost(after);
  return { piece: what, 'before µs': b.toFixed(3), 'after µs': a.toFixed(3), 'saved µs': (b - a).toFixed(3) };
});
process.stdout.write(`pieces, ${calls} calls per run, median of 5, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
console.table(rows);
