// The web client end to end in headless Chromium: an agent logs in and goes ready,
// then on break; a SIPp caller known to the CRM dials the entry number, whose IVR flow
// puts the call into the queue, and waits (the supervisor, in another browser context,
// sees the waiting count rise without reloading); the agent goes ready, the offer shows
// the customer's name and segment; the softphone answers and the screen pop shows the
// last interactions; the agent answers the queue's script and saves notes with a
// disposition, which land on the customer's history; the supervisor sees the agent busy;
// the day's report counts the call.
// Screenshots go to docs/screenshots/.

import t from 'tap';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { Baresip, freeUdpRange, freeUdpTcpPort, startSipp } from '../../../telephony/test/peers/index.js';
import { startAccessServer } from '../access/harness.js';
import { SCENARIOS } from '../acd-sip/site.js';
import { launchBrowser } from '../browser.js';
import { ADMIN_AUTH, tempDir, testConfig } from '../helpers.js';
import { deviceSecret, withDeviceSecrets } from '../sip-devices.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const screenshots = path.join(repo, 'docs', 'screenshots');

// The entry number's IVR flow: straight into the sales queue.
const welcomeFlow = `
name: welcome
version: 1
language: en
timezone: UTC
start: sales
nodes:
  sales: { type: queue, queue: sales }
`;

const salesScript = `<?xml version="1.0" encoding="UTF-8"?>
<script id="sales" version="1" title="Sales call" start="reason">
  <step id="reason" title="Reason for the call">
    <info>Greet \${customer.name} by name.</info>
    <question id="reason" type="choice" required="true">
      <prompt>Why is the customer calling?</prompt>
      <option value="billing">A question about an invoice</option>
      <option value="upgrade">An upgrade</option>
    </question>
    <go to="resolved"/>
  </step>
  <step id="resolved">
    <question id="solved" type="yesno"><prompt>Was the question answered on this call?</prompt></question>
    <go to="done" when="answer.solved"><set-disposition code="solved-first-call"/></go>
    <go to="done"/>
  </step>
  <end id="done" outcome="handled" title="Thank the customer"/>
</script>
`;

async function signIn(page: Page, url: string, username: string, password: string): Promise<void> {
  await page.goto(`${url}/app/`);
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('#sign-in');
  await page.waitForSelector('#whoami', { timeout: 15_000 });
}

