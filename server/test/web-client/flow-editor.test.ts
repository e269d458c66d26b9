// The admin console's IVR flow editor and script editor in headless Chromium.
// Flows: an admin opens the demo flow (seeded through the API); the graph shows
// every node and the menu's digit edges; a `next:` to a missing node is listed
// with its line beside the editor, marked in the gutter and drawn red in the
// graph, and saving it is refused with the server's message; fixed, it saves as a
// new version (GET shows it); a simulation shows and highlights its path.
// Scripts: a broken script shows each problem's line and reason; the preview run
// of the draft follows the answers given. Screenshot: docs/screenshots/flow-editor.png.

import t from 'tap';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { basic, seedPeople, startAccessServer, type AccessServer } from '../access/harness.js';
import { launchBrowser } from '../browser.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const screenshots = path.join(repo, 'docs', 'screenshots');
const wait = { timeout: 15_000 };

/** The demo site's flow, its voicemail node sent to a queue's box so it checks on a site with only queues. */
const DEMO = readFileSync(path.join(repo, 'server', 'flows', 'demo-main.yaml'), 'utf8');

async function api<T>(server: AccessServer, method: string, url: string, body?: string, type = 'application/yaml'): Promise<{ status: number; json: T }> {
  const res = await fetch(`${server.url}${url}`, {
    method,
    headers: { authorization: basic('ada', 'ada-password'), accept: 'application/json', ...(body !== undefined ? { 'content-type': type } : {}) },
    ...(body !== undefined ? { body } : {}),
  });
  return { status: res.status, json: (await res.json()) as T };
}

const lineOf = (source: string, text: string): number => source.split('\n').findIndex((l) => l.includes(text)) + 1;

/** The 1-based line the editor's caret is on. */
const caretLine = (page: Page, editor: string): Promise<number> =>
  page.$eval(`${editor} textarea`, (ta) => (ta as HTMLTextAreaElement).value.slice(0, (ta as HTMLTextAreaElement).selectionStart).split('\n').length);

