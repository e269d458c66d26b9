// The supervisor's monitor lists outbound calls the dialing policy refused,
// live (headless Chromium): with the monitor open, an admin adds a campaign
// callback to a premium-rate number over the API; the 403 refusal appears as a
// row (number, class, why) without a reload, and the count for today goes up.

import t from 'tap';
import { basic, seedPeople, startAccessServer } from '../access/harness.js';
import { launchBrowser } from '../browser.js';

const wait = { timeout: 15_000 };

t.test('monitor: a refused campaign callback appears under "Refused outbound calls" without a reload', { timeout: 120_000 }, async (t) => {
  const server = await startAccessServer(t);
  await seedPeople(server);
  const admin = { authorization: basic('ada', 'ada-password'), 'content-type': 'application/json' };
  await server.services.get('campaigns').importList(['Phone\n'], { list: 'empty', mapping: { phone: 'Phone' } });
  const put = await fetch(`${server.url}/api/campaigns/cb`, { method: 'PUT', headers: admin, body: JSON.stringify({ mode: 'progressive', target: { list: 'empty' }, queue: 'sales', callerId: '+12125550000' }) });
  t.equal(put.status, 200, 'a campaign to add callbacks to');

  const browser = await launchBrowser(t);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
  const page = await context.newPage();
  await page.goto(`${server.url}/app/`);
  await page.fill('#username', 'sue');
  await page.fill('#password', 'sue-password');
  await page.click('#sign-in');
  await page.waitForSelector('#refused-calls', wait);
  t.match(await page.textContent('#refused-calls'), /Refused outbound calls\s*0 today[\s\S]*No outbound call has been refused/, 'the panel starts empty');

  const at = new Date(Date.now() + 3_600_000).toISOString();
  const refused = await fetch(`${server.url}/api/campaigns/cb/callbacks`, { method: 'POST', headers: admin, body: JSON.stringify({ phone: '+19005551234', at }) });
  t.equal(refused.status, 403, 'the API refuses a callback to a premium-rate number');
  t.equal(((await refused.json()) as { error?: { code?: string } }).error?.code, 'TENOR_ERR_DIALING_REFUSED', 'with the dialing error code');

  const row = '#refused-calls tr[data-number="+19005551234"]';
  await page.waitForSelector(row, wait);
  t.equal(await page.getAttribute(row, 'data-reason'), 'number-class', 'the row appears on the open monitor');
  t.equal(await page.textContent(`${row} .class`), 'premium-rate', 'with the number class');
  t.equal(await page.textContent(`${row} .why`), 'Campaign call: the site does not dial this kind of number', 'and why, in words');
  t.match(await page.textContent('#refused-calls .refused-today'), '1 today', "today's count goes up");
});
