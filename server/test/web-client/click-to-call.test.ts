// Calling out from the desktop in headless Chromium, over real SIP: the site is
// in Germany; Ann types "030 1234-567" in the dial pad and presses Call; her
// softphone (baresip, auto-answer) rings first, then the customer behind the
// trunk (SIPp answering and speaking a tone); the desktop shows the call
// connected with the customer's screen pop; they hear each other (the RTP each
// side gets carries what the other sent); Ann hangs up, sets a disposition in
// wrap-up; the record is outbound, hers, for the customer. Then (issue 20's
// first "Done when") she finds the customer by the number written another way,
// presses Call on the customer's page (tenor:dial): her phone and then the
// customer's ring, they talk (audio checked), the disposition goes on the
// record's call; her day and recent calls show both calls. Last, her callbacks
// list shows an overdue callback, and its Call button places the call the
// same way; once answered it leaves the list.
// Screenshot: docs/screenshots/desktop-calling-out.png.

import t, { type Test } from 'tap';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import type { UdpPacket } from '../../../telephony/test/peers/index.js';
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

t.test('an agent calls a customer from the dial pad, from the customer found by search, and from the callbacks list', { timeout: 240_000 }, async (t) => {
  const dir = tempDir(t, 'tenor-click-to-call-');
  const tone = await makeToneUlaw(path.join(dir, 'customer.ul'), { seconds: 8, frequency: 600 });
  // The public network behind the trunk: answers three calls after a second's ringing, speaks a tone, waits for our BYE.
  const network = await startGreetingCallee({ greeting: tone, calls: 3, ringMs: 1000, timeoutMs: 220_000 });
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
  t.ok(timeline.items.some((i) => i.disposition === 'tariff-offered' && i.callId === ended.payload.recordId), "the disposition set in wrap-up is on the customer's timeline for this call");

  talked(t, packets, record, 'the dial pad call', { tenor: rtp, phone: phone.rtpPorts });

  // Issue 20's first "Done when": she finds the customer by the number written another way and calls from the record.
  await ann.click('#end-wrap-up');
  await ann.waitForSelector('#agent-state[data-state="ready"]', { timeout: 15_000 });
  await ann.fill('#customer-search-input', '0049 (30) 1234567');
  await ann.press('#customer-search-input', 'Enter');
  await ann.waitForSelector(`[data-testid="customer-result-${customer.id}"]`, { timeout: 15_000 });
  await ann.click(`[data-testid="customer-result-${customer.id}"]`);
  await ann.waitForSelector('#customer-page [data-testid^="call-phone-"]', { timeout: 15_000 });
  t.equal((await ann.textContent('#customer-page-name'))?.trim(), 'Clara Kunde', "the customer's page is open");
  const offersBefore = bus.of('call_offered').length;
  const eventsBefore = bus.events.length;
  const capture2 = await startCapture({ portRange: rtp });
  t.teardown(() => capture2.dispose());
  await ann.click('#customer-page [data-testid^="call-phone-"]');
  const offered2 = await bus.wait('call_offered', (p) => p.agents.includes('ann'), 30_000, eventsBefore);
  await ann.waitForSelector('#dial-status[data-step="connected"]', { timeout: 45_000 });
  t.equal(bus.of('call_offered').length, offersBefore + 1, "Call on the record rang Ann's phone");
  t.equal(bus.of('call_answered').length, 2, 'then the customer answered');
  t.match(offered2.payload, { direction: 'outbound', number: '+49301234567' }, 'for the number of her record');
  await ann.waitForSelector('#contact[data-state="on-call"] #call-controls', { timeout: 15_000 });
  t.equal(await ann.textContent('#caller-name'), 'Clara Kunde', 'the screen pop shows her');
  await new Promise((r) => setTimeout(r, 4000));
  await ann.click('#call-hangup');
  await ann.waitForSelector('#contact[data-state="wrap-up"]', { timeout: 15_000 });
  const ended2 = await bus.wait('call_ended', (p) => p.agent === 'ann' && p.recordId !== ended.payload.recordId, 15_000);
  const second = await capture2.stop();
  await ann.fill('#disposition', 'appointment-set');
  await ann.click('#save-notes');
  await ann.waitForSelector('#notes-status', { timeout: 10_000 });
  await acd.flush();
  const records2 = await (await fetch(`${server.url}/api/calls?limit=10`, { headers: ADMIN_AUTH })).json() as CallView[];
  const record2 = records2.find((r) => r.id === ended2.payload.recordId);
  t.match(record2, { direction: 'outbound', to: '+49301234567', agent: 'ann', customerId: String(customer.id), outcome: 'answered' }, 'the record of the call from the customer page: hers');
  talked(t, second.packets, record2, 'the call from the customer page', { tenor: rtp, phone: phone.rtpPorts });
  // Her day and recent calls show both calls, with the dispositions she gave.
  await ann.click('#end-wrap-up');
  await ann.waitForSelector('#agent-state[data-state="ready"]', { timeout: 15_000 });
  await ann.waitForSelector(`#day-recent-calls tr[data-call="${ended2.payload.recordId}"]`, { timeout: 15_000 });
  t.equal((await ann.textContent('#day-calls'))?.trim(), '2', 'her day: two calls handled');
  t.equal((await ann.textContent(`#day-recent-calls tr[data-call="${ended2.payload.recordId}"] .disposition`))?.trim(), 'appointment-set', 'her recent calls: the last one with its disposition');
  t.equal((await ann.textContent(`#day-recent-calls tr[data-call="${ended.payload.recordId}"] .disposition`))?.trim(), 'tariff-offered', 'and the first one with its own');

  // The callback's Call button places the next call.
  await ann.click('#my-callbacks [data-testid="call-callback"]');
  await ann.waitForSelector('#dial-status[data-step="connected"]', { timeout: 45_000 });
  t.equal(await ann.inputValue('#dial-number'), '+49309876543', "the dial pad took the callback's number");
  await ann.waitForSelector('#callbacks-none', { timeout: 15_000 });
  t.pass('the callback reached its customer and left the list');
  await ann.click('#call-hangup');
  await ann.waitForSelector('#contact[data-state="wrap-up"]', { timeout: 15_000 });
  const result = await within(network.done, 30_000, 'the network to see the calls end');
  t.equal(result.code, 0, 'every customer call ended with our BYE');
});

