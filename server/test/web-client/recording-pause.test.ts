// The desktop's "Pause recording" / "Resume recording" in headless Chromium, on a
// real SIP call (SIPp as the caller, baresip as Ann's softphone): the button
// appears once the live events say Ann's call is being recorded, pauses it (the
// desk shows "Recording paused"), resumes it, and goes away when the recording
// stops; another agent cannot resume Ann's call (not found to him), and a wrong
// action is refused. A reload mid-call keeps the desk's recording state (from
// the live snapshot), and the monitor shows a recording indicator on the call.
// Everything is real, the recording service too (site policy all): what the
// button did is read back as the recording's state and markers.

import t from 'tap';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { Baresip, freeUdpRange, freeUdpTcpPort, startSipp } from '../../../telephony/test/peers/index.js';
import { startAccessServer } from '../access/harness.js';
import { EventLog, SCENARIOS, within } from '../acd-sip/site.js';
import { launchBrowser } from '../browser.js';
import { ADMIN_AUTH, tempDir, testConfig } from '../helpers.js';
import { deviceSecret, withDeviceSecrets } from '../sip-devices.js';

async function signIn(page: Page, url: string, username: string, password: string): Promise<void> {
  await page.goto(`${url}/app/`);
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('#sign-in');
  await page.waitForSelector('#whoami', { timeout: 15_000 });
}

interface Recording { state: string; markers: { kind: string; by: string | null }[] }

/** The call's recording as a supervisor sees it through the REST API. */
async function recordingOf(url: string, callId: string): Promise<Recording> {
  const list = await fetch(`${url}/api/recordings?callId=${encodeURIComponent(callId)}`, { headers: ADMIN_AUTH });
  const [first] = ((await list.json()) as { items: { id: string }[] }).items;
  if (first === undefined) throw new Error(`no recording of ${callId}`);
  return (await (await fetch(`${url}/api/recordings/${first.id}`, { headers: ADMIN_AUTH })).json()) as Recording;
}

const basic = (user: string, password: string): string => 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');

