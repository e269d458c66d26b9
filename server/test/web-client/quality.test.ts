// Quality scorecards in headless Chromium: a supervisor opens a recording in
// the player, fills the site's scorecard (yes, 4 of 5, n/a) with a comment and
// sees the score; the admin adds a scorecard in the admin console; the agent
// sees the evaluation, its answers and a link to the recording in the desk;
// the quality report shows the chart and the agent's row.
// Screenshots: docs/screenshots/quality-scorecard.png, docs/screenshots/quality-report.png.

import t from 'tap';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { basic, seedPeople, startAccessServer } from '../access/harness.js';
import { launchBrowser } from '../browser.js';
import { tempDir, testConfig } from '../helpers.js';
import { callWav, seedRecording } from '../recordings/seed-recording.js';

const screenshots = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../docs/screenshots');

const site = {
  recording: { agentsMayListen: true },
  quality: {
    scorecards: [{
      name: 'standard', title: 'Standard call review', queues: ['sales'],
      criteria: [
        { id: 'greeting', label: 'Greeted the customer by name', weight: 10, kind: 'yes-no' },
        { id: 'resolution', label: 'Resolved the issue', weight: 30, kind: 'scale', max: 5 },
        { id: 'upsell', label: 'Offered the upgrade', weight: 20, kind: 'yes-no', allowNa: true },
      ],
    }],
  },
};

async function signIn(browser: Browser, url: string, user: string, hash = ''): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' })).newPage();
  await page.goto(`${url}/app/${hash}`);
  await page.fill('#username', user);
  await page.fill('#password', `${user}-password`);
  await page.click('#sign-in');
  await page.waitForSelector('#whoami', { timeout: 15_000 });
  return page;
}

