// The web client's shell in headless Chromium: a wrong password is refused on the login
// page, each role gets its own pages, the language switch translates the page and is
// remembered, signing out returns to the login page, the tabs stay the same elements while
// live events arrive, and an expired session (idle time on the sessions' test clock) sends
// the browser back to the login page at its next request.

import t from 'tap';
import { basic, seedPeople, startAccessServer } from '../access/harness.js';
import { launchBrowser } from '../browser.js';

t.test('login, role navigation, language switch, sign-out and session expiry', { timeout: 90_000 }, async (t) => {
  // The live socket checks its session once an hour here: the expiry below is found by the
  // next request, not by a check that could end the session while the tab is being clicked
  // (that path has its own test in live-events/live-events.test.ts).
  const server = await startAccessServer(t, { liveEvents: { sessionCheckMs: 3_600_000 } });
  await seedPeople(server);
  const browser = await launchBrowser(t);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  // Requests the page has in flight, so the session expires only once the monitor's own have been answered.
  await context.addInitScript(() => {
    const w = window as unknown as { requestsInFlight: number };
    w.requestsInFlight = 0;
    const fetchOf = window.fetch.bind(window);
    window.fetch = (...args: Parameters<typeof fetch>) => {
      w.requestsInFlight++;
      return fetchOf(...args).finally(() => w.requestsInFlight--);
    };
  });
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
  t.same(await page.$$eval('nav.tabs a', (as) => as.map((a) => a.getAttribute('data-page'))), ['monitor', 'wallboard', 'reports', 'recordings'], 'a supervisor sees the monitor, the wallboard, reports and recordings');

  t.equal(await page.getAttribute('#agents tr[data-agent="ann"]', 'data-state'), 'ready', "the monitor shows ann's state");

  // Live events re-render the pages, never the tabs: a tab re-created under a click is "detached from the DOM".
  await page.evaluate(() => {
    const seen = window as unknown as { tabsRemoved: number };
    seen.tabsRemoved = 0;
    new MutationObserver((mutations) => {
      for (const m of mutations) {
        for (const node of Array.from(m.removedNodes)) if (node instanceof Element && (node.matches('nav.tabs, nav.tabs a') || node.querySelector('nav.tabs'))) seen.tabsRemoved++;
      }
    }).observe(document.body, { childList: true, subtree: true });
  });
  const tabs = await page.$$('nav.tabs a');
  for (const state of ['logged-out', 'ready', 'logged-out', 'ready']) {
    const res = await server.app.inject({ method: 'POST', url: '/api/agents/ann/state', headers: { authorization: basic('ada', 'ada-password') }, payload: { state } });
    t.equal(res.statusCode, 200, `ann ${state}: ${res.body}`);
    await page.waitForSelector(`#agents tr[data-agent="ann"][data-state="${state}"]`, { timeout: 10_000 });
  }
  t.equal(await page.evaluate(() => (window as unknown as { tabsRemoved: number }).tabsRemoved), 0, 'no tab was removed while live events arrived');
  t.same(await Promise.all(tabs.map((a) => a.evaluate((el) => el.isConnected))), [true, true, true, true], 'the tabs are the same elements as before the events');
  await page.click('nav.tabs a[data-page="reports"]');
  await page.selectOption('#report-name', 'agents');
  await page.waitForSelector('#report-table td:text-is("ann")', { timeout: 10_000 });
  t.ok(await page.$('#report-chart rect.bar'), 'the agent availability report shows ann with a chart');
  t.match(await page.getAttribute('#report-csv', 'href'), /^\/api\/reports\/agents\?period=today&interval=60m&format=csv$/, 'and its CSV link');
  await page.click('nav.tabs a[data-page="monitor"]');
  await page.waitForSelector('#agents', { timeout: 10_000 });
  await page.click('nav.tabs a[data-page="reports"]');
  await page.waitForSelector('#report-table', { timeout: 10_000 });

  // Nobody uses the tab for 31 minutes: the next request finds the session gone. On the reports page, which
  // asks only when told, once its first requests are answered: the monitor asks by itself (200 ms after each
  // snapshot), and a request of its own answered after the clock moved would end the session under a click.
  await page.waitForFunction(() => (window as unknown as { requestsInFlight: number }).requestsInFlight === 0, undefined, { timeout: 10_000 });
  server.clock.advance(31 * 60_000);
  await page.selectOption('#report-name', 'agents');
  await page.waitForSelector('#sign-in', { timeout: 10_000 });
  t.pass('an expired session sends the browser back to the login page');
  await context.close();
});
