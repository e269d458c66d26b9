// The desktop's call controls and the supervisor's monitor actions in headless Chromium,
// around real SIP calls: a caller leaves a voicemail in the sales box (SIPp streaming a
// tone into the IVR's voicemail node); a second caller reaches Ann (baresip). Ann holds
// and resumes the call from her desktop, the supervisor sees it on hold; Sue listens
// from her own softphone (baresip registered as her user), switches to whisper, stops;
// Ann consults Bob (a second baresip), Bob answers, Ann completes the transfer: the
// monitor shows Bob on the call and Ann in wrap-up; Bob transfers the customer back to
// Ann (blind), who hangs up; Sue forces her on break from the monitor; Ann's
// voicemail plays (which marks it heard), calls the caller back and is marked handled.
// Screenshots go to docs/screenshots/.

import t, { type Test } from 'tap';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { Baresip, freeUdpRange, freeUdpTcpPort, makeToneUlaw, startSipp } from '../../../telephony/test/peers/index.js';
import { startAccessServer } from '../access/harness.js';
import { EventLog, SCENARIOS, within } from '../acd-sip/site.js';
import { launchBrowser } from '../browser.js';
import { ADMIN_AUTH, tempDir, testConfig } from '../helpers.js';
import { deviceSecret, giveUserDeviceSecret, withDeviceSecrets } from '../sip-devices.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const screenshots = path.join(repo, 'docs', 'screenshots');

const flow = (name: string, start: string): string => `
name: ${name}
version: 1
language: en
timezone: UTC
start: first
nodes:
  first: ${start}
`;

async function signIn(page: Page, url: string, username: string, password: string): Promise<void> {
  await page.goto(`${url}/app/`);
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('#sign-in');
  await page.waitForSelector('#whoami', { timeout: 15_000 });
}

async function phone(t: Test, registrar: string, user: string): Promise<Baresip> {
  const p = await Baresip.start({ user, registrar, password: deviceSecret(user), registerIntervalS: 300, autoAnswer: true });
  t.teardown(() => p.stop());
  const state = await p.waitForRegistration(15_000);
  if (state !== 'ok') throw new Error(`${user}'s softphone did not register: ${p.log().slice(-800)}`);
  return p;
}

