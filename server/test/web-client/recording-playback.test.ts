// Recording playback in headless Chromium. A supervisor opens the Recordings
// page, filters the list, opens a recording: the waveform draws both channels
// with the hold and paused spans shaded, the markers are listed at their times
// (a click seeks the audio there, so does a click on the waveform), 1.5× sets
// the playback rate, the download is the WAV, and after she plays it the audit
// lists her listen. A customer's id in the list finds that customer's
// recordings. An agent, where the site lets agents listen, sees only her own
// calls' recordings, and reaches hers from her day and from the customer's
// history; where the site does not, she has no Recordings tab at all.
// The recordings are seeded as finished (no call): the SIP tests prove recording.
// Screenshots: docs/screenshots/recordings-list.png, recording-player.png.

import t from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { CallRecordsRepository } from '../../src/services/acd/store/call-records.js';
import { presetPeriod } from '../../src/services/reports/buckets.js';
import { defaultTimeZone } from '../../src/services/reports/query.js';
import { seedPeople, startAccessServer } from '../access/harness.js';
import { launchBrowser } from '../browser.js';
import { testConfig } from '../helpers.js';
import { callWav, seedRecording } from '../recordings/seed-recording.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const screenshots = path.join(repo, 'docs', 'screenshots');
const wait = { timeout: 15_000 };

async function signIn(browser: Browser, url: string, username: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(`${url}/app/`);
  await page.fill('#username', username);
  await page.fill('#password', `${username}-password`);
  await page.click('#sign-in');
  await page.waitForSelector('nav.tabs a', wait);
  return page;
}

const rowIds = (page: Page): Promise<string[]> =>
  page.$$eval('#recordings-table tbody tr', (rows) => rows.map((r) => r.getAttribute('data-recording') ?? ''));
const currentTime = (page: Page): Promise<number> => page.$eval('#player-audio', (a) => (a as HTMLAudioElement).currentTime);

