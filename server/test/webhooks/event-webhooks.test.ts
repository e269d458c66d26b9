// Outbound event webhooks over real HTTP on a real SQLite file, delivered to a
// real receiver on 127.0.0.1: an agent's state change arrives signed (checked
// with the documented algorithm, and a tampered body or an old timestamp
// fails); a receiver answering 500 gets retries and the delivery ends in the
// dead-letter list after the configured attempts, from where "retry now"
// delivers it; a 4xx is not retried; a pending delivery survives a restart;
// only admins reach any of it and no answer carries a secret.

import t, { type Test } from 'tap';
import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { basic, seedPeople, startAccessServer, type AccessServer } from '../access/harness.js';
import { tempDir, testConfig } from '../helpers.js';
import { backoffMs, parseRetryAfter } from '../../src/services/event-webhooks/attempt.js';
import { verifySignature } from '../../src/services/event-webhooks/index.js';
import { startReceiver, type Received } from './receiver.js';

const ADMIN = basic('admin', 'pw-admin-secret');
const SECRET = 'whsec-test-0123456789abcdef';

async function api(server: AccessServer, method: string, url: string, body?: unknown, auth = ADMIN): Promise<{ status: number; json: unknown; text: string }> {
  const res = await fetch(`${server.url}${url}`, {
    method,
    headers: { authorization: auth, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as unknown) : null, text };
}

/** A site file with the delivery settings a test needs (short retry delays). */
function siteConfig(t: Test, webhooks: object) {
  const file = path.join(tempDir(t, 'tenor-webhooks-site-'), 'site.yaml');
  writeFileSync(file, JSON.stringify({ webhooks }));
  return testConfig(t, { TENOR_CONFIG: file });
}

interface DeadLetter { id: string; subscriptionId: string; type: string; attempts: number; lastError: string; body: { id: string; type: string } }

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const deadLetters = async (server: AccessServer) => (await api(server, 'GET', '/api/admin/webhook-dead-letters')).json as DeadLetter[];

/** The receiver's side, written as docs/webhooks.md shows it. */
function receiverVerifies(secret: string, r: { body: string; signature: string }, nowSeconds = Math.floor(Date.now() / 1000)): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(r.signature);
  if (!m) return false;
  if (Math.abs(nowSeconds - Number(m[1])) > 300) return false;
  const expected = createHmac('sha256', secret).update(`${m[1]}.${r.body}`).digest('hex');
  return expected === m[2];
}

const header = (r: Received, name: string): string => String(r.headers[name] ?? '');

t.test('an agent state change arrives signed; a tampered body or an old timestamp fails; the secret is never shown', async (t) => {
  const receiver = await startReceiver(t);
  const server = await startAccessServer(t, { config: siteConfig(t, { delivery: { retryBaseMs: 50 } }) });
  await seedPeople(server);

  const saved = await api(server, 'PUT', '/api/admin/webhooks/crm', { url: receiver.url, events: ['agent_state_changed'], secret: SECRET });
  t.equal(saved.status, 200);
  t.same(saved.json, { id: 'crm', url: receiver.url, events: ['agent_state_changed'], enabled: true, origin: 'api', hasSecret: true });
  const listed = await api(server, 'GET', '/api/admin/webhooks');
  t.same(listed.json, [saved.json], 'listed');
  t.notOk(saved.text.includes(SECRET) || listed.text.includes(SECRET), 'no answer carries the secret');

  t.equal((await api(server, 'POST', '/api/agents/ann/state', { state: 'ready' }, basic('ann', 'ann-password'))).status, 200, 'ann goes ready');
  const [got] = await receiver.waitFor(1);
  if (!got) throw new Error('unreachable');
  const body = JSON.parse(got.body) as { id: string; type: string; at: string; data: { login: string; to: string } };
  t.match(body, { type: 'agent_state_changed', data: { login: 'ann', to: 'ready' } }, 'the event as the body');
  t.match(body.at, /^\d{4}-\d\d-\d\dT/, 'with its time');
  t.equal(header(got, 'tenor-delivery'), body.id, 'the delivery id in a header, for idempotency');
  t.equal(header(got, 'tenor-event'), 'agent_state_changed');
  t.equal(header(got, 'content-type'), 'application/json');

  const signature = header(got, 'tenor-signature');
  t.ok(receiverVerifies(SECRET, { body: got.body, signature }), 'the signature verifies with the documented algorithm');
  t.ok(verifySignature(SECRET, got.body, signature, Math.floor(Date.now() / 1000)), 'and with the exported helper');
  t.notOk(receiverVerifies(SECRET, { body: got.body.replace('"ann"', '"bob"'), signature }), 'a tampered body fails');
  t.notOk(receiverVerifies('another-secret-0123456789', { body: got.body, signature }), 'another secret fails');
  t.notOk(receiverVerifies(SECRET, { body: got.body, signature }, Math.floor(Date.now() / 1000) + 3600), 'an hour later the timestamp is too old');
  t.notOk(verifySignature(SECRET, got.body, signature, Math.floor(Date.now() / 1000) + 3600), 'the helper rejects it too');

  // Editing without a secret keeps it: the next delivery is signed with the same one.
  t.equal((await api(server, 'PUT', '/api/admin/webhooks/crm', { url: receiver.url, events: ['agent_state_changed', 'call_ended'] })).status, 200);
  t.equal((await api(server, 'POST', '/api/agents/ann/state', { state: 'break', reason: 'lunch' }, basic('ann', 'ann-password'))).status, 200);
  const [, second] = await receiver.waitFor(2);
  if (!second) throw new Error('unreachable');
  t.ok(receiverVerifies(SECRET, { body: second.body, signature: header(second, 'tenor-signature') }), 'the kept secret signs');
  t.not(JSON.parse(second.body).id, body.id, 'each delivery has its own id');

  // Disabled: no more deliveries.
  t.equal((await api(server, 'PUT', '/api/admin/webhooks/crm', { url: receiver.url, events: ['agent_state_changed'], enabled: false })).status, 200);
  t.equal((await api(server, 'POST', '/api/agents/ann/state', { state: 'ready' }, basic('ann', 'ann-password'))).status, 200);
  await server.services.get('eventWebhooks').settled();
  t.equal((await server.services.get('eventWebhooks').figures()).pending, 0, 'nothing queued for a disabled subscription');
  t.equal(receiver.received.length, 2);
});

