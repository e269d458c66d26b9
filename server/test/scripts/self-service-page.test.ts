// The public self-service page in a real Chromium with a phone-sized screen:
// a customer opens the link, gives their number, answers and sees the end; a
// customer on record proves the number with the code e-mailed to them.

import t from 'tap';
import { startServer } from '../../src/server.js';
import { launchBrowser } from '../browser.js';
import { silentLogger, testConfig } from '../helpers.js';
import { startSmtpServer } from '../smtp.js';

t.test('a customer completes a script on the self-service page from a phone', async (t) => {
  const config = testConfig(t);
  const server = await startServer(config, { logger: silentLogger });
  t.teardown(() => server.stop());
  const scripts = server.services.get('scripts');
  const token = scripts.signLink({ scriptId: 'report-a-fault', expiresAt: Math.floor(Date.now() / 1000) + 3600 });

  const browser = await launchBrowser(t);
  const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await page.goto(`${server.httpUrl}/s/${token}`);
  await page.fill('#phone', '(212) 555-0142');
  await page.click('#start');
  await page.waitForSelector('text=Is there no power at all');
  t.match(await page.textContent('#app'), /Hello \+12125550142/, 'the page greets the customer by what Tenor knows');

  await page.click('#continue');
  await page.waitForSelector('[role=alert]');
  t.match(await page.textContent('[role=alert]'), /.+/, 'continuing without an answer shows why');

  await page.check('input[value=outage]');
  await page.click('#continue');
  await page.waitForSelector('text=Is there any danger');
  await page.check('input[value=yes]');
  await page.click('#continue');
  await page.waitForSelector('#outcome');
  t.equal(await page.getAttribute('#outcome', 'data-outcome'), 'escalated');

  const [customer] = await server.services.get('crm').findCustomersByPhone('+12125550142');
  const history = await server.services.get('crm').history(customer?.id ?? 0, { limit: 10, offset: 0 });
  t.ok(history.items.some((i) => i['channel'] === 'web' && i['outcome'] === 'escalated'), 'the run is on the customer history');
});

t.test('a customer on record asks for a code on the page and sees their own details after entering it', async (t) => {
  const smtp = await startSmtpServer(t);
  const config = { ...testConfig(t), smtp: { host: '127.0.0.1', port: smtp.port, from: 'tenor@example.test' } };
  const server = await startServer(config, { logger: silentLogger });
  t.teardown(() => server.stop());
  await server.services.get('crm').entity('Customer').create({ name: 'Grace Hopper', phones: ['+12125550142'], emails: ['grace@example.test'] });
  const token = server.services.get('scripts').signLink({ scriptId: 'report-a-fault', expiresAt: Math.floor(Date.now() / 1000) + 3600 });

  const browser = await launchBrowser(t);
  const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await page.goto(`${server.httpUrl}/s/${token}`);
  await page.fill('#phone', '(212) 555-0142');
  const mail = smtp.next();
  await page.click('#send-code');
  await page.waitForSelector('#code');
  const code = /code for .* is (\d{6})/.exec((await mail).raw.replace(/=\r?\n/g, ''))?.[1] ?? '';
  t.match(code, /^\d{6}$/, 'the code arrived by e-mail');

  await page.fill('#code', code === '000000' ? '000001' : '000000');
  await page.click('#verify');
  await page.waitForSelector('[role=alert]');
  t.match(await page.textContent('[role=alert]'), /code is wrong/, 'a wrong code is explained, and the page stays on the code');

  await page.fill('#code', code);
  await page.click('#verify');
  await page.waitForSelector('text=Is there no power at all');
  t.match(await page.textContent('#app'), /Hello Grace Hopper/, 'the proven customer is greeted by name');
});
