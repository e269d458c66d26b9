// A link for anyone never hands a stranger the record behind a phone number,
// over real HTTP with a real SMTP server: the shipped payment-arrangement
// script run by someone who types a customer's number shows nothing stored and
// writes onto a new unverified contact; the owner who enters the code e-mailed
// to the address on record gets their data; codes are single use, burned
// after wrong tries, and limited per customer and per address; the SMS hook
// gets its values URL-encoded.

import t, { type Test } from 'tap';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SelfServiceSettings } from '../../src/services/scripts/settings.js';
import { startAccessServer, type AccessServer } from '../access/harness.js';
import { ADMIN_AUTH, testConfig } from '../helpers.js';
import { startSmtpServer, type ReceivedMail } from '../smtp.js';

const GRACE_PHONE = '+12125550142';

interface Site {
  server: AccessServer;
  smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  graceId: number;
  token: string;
  /** A public (anonymous) POST. */
  post(url: string, body: object): Promise<{ status: number; body: Record<string, unknown> & { error?: { code: string } }; retryAfter: string | null }>;
  /** A POST as the admin. */
  admin(url: string, body: object): Promise<{ status: number; body: Record<string, unknown> }>;
}

async function site(t: Test, selfService: SelfServiceSettings = {}): Promise<Site> {
  const smtp = await startSmtpServer(t);
  const config = { ...testConfig(t), smtp: { host: '127.0.0.1', port: smtp.port, from: 'tenor@example.test' }, selfService };
  const server = await startAccessServer(t, { config });
  const post = async (url: string, body: object, headers: Record<string, string> = {}) => {
    const res = await fetch(`${server.url}${url}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> & { error?: { code: string } }, retryAfter: res.headers.get('retry-after') };
  };
  const grace = await post('/api/customers', { name: 'Grace Hopper', phones: [GRACE_PHONE], emails: ['grace@example.test'], segment: 'B', custom: { balance: 1250, arrears_count: 1 } }, ADMIN_AUTH);
  const link = await post('/api/scripts/payment-arrangement/links', { validHours: 24 }, ADMIN_AUTH);
  t.equal(link.status, 201, 'the admin makes a link for anyone');
  return { server, smtp, graceId: (grace.body as { id: number }).id, token: String(link.body['token']), post: (url, body) => post(url, body), admin: (url, body) => post(url, body, ADMIN_AUTH) };
}

const codeIn = (mail: ReceivedMail): string => /code for .* is (\d{6})/.exec(mail.raw.replace(/=\r?\n/g, ''))?.[1] ?? '';

t.test('a stranger who types a customer\'s number sees nothing stored and cannot write onto the record', async (t) => {
  const s = await site(t);
  const started = await s.post('/api/self-service/sessions', { token: s.token, phone: '(212) 555-0142' });
  t.equal(started.status, 201, 'the run starts');
  t.equal(started.body['verified'], false, 'the run is not bound to anyone proven');
  const id = String(started.body['id']);
  const seen: string[] = [JSON.stringify(started.body)];
  const answer = async (value: unknown) => {
    const res = await s.post(`/api/self-service/sessions/${id}/answer`, { value });
    seen.push(JSON.stringify(res.body));
    return res.body as { session: { step: { id: string; kind?: string } }; errors: unknown[] };
  };
  await answer('income');
  await answer(100);
  await answer('3');
  const tomorrow = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
  const confirm = await answer(tomorrow);
  t.equal(confirm.session.step.id, 'confirm', 'walked to the confirmation');
  const end = await answer(true);
  t.match(end.session.step, { kind: 'end' }, 'the run ends');

  const everything = seen.join('\n');
  for (const secret of ['Grace', 'Hopper', '1250', 'grace@example.test']) t.notMatch(everything, secret, `the page never showed ${secret}`);

  const crm = s.server.services.get('crm');
  const grace = await crm.entity('Customer').get(s.graceId);
  t.notOk((grace['custom'] as Record<string, unknown>)['payment_plan'], "no payment plan was written onto Grace's record");
  t.same((await crm.history(s.graceId, { limit: 50, offset: 0 })).items.filter((i) => i['channel'] === 'web'), [], "nothing went on Grace's timeline");
  const contact = (await crm.entity('Customer').list({ where: { prospect: 'true' }, limit: 10, offset: 0 })).items.find((c) => c.id !== s.graceId);
  t.match(contact, { name: GRACE_PHONE, phones: [], custom: { unverified: true, webPhone: GRACE_PHONE, payment_plan: /^3 x 100 EUR/ } }, 'the plan went onto a new unverified contact');
  t.same((await crm.findCustomersByPhone(GRACE_PHONE)).map((c) => c.id), [s.graceId], 'a call from the number still finds Grace alone');
  t.same(s.smtp.messages, [], 'no e-mail went to the address on record');
});

t.test('the owner who enters the e-mailed code gets their data; a code works once', async (t) => {
  const s = await site(t);
  const mail = s.smtp.next();
  const asked = await s.post('/api/self-service/codes', { token: s.token, phone: '212-555-0142' });
  t.equal(asked.status, 202);
  const stranger = await s.post('/api/self-service/codes', { token: s.token, phone: '+12125550999' });
  t.same([stranger.status, Object.keys(stranger.body).sort()], [asked.status, Object.keys(asked.body).sort()], 'an unknown number gets the same answer');

  const received = await mail;
  t.same(received.to, ['grace@example.test'], 'the code went to the address on record');
  const code = codeIn(received);
  t.match(code, /^\d{6}$/);

  const started = await s.post('/api/self-service/sessions', { token: s.token, challenge: asked.body['challenge'] as string, code });
  t.equal(started.status, 201, 'the code starts the run');
  t.equal(started.body['verified'], true, 'bound to the proven customer');
  t.match(JSON.stringify(started.body), /Grace Hopper has an open balance of 1250 EUR/, 'the owner sees their balance');

  const again = await s.post('/api/self-service/sessions', { token: s.token, challenge: asked.body['challenge'] as string, code });
  t.same([again.status, again.body.error?.code], [403, 'TENOR_ERR_CODE_INVALID'], 'the code does not work twice');
  const guessForStranger = await s.post('/api/self-service/sessions', { token: s.token, challenge: stranger.body['challenge'] as string, code });
  t.same([guessForStranger.status, guessForStranger.body.error?.code], [403, 'TENOR_ERR_CODE_INVALID'], 'a challenge for an unknown number proves nothing');
});

t.test('wrong codes burn the code', async (t) => {
  const s = await site(t);
  const mail = s.smtp.next();
  const asked = await s.post('/api/self-service/codes', { token: s.token, phone: GRACE_PHONE });
  const code = codeIn(await mail);
  const wrong = code === '000000' ? '000001' : '000000';
  for (let i = 1; i <= 5; i++) {
    const res = await s.post('/api/self-service/sessions', { token: s.token, challenge: asked.body['challenge'] as string, code: wrong });
    t.same([res.status, res.body.error?.code], [403, 'TENOR_ERR_CODE_INVALID'], `wrong code ${i} refused`);
  }
  const late = await s.post('/api/self-service/sessions', { token: s.token, challenge: asked.body['challenge'] as string, code });
  t.same([late.status, late.body.error?.code], [403, 'TENOR_ERR_CODE_INVALID'], 'after 5 wrong tries even the right code is refused');
});

t.test('codes are limited per customer (silently) and per client address (429)', async (t) => {
  const s = await site(t, { codesPerCustomerPerHour: 2, codesPerAddressPerHour: 4 });
  await s.admin('/api/customers', { name: 'Alan', phones: ['+12125550177'], emails: ['alan@example.test'] });
  for (let i = 1; i <= 3; i++) t.equal((await s.post('/api/self-service/codes', { token: s.token, phone: GRACE_PHONE })).status, 202, `code ${i} for Grace answered as usual`);
  t.equal((await s.post('/api/self-service/codes', { token: s.token, phone: '+12125550177' })).status, 202);
  // Grace's third code is never sent (nothing is queued for it), so once Alan's arrived every send is in.
  const deadline = Date.now() + 20_000;
  const allIn = () => s.smtp.messages.some((m) => m.to.includes('alan@example.test')) && s.smtp.messages.length >= 3;
  while (!allIn() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  t.equal(s.smtp.messages.filter((m) => m.to.includes('grace@example.test')).length, 2, 'Grace got two codes, not three');
  const fifth = await s.post('/api/self-service/codes', { token: s.token, phone: GRACE_PHONE });
  t.same([fifth.status, fifth.body.error?.code], [429, 'TENOR_ERR_SELF_SERVICE_LIMIT'], 'the address is limited');
  t.ok(Number(fifth.retryAfter) > 0, 'with Retry-After');
});

t.test('the SMS hook gets the code with its values URL-encoded', async (t) => {
  const hits: { url: string; body: string }[] = [];
  let arrived: () => void = () => undefined;
  const got = new Promise<void>((resolve) => (arrived = resolve));
  const gateway = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      hits.push({ url: req.url ?? '', body });
      res.writeHead(200).end('queued');
      arrived();
    });
  });
  await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => gateway.close(() => resolve())));
  const port = (gateway.address() as AddressInfo).port;
  const s = await site(t, { sms: { url: `http://127.0.0.1:${port}/send?to={phone}&text={message}`, body: '{"to": "{phone}", "text": "{message}"}' } });
  await s.admin('/api/customers', { name: 'Ada', phones: ['+12125550188'] });
  const asked = await s.post('/api/self-service/codes', { token: s.token, phone: '+12125550188' });
  await got;
  const hit = hits[0];
  t.match(hit?.url, /^\/send\?to=%2B12125550188&text=Your%20code%20for%20%22Payment%20arrangement%22%20is%20\d{6}\./, 'values are URL-encoded in the URL');
  const sent = JSON.parse(hit?.body ?? '{}') as { to: string; text: string };
  t.equal(sent.to, '+12125550188');
  const code = /is (\d{6})\./.exec(sent.text)?.[1] ?? '';
  const started = await s.post('/api/self-service/sessions', { token: s.token, challenge: asked.body['challenge'] as string, code });
  t.equal(started.status, 201, 'the texted code proves the number');
  t.match(JSON.stringify(started.body), /Ada has an open balance/);
});