t.test('a receiver answering 500 gets retries, then the dead-letter list; retry now delivers once fixed; a 4xx is not retried', async (t) => {
  const receiver = await startReceiver(t);
  receiver.answer = { status: 500 };
  const server = await startAccessServer(t, { config: siteConfig(t, { delivery: { attempts: 3, retryBaseMs: 50 } }) });
  await seedPeople(server);
  t.equal((await api(server, 'PUT', '/api/admin/webhooks/erp', { url: receiver.url, events: ['agent_state_changed'], secret: SECRET })).status, 200);

  t.equal((await api(server, 'POST', '/api/agents/ann/state', { state: 'ready' }, basic('ann', 'ann-password'))).status, 200);
  const dead = await until('a dead letter', async () => (await deadLetters(server))[0]);
  t.equal(receiver.received.length, 3, 'three attempts, as configured');
  const ids = new Set(receiver.received.map((r) => header(r, 'tenor-delivery')));
  t.same([...ids], [dead.id], 'all of the same delivery (same id, same body)');
  t.equal(new Set(receiver.received.map((r) => r.body)).size, 1);
  t.match(dead, { subscriptionId: 'erp', type: 'agent_state_changed', attempts: 3, lastError: 'answered 500', body: { id: dead.id, type: 'agent_state_changed' } }, 'listed with its last error');

  const metrics = await fetch(`${server.url}/metrics`, { headers: { authorization: ADMIN } }).then((r) => r.text());
  t.match(metrics, /^tenor_webhook_dead_letters_total 1$/m, 'counted in /metrics');
  t.match(metrics, /^tenor_webhook_attempts_failed_total 3$/m);
  t.match(metrics, /^tenor_webhook_queue_depth 0$/m);

  receiver.answer = { status: 204 };
  t.equal((await api(server, 'POST', `/api/admin/webhook-dead-letters/${dead.id}/retry`)).status, 202, 'retry now');
  await receiver.waitFor(4);
  t.equal(header(receiver.received[3] as Received, 'tenor-delivery'), dead.id, 'the same delivery, delivered');
  await until('the dead letter gone', async () => ((await deadLetters(server)).length === 0 ? true : undefined));
  t.equal((await api(server, 'POST', `/api/admin/webhook-dead-letters/${dead.id}/retry`)).status, 404, 'nothing left to retry');

  // A 4xx is the receiver's final word: one attempt, then the dead-letter list; discard removes it.
  receiver.answer = { status: 410 };
  t.equal((await api(server, 'POST', '/api/agents/ann/state', { state: 'break', reason: 'lunch' }, basic('ann', 'ann-password'))).status, 200);
  const gone = await until('a dead letter', async () => (await deadLetters(server))[0]);
  t.match(gone, { attempts: 1, lastError: 'answered 410' }, 'not retried');
  t.equal(receiver.received.length, 5);
  t.equal((await api(server, 'DELETE', `/api/admin/webhook-dead-letters/${gone.id}`)).status, 204, 'discarded');
  t.same(await deadLetters(server), []);
  t.equal((await api(server, 'DELETE', `/api/admin/webhook-dead-letters/${gone.id}`)).status, 404);
});

