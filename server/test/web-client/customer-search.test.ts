// The desk outside a call in headless Chromium: the agent finds her customer by
// a number typed another way than it is stored, opens the customer's page
// (details, history, open cases), opens a case, and the "Call" buttons ask for
// the call with the tenor:dial event carrying the customer's E.164 number; a
// customer she does not handle is not found; her day shows the call she took
// and is read again when her state changes.
// Screenshots: docs/screenshots/desk-idle.png, desk-search.png, desk-customer.png.

import t from 'tap';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { CallRecordsRepository } from '../../src/services/acd/store/call-records.js';
import { presetPeriod } from '../../src/services/reports/buckets.js';
import { defaultTimeZone } from '../../src/services/reports/query.js';
import { seedPeople, startAccessServer } from '../access/harness.js';
import { launchBrowser } from '../browser.js';
import { testConfig } from '../helpers.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const screenshots = path.join(repo, 'docs', 'screenshots');

declare global {
  interface Window { dials?: unknown[] }
}

t.test('the agent finds a customer by a differently formatted number, opens the page, opens a case, clicks Call', { timeout: 120_000 }, async (t) => {
  const config = testConfig(t);
  // A Berlin site: numbers typed the German way.
  const server = await startAccessServer(t, { config: { ...config, crm: { ...config.crm, defaultCountry: 'DE' } } });
  await seedPeople(server);
  // Her call lies two minutes back, today: right after midnight, wait until today has three minutes.
  const sinceMidnight = Date.now() - presetPeriod(defaultTimeZone({}), 'today', Date.now()).start;
  if (sinceMidnight < 180_000) await sleep(180_000 - sinceMidnight);

  const crm = server.services.get('crm');
  const mueller = await crm.create('Customer', { name: 'Jürgen Müller', phones: ['+49 30 1234567', '+49 171 5550123'], emails: ['j.mueller@example.de'], segment: 'A' });
  const grace = await crm.create('Customer', { name: 'Grace Müller', phones: ['+1 212 555 0100'] });
  await crm.create('Case', { customer: mueller.id, code: 'BILLING', description: 'March invoice twice' });
  await crm.recordInteraction({ customer: mueller.id, channel: 'voicemail', direction: 'inbound', notes: 'Please call me back about the invoice' });

  // Ann answered his call two minutes ago (as the ACD records it) and gave it a disposition: her customer now.
  const records = new CallRecordsRepository(server.services.get('store'));
  const arrived = Date.now() - 120_000;
  await records.open({ id: 'call-mueller', direction: 'inbound', from: '+49301234567', to: '100', customerId: String(mueller.id), arrivedAt: arrived });
  await records.update('call-mueller', { queue: 'sales', agent: 'ann', answeredAt: arrived + 5_000, endedAt: arrived + 65_000, talkMs: 60_000, outcome: 'answered', live: false });
  await crm.recordInteraction({ customer: mueller.id, channel: 'call', direction: 'inbound', callId: 'call-mueller', agent: 'ann', notes: 'Invoice explained', disposition: 'resolved' });

  const browser = await launchBrowser(t);
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, locale: 'en-US' });
  const page = await context.newPage();
  await page.goto(`${server.url}/app/`);
  await page.fill('#username', 'ann');
  await page.fill('#password', 'ann-password');
  await page.click('#sign-in');
  await page.waitForSelector('#whoami', { timeout: 15_000 });
  await page.evaluate(() => {
    window.dials = [];
    window.addEventListener('tenor:dial', (e) => window.dials?.push((e as CustomEvent).detail));
  });

  // Her day: the call she took, with its disposition.
  await page.waitForSelector('#day-recent-calls tr[data-call="call-mueller"]', { timeout: 15_000 });
  t.equal((await page.textContent('#day-calls'))?.trim(), '1', 'one call handled today');
  t.equal((await page.textContent('#day-avg-talk'))?.trim(), '1:00', 'average talk');
  t.equal((await page.textContent('#day-recent-calls tr[data-call="call-mueller"] .disposition'))?.trim(), 'resolved', 'the disposition she gave');
  await page.screenshot({ path: path.join(screenshots, 'desk-idle.png'), fullPage: true });

  // A customer she does not handle is not found, by name or by number.
  await page.fill('#customer-search-input', 'grace');
  await page.press('#customer-search-input', 'Enter');
  await page.waitForSelector('#customer-results', { timeout: 15_000 });
  t.match(await page.textContent('#customer-results'), /No customer found/, 'another customer stays hidden');
  t.equal(await page.locator(`[data-testid="customer-result-${grace.id}"]`).count(), 0);

  // Her customer, by the number typed the way people say it; Enter searches (keyboard only).
  await page.fill('#customer-search-input', '030/1234567');
  await page.press('#customer-search-input', 'Enter');
  await page.waitForSelector(`[data-testid="customer-result-${mueller.id}"]`, { timeout: 15_000 });
  t.equal((await page.textContent('#searched-number'))?.trim(), '+49301234567', 'read as the E.164 number');
  await page.screenshot({ path: path.join(screenshots, 'desk-search.png'), fullPage: true });

  await page.focus(`[data-testid="customer-result-${mueller.id}"]`);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#customer-history li', { timeout: 15_000 });
  t.equal((await page.textContent('#customer-page-name'))?.trim(), 'Jürgen Müller');
  const history = (await page.textContent('#customer-history')) ?? '';
  t.match(history, /Invoice explained/, 'the call on the history');
  t.match(history, /resolved/, 'with its disposition');
  t.match(history, /call me back about the invoice/, 'the voicemail on the history');
  t.match(await page.textContent('#customer-open-cases'), /BILLING/, 'the open case');

  // A new case from the desk.
  await page.fill('#new-case-code', 'FAULT');
  await page.fill('#new-case-description', 'No dial tone since Monday');
  await page.click('#new-case-save');
  await page.waitForSelector('#customer-open-cases li:nth-child(2)', { timeout: 15_000 });
  t.match(await page.textContent('#customer-open-cases'), /FAULT.*No dial tone since Monday/, 'the case is open');
  t.match(await page.textContent('#new-case-status'), /Case #\d+ opened/);
  await page.waitForFunction(() => document.querySelector('#customer-open-cases-count')?.textContent?.trim() === '2', undefined, { timeout: 15_000 });
  const cases = await crm.entity('Case').list({ where: { customer: mueller.id, code: 'FAULT' } });
  t.equal(cases.total, 1, 'stored for the customer');
  t.match(cases.items[0], { status: 'open', description: 'No dial tone since Monday' });
  await page.screenshot({ path: path.join(screenshots, 'desk-customer.png'), fullPage: true });

  // A code the server refuses (longer than the model's 50) shows its reason: the form's limit lifted as a tool could.
  await page.evaluate(() => { (document.querySelector('#new-case-code') as HTMLInputElement).maxLength = 100; });
  await page.fill('#new-case-code', 'X'.repeat(60));
  await page.click('#new-case-save');
  await page.waitForFunction(() => /Error|must/i.test(document.querySelector('#new-case-status')?.textContent ?? ''), undefined, { timeout: 15_000 });
  t.pass('a refused case shows the server\'s reason');

  // "Call" on a number and on a history entry: tenor:dial with the customer's E.164 number.
  const callButton = page.locator('[data-testid="call-phone-1"]');
  t.equal((await callButton.textContent())?.trim(), 'Call', 'the button says Call');
  await callButton.click();
  await page.locator('[data-testid^="call-history-"]').first().click();
  await page.locator('[data-testid="call-recent-call-mueller"]').click();
  // The day follows the live events: a call recorded meanwhile shows once her state changes (here: a break).
  const later = Date.now() - 30_000;
  await records.open({ id: 'call-later', direction: 'inbound', from: '+491715550123', to: '100', customerId: String(mueller.id), arrivedAt: later });
  await records.update('call-later', { queue: 'sales', agent: 'ann', answeredAt: later + 2_000, endedAt: later + 22_000, talkMs: 20_000, outcome: 'answered', live: false });
  t.equal(await page.locator('#day-recent-calls tr[data-call="call-later"]').count(), 0, 'not shown before anything changes');
  await page.click('#take-break');
  await page.waitForSelector('#agent-state[data-state="break"]', { timeout: 15_000 });
  await page.waitForSelector('#day-recent-calls tr[data-call="call-later"]', { timeout: 15_000 });
  t.equal((await page.textContent('#day-calls'))?.trim(), '2', 'two calls handled now');

  const dials = await page.evaluate(() => window.dials);
  t.same(dials, [
    { number: '+491715550123', customerId: String(mueller.id) },
    { number: '+49301234567', customerId: String(mueller.id) },
    { number: '+49301234567', customerId: String(mueller.id) },
  ], 'each Call asks for the call with the E.164 number and the customer');
});