t.test("an agent pauses and resumes her call's recording from the desktop", { timeout: 150_000 }, async (t) => {
  const dir = tempDir(t, 'tenor-recording-pause-');
  const file = path.join(dir, 'site.yaml');
  writeFileSync(file, JSON.stringify(withDeviceSecrets({
    recording: { policy: 'all' },
    queues: [{ name: 'sales', ringTimeoutSeconds: 30, wrapUpSeconds: 60 }, { name: 'support' }],
    agents: [
      { login: 'ann', name: 'Ann', password: 'ann-password', queues: [{ queue: 'sales' }] },
      { login: 'bob', name: 'Bob', password: 'bob-password', queues: [{ queue: 'support' }] },
    ],
    entryNumbers: [{ number: '+15550100', queue: 'sales' }],
  })));
  const sipPort = await freeUdpTcpPort();
  const rtp = await freeUdpRange(60, { belowEphemeral: true });
  const config = testConfig(t, { TENOR_CONFIG: file, TENOR_SIP_PORT: String(sipPort), TENOR_RTP_PORT_MIN: String(rtp.from), TENOR_RTP_PORT_MAX: String(rtp.to) });
  const server = await startAccessServer(t, { config });
  const sip = `127.0.0.1:${sipPort}`;
  const bus = new EventLog();
  t.teardown(server.services.get('events').subscribeAll((e) => bus.push(e)));
  const control = (auth: string, callId: string, body: unknown) =>
    fetch(`${server.url}/api/calls/${encodeURIComponent(callId)}/recording`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  const phone = await Baresip.start({ user: 'ann', registrar: sip, password: deviceSecret('ann'), registerIntervalS: 300, autoAnswer: true });
  t.teardown(() => phone.stop());
  t.equal(await phone.waitForRegistration(15_000), 'ok', "ann's softphone registered");

  const browser = await launchBrowser(t);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  t.teardown(() => context.close());
  const ann = await context.newPage();
  await signIn(ann, server.url, 'ann', 'ann-password');
  await ann.click('#go-ready');
  await ann.waitForSelector('#agent-state[data-state="ready"]', { timeout: 15_000 });

  const customer = await startSipp({
    scenario: path.join(SCENARIOS, 'uac-caller.xml'), remote: sip, service: '+15550100', calls: 1, pauseMs: 120_000,
    vars: { caller: '+31201110001' }, timeoutMs: 140_000,
  });
  t.teardown(() => customer.stop(2000));
  const answered = await bus.wait('call_answered', (p) => p.agent === 'ann', 30_000);
  const callId = answered.payload.callId;
  await ann.waitForSelector('#contact[data-state="on-call"] #call-controls', { timeout: 30_000 });

  // Policy all: the desk hears recording_started.
  await ann.waitForSelector('#recording-control[data-recording="recording"] #recording-pause', { timeout: 15_000 });
  t.equal(await ann.textContent('#recording-on'), 'Recording', 'the desk says the call is being recorded');
  t.equal(await ann.textContent('#recording-pause'), 'Pause recording');

  await ann.click('#recording-pause');
  await ann.waitForSelector('#recording-control[data-recording="paused"] #recording-resume', { timeout: 15_000 });
  t.equal(await ann.textContent('#recording-paused'), 'Recording paused', 'a visible paused state');
  t.equal(await ann.textContent('#recording-resume'), 'Resume recording');
  const paused = await recordingOf(server.url, callId);
  t.equal(paused.state, 'paused', 'the recording service paused the call');
  t.match(paused.markers.at(-1), { kind: 'pause', by: 'ann' }, 'as ann');

  await t.test('another agent cannot touch her recording, and a wrong action is refused', async (t) => {
    const bobs = await control(basic('bob', 'bob-password'), callId, { action: 'resume' });
    t.equal(bobs.status, 404, 'bob is not on this call: to him it is not found');
    const wrong = await control(basic('ann', 'ann-password'), callId, { action: 'erase' });
    t.equal(wrong.status, 400, 'only start, pause, resume and stop');
    t.equal((await recordingOf(server.url, callId)).state, 'paused', 'still paused');
    t.equal(await ann.isVisible('#recording-paused'), true, 'and still shown as paused');
  });

  // The supervisor's monitor, in its own browser session.
  const supervisorContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  t.teardown(() => supervisorContext.close());
  const monitor = await supervisorContext.newPage();
  const indicator = 'tr[data-agent="ann"] .current-call .call-recording';

  await t.test('a reload mid-call keeps the recording state; the monitor shows it on the call', async (t) => {
    await ann.reload();
    // No recording event comes after the reload: what the desk shows is the live snapshot's.
    await ann.waitForSelector('#recording-control[data-recording="paused"] #recording-resume', { timeout: 30_000 });
    t.equal(await ann.textContent('#recording-paused'), 'Recording paused', 'still paused after the reload');
    await ann.waitForSelector('#recording-since', { timeout: 15_000 });
    t.match(await ann.textContent('#recording-since'), /^\d+:\d\d$/, 'and for how long (from the pause, as the snapshot says)');
    await signIn(monitor, server.url, 'admin', 'pw-admin-secret');
    await monitor.goto(`${server.url}/app/#/monitor`);
    await monitor.waitForSelector(`${indicator}[data-recording="paused"]`, { timeout: 30_000 });
    t.equal(await monitor.textContent(indicator), 'Recording paused', "the monitor shows ann's call's recording paused");
  });

  await ann.click('#recording-resume');
  await ann.waitForSelector('#recording-control[data-recording="recording"] #recording-pause', { timeout: 15_000 });
  t.equal((await recordingOf(server.url, callId)).state, 'recording', 'the recording goes on');
  await monitor.waitForSelector(`${indicator}[data-recording="recording"]`, { timeout: 15_000 });
  t.equal(await monitor.textContent(indicator), 'Recording', 'the monitor follows the resume');

  // A supervisor (here the admin) stops the recording: the desk no longer offers to pause it.
  const stopped = await control(ADMIN_AUTH.authorization, callId, { action: 'stop' });
  t.equal(stopped.status, 200);
  await ann.waitForSelector('#recording-control', { state: 'detached', timeout: 15_000 });
  t.equal(await ann.isVisible('#call-hold'), true, 'the other call controls stay');
  await monitor.waitForSelector(indicator, { state: 'detached', timeout: 15_000 });
  t.pass('the monitor no longer shows the call as recorded');

  await ann.click('#call-hangup');
  await within(bus.wait('call_ended', (p) => p.callId === callId, 30_000), 35_000, 'the call to end');
});