t.test('agent desktop, supervisor monitor and report around one real call', { timeout: 120_000 }, async (t) => {
  const dir = tempDir(t, 'tenor-web-client-');
  const file = path.join(dir, 'site.yaml');
  mkdirSync(path.join(dir, 'flows'));
  writeFileSync(path.join(dir, 'flows', 'welcome.yaml'), welcomeFlow);
  writeFileSync(file, JSON.stringify(withDeviceSecrets({
    queues: [{ name: 'sales', ringTimeoutSeconds: 30, wrapUpSeconds: 120 }],
    agents: [{ login: 'ann', name: 'Ann', password: 'ann-password', queues: [{ queue: 'sales' }] }],
    flows: [{ name: 'welcome', file: 'flows/welcome.yaml' }],
    entryNumbers: [{ number: '+15550100', flow: 'welcome' }],
  })));
  const sipPort = await freeUdpTcpPort();
  const rtp = await freeUdpRange(40, { belowEphemeral: true });
  const config = testConfig(t, { TENOR_CONFIG: file, TENOR_SIP_PORT: String(sipPort), TENOR_RTP_PORT_MIN: String(rtp.from), TENOR_RTP_PORT_MAX: String(rtp.to) });
  const server = await startAccessServer(t, { config });
  const sip = `127.0.0.1:${sipPort}`;
  await server.services.get('users').create({ username: 'sue', password: 'sue-password', role: 'supervisor' });
  const crm = server.services.get('crm');
  const grace = await crm.create('Customer', { name: 'Grace Hopper', phones: ['+31201110001'], segment: 'A' });
  await crm.recordInteraction({ customer: grace.id, channel: 'email', direction: 'inbound', notes: 'Asked about the March invoice' });
  const saved = await fetch(`${server.url}/api/scripts/sales`, { method: 'PUT', headers: { ...ADMIN_AUTH, 'content-type': 'application/xml' }, body: salesScript });
  t.equal(saved.status, 200, "the queue's script is deployed");

  const phone = await Baresip.start({ user: 'ann', registrar: sip, password: deviceSecret('ann'), registerIntervalS: 300, autoAnswer: false });
  t.teardown(() => phone.stop());
  t.equal(await phone.waitForRegistration(15_000), 'ok', "ann's softphone registered");

  const browser = await launchBrowser(t);
  const viewport = { width: 1280, height: 800 };
  const agentContext = await browser.newContext({ viewport });
  const supervisorContext = await browser.newContext({ viewport });
  const agent = await agentContext.newPage();
  const sue = await supervisorContext.newPage();

  // The agent logs in, goes ready, then takes a lunch break.
  await signIn(agent, server.url, 'ann', 'ann-password');
  await agent.click('#go-ready');
  await agent.waitForSelector('#agent-state[data-state="ready"]', { timeout: 15_000 });
  t.pass('the agent is ready');
  await agent.selectOption('#break-reason', 'lunch');
  await agent.click('#take-break');
  await agent.waitForSelector('#agent-state[data-state="break"]', { timeout: 15_000 });

  // The supervisor's monitor shows her on break and an empty queue.
  await signIn(sue, server.url, 'sue', 'sue-password');
  await sue.waitForSelector('tr[data-agent="ann"][data-state="break"]', { timeout: 15_000 });
  t.equal((await sue.textContent('tr[data-queue="sales"] .waiting'))?.trim(), '0', 'nobody waits yet');

  const flowsRun: string[] = [];
  t.teardown(server.services.get('events').subscribe('flow_started', (e) => { flowsRun.push(`${e.payload.flow} ${e.payload.to}`); }));
  const caller = await startSipp({
    scenario: path.join(SCENARIOS, 'uac-caller.xml'), remote: sip, service: '+15550100', calls: 1, pauseMs: 20_000,
    vars: { caller: '+31201110001' }, timeoutMs: 100_000,
  });
  t.teardown(() => caller.stop(2000));

  await sue.waitForSelector('tr[data-queue="sales"] .waiting:text-is("1")', { timeout: 30_000 });
  await sue.waitForSelector('#waiting-calls tr:has-text("Grace Hopper")', { timeout: 10_000 });
  t.pass('the supervisor sees the caller waiting, without reloading');
  t.same(flowsRun, ['welcome +15550100'], "the call came through the entry number's IVR flow");

  // Ready again: the offer rings with the customer's name and segment.
  await agent.click('#go-ready');
  await agent.waitForSelector('#contact[data-state="offered"]', { timeout: 30_000 });
  t.equal(await agent.textContent('#caller-name'), 'Grace Hopper', "the offer shows the customer's name");
  t.equal(await agent.textContent('#caller-segment'), 'A', "and the customer's segment");

  // The softphone answers (retried until baresip has the incoming call).
  const answerDeadline = Date.now() + 20_000;
  while (!(await agent.$('#contact[data-state="on-call"]'))) {
    if (Date.now() > answerDeadline) throw new Error('the call was not answered');
    await phone.accept().catch(() => undefined);
    await agent.waitForSelector('#contact[data-state="on-call"]', { timeout: 2000 }).catch(() => undefined);
  }
  await agent.waitForSelector('#history li:has-text("Asked about the March invoice")', { timeout: 15_000 });
  t.pass('the screen pop shows the last interactions');

  await sue.waitForSelector('tr[data-agent="ann"][data-state="on-call"]', { timeout: 15_000 });
  await sue.waitForSelector('tr[data-queue="sales"] .waiting:text-is("0")', { timeout: 15_000 });
  await sue.waitForSelector('tr[data-agent="ann"] .current-call:has-text("Grace Hopper")', { timeout: 15_000 });
  t.pass('the supervisor sees the agent busy with the customer, and the queue empty');
  // docs/screenshots/supervisor-monitor.png is taken by call-controls.test.ts (the monitor with a listen-in and a campaign).

  // The script: choose the reason, say it was solved.
  await agent.waitForSelector('#script[data-step="reason"] button.option[data-value="billing"]', { timeout: 15_000 });
  await agent.click('button.option[data-value="billing"]');
  await agent.click('#script[data-step="resolved"] button.option[data-value="yes"]');
  await agent.waitForSelector('#script-done', { timeout: 15_000 });
  await agent.fill('#notes', 'Explained the March invoice');
  await agent.fill('#disposition', 'invoice-explained');
  await agent.click('#save-notes');
  await agent.waitForSelector('#notes-status:has-text("Saved")', { timeout: 15_000 });
  await agent.waitForSelector('#history li:has-text("invoice-explained")', { timeout: 15_000 });
  await agent.screenshot({ path: path.join(screenshots, 'agent-desktop.png') });

  const history = await (await fetch(`${server.url}/api/customers/${grace.id}/history`, { headers: ADMIN_AUTH })).json() as { items: Array<Record<string, unknown>> };
  t.match(history.items.find((i) => i['scriptAnswers'] !== null && i['scriptAnswers'] !== undefined), { scriptAnswers: { reason: 'billing', solved: true }, outcome: 'handled', notes: 'Explained the March invoice', disposition: 'invoice-explained' },
    "the script's answers, the notes and the disposition are on the customer's timeline");

  // The caller hangs up: wrap-up with its countdown.
  await agent.waitForSelector('#contact[data-state="wrap-up"] #wrap-up-countdown', { timeout: 40_000 });
  t.pass('the agent is in wrap-up with a countdown');

  // The day's report counts the call.
  await sue.goto(`${server.url}/app/#/reports`);
  const reportDeadline = Date.now() + 20_000;
  for (;;) {
    await sue.waitForSelector('#total-offered', { timeout: 10_000 });
    if ((await sue.textContent('#total-offered')) === '1' && (await sue.textContent('#total-answered')) === '1') break;
    if (Date.now() > reportDeadline) throw new Error(`the report shows ${await sue.textContent('#total-offered')} offered`);
    await sue.waitForTimeout(1000);
    await sue.click('.filters button[type="submit"]');
  }
  t.pass("the day's report counts the call, offered and answered");
  t.match(await sue.getAttribute('#report-csv', 'href'), /^\/api\/reports\/inbound\?period=today&interval=60m&format=csv$/, 'the CSV link asks the same report as CSV');
  await sue.screenshot({ path: path.join(screenshots, 'report.png') });

  await agent.click('#end-wrap-up');
  await agent.waitForSelector('#agent-state[data-state="ready"]', { timeout: 15_000 });
  await agent.click('#agent-logout');
  await agent.waitForSelector('#agent-state[data-state="logged-out"]', { timeout: 15_000 });
  await agentContext.close();
  await supervisorContext.close();
});