t.test('call controls on the desktop, monitor actions and voicemail actions around real calls', { timeout: 170_000 }, async (t) => {
  const dir = tempDir(t, 'tenor-call-controls-');
  const file = path.join(dir, 'site.yaml');
  mkdirSync(path.join(dir, 'flows'));
  writeFileSync(path.join(dir, 'flows', 'welcome.yaml'), flow('welcome', '{ type: queue, queue: sales }'));
  writeFileSync(path.join(dir, 'flows', 'messages.yaml'), flow('messages', '{ type: voicemail, box: "queue:sales" }'));
  writeFileSync(file, JSON.stringify(withDeviceSecrets({
    queues: [{ name: 'sales', ringTimeoutSeconds: 30, wrapUpSeconds: 120 }, { name: 'support', ringTimeoutSeconds: 30, wrapUpSeconds: 120 }],
    agents: [
      { login: 'ann', name: 'Ann', password: 'ann-password', queues: [{ queue: 'sales' }] },
      // Bob serves another queue: the sales caller goes to Ann alone.
      { login: 'bob', name: 'Bob', password: 'bob-password', queues: [{ queue: 'support' }] },
    ],
    flows: [{ name: 'welcome', file: 'flows/welcome.yaml' }, { name: 'messages', file: 'flows/messages.yaml' }],
    entryNumbers: [{ number: '+15550100', flow: 'welcome' }, { number: '+15550200', flow: 'messages' }],
    dialing: { agentsMayDialExternal: true }, // the transfer form offers numbers to agents only where the site allows it
  })));
  const sipPort = await freeUdpTcpPort();
  const rtp = await freeUdpRange(60, { belowEphemeral: true });
  const config = testConfig(t, { TENOR_CONFIG: file, TENOR_SIP_PORT: String(sipPort), TENOR_RTP_PORT_MIN: String(rtp.from), TENOR_RTP_PORT_MAX: String(rtp.to) });
  const server = await startAccessServer(t, { config });
  const sip = `127.0.0.1:${sipPort}`;
  const bus = new EventLog();
  t.teardown(server.services.get('events').subscribeAll((e) => bus.push(e)));
  await server.services.get('users').create({ username: 'sue', password: 'sue-password-long', role: 'supervisor' });
  await giveUserDeviceSecret(server.services, 'sue');
  const api = async <T>(method: string, url: string): Promise<T> => {
    const res = await fetch(`${server.url}${url}`, { method, headers: ADMIN_AUTH });
    if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
    return await res.json() as T;
  };

  // A caller leaves a message in the sales box, through the IVR's voicemail node.
  const tone = await makeToneUlaw(path.join(dir, 'caller.ul'), { seconds: 9, frequency: 600 });
  // From a US number: the site's dialing policy lets the message be called back (a forged or odd From would be refused).
  const messageCaller = await startSipp({
    scenario: path.join(SCENARIOS, 'uac-caller-tone.xml'), remote: sip, service: '+15550200', calls: 1, pauseMs: 8000,
    vars: { caller: '+12125550100' }, files: { 'audio.ul': tone }, timeoutMs: 40_000,
  });
  t.teardown(() => messageCaller.stop(2000));
  const received = await bus.wait('voicemail_received', () => true, 45_000);
  t.equal(received.payload.box, 'queue:sales', 'a voicemail waits in the sales box');

  // A campaign with two numbers to dial, paused: the monitor's campaigns panel lists it.
  const imported = await fetch(`${server.url}/api/lists/winback/import?map=phone=Phone`, { method: 'POST', headers: { ...ADMIN_AUTH, 'content-type': 'text/csv' }, body: 'Phone\n+4930111111\n+4930222222\n' });
  t.equal(imported.status, 200, 'a calling list is imported');
  const campaign = await fetch(`${server.url}/api/campaigns/winback`, {
    method: 'PUT', headers: { ...ADMIN_AUTH, 'content-type': 'application/json' },
    body: JSON.stringify({ mode: 'progressive', target: { list: 'winback' }, queue: 'support', callerId: '+4930100', abandonCap: 0.03 }),
  });
  t.equal(campaign.status, 200, `a campaign is defined: ${campaign.status === 200 ? 'ok' : await campaign.text()}`);
  // Started while no agent of its queue is logged in (nothing is dialed), then paused.
  for (const action of ['start', 'pause']) {
    const res = await fetch(`${server.url}/api/campaigns/winback/${action}`, { method: 'POST', headers: ADMIN_AUTH });
    if (res.status !== 200) throw new Error(`${action}: ${res.status} ${await res.text()}`);
  }

  const annPhone = await phone(t, sip, 'ann');
  const bobPhone = await phone(t, sip, 'bob');
  const suePhone = await phone(t, sip, 'sue');

  const browser = await launchBrowser(t);
  const viewport = { width: 1280, height: 800 };
  const [annContext, bobContext, sueContext] = await Promise.all([browser.newContext({ viewport }), browser.newContext({ viewport }), browser.newContext({ viewport })]);
  t.teardown(async () => { await annContext.close(); await bobContext.close(); await sueContext.close(); });
  const ann = await annContext.newPage();
  const bob = await bobContext.newPage();
  const sue = await sueContext.newPage();
  await signIn(ann, server.url, 'ann', 'ann-password');
  await signIn(bob, server.url, 'bob', 'bob-password');
  await signIn(sue, server.url, 'sue', 'sue-password-long');
  const campaignRow = '#campaigns tr[data-campaign="winback"]';
  await sue.waitForSelector(campaignRow, { timeout: 15_000 });
  t.same(await sue.$eval(campaignRow, (row) => Array.from(row.querySelectorAll('td'), (td) => td.textContent?.trim() ?? '')),
    ['winback · support', 'progressive', 'paused', '0/0', '0', '0', '0', '0', '— / 3.0 %', '2'],
    'the campaigns panel shows the campaign: mode, status, agents, today\'s figures, abandon rate against its 3 % cap, 2 numbers left');
  await bob.click('#go-ready');
  await bob.waitForSelector('#agent-state[data-state="ready"]', { timeout: 15_000 });
  await ann.click('#go-ready');
  await ann.waitForSelector('#agent-state[data-state="ready"]', { timeout: 15_000 });

  // The customer calls; Ann's softphone answers by itself.
  const customer = await startSipp({
    scenario: path.join(SCENARIOS, 'uac-caller.xml'), remote: sip, service: '+15550100', calls: 1, pauseMs: 150_000,
    vars: { caller: '+31201110001' }, timeoutMs: 165_000,
  });
  t.teardown(() => customer.stop(2000));
  await ann.waitForSelector('#contact[data-state="on-call"] #call-controls', { timeout: 30_000 });
  t.pass('on the call, the desktop shows the call controls');
  await sue.waitForSelector('tr[data-agent="ann"][data-state="on-call"]', { timeout: 15_000 });

  // Hold: the desktop and the monitor say so; Resume takes it off.
  await ann.click('#call-hold');
  await ann.waitForSelector('#call-controls[data-held="true"] #call-held', { timeout: 15_000 });
  t.pass('Hold: the desktop shows the customer on hold');
  await sue.waitForSelector('tr[data-agent="ann"] .call-held', { timeout: 15_000 });
  t.pass("the supervisor's monitor shows the call on hold");
  await ann.click('#call-resume');
  await ann.waitForSelector('#call-controls[data-held="false"] #call-hold', { timeout: 15_000 });
  await sue.waitForSelector('tr[data-agent="ann"]:not(:has(.call-held))', { timeout: 15_000 });
  t.pass('Resume: the desktop and the monitor show the call back');

  // Sue listens from her softphone, switches to whisper, then stops.
  const sueMark = suePhone.mark();
  await sue.click('tr[data-agent="ann"] button.monitor-mode[data-mode="listen"]');
  await suePhone.waitForEvent('CALL_ESTABLISHED', { from: sueMark, timeoutMs: 30_000 });
  t.pass("Listen rings the supervisor's softphone, which answers");
  await sue.waitForSelector('tr[data-agent="ann"] .monitor-status[data-mode="listen"]', { timeout: 15_000 });
  t.match(await sue.textContent('tr[data-agent="ann"] .monitor-status'), /listening/, 'the monitor shows "listening"');
  const [monitor] = await api<Array<{ mode: string; supervisor: string; agent: string }>>('GET', '/api/monitors');
  t.match(monitor, { mode: 'listen', supervisor: 'sue', agent: 'ann' }, 'the server has Sue listening to Ann');
  await sue.click('tr[data-agent="ann"] button.monitor-mode[data-mode="whisper"]');
  await sue.waitForSelector('tr[data-agent="ann"] .monitor-status[data-mode="whisper"]', { timeout: 15_000 });
  t.match(await api<Array<{ mode: string }>>('GET', '/api/monitors'), [{ mode: 'whisper' }], 'Whisper switches the same monitor');
  await sue.screenshot({ path: path.join(screenshots, 'supervisor-monitor.png') });
  await sue.click('tr[data-agent="ann"] button.monitor-stop');
  await suePhone.waitForEvent('CALL_CLOSED', { from: sueMark, timeoutMs: 15_000 });
  await sue.waitForSelector('tr[data-agent="ann"] .monitor-controls[data-mode="none"]', { timeout: 15_000 });
  t.same(await api('GET', '/api/monitors'), [], "Stop ends the monitor and hangs up the supervisor's phone");

  // A refused transfer shows the server's message; the call stays with Ann.
  await ann.selectOption('#transfer-kind', 'number');
  await ann.fill('#transfer-number', 'not-a-number');
  await ann.click('#transfer-blind');
  await ann.waitForSelector('#call-control-error', { timeout: 15_000 });
  t.match(await ann.textContent('#call-control-error'), /number/, `a transfer to a malformed number shows the server's refusal: ${await ann.textContent('#call-control-error')}`);
  t.ok(await ann.$('#contact[data-state="on-call"]'), 'and Ann is still on the call');

  // Ann consults Bob, picked from the agents the server lists for her (her own snapshot holds only herself), then completes.
  const bobMark = bobPhone.mark();
  await ann.selectOption('#transfer-kind', 'agent');
  await ann.waitForSelector('#transfer-agent option[value="bob"]:not([disabled])', { state: 'attached', timeout: 15_000 });
  t.match(await ann.textContent('#transfer-agent option[value="bob"]'), /Bob/, 'the transfer list names the other agents with their state');
  await ann.selectOption('#transfer-agent', 'bob');
  await ann.click('#transfer-consult');
  await ann.waitForSelector('#call-controls[data-consult="talking"]', { timeout: 30_000 });
  await bobPhone.waitForEvent('CALL_ESTABLISHED', { from: bobMark, timeoutMs: 5_000 });
  t.match(await ann.textContent('#consult-status'), /bob/, 'the desktop shows the consult with Bob, the customer on hold');
  await ann.screenshot({ path: path.join(screenshots, 'call-controls.png') });
  await ann.click('#consult-complete');
  await ann.waitForSelector('#contact[data-state="wrap-up"]', { timeout: 30_000 });
  await sue.waitForSelector('tr[data-agent="bob"][data-state="on-call"]', { timeout: 15_000 });
  await sue.waitForSelector('tr[data-agent="ann"][data-state="wrap-up"]', { timeout: 15_000 });
  t.pass('Complete transfer: Bob is on the call, Ann in wrap-up, on the monitor');
  await bob.waitForSelector('#contact[data-state="on-call"]', { timeout: 15_000 });
  t.pass("Bob's desktop shows him on the call");

  // Ann ends her wrap-up; Bob transfers the customer back to her, blind; she hangs up.
  await ann.click('#end-wrap-up');
  await ann.waitForSelector('#agent-state[data-state="ready"]', { timeout: 15_000 });
  await bob.selectOption('#transfer-kind', 'agent');
  await bob.waitForSelector('#transfer-agent option[value="ann"]:not([disabled])', { state: 'attached', timeout: 15_000 });
  await bob.selectOption('#transfer-agent', 'ann');
  await bob.click('#transfer-blind');
  await bob.waitForSelector('#contact[data-state="wrap-up"]', { timeout: 30_000 });
  await ann.waitForSelector('#contact[data-state="on-call"] #call-controls', { timeout: 30_000 });
  t.pass('blind transfer: Bob leaves at once (wrap-up), the customer rings through to Ann');
  await ann.click('#call-hangup');
  await ann.waitForSelector('#contact[data-state="wrap-up"]', { timeout: 15_000 });
  await within(customer.done, 15_000, 'the customer to be hung up');
  const calls = await api<Array<{ from: string; live: boolean; endedAt: string | null }>>('GET', '/api/calls?limit=20');
  t.match(calls.find((c) => c.from === '+31201110001'), { live: false, endedAt: String }, "Hang up ends the customer's call; Ann is in wrap-up");
  await ann.click('#end-wrap-up');
  await ann.waitForSelector('#agent-state[data-state="ready"]', { timeout: 15_000 });

  // Force break from the monitor.
  await sue.click('tr[data-agent="ann"] button.force-break');
  await ann.waitForSelector('#agent-state[data-state="break"]', { timeout: 15_000 });
  await sue.waitForSelector('tr[data-agent="ann"][data-state="break"]', { timeout: 15_000 });
  t.pass('force break from the monitor puts Ann on break');
  t.match(await ann.textContent('#agent-state'), /break/i, 'her desktop says so');

  // Voicemail: playing marks the message heard, Call back queues a callback, then handled.
  const row = `#voicemail tr[data-id="${received.payload.id}"]`;
  await ann.waitForSelector(`${row}[data-status="new"]`, { timeout: 15_000 });
  const audio = await ann.$eval(`${row} audio`, async (el) => {
    const a = el as HTMLAudioElement;
    const res = await fetch(a.src);
    await a.play();
    return { status: res.status, type: res.headers.get('content-type'), bytes: (await res.arrayBuffer()).byteLength };
  });
  t.match(audio, { status: 200, type: /audio\/wav/ }, 'the message plays as WAV audio');
  t.ok(audio.bytes > 8000, `with the caller's recording (${audio.bytes} bytes)`);
  await ann.waitForSelector(`${row}[data-status="heard"]`, { timeout: 15_000 });
  t.pass('playing marks the message heard');
  await ann.click(`${row} button.vm-callback`);
  await ann.waitForSelector('#voicemail-note:has-text("Callback requested")', { timeout: 15_000 });
  const afterCallback = await api<{ callbackEntryId: string | null }>('GET', `/api/voicemail/messages/${received.payload.id}`);
  t.ok(afterCallback.callbackEntryId, 'Call back asked the ACD for a callback');
  await sue.waitForSelector('tr[data-queue="sales"] .waiting:text-is("1")', { timeout: 15_000 });
  t.pass('the callback waits in the sales queue (Ann is on break)');
  await ann.click(`${row} button.vm-handled`);
  await ann.waitForSelector(`${row}[data-status="handled"]`, { timeout: 15_000 });
  t.match(await api('GET', `/api/voicemail/messages/${received.payload.id}`), { status: 'handled', handledBy: 'ann' }, 'Mark handled records who handled it');
});