t.test('flow editor with graph and simulation; script editor with preview', { timeout: 180_000 }, async (t) => {
  const server = await startAccessServer(t);
  await seedPeople(server);
  const boxes = await api<Array<{ name: string }>>(server, 'GET', '/api/voicemail/boxes');
  const box = boxes.json.find((b) => b.name === 'general')?.name ?? boxes.json[0]?.name;
  if (box === undefined) throw new Error('the test site has no voicemail box');
  const demo = DEMO.replace('box: general', `box: ${box}`);
  const seeded = await api<{ version: number }>(server, 'PUT', '/api/flows/demo-main', demo);
  t.equal(seeded.status, 200, 'the demo flow is seeded through the API');

  const browser = await launchBrowser(t);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US', timezoneId: 'UTC' });
  const page = await context.newPage();
  await page.goto(`${server.url}/app/`);
  await page.fill('#username', 'ada');
  await page.fill('#password', 'ada-password');
  await page.click('#sign-in');
  await page.click('nav.tabs a[data-page="admin"]');
  await page.click('#admin-sections a[data-section="flows"]');
  await page.waitForSelector('#flow-list tr[data-flow="demo-main"]', wait);
  t.match(await page.textContent('#flow-list tr[data-flow="demo-main"]'), /v1/, 'the list shows the flow with its live version');

  // ---- the graph ----
  await page.click('#flow-list tr[data-flow="demo-main"]');
  await page.waitForSelector('#flow-graph g.node[data-node="welcome"]', wait);
  await page.waitForSelector('#flow-check-status[data-state="ok"]', wait);
  const nodes = await page.$$eval('#flow-graph g.node', (gs) => gs.map((g) => `${g.getAttribute('data-node')}:${g.getAttribute('data-type')}`).sort());
  t.same(nodes, ['closed:play', 'main-menu:menu', 'message:voicemail', 'office-hours:condition', 'sales:queue', 'support:queue', 'welcome:play'], 'the graph draws every node with its type');
  const menuEdges = await page.$$eval('#flow-graph g.edge[data-from="main-menu"]', (gs) => gs.map((g) => `${g.getAttribute('data-label')}->${g.getAttribute('data-to')}`).sort());
  t.same(menuEdges, ['1->sales', '2->support', '3, fallback->message'], "the menu's digit edges (and its fallback) lead to their nodes");
  t.same(
    await page.$$eval('#flow-graph g.edge[data-from="office-hours"]', (gs) => gs.map((g) => `${g.getAttribute('data-label')}->${g.getAttribute('data-to')}`).sort()),
    ['case 1->main-menu', 'else->closed'],
    'the condition branches are labelled',
  );
  // Layered: each step of the main path is drawn below the one before it.
  const yOf = (id: string): Promise<number> => page.$eval(`#flow-graph g.node[data-node="${id}"]`, (g) => (g as SVGGElement).getBoundingClientRect().top);
  const ys = [await yOf('welcome'), await yOf('office-hours'), await yOf('main-menu'), await yOf('support')];
  t.ok(ys.every((y, i) => i === 0 || y > (ys[i - 1] ?? 0)), 'the graph reads top to bottom from the start node');

  await page.click('#flow-graph g.node[data-node="main-menu"]');
  t.equal(await caretLine(page, '#flow-source'), lineOf(demo, '  main-menu:'), 'clicking a node moves the editor to its line');

  // ---- a problem while typing ----
  const broken = demo.replace('next: office-hours', 'next: office-hour');
  const nextLine = lineOf(demo, 'next: office-hours');
  await page.fill('#flow-source textarea', broken);
  await page.waitForSelector('#flow-problems li[data-node="welcome"]', wait);
  t.match(await page.textContent('#flow-problems li[data-node="welcome"]'), new RegExp(`line ${nextLine}.*unknown node 'office-hour'`), 'the problem is listed beside the editor with its node, line and reason');
  t.ok(await page.$(`#flow-source .gutter-line.marked[data-line="${nextLine}"]`), 'its line is marked in the gutter');
  await page.waitForSelector('#flow-graph g.node[data-node="welcome"][data-problem="true"]', wait);
  t.pass('the node is drawn red in the graph');
  t.equal(await page.getAttribute('#flow-graph g.node[data-node="office-hour"]', 'data-type'), 'missing', 'the missing target shows as a ghost node');
  t.equal(await page.getAttribute('#flow-graph g.node[data-node="main-menu"]', 'data-reachable'), 'false', 'nodes cut off from the start are marked unreachable');
  await page.click('#flow-graph g.node[data-node="sales"]');
  await page.click(`#flow-problems li[data-node="welcome"] button`);
  t.equal(await caretLine(page, '#flow-source'), nextLine, 'clicking the problem moves the caret to its line');

  await page.click('#flow-save');
  await page.waitForSelector('#flow-save-error', wait);
  t.match(await page.textContent('#flow-save-error'), /The flow 'demo-main' has problems: .*unknown node 'office-hour'/, "saving is refused with the server's message");
  t.equal((await api<{ version: number }>(server, 'GET', '/api/flows/demo-main')).json.version, 1, 'the live version stays');

  // ---- fixed and saved ----
  await page.fill('#flow-source textarea', demo.replace('timeout: 5s', 'timeout: 6s'));
  await page.waitForSelector('#flow-check-status[data-state="ok"]', wait);
  t.equal(await page.getAttribute('#flow-problems', 'data-count'), '0', 'the fixed flow has no problems');
  t.notOk(await page.$('#flow-graph g.node[data-problem="true"]'), 'and no red node');
  await page.click('#flow-save');
  await page.waitForSelector('#flow-saved', wait);
  t.match(await page.textContent('#flow-saved'), /version 2/, 'saving reports the new version');
  const after = await api<{ version: number; source: string; history: unknown[] }>(server, 'GET', '/api/flows/demo-main');
  t.equal(after.json.version, 2, 'GET shows version 2 live');
  t.match(after.json.source, /timeout: 6s/, 'with the edited source');
  t.equal(after.json.history.length, 2, 'both versions are kept');
  await page.waitForSelector('#flow-version[data-version="2"]', wait);

  // ---- simulate: Wednesday 10:00 in São Paulo (13:00 UTC), press 2 ----
  await page.fill('#sim-digits', '2');
  await page.fill('#sim-time', '2026-11-25T13:00');
  await page.click('#sim-run');
  await page.waitForSelector('#sim-outcome', wait);
  t.equal(await page.textContent('#sim-outcome'), 'queue support', 'the simulation ends in the support queue');
  t.same(await page.$$eval('#sim-path li', (lis) => lis.map((li) => li.getAttribute('data-node'))), ['welcome', 'office-hours', 'main-menu', 'support'], 'and lists the path taken');
  t.same(
    (await page.$$eval('#flow-graph g.node.on-path', (gs) => gs.map((g) => g.getAttribute('data-node')))).sort(),
    ['main-menu', 'office-hours', 'support', 'welcome'],
    'the path is highlighted on the graph',
  );
  t.ok(await page.$('#flow-graph g.edge.on-path[data-from="main-menu"][data-to="support"]'), "including the digit's edge");
  await page.click('#flow-graph g.node[data-node="welcome"]');
  await page.evaluate(() => window.scrollTo(0, 0));
  mkdirSync(screenshots, { recursive: true });
  await page.screenshot({ path: path.join(screenshots, 'flow-editor.png') });

  // ---- scripts ----
  await page.click('#admin-sections a[data-section="scripts"]');
  await page.waitForSelector('#script-list tr[data-script="report-a-fault"]', wait);
  await page.click('#script-list tr[data-script="report-a-fault"]');
  await page.waitForSelector('#script-check-status[data-state="ok"]', wait);
  const xml = await page.inputValue('#script-source textarea');
  const goLine = lineOf(xml, `<go to="safety" when="answer.kind == 'outage'"/>`);
  await page.fill('#script-source textarea', xml.replace(`<go to="safety" when="answer.kind == 'outage'"/>`, `<go to="nowhere" when="answer.kind == 'outage'"/>`));
  await page.waitForSelector('#script-check-status[data-state="problems"]', wait);
  t.match(await page.textContent(`#script-problems li[data-line="${goLine}"]`), /line \d+, column \d+.*nowhere/, 'a go to an unknown step shows its line and reason');
  t.ok(await page.$(`#script-source .gutter-line.marked[data-line="${goLine}"]`), 'marked in the gutter');
  const tagLine = lineOf(xml, '<question id="kind" type="choice">');
  await page.fill('#script-source textarea', xml.replace('<question id="kind" type="choice">', '<question id="kind" type="choice"'));
  await page.waitForSelector('#script-check-status[data-state="problems"]', wait);
  const syntaxLines = await page.$$eval('#script-problems li', (lis) => lis.map((li) => Number(li.getAttribute('data-line'))));
  t.ok(syntaxLines.some((l) => l >= tagLine && l <= tagLine + 2), `malformed XML is reported at its line (${syntaxLines.join(', ')})`);
  t.notOk(await page.isEnabled('#script-preview-start'), 'a draft with problems cannot be previewed');

  await page.fill('#script-source textarea', xml);
  await page.waitForSelector('#script-check-status[data-state="ok"]', wait);
  await page.click('#script-preview-start');
  await page.waitForSelector('#script-preview[data-step="greet"]', wait);
  await page.click('#script-preview .option[data-value="outage"]');
  await page.waitForSelector('#script-preview[data-step="safety"]', wait);
  t.pass("answering 'No power' leads to the safety question");
  await page.click('#script-preview .option[data-value="no"]');
  await page.waitForSelector('#script-preview[data-step="neighbours"]', wait);
  t.pass("answering 'no danger' leads to the neighbours question");
  t.equal(await page.textContent('#script-preview-answers dd[data-question="danger"]'), 'false', 'the answers so far are shown');
  await page.click('#script-preview #script-back');
  await page.waitForSelector('#script-preview[data-step="safety"]', wait);
  await page.click('#script-preview #script-back');
  await page.waitForSelector('#script-preview[data-step="greet"]', wait);
  await page.click('#script-preview .option[data-value="meter"]');
  await page.waitForSelector('#script-preview[data-step="meter-problem"]', wait);
  t.pass('going back and answering otherwise leads down the other branch');
  t.equal((await api<Array<{ id: string }>>(server, 'GET', '/api/scripts')).json.filter((s) => s.id === 'report-a-fault').length, 1, 'the library is unchanged');
  await context.close();
});