t.test('recordings: the list, the player, the links to it, and who may see them', { timeout: 240_000 }, async (t) => {
  const base = testConfig(t);
  const server = await startAccessServer(t, { config: { ...base, recording: { ...base.recording, agentsMayListen: true } } });
  await seedPeople(server);
  // Ann's call lies two minutes back, today (her day lists today's calls): right after midnight, wait until today has three minutes.
  const sinceMidnight = Date.now() - presetPeriod(defaultTimeZone({}), 'today', Date.now()).start;
  if (sinceMidnight < 180_000) await sleep(180_000 - sinceMidnight);

  const crm = server.services.get('crm');
  const carla = await crm.create('Customer', { name: 'Carla Kunde', phones: ['+31205550001'] });
  const arrived = Date.now() - 120_000;
  const records = new CallRecordsRepository(server.services.get('store'));
  await records.open({ id: 'call-carla', direction: 'inbound', from: '+31205550001', to: '100', customerId: String(carla.id), arrivedAt: arrived });
  await records.update('call-carla', { queue: 'sales', agent: 'ann', answeredAt: arrived + 5_000, endedAt: arrived + 65_000, talkMs: 60_000, outcome: 'answered', live: false });
  const interaction = await crm.recordInteraction({ customer: carla.id, channel: 'call', direction: 'inbound', callId: 'call-carla', agent: 'ann', notes: 'Card payment taken' });

  // 6 s: the customer throughout; the agent, except while the recording is paused (3 s to 4 s: silence on both sides).
  const wav = callWav(6, {
    left: [{ hz: 440, amplitude: 12000, fromS: 0, toS: 3 }, { hz: 440, amplitude: 12000, fromS: 4, toS: 6 }],
    right: [{ hz: 1000, amplitude: 9000, fromS: 0.5, toS: 3 }, { hz: 1000, amplitude: 9000, fromS: 4, toS: 6 }],
  });
  await seedRecording(server.services, server.config.dataDir, {
    id: 'rec-carla', callId: 'call-carla', queue: 'sales', agent: 'ann', customerId: String(carla.id), startedAt: new Date(arrived + 5_000).toISOString(), wav,
    markers: [
      { atMs: 1500, kind: 'hold', by: 'ann' },
      { atMs: 2500, kind: 'unhold', by: 'ann' },
      { atMs: 3000, kind: 'pause', by: 'ann', reason: 'card details' },
      { atMs: 4000, kind: 'resume', by: 'ann' },
    ],
  });
  await seedRecording(server.services, server.config.dataDir, {
    id: 'rec-bob', callId: 'call-bob', queue: 'support', agent: 'bob', customerId: '999', startedAt: new Date(arrived - 3_600_000).toISOString(),
    wav: callWav(2, { left: [{ hz: 440, amplitude: 8000, fromS: 0, toS: 2 }] }),
  });

  const browser = await launchBrowser(t);

  await t.test('a supervisor lists, filters and plays a recording; the audit shows her listen', async (t) => {
    const page = await signIn(browser, server.url, 'sue');
    await page.click('nav.tabs a[data-page="recordings"]');
    await page.waitForSelector('#recordings-table tbody tr', wait);
    t.same(await rowIds(page), ['rec-carla', 'rec-bob'], 'every recording, newest first');
    t.match(await page.textContent('#recordings-table tr[data-recording="rec-carla"]'), /0:06.*sales.*ann.*stored.*No/, 'duration, queue, agent, state, not encrypted');
    await page.screenshot({ path: path.join(screenshots, 'recordings-list.png'), fullPage: true });

    await page.fill('#recordings-queue', 'support');
    await page.click('#recordings-search');
    await page.waitForFunction(() => document.querySelectorAll('#recordings-table tbody tr').length === 1, undefined, wait);
    t.same(await rowIds(page), ['rec-bob'], 'filtered by queue');
    t.match(await page.evaluate(() => location.hash), /queue=support/, 'the filter is in the address (a link to it works)');

    await page.click('#recordings-clear');
    await page.waitForFunction(() => document.querySelectorAll('#recordings-table tbody tr').length === 2, undefined, wait);
    // The customer in a row lists that customer's recordings.
    await page.click('#recordings-table tr[data-recording="rec-carla"] .recording-customer');
    await page.waitForFunction(() => document.querySelectorAll('#recordings-table tbody tr').length === 1, undefined, wait);
    t.same(await rowIds(page), ['rec-carla'], "the customer's recordings");
    t.equal(await page.inputValue('#recordings-customerId'), String(carla.id));

    await page.click('#recordings-table tr[data-recording="rec-carla"] .recording-open');
    await page.waitForSelector('#recording-player[data-recording="rec-carla"] #waveform', wait);
    const lanes = await page.$$eval('#waveform polygon', (ps) => ps.map((p) => [p.getAttribute('data-channel'), (p.getAttribute('points') ?? '').split(' ').length]));
    t.same(lanes, [['customer', 2001], ['agent', 2001]], 'both channels drawn: 1000 peaks along the top, back along the bottom');
    t.equal(await page.locator('#waveform rect[data-span="hold"]').count(), 1, 'the hold span shaded');
    t.equal(await page.locator('#waveform rect[data-span="paused"]').count(), 1, 'the paused span shaded');
    t.equal(await page.locator('#waveform line.marker-line').count(), 5, 'a line per marker');
    t.match(await page.textContent('.waveform'), /Customer.*Agent/, 'the channels are labelled');

    const markers = await page.$$eval('#player-markers li', (items) => items.map((li) => [li.getAttribute('data-kind'), (li.textContent ?? '').replace(/\s+/g, ' ').trim()]));
    t.same(markers.map(([kind]) => kind), ['agent', 'hold', 'unhold', 'pause', 'resume'], 'the markers in time order');
    t.match(markers[1]?.[1], /^0:01 Hold · by ann/, 'hold at 1.5 s');
    t.match(markers[3]?.[1], /^0:03 Recording paused · by ann · card details/, 'the pause at 3 s, who and why');
    t.match(markers[4]?.[1], /^0:04 Recording resumed/, 'resumed at 4 s');
    t.ok(await page.isVisible('#player-audit-empty'), 'nobody has listened yet: opening the page is not a listen');

    await page.click('button[data-speed="1.5"]');
    t.equal(await page.$eval('#player-audio', (a) => (a as HTMLAudioElement).playbackRate), 1.5, '1.5× sets the playback rate');
    t.equal(await page.getAttribute('button[data-speed="1.5"]', 'aria-pressed'), 'true');

    // Play (Playwright's evaluate counts as a user gesture): the server audits the listen, the list shows it.
    await page.$eval('#player-audio', (a) => (a as HTMLAudioElement).play());
    await page.waitForSelector('#player-audit tr[data-action="listen"][data-user="sue"]', wait);
    t.equal(await page.$eval('#player-audio', (a) => (a as HTMLAudioElement).playbackRate), 1.5, 'still 1.5× once the audio loaded');
    await page.$eval('#player-audio', (a) => (a as HTMLAudioElement).pause());

    await page.click('#player-markers li[data-kind="pause"] .marker-seek');
    await page.waitForFunction(() => Math.abs((document.querySelector('#player-audio') as HTMLAudioElement).currentTime - 3) < 0.05, undefined, wait);
    t.pass('a click on the pause marker seeks to 3 s');
    await page.click('#player-markers li[data-kind="hold"] .marker-seek');
    await page.waitForFunction(() => Math.abs((document.querySelector('#player-audio') as HTMLAudioElement).currentTime - 1.5) < 0.05, undefined, wait);
    t.pass('the hold marker: 1.5 s');
    const box = await page.locator('#waveform').boundingBox();
    if (!box) throw new Error('no waveform box');
    await page.click('#waveform', { position: { x: box.width * 0.75, y: box.height / 4 } });
    await page.waitForFunction(() => Math.abs((document.querySelector('#player-audio') as HTMLAudioElement).currentTime - 4.5) < 0.1, undefined, wait);
    t.ok(Math.abs((await currentTime(page)) - 4.5) < 0.1, 'a click three quarters along the waveform seeks to 4.5 s');
    t.match(await page.textContent('#player-position'), /^0:04 \/ 0:06$/, 'the position shown');
    await page.screenshot({ path: path.join(screenshots, 'recording-player.png'), fullPage: true });

    const [download] = await Promise.all([page.waitForEvent('download', wait), page.click('#player-download')]);
    t.equal(download.suggestedFilename(), 'recording-rec-carla.wav');
    const saved = await download.path();
    t.same(readFileSync(saved), wav, 'the download is the recording');
    const audit = await page.evaluate(async () => (await (await fetch('/api/recordings/rec-carla/audit')).json()) as Array<{ user: string; action: string }>);
    t.same(audit.map((a) => [a.user, a.action]), [['sue', 'listen'], ['sue', 'download']], 'the listen and the download audited');
    await page.context().close();
  });

  await t.test('an agent where agents may listen: only her own recordings, from her day and the customer history', async (t) => {
    const page = await signIn(browser, server.url, 'ann');
    t.same(await page.$$eval('nav.tabs a', (as) => as.map((a) => a.getAttribute('data-page'))), ['desktop', 'recordings'], 'she has the Recordings tab');

    // Her day: the recording of her call.
    await page.waitForSelector('[data-testid="recording-recent-call-carla"]', wait);
    // The customer's history: the call links to its recording.
    await page.fill('#customer-search-input', 'Carla');
    await page.press('#customer-search-input', 'Enter');
    await page.click(`[data-testid="customer-result-${carla.id}"]`, wait);
    await page.waitForSelector(`[data-testid="recording-history-${interaction.id}"]`, wait);
    t.equal(await page.getAttribute('#customer-recordings', 'href'), `#/recordings?customerId=${carla.id}`, "and to the customer's recordings");
    await page.click(`[data-testid="recording-history-${interaction.id}"]`);
    await page.waitForSelector('#recording-player[data-recording="rec-carla"] #waveform', wait);
    t.pass('the history link opens the player');
    t.equal(await page.locator('#player-audit, #player-audit-empty').count(), 0, 'agents do not see the audit');

    await page.click('nav.tabs a[data-page="recordings"]');
    await page.waitForSelector('#recordings-table tbody tr', wait);
    t.same(await rowIds(page), ['rec-carla'], "only her own call's recording");
    t.equal(await page.locator('#recordings-agent').count(), 0, 'no agent filter for an agent');
    await page.evaluate(() => { location.hash = '#/recordings/rec-bob'; });
    await page.waitForSelector('#player-error', wait);
    t.match(await page.textContent('#player-error'), /No recording 'rec-bob'/, "bob's recording is not found to her");
    await page.context().close();
  });

  await t.test('an agent where agents may not listen: no Recordings tab, no recording links', async (t) => {
    const closed = await startAccessServer(t, { config: testConfig(t) });
    await seedPeople(closed);
    const page = await signIn(browser, closed.url, 'ann');
    t.same(await page.$$eval('nav.tabs a', (as) => as.map((a) => a.getAttribute('data-page'))), ['desktop'], 'only her desktop');
    t.equal(await page.evaluate(async () => ((await (await fetch('/api/auth/me')).json()) as { mayHearRecordings: boolean }).mayHearRecordings), false);
    // The hash change is handled and rendered within two frames.
    await page.evaluate(() => { location.hash = '#/recordings'; });
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    t.equal(await page.locator('#recordings-filters').count(), 0, 'the address does not open the page either');
    await page.context().close();
  });
});