t.test('a supervisor scores a recording in the player; the agent sees it in the desk; the report shows it', { timeout: 180_000 }, async (t) => {
  const file = path.join(tempDir(t, 'tenor-quality-ui-'), 'site.yaml');
  writeFileSync(file, JSON.stringify(site));
  const server = await startAccessServer(t, { config: testConfig(t, { TENOR_CONFIG: file }) });
  await seedPeople(server);
  const id = randomUUID();
  // A minute ago: inside "last 7 days" whatever the time of day.
  await seedRecording(server.services, server.config.dataDir, {
    id, callId: `quality-${id}@test`, queue: 'sales', agent: 'ann', startedAt: new Date(Date.now() - 60_000).toISOString(),
    wav: callWav(6, { left: [{ hz: 440, amplitude: 8000, fromS: 0, toS: 6 }], right: [{ hz: 1000, amplitude: 6000, fromS: 1, toS: 5 }] }),
    markers: [{ atMs: 2000, kind: 'hold', by: 'ann' }, { atMs: 3000, kind: 'unhold', by: 'ann' }],
  });
  const browser = await launchBrowser(t);

  const sue = await signIn(browser, server.url, 'sue', `#/recordings/${id}`);
  await sue.waitForSelector('#evaluation-form[data-scorecard="standard"]', { timeout: 15_000 });
  t.match(await sue.textContent('#evaluations-none'), /Not evaluated yet/);
  await sue.check('#criterion-greeting-yes');
  await sue.check('#criterion-resolution-4');
  await sue.check('#criterion-upsell-na');
  await sue.fill('#evaluation-comment', 'Warm greeting; confirm the fix before closing.');
  await sue.click('#evaluation-submit');
  await sue.waitForSelector('#evaluation-score', { timeout: 15_000 });
  t.equal(await sue.textContent('#evaluation-score'), 'Score: 85%', '(10 + 30×4/5) / 40: n/a left out');
  const past = sue.locator('#recording-evaluations .evaluation[data-score="85"]');
  await past.waitFor({ timeout: 15_000 });
  await past.locator('summary').click();
  t.match(await past.textContent(), /Warm greeting/, 'the past evaluation lists the comment');
  t.match(await past.locator('tr[data-criterion="resolution"]').textContent(), /4 \/ 5/, 'and each answer');
  await sue.screenshot({ path: path.join(screenshots, 'quality-scorecard.png'), fullPage: true });

  // An unanswered criterion: the server names it, nothing is stored.
  await sue.check('#criterion-greeting-no');
  await sue.click('#evaluation-submit');
  await sue.waitForSelector('#evaluation-error', { timeout: 15_000 });
  t.match(await sue.textContent('#evaluation-error'), /answers\.resolution: every criterion needs an answer/);

  // Bob's call in sales, scored through the API: a second agent in the report.
  const bobsId = randomUUID();
  await seedRecording(server.services, server.config.dataDir, {
    id: bobsId, callId: `quality-${bobsId}@test`, queue: 'sales', agent: 'bob', startedAt: new Date(Date.now() - 120_000).toISOString(),
    wav: callWav(2, { left: [{ hz: 440, amplitude: 8000, fromS: 0, toS: 2 }] }),
  });
  const bobs = await fetch(`${server.url}/api/recordings/${bobsId}/evaluations`, {
    method: 'POST', headers: { authorization: basic('sue', 'sue-password'), 'content-type': 'application/json' },
    body: JSON.stringify({ scorecard: 'standard', answers: { greeting: 'yes', resolution: 2, upsell: 'n/a' } }),
  });
  t.equal(bobs.status, 201);

  // The quality report: the chart and the agents' rows.
  await sue.click('nav.tabs a[data-page="reports"]');
  await sue.selectOption('#report-name', 'quality');
  await sue.selectOption('#report-period', 'last-7-days');
  await sue.selectOption('#report-interval', 'day');
  const row = sue.locator('#report-table tbody tr[data-agent="ann"][data-queue="sales"]');
  await row.waitFor({ timeout: 15_000 });
  t.match(await row.textContent(), /ann.*sales.*1.*85%/, "ann's row: one evaluation, 85%");
  t.match(await sue.locator('#report-table tbody tr[data-agent="bob"]').textContent(), /bob.*sales.*1.*55%/, "bob's: (10 + 30×2/5) / 40");
  t.equal(await sue.textContent('#total-average'), '70%', 'the mean of 85 and 55');
  t.equal(await sue.locator('#report-chart rect.bar').count(), 2, 'a bar per agent');
  t.match(await sue.getAttribute('#report-csv', 'href') ?? '', /^\/api\/reports\/quality\?.*&format=csv$/, 'the CSV link');
  await sue.screenshot({ path: path.join(screenshots, 'quality-report.png'), fullPage: true });

  // The admin adds a scorecard in the admin console.
  const ada = await signIn(browser, server.url, 'ada', '#/admin/scorecards');
  await ada.waitForSelector('#scorecards tr[data-name="standard"]', { timeout: 15_000 });
  await ada.click('#scorecard-new');
  await ada.fill('#scorecard-name', 'brief');
  await ada.fill('#scorecard-title', 'Brief review');
  await ada.fill('#criterion-id-0', 'polite');
  await ada.fill('#criterion-label-0', 'Was polite');
  await ada.fill('#criterion-weight-0', '5');
  await ada.click('#scorecard-form-save');
  await ada.waitForSelector('#scorecards tr[data-name="brief"]', { timeout: 15_000 });
  t.match(await ada.textContent('#scorecards tr[data-name="brief"]'), /Brief review.*Was polite \(5\)/, 'the new scorecard is listed with its criterion and weight');

  // The agent sees the evaluation in the desk, with a link to the recording (this site lets agents listen).
  const ann = await signIn(browser, server.url, 'ann');
  const mine = ann.locator('#my-evaluations .evaluation[data-score="85"]');
  await mine.waitFor({ timeout: 15_000 });
  await mine.locator('summary').click();
  t.match(await mine.textContent(), /Standard call review.*by sue/);
  t.match(await mine.textContent(), /Warm greeting/);
  t.match(await mine.locator('tr[data-criterion="upsell"]').textContent(), /n\/a/);
  t.equal(await mine.locator('a.evaluation-recording').getAttribute('href'), `#/recordings/${id}`);
});
