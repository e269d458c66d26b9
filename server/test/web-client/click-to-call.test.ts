// Calling out from the desktop in headless Chromium, over real SIP: the site is
// in Germany; Ann types "030 1234-567" in the dial pad and presses Call; her
// softphone (baresip, auto-answer) rings first, then the customer behind the
// trunk (SIPp answering and speaking a tone); the desktop shows the call
// connected with the customer's screen pop; they hear each other (the RTP each
// side gets carries what the other sent); Ann hangs up, sets a disposition in
// wrap-up; the record is outbound, hers, for the customer. Then her callbacks
// list shows an overdue callback, and its Call button places the call the
// same way (through the tenor:dial event); once answered it leaves the list.
// Screenshot: docs/screenshots/desktop-calling-out.png.

import t from 'tap';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { freeUdpRange, freeUdpTcpPort, makeToneUlaw, rtpPackets, startCapture, startGreetingCallee } from '../../../telephony/test/peers/index.js';
import { startAccessServer } from '../access/harness.js';
import { EventLog, agentPhone, ms, within, type CallView } from '../acd-sip/site.js';
import { launchBrowser } from '../browser.js';
import { ADMIN_AUTH, tempDir, testConfig } from '../helpers.js';
import { withDeviceSecrets } from '../sip-devices.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const screenshots = path.join(repo, 'docs', 'screenshots');

async function signIn(page: Page, url: string, username: string, password: string): Promise<void> {
  await page.goto(`${url}/app/`);
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('#sign-in');
  await page.waitForSelector('#whoami', { timeout: 15_000 });
}

