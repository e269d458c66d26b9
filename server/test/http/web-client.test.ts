import t from 'tap';
import { startServer } from '../../src/server.js';
import { launchBrowser } from '../browser.js';
import { silentLogger, testConfig } from '../helpers.js';

t.test('the web client page loads in Chromium and shows the server status', async (t) => {
  const config = testConfig(t);
  const server = await startServer(config, { logger: silentLogger });
  t.teardown(() => server.stop());
  const browser = await launchBrowser(t);
  const page = await browser.newPage();
  await page.goto(`${server.httpUrl}/`);
  await page.waitForFunction(() => document.getElementById('health')?.textContent?.startsWith('ok'), undefined, { timeout: 10_000 });
  t.match(await page.textContent('#health'), /^ok \(version \d+\.\d+\.\d+\)$/);
  await page.click('text=API documentation');
  await page.waitForURL(/\/api\/docs/);
  t.match(await page.title(), /Swagger|API/i, 'the API docs open from the page');
});