t.test('retry delays double with jitter and stay below the cap; Retry-After is read in both forms', async (t) => {
  for (let attempts = 1; attempts < 8; attempts++) {
    t.ok(backoffMs(attempts, 100, 60_000, () => 1) < backoffMs(attempts + 1, 100, 60_000, () => 0), `the longest delay after attempt ${attempts} is shorter than the shortest after ${attempts + 1}`);
  }
  t.equal(backoffMs(30, 100, 60_000, () => 0.5), 60_000, 'capped');
  const now = Date.parse('2026-12-05T12:00:00Z');
  t.equal(parseRetryAfter('120', now), 120_000, 'Retry-After in seconds');
  t.equal(parseRetryAfter('Sat, 05 Dec 2026 12:00:30 GMT', now), 30_000, 'Retry-After as an HTTP date');
  t.equal(parseRetryAfter('soon', now), undefined, 'an unreadable Retry-After is ignored (the backoff applies)');
  t.equal(parseRetryAfter(null, now), undefined);
});

t.test('a pending delivery survives a restart; Retry-After is honoured', async (t) => {
  const receiver = await startReceiver(t);
  receiver.answer = { status: 503, headers: { 'retry-after': '2' } };
  const config = siteConfig(t, { delivery: { attempts: 5, retryBaseMs: 50 } });
  let server = await startAccessServer(t, { config });
  await seedPeople(server);
  t.equal((await api(server, 'PUT', '/api/admin/webhooks/dw', { url: receiver.url, events: ['agent_state_changed'], secret: SECRET })).status, 200);
  t.equal((await api(server, 'POST', '/api/agents/ann/state', { state: 'ready' }, basic('ann', 'ann-password'))).status, 200);
  const [first] = await receiver.waitFor(1);
  await until('the failed attempt recorded', async () => ((await server.services.get('eventWebhooks').figures()).failedAttempts === 1 ? true : undefined));
  t.equal(receiver.received.length, 1, 'not retried before its Retry-After');
  await server.stop();

  receiver.answer = { status: 200 };
  server = await startAccessServer(t, { config });
  const [, again] = await receiver.waitFor(2);
  t.equal(header(again as Received, 'tenor-delivery'), header(first as Received, 'tenor-delivery'), 'the same delivery, sent after the restart');
  t.equal((again as Received).body, (first as Received).body, 'with the same body');
  t.same((await api(server, 'GET', '/api/admin/webhooks')).json, [{ id: 'dw', url: receiver.url, events: ['agent_state_changed'], enabled: true, origin: 'api', hasSecret: true }], 'the subscription persisted');
  t.ok(receiverVerifies(SECRET, { body: (again as Received).body, signature: header(again as Received, 'tenor-signature') }), 'signed with the sealed secret read back');
});

