// The wallboard in headless Chromium with a real SIP caller: a supervisor
// opens #/wallboard at 1920×1080 and sees every queue normal, without
// scrollbars; a caller held in 'sales' with nobody ready turns the longest
// wait amber then red (with a word and a sign, not colour alone) and the
// alert appears. An agent cannot open it: the tab is not theirs and the
// API answers 403. Screenshots: docs/screenshots/wallboard.png and
// wallboard-alert.png.

import t from 'tap';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../browser.js';
import { caller, finished } from '../acd-sip/site.js';
import { startMonitorSite } from '../monitor-sip/harness.js';
import { ADMIN_AUTH } from '../helpers.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const screenshots = path.join(repo, 'docs', 'screenshots');
const wait = { timeout: 30_000 };

async function signIn(page: Page, url: string, username: string, password: string): Promise<void> {
  await page.goto(`${url}/app/`);
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('#sign-in');
  await page.waitForSelector('#whoami', wait);
}

t.test('wallboard: normal, then red with the alert when a caller waits past the threshold; agents cannot open it', { timeout: 150_000 }, async (t) => {
  const queues = ['sales', 'support', 'billing', 'renewals', 'claims', 'vip', 'partners', 'export'];
  const s = await startMonitorSite(t, {
    queues: queues.map((name) => ({
      name,
      thresholds: { waiting: { amber: 3, red: 6 }, longestWait: { amber: 3, red: 6 }, serviceLevel: { amber: 85, red: 70 } },
    })),
    agents: [{ login: 'ann', name: 'Ann', password: 'ann-password', queues: [{ queue: 'sales' }] }],
    entryNumbers: [{ number: '+15550100', queue: 'sales' }],
    alerts: { tickSeconds: 1, rules: [{ name: 'sales-caller-waiting', type: 'longest-wait', queue: 'sales', seconds: 6, severity: 'critical' }] },
  }, [{ username: 'sue', password: 'sue-password', role: 'supervisor' }]);
  await s.app.listen({ port: 0, host: '127.0.0.1' });
  const address = s.app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  const browser = await launchBrowser(t);
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'en-US' });
  const page = await context.newPage();
  await signIn(page, url, 'sue', 'sue-password');
  t.ok(await page.$('nav.tabs a[data-page="wallboard"]'), 'a supervisor has the Wallboard tab');
  await page.click('nav.tabs a[data-page="wallboard"]');
  await page.waitForSelector('#wallboard .tile[data-queue="sales"][data-level="normal"]', wait);
  t.equal(await page.$$eval('#wallboard .tile', (tiles) => tiles.length), 8, 'one tile per queue');
  t.notOk(await page.isVisible('header.top'), 'full screen: no header');
  const fits = await page.evaluate(() => ({ h: document.documentElement.scrollHeight <= innerHeight, w: document.documentElement.scrollWidth <= innerWidth }));
  t.same(fits, { h: true, w: true }, 'eight queues fit 1920×1080 without scrollbars');
  t.equal(await page.textContent('#wallboard .tile[data-queue="sales"] [data-figure="waiting"] .figure-value'), '0', 'nobody waiting');
  t.notOk(await page.$('#alerts'), 'no alert');
  await page.screenshot({ path: path.join(screenshots, 'wallboard.png') });

  // WHEN a caller waits in sales with nobody ready.
  const p = caller(t, s, { number: '+15550100', caller: '+31201110001', stayMs: 16_000 });
  await page.waitForSelector('#wallboard .tile[data-queue="sales"] [data-figure="longestWait"][data-level="amber"]', wait);
  t.match(await page.textContent('#wallboard .tile[data-queue="sales"] [data-figure="longestWait"] .figure-cue'), /amber/, 'amber says so in words');
  await page.waitForSelector('#wallboard .tile[data-queue="sales"] [data-figure="longestWait"][data-level="red"]', wait);
  t.match(await page.textContent('#wallboard .tile[data-queue="sales"] [data-figure="longestWait"] .figure-cue'), /▲ red/, 'red carries a sign and a word');
  t.equal(await page.getAttribute('#wallboard .tile[data-queue="sales"]', 'data-level'), 'red', 'the tile is red');
  t.equal(await page.getAttribute('#wallboard .tile[data-queue="support"]', 'data-level'), 'normal', 'other queues stay normal');
  await page.waitForSelector('#alerts .alert[data-rule="sales-caller-waiting"]', wait);
  t.match(await page.textContent('#alerts'), /Critical: A caller in queue sales has waited \d+ s \(limit 6 s\)/, 'the alert is shown');
  await page.screenshot({ path: path.join(screenshots, 'wallboard-alert.png') });

  // The monitor shows the same alert.
  const monitor = await context.newPage();
  await monitor.goto(`${url}/app/#/monitor`);
  await monitor.waitForSelector('#alerts .alert[data-rule="sales-caller-waiting"]', wait);
  t.pass('the monitor shows the alert');
  await monitor.close();

  // AND when the caller leaves, the alert goes and the figures return to normal.
  await finished(await p, 'the caller');
  await page.waitForSelector('#wallboard .tile[data-queue="sales"] [data-figure="longestWait"][data-level="normal"]', wait);
  await page.waitForSelector('#alerts', { state: 'detached', ...wait });
  t.pass('the longest wait back to normal, the alert cleared');
  // The caller hung up after 16 s: abandoned today, and today's service level (0 of 1 in time) is red.
  await page.waitForSelector('#wallboard .tile[data-queue="sales"] [data-figure="abandoned"] .figure-value:text-is("1")', wait);
  t.equal(await page.getAttribute('#wallboard .tile[data-queue="sales"] [data-figure="serviceLevel"]', 'data-level'), 'red', "today's service level: red");

  // The server kept the waiting callers of the last hour (a sample every 10 s): the caller is in sales' history.
  const board = JSON.parse((await s.app.inject({ method: 'GET', url: '/api/wallboard', headers: ADMIN_AUTH })).body) as { sampleSeconds: number; queues: { queue: string; history: { waiting: number }[] }[] };
  const salesHistory = board.queues.find((q) => q.queue === 'sales')?.history ?? [];
  t.equal(board.sampleSeconds, 10, 'sampled every 10 s');
  t.ok(salesHistory[0]?.waiting === 0 && salesHistory.some((h) => h.waiting === 1), `the hour's history: nobody at the start, then the caller (${salesHistory.map((h) => h.waiting).join(',')})`);

  // Thresholds are part of the queue's definition: an admin changes them as the console does (PUT /api/queues/:name).
  const bad = await s.app.inject({ method: 'PUT', url: '/api/queues/vip', headers: ADMIN_AUTH, payload: { thresholds: { agentsReady: { amber: 'two', red: 0 } } } });
  t.equal(bad.statusCode, 400, 'a threshold that is no number: 400');
  const put = await s.app.inject({ method: 'PUT', url: '/api/queues/vip', headers: ADMIN_AUTH, payload: { thresholds: { agentsReady: { amber: 2, red: 0 } } } });
  t.equal(put.statusCode, 200, 'vip: fewer than 2 agents ready is amber, none is red');
  await page.waitForSelector('#wallboard .tile[data-queue="vip"][data-level="red"]', { timeout: 60_000 });
  t.match(await page.textContent('#wallboard .tile[data-queue="vip"] .agents-ready'), /0 ready ▲/, 'with nobody ready the new threshold turns vip red, with a sign');

  // A smaller screen: the same eight tiles, still without scrollbars.
  await page.setViewportSize({ width: 1280, height: 720 });
  const fitsSmall = await page.evaluate(() => ({ h: document.documentElement.scrollHeight <= innerHeight, w: document.documentElement.scrollWidth <= innerWidth }));
  t.same(fitsSmall, { h: true, w: true }, 'eight queues fit 1280×720 without scrollbars');

  // An agent: no Wallboard tab, #/wallboard opens their desktop, and the API refuses.
  const agentContext = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  const agent = await agentContext.newPage();
  await signIn(agent, url, 'ann', 'ann-password');
  await agent.goto(`${url}/app/#/wallboard`);
  await agent.waitForSelector('nav.tabs a[data-page="desktop"].active', wait);
  t.notOk(await agent.$('#wallboard'), 'an agent sent to #/wallboard gets their desktop');
  t.notOk(await agent.$('nav.tabs a[data-page="wallboard"]'), 'and has no Wallboard tab');
  const status = await agent.evaluate(async () => (await fetch('/api/wallboard')).status);
  t.equal(status, 403, 'GET /api/wallboard as an agent: 403');
  const alertsStatus = await agent.evaluate(async () => (await fetch('/api/alerts')).status);
  t.equal(alertsStatus, 403, 'GET /api/alerts as an agent: 403');
});
