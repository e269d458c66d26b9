// The pieces of the request path made cheaper in issue 19's second HTTP pass
// keep what they did: the session cookie is found as before (quoted, among
// others, not by a name that merely ends like it), an error logged through
// request.log still carries the request id, and responses serialised from the
// simplified schemas are byte for byte what the routes' own schemas give.

import { Writable } from 'node:stream';
import t from 'tap';
import { Type } from '@sinclair/typebox';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import { createLogger } from '../../src/core/logger.js';
import { ServiceManager } from '../../src/core/service-manager.js';
import { readCookie } from '../../src/http/cookies.js';
import { forSerialization } from '../../src/http/response-serializers.js';
import { createShell } from '../../src/http/shell.js';
import { Me } from '../../src/services/sessions/routes.js';
import { AgentView } from '../../src/services/acd/routes.js';

t.test('readCookie finds the session cookie as before', async (t) => {
  t.equal(readCookie('tenor_session=abc', 'tenor_session'), 'abc');
  t.equal(readCookie('theme=dark;  tenor_session = abc ; lang=en', 'tenor_session'), 'abc', 'spaces around name and value');
  t.equal(readCookie('tenor_session="abc"', 'tenor_session'), 'abc', 'a quoted value');
  t.equal(readCookie('xtenor_session=evil; tenor_session=good', 'tenor_session'), 'good', 'not a cookie whose name only ends like it');
  t.equal(readCookie('tenor_session_old=old', 'tenor_session'), undefined, 'not a cookie whose name only starts like it');
  t.equal(readCookie('tenor_session=', 'tenor_session'), undefined, 'empty is absent');
  t.equal(readCookie('flag; tenor_session=abc', 'tenor_session'), 'abc', 'a part without "=" is skipped');
  t.equal(readCookie('a=1=2; tenor_session=x=y', 'tenor_session'), 'x=y', 'the value runs to the next ";"');
  t.equal(readCookie(undefined, 'tenor_session'), undefined);
  t.equal(readCookie('theme=dark', 'tenor_session'), undefined);
});

t.test('an error logged through request.log carries the request id; a request that logs nothing writes nothing', async (t) => {
  const lines: string[] = [];
  const logger = createLogger('info', new Writable({ write: (chunk: Buffer, _e, done) => { lines.push(chunk.toString()); done(); } }));
  const app = createShell({ services: new ServiceManager({ logger }), logger: logger.child({ component: 'http' }), trustProxy: false, allowedOrigins: [] });
  app.get('/quiet', async () => ({ ok: true }));
  app.get('/boom', async () => {
    throw new Error('kaboom');
  });
  t.teardown(() => app.close());
  await app.ready();
  t.equal((await app.inject('/quiet')).statusCode, 200);
  t.same(lines, [], 'nothing logged for a request that logs nothing');
  const answer = await app.inject('/boom');
  t.equal(answer.statusCode, 500);
  const line = JSON.parse(lines.find((l) => l.includes('unhandled error')) ?? '{}') as { reqId?: string; component?: string; level?: number; err?: { message?: string } };
  t.match(line, { component: 'http', level: 50, err: { message: 'kaboom' } }, 'the error line, with the logger bindings');
  t.type(line.reqId, 'string', 'and the request id');
  t.ok((line.reqId ?? '').length > 0);
});

t.test('responses serialised from the simplified schemas are the same bytes', async (t) => {
  const compile = SerializerSelector()(undefined, undefined);
  const route = (schema: unknown) => ({ method: 'GET', url: '/', httpStatus: '200', schema });
  const cases: [string, unknown, unknown[]][] = [
    ['Me', Me, [
      { user: { username: 'alice', displayName: 'Alice "A" \u2028', role: 'agent' }, agent: 'alice', via: 'session', csrfToken: 'x', expiresAt: '2026-12-06T15:00:00.000Z', mayHearRecordings: false },
      { user: { username: 'token:1', displayName: 'bot', role: 'admin' }, agent: null, via: 'token', csrfToken: null, expiresAt: null, mayHearRecordings: true },
    ]],
    ['AgentView', AgentView, [
      { sipSecret: 'set', sipDigest: 'sha-256', login: 'bob', name: 'Bob', device: { type: 'softphone' }, skills: { fr: 3 }, queues: [{ queue: 'sales', penalty: 1 }], state: 'ready', reason: '', since: '2026-12-06T15:00:00.000Z', callId: 'c1', pending: null },
      { sipSecret: 'none', login: 'eve', name: 'Eve', device: { type: 'sip', user: 'eve' }, skills: {}, queues: [], state: 'logged-out', reason: 'lunch', since: '2026-12-06T15:00:00.000Z', callId: null, pending: null },
    ]],
  ];
  for (const [name, schema, values] of cases) {
    const before = compile(route(schema));
    const after = compile(route(forSerialization(schema)));
    for (const value of values) t.equal(after(value), before(value), `${name}: same JSON`);
  }
  t.same(
    forSerialization(Type.Object({ role: Type.Union([Type.Literal('a'), Type.Literal('b')]), at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]), n: Type.Union([Type.Integer(), Type.Null()]) })),
    { type: 'object', required: ['role', 'at', 'n'], properties: { role: { type: 'string', enum: ['a', 'b'] }, at: { type: ['string', 'null'], format: 'date-time' }, n: { type: ['integer', 'null'] } } },
    'literal unions become an enum, nullable scalars a type pair',
  );
  const mixed = Type.Union([Type.Object({ a: Type.String() }), Type.Null()]);
  t.same(forSerialization(mixed), JSON.parse(JSON.stringify(mixed)), 'a nullable object is left as a union');
  const original = JSON.stringify(Me);
  forSerialization(Me);
  t.equal(JSON.stringify(Me), original, 'the route schema itself is not changed (the OpenAPI document comes from it)');
});