t.test('site-file subscriptions: secret from the environment, origin config; unknown events refused with the path', async (t) => {
  const receiver = await startReceiver(t);
  const file = path.join(tempDir(t, 'tenor-webhooks-site-'), 'site.yaml');
  const fileSecret = 'secret-from-a-file-0123456789';
  writeFileSync(path.join(path.dirname(file), 'wf.secret'), `${fileSecret}\n`, { mode: 0o600 });
  writeFileSync(file, JSON.stringify({ webhooks: { subscriptions: [
    { id: 'wh', url: receiver.url, events: ['call_ended', 'alert_raised'], secretEnv: 'WH_SECRET' },
    { id: 'wf', url: receiver.url, events: ['agent_state_changed'], secretFile: 'wf.secret' },
  ] } }));
  // The service reads secretEnv from the server's environment when it starts.
  process.env.WH_SECRET = SECRET;
  t.teardown(() => delete process.env.WH_SECRET);
  const server = await startAccessServer(t, { config: testConfig(t, { TENOR_CONFIG: file }) });
  t.same((await api(server, 'GET', '/api/admin/webhooks')).json, [
    { id: 'wf', url: receiver.url, events: ['agent_state_changed'], enabled: true, origin: 'config', hasSecret: true },
    { id: 'wh', url: receiver.url, events: ['call_ended', 'alert_raised'], enabled: true, origin: 'config', hasSecret: true },
  ]);
  await seedPeople(server);
  t.equal((await api(server, 'POST', '/api/agents/ann/state', { state: 'ready' }, basic('ann', 'ann-password'))).status, 200);
  const [fromFile] = await receiver.waitFor(1);
  t.ok(receiverVerifies(fileSecret, { body: (fromFile as Received).body, signature: header(fromFile as Received, 'tenor-signature') }), 'signed with the secret read from secretFile (relative to the site file)');

  writeFileSync(file, JSON.stringify({ webhooks: { subscriptions: [{ id: 'wh', url: receiver.url, events: ['call_ended', 'call_finished'], secret: SECRET }] } }));
  t.throws(() => testConfig(t, { TENOR_CONFIG: file }), /webhooks\.subscriptions\.0\.events\.1: 'call_finished' is not an event webhooks deliver/, 'the file is refused, naming the path');
  writeFileSync(file, JSON.stringify({ webhooks: { subscriptions: [{ id: 'wh', url: receiver.url, events: ['call_ended'] }] } }));
  t.throws(() => testConfig(t, { TENOR_CONFIG: file }), /webhooks\.subscriptions\.0: give exactly one of secret, secretEnv and secretFile/, 'a subscription without a secret is refused');

  const bad = await api(server, 'PUT', '/api/admin/webhooks/x', { url: receiver.url, events: ['call_ended', 'nope'], secret: SECRET });
  t.equal(bad.status, 400);
  t.match(bad.json, { error: { code: 'TENOR_ERR_VALIDATION', message: /events\.1: 'nope' is not an event webhooks deliver/ } });
  t.equal((await api(server, 'PUT', '/api/admin/webhooks/x', { url: receiver.url, events: ['call_ended'] })).status, 400, 'a new subscription needs a secret');
  t.equal((await api(server, 'PUT', '/api/admin/webhooks/x', { url: receiver.url, events: ['call_ended'], secret: 'short' })).status, 400, 'a short secret is refused');
  t.equal((await api(server, 'PUT', '/api/admin/webhooks/x', { url: 'file:///etc/passwd', events: ['call_ended'], secret: SECRET })).status, 400, 'only http(s) URLs');
  t.equal((await api(server, 'PUT', '/api/admin/webhooks/bad%20id', { url: receiver.url, events: ['call_ended'], secret: SECRET })).status, 400, 'an invalid id');
  const events = (await api(server, 'GET', '/api/admin/webhooks/events')).json as { type: string }[];
  t.same(events.map((e) => e.type), ['call_arrived', 'call_answered', 'call_abandoned', 'call_ended', 'agent_state_changed', 'voicemail_received',
    'callback_requested', 'callback_scheduled', 'campaign_attempt', 'recording_started', 'recording_paused', 'recording_resumed', 'recording_stopped',
    'alert_raised', 'alert_cleared'], 'the deliverable events');

  const doc = (await fetch(`${server.url}/api/docs/json`).then((r) => r.json())) as { paths: Record<string, { get?: { responses?: Record<string, unknown> } }> };
  const deadLetterSchema = JSON.stringify(doc.paths['/api/admin/webhook-dead-letters']?.get?.responses?.['200'] ?? {});
  for (const type of ['call_ended', 'agent_state_changed', 'alert_raised', 'campaign_attempt']) t.ok(deadLetterSchema.includes(`"${type}"`), `the OpenAPI document describes the ${type} body`);
});

t.test('only admins: agents and supervisors are refused every webhooks route; no credentials, 401', async (t) => {
  const receiver = await startReceiver(t);
  const server = await startAccessServer(t);
  await seedPeople(server);
  t.equal((await api(server, 'PUT', '/api/admin/webhooks/crm', { url: receiver.url, events: ['call_ended'], secret: SECRET })).status, 200);
  const routes: [string, string, unknown?][] = [
    ['GET', '/api/admin/webhooks'], ['GET', '/api/admin/webhooks/events'],
    ['PUT', '/api/admin/webhooks/crm', { url: 'http://127.0.0.1:1/evil', events: ['call_ended'], secret: 'attacker-secret-123456' }],
    ['DELETE', '/api/admin/webhooks/crm'], ['GET', '/api/admin/webhook-dead-letters'],
    ['POST', '/api/admin/webhook-dead-letters/x/retry'], ['DELETE', '/api/admin/webhook-dead-letters/x'],
  ];
  for (const [method, url, body] of routes) {
    for (const who of ['ann', 'sue']) t.equal((await api(server, method, url, body, basic(who, `${who}-password`))).status, 403, `${who}: ${method} ${url} refused`);
    t.equal((await api(server, method, url, body, '')).status, 401, `anonymous: ${method} ${url} refused`);
  }
  t.same(((await api(server, 'GET', '/api/admin/webhooks')).json as { url: string }[]).map((s) => s.url), [receiver.url], 'the subscription is unchanged');
});
