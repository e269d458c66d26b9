// The web client's shell in headless Chromium: a wrong password is refused on the login
// page, each role gets its own pages, the language switch translates the page and is
// remembered, signing out returns to the login page, and an expired session (idle time
// on the sessions' test clock) sends the browser back to the login page.

import t from 'tap';
import { seedPeople, startAccessServer } from '../access/harness.js';
import { launchBrowser } from '../browser.js';

t.test('login, role navigation, language switch, sign-out and session expiry', { timeout: 90_000 }, async (t) => {
  const server = await startAccessServer(t);
  await seedPeople(server);
  const browser = await launchBrowser(t);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  const page = await context.newPage();

  await page.goto(`${server.url}/app/`);
  await page.fill('#username', 'ann');
  await page.fill('#password', 'wrong');
  await page.click('#sign-in');
  await page.waitForSelector('[role="alert"]', { timeout: 10_000 });
  t.equal(await page.textContent('[role="alert"]'), 'Wrong username or password.', 'a wrong password is refused');

  await page.fill('#password', 'ann-password');
  await page.click('#sign-in');
  await page.waitForSelector('#agent-state', { timeout: 10_000 });
  t.same(await page.$$eval('nav.tabs a', (as) => as.map((a) => a.getAttribute('data-page'))), ['desktop'], 'an agent sees only the desktop');
  t.equal(await page.getAttribute('#agent-state', 'data-state'), 'logged-out', 'she starts logged out of the queues');

  await page.selectOption('#lang', 'pt-BR');
  await page.waitForSelector('#go-ready:text-is("Disponível")', { timeout: 5000 });
  t.equal(await page.getAttribute('html', 'lang'), 'pt-BR', 'the page switches to Brazilian Portuguese');
  await page.reload();
  await page.waitForSelector('#sign-out:text-is("Sair")', { timeout: 10_000 });
  t.pass('the language choice is remembered and the session survives a reload');
  await page.selectOption('#lang', 'es');
  await page.waitForSelector('#sign-out:text-is("Cerrar sesión")', { timeout: 5000 });
  t.pass('and Spanish');
  await page.selectOption('#lang', 'en');
  await page.click('#go-ready');
  await page.waitForSelector('#agent-state[data-state="ready"]', { timeout: 10_000 });
  t.pass('the agent goes ready from the desktop');

  await page.click('#sign-out');
  await page.waitForSelector('#sign-in', { timeout: 10_000 });
  t.pass('signing out returns to the login page');

  await page.fill('#username', 'sue');
  await page.fill('#password', 'sue-password');
  await page.click('#sign-in');
  await page.waitForSelector('#agents tr[data-agent="ann"]', { timeout: 10_000 });
  t.same(await page.$$eval('nav.tabs a', (as) => as.map((a) => a.getAttribute('data-page'))), ['monitor', 'reports'], 'a supervisor sees the monitor and reports');

  t.equal(await page.getAttribute('#agents tr[data-agent="ann"]', 'data-state'), 'ready', "the monitor shows ann's state");
  await page.click('nav.tabs a[data-page="reports"]');
  await page.selectOption('#report-name', 'agents');
  await page.waitForSelector('#report-table td:text-is("ann")', { timeout: 10_000 });
  t.ok(await page.$('#report-chart rect.bar'), 'the agent availability report shows ann with a chart');
  t.match(await page.getAttribute('#report-csv', 'href'), /^\/api\/reports\/agents\?period=today&interval=60m&format=csv$/, 'and its CSV link');
  await page.click('nav.tabs a[data-page="monitor"]');
  await page.waitForSelector('#agents', { timeout: 10_000 });

  // Nobody uses the tab for 31 minutes: the next request finds the session gone.
  server.clock.advance(31 * 60_000);
  await page.click('nav.tabs a[data-page="reports"]');
  await page.waitForSelector('#sign-in', { timeout: 10_000 });
  t.pass('an expired session sends the browser back to the login page');
  await context.close();
});