t.test('an agent calls a customer from the dial pad and from the callbacks list', { timeout: 170_000 }, async (t) => {
  const dir = tempDir(t, 'tenor-click-to-call-');
  const tone = await makeToneUlaw(path.join(dir, 'customer.ul'), { seconds: 8, frequency: 600 });
  // The public network behind the trunk: answers two calls after a second's ringing, speaks a tone, waits for our BYE.
  const network = await startGreetingCallee({ greeting: tone, calls: 2, ringMs: 1000, timeoutMs: 160_000 });
  t.teardown(() => network.stop(2000));
  const file = path.join(dir, 'site.yaml');
  writeFileSync(file, JSON.stringify(withDeviceSecrets({
    dialing: { country: 'DE' },
    desk: { outbound: { callerId: '+49301110000' } },
    trunks: [{ name: 'carrier', host: '127.0.0.1', port: network.port }],
    queues: [{ name: 'sales', ringTimeoutSeconds: 20, wrapUpSeconds: 120 }],
    agents: [{ login: 'ann', name: 'Ann', password: 'ann-password', queues: [{ queue: 'sales' }] }],
  })));
  const sipPort = await freeUdpTcpPort();
  const rtp = await freeUdpRange(60, { belowEphemeral: true });
  const config = testConfig(t, { TENOR_CONFIG: file, TENOR_SIP_PORT: String(sipPort), TENOR_RTP_PORT_MIN: String(rtp.from), TENOR_RTP_PORT_MAX: String(rtp.to) });
  const server = await startAccessServer(t, { config });
  const bus = new EventLog();
  t.teardown(server.services.get('events').subscribeAll((e) => bus.push(e)));
  const customer = await server.services.get('crm').create('Customer', { name: 'Clara Kunde', phones: ['+49301234567'] });
  const acd = server.services.get('acd');
  // An overdue callback on Ann's list (a script run would put it there the same way).
  await acd.scheduledCallbacks.schedule({ agent: 'ann', number: '+49309876543', dueAt: Date.now() - 15 * 60_000, source: 'agent', note: 'asked about the invoice' });

  const phone = await agentPhone(t, { sip: `127.0.0.1:${sipPort}` }, 'ann');
  const browser = await launchBrowser(t);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  t.teardown(() => context.close());
  const ann = await context.newPage();
  await signIn(ann, server.url, 'ann', 'ann-password');
  await ann.click('#go-ready');
  await ann.waitForSelector('#agent-state[data-state="ready"]', { timeout: 15_000 });
  await ann.waitForSelector('#my-callbacks tr.callback[data-overdue="true"]', { timeout: 15_000 });
  t.match(await ann.textContent('#my-callbacks tr.callback'), /\+49309876543.*asked about the invoice/s, 'her callbacks list shows the overdue callback');

  const capture = await startCapture({ portRange: rtp });
  t.teardown(() => capture.dispose());
  // Written as people in Berlin write it; the keyboard alone places the call.
  await ann.fill('#dial-number', '030 1234-567');
  await ann.press('#dial-number', 'Enter');
  const offered = await bus.wait('call_offered', (p) => p.agents.includes('ann'), 30_000);
  t.match(offered.payload, { direction: 'outbound', number: '+49301234567' }, "Ann's phone is rung first");
  await ann.waitForSelector('#dial-status[data-step="connected"]', { timeout: 45_000 });
  t.equal(bus.of('call_answered').length, 1, 'then the customer answered');
  await ann.waitForSelector('#contact[data-state="on-call"] #call-controls', { timeout: 15_000 });
  t.equal(await ann.textContent('#caller-name'), 'Clara Kunde', 'the screen pop shows the customer the number belongs to');
  t.equal(await ann.textContent('#caller-number'), '+49301234567', 'and the number in E.164');
  await ann.screenshot({ path: path.join(screenshots, 'desktop-calling-out.png') });

  // They talk for 4 s; Ann hangs up from the desktop.
  await new Promise((r) => setTimeout(r, 4000));
  await ann.click('#call-hangup');
  await ann.waitForSelector('#contact[data-state="wrap-up"]', { timeout: 15_000 });
  const ended = await bus.wait('call_ended', (p) => p.agent === 'ann', 15_000);
  const { packets } = await capture.stop();
  await ann.fill('#disposition', 'tariff-offered');
  await ann.click('#save-notes');
  await ann.waitForSelector('#notes-status', { timeout: 10_000 });

  await acd.flush();
  const records = await (await fetch(`${server.url}/api/calls?limit=10`, { headers: ADMIN_AUTH })).json() as CallView[];
  const record = records.find((r) => r.id === ended.payload.recordId);
  t.match(record, { direction: 'outbound', to: '+49301234567', from: '+49301110000', agent: 'ann', queue: 'sales', customerId: String(customer.id), outcome: 'answered' },
    'the record: outbound, by Ann, to the number, for the customer');
  const timeline = await (await fetch(`${server.url}/api/interactions?customer=${customer.id}`, { headers: ADMIN_AUTH })).json() as { items: { disposition: string | null; callId: string | null }[] };
  t.ok(timeline.items.some((i) => i.disposition === 'tariff-offered' && i.callId === ended.payload.recordId), `the disposition set in wrap-up is on the customer's timeline for this call ${JSON.stringify(timeline.items)}`);

  if (record) {
    const from = ms(record.answeredAt) + 500;
    const to = ms(record.endedAt) - 300;
    const window = rtpPackets(packets.filter((p) => p.timeMs >= from && p.timeMs <= to)).filter((p) => p.payloadType === 0);
    const inTenor = (port: number): boolean => port >= rtp.from && port <= rtp.to;
    const isPhone = (port: number): boolean => port >= phone.rtpPorts.from && port <= phone.rtpPorts.to;
    const isNetwork = (port: number): boolean => !inTenor(port) && !isPhone(port);
    const hex = (pred: (p: { srcPort: number; dstPort: number }) => boolean): string[] => window.filter(pred).map((p) => p.payload.toString('hex'));
    const customerSent = new Set(hex((p) => isNetwork(p.srcPort) && inTenor(p.dstPort)));
    const toAnn = hex((p) => inTenor(p.srcPort) && isPhone(p.dstPort));
    t.ok(toAnn.length > 100 && toAnn.filter((h) => customerSent.has(h)).length >= toAnn.length * 0.9, `Ann hears the customer (${toAnn.length} packets)`);
    const annSent = new Set(hex((p) => isPhone(p.srcPort) && inTenor(p.dstPort)));
    const toCustomer = hex((p) => inTenor(p.srcPort) && isNetwork(p.dstPort));
    t.ok(toCustomer.length > 100 && toCustomer.filter((h) => annSent.has(h)).length >= toCustomer.length * 0.9, `the customer hears Ann (${toCustomer.length} packets)`);
  }

  // Wrap-up done; the callback's Call button places the next call.
  await ann.click('#end-wrap-up');
  await ann.waitForSelector('#agent-state[data-state="ready"]', { timeout: 15_000 });
  await ann.click('#my-callbacks [data-testid="call-callback"]');
  await ann.waitForSelector('#dial-status[data-step="connected"]', { timeout: 45_000 });
  t.equal(await ann.inputValue('#dial-number'), '+49309876543', "the dial pad took the callback's number");
  await ann.waitForSelector('#callbacks-none', { timeout: 15_000 });
  t.pass('the callback reached its customer and left the list');
  await ann.click('#call-hangup');
  await ann.waitForSelector('#contact[data-state="wrap-up"]', { timeout: 15_000 });
  const result = await within(network.done, 30_000, 'the network to see both calls end');
  t.equal(result.code, 0, 'both customer calls ended with our BYE');
});
