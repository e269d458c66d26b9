// A dialogue script end to end over HTTP: an admin saves it, a customer opens a
// signed link, answers on the public API, and every action of the script
// reaches the real thing: an SMTP server, an HTTP server, the database.

import t, { type Test } from 'tap';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TenorApp } from '../../src/http/app.js';
import type { ServiceManager } from '../../src/core/service-manager.js';
import { ADMIN_AUTH, startTestApp, testConfig } from '../helpers.js';
import { startSmtpServer } from '../smtp.js';

const ADMIN = ADMIN_AUTH;

async function webhookServer(t: Test): Promise<{ url: string; calls: { method: string; body: string }[] }> {
  const calls: { method: string; body: string }[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      calls.push({ method: req.method ?? '', body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, calls };
}

function script(version: string, webhookUrl: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<script id="meter-reading" version="${version}" title="Send a meter reading v${version}" start="ask">
  <step id="ask" title="Your reading">
    <info>Hello \${customer.name}.</info>
    <question id="kwh" type="number" required="true" min="0" max="999999">
      <prompt>What does your meter show (kWh)?</prompt>
    </question>
    <go to="damaged"/>
  </step>
  <step id="damaged">
    <question id="broken" type="yesno"><prompt>Is the meter damaged?</prompt></question>
    <go to="escalated" when="answer.broken">
      <create-case code="FAULT" description="Damaged meter, reading \${answer.kwh}"/>
      <send-email to="field-team@example.test" subject="Damaged meter">Customer \${customer.name} reads \${answer.kwh} kWh.</send-email>
      <webhook url="${webhookUrl}">{"reading": \${answer.kwh}}</webhook>
      <update-field entity="customer" field="custom.last_reading" value="\${answer.kwh}"/>
      <update-field entity="customer" field="segment" value="A"/>
      <set-disposition code="meter-escalated"/>
    </go>
    <go to="noted"/>
  </step>
  <end id="escalated" outcome="escalated" title="A technician will call you"/>
  <end id="noted" outcome="reading-noted" title="Thank you"/>
</script>
`;
}

async function setup(t: Test): Promise<{ app: TenorApp; services: ServiceManager; smtp: Awaited<ReturnType<typeof startSmtpServer>> }> {
  const smtp = await startSmtpServer(t);
  const config = { ...testConfig(t), smtp: { host: '127.0.0.1', port: smtp.port, from: 'tenor@example.test' } };
  const { app, services } = await startTestApp(t, { config });
  return { app, services, smtp };
}

t.test('self-service end to end: link, answers, outcome, actions, and the customer history', async (t) => {
  const { app, services, smtp } = await setup(t);
  const hook = await webhookServer(t);

  const saved = await app.inject({ method: 'PUT', url: '/api/scripts/meter-reading', headers: { ...ADMIN, 'content-type': 'application/xml' }, payload: script('1', hook.url) });
  t.equal(saved.statusCode, 200, saved.body);

  // A link for anyone: the customer gives their number, which is unknown, so they become a prospect.
  const link = await app.inject({ method: 'POST', url: '/api/scripts/meter-reading/links', headers: ADMIN, payload: {} });
  t.equal(link.statusCode, 201);
  const { token, path } = link.json() as { token: string; path: string };
  const page = await app.inject(path);
  t.equal(page.statusCode, 200);
  t.match(page.headers['content-type'], /text\/html/);
  t.match((await app.inject(`/api/self-service/links/${token}`)).json(), { title: 'Send a meter reading v1', needsPhone: true });

  const tampered = await app.inject({ method: 'POST', url: '/api/self-service/sessions', payload: { token: token.slice(0, -2) + 'xx', phone: '+14155550199' } });
  t.equal(tampered.statusCode, 403);
  t.equal(tampered.json().error.code, 'TENOR_ERR_LINK_INVALID');

  const started = await app.inject({ method: 'POST', url: '/api/self-service/sessions', payload: { token, phone: '(415) 555-0199' } });
  t.equal(started.statusCode, 201, started.body);
  const session = started.json() as { id: string; step: { id: string; info: string[] } };
  t.same(session.step.info, ['Hello +14155550199.'], 'the step is filled in with the customer');

  const answer = (value: unknown) => app.inject({ method: 'POST', url: `/api/self-service/sessions/${session.id}/answer`, payload: { value } });
  const invalid = await answer(-5);
  t.match(invalid.json(), { errors: [{ code: /.+/ }], session: { step: { id: 'ask' } } }, 'an invalid answer is refused and the run stays');
  t.match((await answer(12345)).json(), { errors: [], session: { step: { id: 'damaged' } } });
  const mailArrived = smtp.next();
  const done = await answer(true);
  t.match(done.json(), { session: { status: 'done', outcome: 'escalated', step: { kind: 'end', title: 'A technician will call you' } } });

  // The actions reached the real things.
  const mail = await mailArrived;
  t.same(mail.to, ['field-team@example.test']);
  t.match(mail.raw, /Customer \+14155550199 reads 12345 kWh\./);
  t.same(hook.calls, [{ method: 'POST', body: '{"reading": 12345}' }]);
  const crm = services.get('crm');
  const [customer] = await crm.findCustomersByPhone('+14155550199');
  t.match(customer, { prospect: true, segment: 'A', custom: { last_reading: 12345 } }, 'fields updated, the number kept its type');
  const cases = await crm.entity('Case').list({ where: { customer: customer?.id ?? 0 } });
  t.match(cases.items, [{ code: 'FAULT', description: 'Damaged meter, reading 12345', status: 'open' }]);
  t.ok(Math.abs(Date.parse(String(cases.items[0]?.['dueAt'])) - (Date.now() + 4 * 3_600_000)) < 60_000, 'the case is due by its SLA');

  // The run is on the customer's timeline.
  const history = (await app.inject({ url: `/api/customers/${customer?.id}/history`, headers: ADMIN })).json() as { items: Record<string, unknown>[] };
  const web = history.items.find((i) => i['channel'] === 'web');
  t.match(web, { outcome: 'escalated', disposition: 'meter-escalated', scriptAnswers: { kwh: 12345, broken: true }, notes: /Send a meter reading v1 \(web self-service\)/ });

  // The agent-side view shows every action's result.
  const full = (await app.inject({ url: `/api/script-sessions/${session.id}`, headers: ADMIN })).json() as { actions: { type: string; ok: boolean }[] };
  t.same(full.actions.map((a) => [a.type, a.ok]), [
    ['create-case', true], ['send-email', true], ['webhook', true], ['update-field', true], ['update-field', true], ['set-disposition', true],
  ]);
});

t.test('scripts are checked before they go live; a saved version serves the next run, a running one keeps its own', async (t) => {
  const { app } = await setup(t);
  const broken = script('1', 'http://127.0.0.1:9/hook').replace('<go to="noted"/>', '<go to="nowhere"/>');
  const check = await app.inject({ method: 'POST', url: '/api/scripts/check', headers: { ...ADMIN, 'content-type': 'application/xml' }, payload: broken });
  const checked = check.json() as { ok: boolean; problems: { line: number; column: number; message: string }[] };
  t.equal(checked.ok, false);
  t.match(checked.problems[0], { line: 20, column: 13, message: "step 'damaged': <go> leads to unknown step 'nowhere'" }, 'the problem with its line and column');
  const refused = await app.inject({ method: 'PUT', url: '/api/scripts/meter-reading', headers: { ...ADMIN, 'content-type': 'application/xml' }, payload: broken });
  t.equal(refused.statusCode, 400);
  t.equal(refused.json().error.code, 'TENOR_ERR_SCRIPT_INVALID');
  t.equal((await app.inject({ url: '/api/scripts/meter-reading', headers: ADMIN })).statusCode, 404, 'nothing went live');
  const wrongId = await app.inject({ method: 'PUT', url: '/api/scripts/other', headers: { ...ADMIN, 'content-type': 'application/xml' }, payload: script('1', 'http://x') });
  t.equal(wrongId.statusCode, 400);

  await app.inject({ method: 'PUT', url: '/api/scripts/meter-reading', headers: { ...ADMIN, 'content-type': 'application/xml' }, payload: script('1', 'http://127.0.0.1:9/hook') });
  const customer = (await app.inject({ method: 'POST', url: '/api/customers', headers: ADMIN, payload: { name: 'Ada' } })).json() as { id: number };
  const first = (await app.inject({ method: 'POST', url: '/api/script-sessions', headers: ADMIN, payload: { scriptId: 'meter-reading', customerId: customer.id } })).json() as { id: string; title: string };
  t.equal(first.title, 'Send a meter reading v1');

  await app.inject({ method: 'PUT', url: '/api/scripts/meter-reading', headers: { ...ADMIN, 'content-type': 'application/xml' }, payload: script('2', 'http://127.0.0.1:9/hook') });
  const second = (await app.inject({ method: 'POST', url: '/api/script-sessions', headers: ADMIN, payload: { scriptId: 'meter-reading', customerId: customer.id } })).json() as { title: string };
  t.equal(second.title, 'Send a meter reading v2', 'the next run takes the new version');

  await app.inject({ method: 'POST', url: `/api/script-sessions/${first.id}/answer`, headers: ADMIN, payload: { value: 10 } });
  const finished = (await app.inject({ method: 'POST', url: `/api/script-sessions/${first.id}/answer`, headers: ADMIN, payload: { value: false } })).json() as {
    session: { title: string; outcome: string; scriptVersion: string };
  };
  t.match(finished.session, { title: 'Send a meter reading v1', scriptVersion: '1', outcome: 'reading-noted' }, 'the run in progress finished on its version');
  t.equal((await app.inject({ url: '/api/scripts', headers: { authorization: 'Basic ' + Buffer.from('nobody:x').toString('base64') } })).statusCode, 401);
});