/** They heard each other: the RTP each side got while connected carries what the other sent (PCMU relayed unchanged). */
function talked(
  t: Test, packets: UdpPacket[], record: CallView | undefined, what: string, ports: { tenor: { from: number; to: number }; phone: { from: number; to: number } },
): void {
  if (!record) {
    t.fail(`${what}: no record`);
    return;
  }
  const from = ms(record.answeredAt) + 500;
  const to = ms(record.endedAt) - 300;
  const window = rtpPackets(packets.filter((p) => p.timeMs >= from && p.timeMs <= to)).filter((p) => p.payloadType === 0);
  // Two parties on Tenor's ports: the agent's softphone and the network; each sends to Tenor, Tenor relays to the other.
  const inTenor = (port: number): boolean => port >= ports.tenor.from && port <= ports.tenor.to;
  const isPhonePort = (port: number): boolean => port >= ports.phone.from && port <= ports.phone.to;
  const sentBy = (pred: (port: number) => boolean): Set<string> => {
    const all = new Set<string>();
    for (const p of window) if (inTenor(p.dstPort) && pred(p.srcPort)) all.add(p.payload.toString('hex'));
    return all;
  };
  const relayedTo = (pred: (port: number) => boolean): string[] => window.filter((p) => inTenor(p.srcPort) && pred(p.dstPort)).map((p) => p.payload.toString('hex'));
  const toPhone = relayedTo(isPhonePort);
  const toNetwork = relayedTo((port) => !isPhonePort(port) && !inTenor(port));
  const fromNetwork = sentBy((port) => !isPhonePort(port) && !inTenor(port));
  const fromPhone = sentBy(isPhonePort);
  t.ok(toPhone.length > 100 && toPhone.filter((h) => fromNetwork.has(h)).length >= toPhone.length * 0.9, `${what}: Ann hears the customer (${toPhone.length} packets)`);
  t.ok(toNetwork.length > 100 && toNetwork.filter((h) => fromPhone.has(h)).length >= toNetwork.length * 0.9, `${what}: the customer hears Ann (${toNetwork.length} packets)`);
}
