// Alerts over real SIP: a caller held in a queue with nobody ready past the
// `longest-wait` rule's limit raises one alert (alert_raised on the bus, one
// e-mail to a real SMTP server, listed by GET /api/alerts) that is cleared
// when the caller hangs up; a second caller past the limit within the
// cool-down shows the alert again without announcing it. Bad rules in the
// site file are refused with their path and reason.
import t, { type Test } from 'tap';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/services/index.js';
import { isTenorError } from '../../src/core/errors.js';
import { ADMIN_AUTH, tempDir } from '../helpers.js';
import { startSmtpServer } from '../smtp.js';
import { caller, finished, startSite } from '../acd-sip/site.js';
import { startReceiver } from '../webhooks/receiver.js';
import { verifySignature } from '../../src/services/event-webhooks/index.js';

const basic = (user: string, password: string) => ({ authorization: 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64') });

function configProblem(t: Test, alerts: unknown): string {
  const dir = tempDir(t);
  const file = path.join(dir, 'site.yaml');
  writeFileSync(file, JSON.stringify({ queues: [{ name: 'sales' }], alerts }));
  try {
    loadConfig({ TENOR_CONFIG: file }, dir);
    return '';
  } catch (err) {
    return isTenorError(err) ? err.message : String(err);
  }
}

t.test('config: alert rules and queue thresholds are checked, a bad one named by its path with the reason', async (t) => {
  t.equal(configProblem(t, { recipients: ['floor@example.com'], rules: [{ name: 'slow', type: 'longest-wait', seconds: 30 }] }), '', 'a good rule');
  t.match(configProblem(t, { rules: [{ name: 'slow', type: 'longest-wait', seconds: 0 }] }), /alerts\/rules\/0/, 'seconds below 1: refused at its path');
  t.match(configProblem(t, { rules: [{ name: 'slow', type: 'queue-on-fire', seconds: 30 }] }), /alerts\/rules\/0/, 'an unknown rule type: refused');
  t.match(configProblem(t, { rules: [{ name: 'a', type: 'agents-ready', fewerThan: 1 }, { name: 'a', type: 'longest-wait', seconds: 5 }] }),
    /alerts\.rules\[1\]\.name: rule name 'a' is used twice/, 'a rule name used twice: refused');
  t.match(configProblem(t, { recipients: ['not an address'] }), /alerts\/recipients\/0/, 'a recipient that is no e-mail address: refused');
  const dir = tempDir(t);
  const file = path.join(dir, 'site.yaml');
  writeFileSync(file, JSON.stringify({ queues: [{ name: 'sales', thresholds: { longestWait: { amber: 30, red: 'sixty' } } }] }));
  t.throws(() => loadConfig({ TENOR_CONFIG: file }, dir), /queues\/0\/thresholds\/longestWait\/red/, 'a threshold that is no number: refused at its path');
});

const RECIPIENT = 'floor-manager@example.com';
const WEBHOOK_SECRET = 'whsec-alerts-0123456789abcdef';

t.test('a caller waiting past the limit raises one alert, one e-mail and one signed webhook, cleared when they hang up; again within the cool-down: shown, not announced', async (t) => {
  const smtp = await startSmtpServer(t);
  const receiver = await startReceiver(t);
  const s = await startSite(t, {
    smtp: { host: '127.0.0.1', port: smtp.port, from: 'Tenor <tenor@example.test>' },
    queues: [{ name: 'sales', thresholds: { longestWait: { amber: 1, red: 2 } } }],
    agents: [{ login: 'ann', name: 'Ann', password: 'ann-secret-word', queues: [{ queue: 'sales' }] }],
    entryNumbers: [{ number: '+15550100', queue: 'sales' }],
    alerts: {
      recipients: [RECIPIENT], tickSeconds: 1, cooldownSeconds: 3600,
      rules: [{ name: 'caller-waiting', type: 'longest-wait', queue: 'sales', seconds: 2, severity: 'critical' }],
    },
    // Part D's webhooks deliver the bus's alert_raised to subscribers; the alerts know nothing of them.
    webhooks: { subscriptions: [{ id: 'alerts-hook', url: receiver.url, events: ['alert_raised'], secret: WEBHOOK_SECRET }] },
  });
  const alertsAs = async (auth: Record<string, string>) => {
    const res = await s.app.inject({ method: 'GET', url: '/api/alerts', headers: auth });
    return { status: res.statusCode, body: JSON.parse(res.body) as { active: Record<string, unknown>[]; recent: Record<string, unknown>[] } };
  };

  // GIVEN nobody ready in sales, a caller who stays 8 s.
  const first = caller(t, s, { number: '+15550100', caller: '+31201110001', stayMs: 8000 });
  const queued = await s.bus.wait('call_queued');
  // THEN after 2 s of waiting: one alert on the bus.
  const raised = await s.bus.wait('alert_raised', () => true, 20_000);
  t.match(raised.payload, { rule: 'caller-waiting', severity: 'critical', queue: 'sales', threshold: 2, message: /queue sales has waited \d+ s \(limit 2 s\)/ }, 'alert_raised names the rule, queue and limit');
  t.ok(raised.payload.value > 2, `the wait that broke the rule: ${raised.payload.value} s`);
  t.ok(Date.parse(raised.at) - Date.parse(queued.at) >= 2000, 'raised only once the caller had waited past the limit');
  const mail = smtp.messages[0] ?? await smtp.next();
  t.same(mail.to, [RECIPIENT], "the e-mail goes to the site's alert recipients");
  t.match(mail.raw, /Subject: \[Tenor critical\] A caller in queue sales has waited/, 'its subject says what is wrong');

  const listed = await alertsAs(ADMIN_AUTH);
  t.match(listed.body.active, [{ id: raised.payload.id, rule: 'caller-waiting', queue: 'sales', clearedAt: null, announced: true }], 'GET /api/alerts: active');
  t.equal((await alertsAs(basic('ann', 'ann-secret-word'))).status, 403, 'an agent may not list alerts');

  // WHEN the caller hangs up (after several more ticks with the rule still broken).
  await s.bus.wait('call_abandoned', () => true, 30_000);
  await finished(await first, 'the first caller');
  const cleared = await s.bus.wait('alert_cleared', () => true, 20_000);
  t.same(cleared.payload, { id: raised.payload.id, rule: 'caller-waiting', queue: 'sales', at: cleared.payload.at }, 'alert_cleared for the same alert');
  t.equal(s.bus.of('alert_raised').length, 1, 'one problem, one alert_raised, though the rule stayed broken over several ticks');
  t.equal(smtp.messages.length, 1, 'one e-mail');
  const after = await alertsAs(ADMIN_AUTH);
  t.same(after.body.active, [], 'nothing active');
  t.match(after.body.recent, [{ id: raised.payload.id, clearedAt: cleared.payload.at }], 'the ended alert is listed as recent');

  // AND a second caller past the limit within the cool-down: active again, not announced.
  const second = caller(t, s, { number: '+15550100', caller: '+31201110002', stayMs: 6000 });
  await s.bus.wait('call_queued', (p) => p.callId !== queued.payload.callId);
  let again: Record<string, unknown> | undefined;
  for (let i = 0; i < 100 && again === undefined; i++) {
    again = (await alertsAs(ADMIN_AUTH)).body.active[0];
    if (again === undefined) await new Promise((r) => setTimeout(r, 200));
  }
  t.match(again, { rule: 'caller-waiting', queue: 'sales', announced: false }, 'shown as active again, marked not announced');
  await finished(await second, 'the second caller');
  await s.bus.wait('call_abandoned', (p) => p.callId !== queued.payload.callId, 30_000);
  for (let i = 0; i < 100 && (await alertsAs(ADMIN_AUTH)).body.active.length > 0; i++) await new Promise((r) => setTimeout(r, 200));
  t.equal(s.bus.of('alert_raised').length, 1, 'no second alert_raised within the cool-down');
  t.equal(s.bus.of('alert_cleared').length, 1, 'and no second alert_cleared');
  t.equal(smtp.messages.length, 1, 'still one e-mail');

  const [delivery] = await receiver.waitFor(1);
  if (!delivery) return;
  const body = JSON.parse(delivery.body) as { type: string; data: { id: string; rule: string; queue: string } };
  t.match(body, { type: 'alert_raised', data: { id: raised.payload.id, rule: 'caller-waiting', queue: 'sales' } }, 'the webhook receiver got the alert');
  t.ok(verifySignature(WEBHOOK_SECRET, delivery.body, String(delivery.headers['tenor-signature'] ?? ''), Math.floor(Date.now() / 1000)), 'with a valid signature');
  t.equal(receiver.received.length, 1, 'exactly once');
});
