// The admin console's queues, agents and users sections in headless Chromium: an admin
// creates a queue through the form (the list and GET /api/queues show it, with its exits,
// required skills and escalation rules), a refused value shows the server's own message
// next to the form and changes nothing; creates an agent with two skills and a queue
// membership and then raises a skill level (the API shows both); creates a supervisor who
// can then sign in (another browser context) and sees the monitor but no Admin tab; a
// too-short password is refused; deletes a user. Screenshot: docs/screenshots/admin-console.png.

import t from 'tap';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { basic, seedPeople, startAccessServer, type AccessServer } from '../access/harness.js';
import { launchBrowser } from '../browser.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const screenshots = path.join(repo, 'docs', 'screenshots');
const wait = { timeout: 15_000 };

async function apiGet<T>(server: AccessServer, url: string): Promise<T> {
  const res = await fetch(`${server.url}${url}`, { headers: { authorization: basic('ada', 'ada-password'), accept: 'application/json' } });
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

interface QueueView { name: string; strategy: string; definition: Record<string, unknown> }
interface AgentView { login: string; name: string; device: unknown; skills: Record<string, number>; queues: Array<{ queue: string; penalty: number }> }
interface UserView { username: string; displayName: string; role: string }

async function signIn(page: Page, server: AccessServer, username: string, password: string): Promise<void> {
  await page.goto(`${server.url}/app/`);
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('#sign-in');
  await page.waitForSelector('nav.tabs a', wait);
}

const tabs = (page: Page): Promise<Array<string | null>> => page.$$eval('nav.tabs a', (as) => as.map((a) => a.getAttribute('data-page')));

t.test('admin console: queues, agents and users', { timeout: 180_000 }, async (t) => {
  const server = await startAccessServer(t);
  await seedPeople(server);
  const browser = await launchBrowser(t);
  const admin = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  const page = await admin.newPage();
  await signIn(page, server, 'ada', 'ada-password');
  t.ok((await tabs(page)).includes('admin'), 'an admin has the Admin tab');

  // ---- queues ----
  await page.click('nav.tabs a[data-page="admin"]');
  await page.waitForSelector('#queue-list tr[data-queue="sales"]', wait);
  t.ok(await page.$('#queue-list tr[data-queue="support"]'), 'Admin opens on the queues, listing the existing ones');
  t.equal((await page.textContent('#queue-list tr[data-queue="sales"] td.agents'))?.replace(/\s+/g, ' ').trim(), '0 / 0 / 0 / 0', 'with their live agent figures');

  await page.click('#queue-new');
  await page.fill('#queue-name', 'billing');
  await page.selectOption('#queue-strategy', 'skills-based');
  await page.fill('#queue-ringTimeoutSeconds', '25');
  await page.fill('#queue-wrapUpSeconds', '10');
  await page.fill('#queue-maxWaitSeconds', '300');
  await page.selectOption('#queue-exit-maxWait', 'queue');
  await page.fill('#queue-exit-maxWait-target', 'support');
  await page.click('#queue-callbackKey');
  await page.keyboard.type('*');
  await page.click('#queue-skills-add');
  await page.fill('#queue-skills [data-row="0"] .row-name', 'billing');
  await page.fill('#queue-skills [data-row="0"] .row-value', '3');
  await page.fill('#queue-advanced', JSON.stringify({ escalation: [{ afterSeconds: 60, skills: { billing: 0 } }] }));
  await page.click('#queue-form-save');
  await page.waitForSelector('#queue-list tr[data-queue="billing"]', wait);
  t.equal(await page.textContent('#queue-list tr[data-queue="billing"] td.strategy'), 'Best skill match', 'the new queue shows in the list with its strategy');
  t.equal(await page.textContent('#queue-form h2'), 'Queue billing', 'and the form now edits it');

  let billing = (await apiGet<QueueView[]>(server, '/api/queues')).find((q) => q.name === 'billing');
  t.match(billing, {
    strategy: 'skills-based',
    definition: {
      ringTimeoutSeconds: 25, wrapUpSeconds: 10, maxWaitSeconds: 300, callbackKey: '*',
      exits: { 'max-wait': { type: 'queue', queue: 'support' } }, requiredSkills: { billing: 3 },
      escalation: [{ afterSeconds: 60, skills: { billing: 0 } }],
    },
  }, 'GET /api/queues returns the queue as the form set it');

  // A value the server refuses: its message next to the form, the field marked, nothing saved.
  await page.fill('#queue-ringTimeoutSeconds', '2');
  await page.click('#queue-form-save');
  await page.waitForSelector('#queue-form-error', wait);
  t.match(await page.textContent('#queue-form-error'), /ringTimeoutSeconds must be >= 5/, "the server's validation message shows next to the form");
  t.ok(await page.$('label.field.invalid #queue-ringTimeoutSeconds'), 'and the ring timeout field is marked');
  billing = (await apiGet<QueueView[]>(server, '/api/queues')).find((q) => q.name === 'billing');
  t.equal(billing?.definition['ringTimeoutSeconds'], 25, 'nothing was saved');

  // ---- agents ----
  await page.click('#admin-sections a[data-section="agents"]');
  await page.waitForSelector('#agent-list tr[data-agent="ann"]', wait);
  await page.click('#agent-new');
  await page.fill('#agent-login', 'carl');
  await page.fill('#agent-name', 'Carl Jensen');
  await page.selectOption('#agent-device', 'external');
  await page.fill('#agent-device-number', '+12125550100');
  await page.click('#agent-queues-add');
  await page.selectOption('#agent-queues [data-row="0"] .row-name', 'billing');
  await page.fill('#agent-queues [data-row="0"] .row-value', '2');
  await page.click('#agent-skills-add');
  await page.fill('#agent-skills [data-row="0"] .row-name', 'billing');
  await page.fill('#agent-skills [data-row="0"] .row-value', '7');
  await page.click('#agent-skills-add');
  await page.fill('#agent-skills [data-row="1"] .row-name', 'spanish');
  await page.fill('#agent-skills [data-row="1"] .row-value', '4');
  await page.click('#agent-form-save');
  await page.waitForSelector('#agent-list tr[data-agent="carl"] .skills [data-skill="spanish"][data-level="4"]', wait);
  t.equal(await page.getAttribute('#agent-list tr[data-agent="carl"]', 'data-state'), 'logged-out', 'the new agent is listed, logged out');
  t.equal(await page.textContent('#agent-list tr[data-agent="carl"] .queues [data-queue="billing"]'), 'billing2', 'with its queue and penalty');
  let carl = await apiGet<AgentView>(server, '/api/agents/carl');
  t.same({ name: carl.name, device: carl.device, skills: carl.skills, queues: carl.queues },
    { name: 'Carl Jensen', device: { type: 'external', number: '+12125550100' }, skills: { billing: 7, spanish: 4 }, queues: [{ queue: 'billing', penalty: 2 }] },
    'GET /api/agents/carl has the two skills, the membership and the external phone');

  await page.fill('#agent-skills [data-row="1"] .row-value', '9');
  await page.click('#agent-form-save');
  await page.waitForSelector('#agent-list tr[data-agent="carl"] .skills [data-skill="spanish"][data-level="9"]', wait);
  carl = await apiGet<AgentView>(server, '/api/agents/carl');
  t.same(carl.skills, { billing: 7, spanish: 9 }, 'raising a skill level shows in the list and the API');

  // Live figures: Ann goes ready in sales, Bob logs in on break in support; the list follows.
  const acd = server.services.get('acd');
  await acd.login('ann');
  await acd.login('bob', { breakReason: 'lunch' });
  await page.click('#admin-sections a[data-section="queues"]');
  await page.waitForSelector('#queue-list tr[data-queue="billing"]', wait);
  await page.click('#queue-list tr[data-queue="billing"]');
  await page.waitForSelector('#queue-form h2:text-is("Queue billing")', wait);
  await page.waitForFunction(() => document.querySelector('#queue-list tr[data-queue="support"] td.agents')?.textContent?.replace(/\s+/g, ' ').trim() === '1 / 0 / 0 / 1', undefined, wait);
  t.equal((await page.textContent('#queue-list tr[data-queue="sales"] td.agents'))?.replace(/\s+/g, ' ').trim(), '1 / 1 / 0 / 0', 'the queue list follows agents logging in (logged in / ready / busy / break)');
  await page.evaluate(() => scrollTo(0, 0));
  mkdirSync(screenshots, { recursive: true });
  await page.screenshot({ path: path.join(screenshots, 'admin-console.png') });

  // ---- users ----
  await page.click('#admin-sections a[data-section="users"]');
  await page.waitForSelector('#user-list tr[data-user="ada"]', wait);
  await page.click('#user-new');
  await page.fill('#user-username', 'sam');
  await page.fill('#user-displayName', 'Sam Supervisor');
  await page.selectOption('#user-role', 'supervisor');
  await page.fill('#user-password', 'short');
  await page.click('#user-form-save');
  await page.waitForSelector('#user-form-error', wait);
  t.match(await page.textContent('#user-form-error'), /password must NOT have fewer than 12 characters/, 'a too-short password is refused with the server message');
  t.notOk((await apiGet<UserView[]>(server, '/api/users')).some((u) => u.username === 'sam'), 'and no user is created');

  await page.fill('#user-password', 'sam-password-1');
  await page.click('#user-form-save');
  await page.waitForSelector('#user-list tr[data-user="sam"][data-role="supervisor"]', wait);
  t.match((await apiGet<UserView[]>(server, '/api/users')).find((u) => u.username === 'sam'), { displayName: 'Sam Supervisor', role: 'supervisor' }, 'the supervisor is created');

  const other = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  const samPage = await other.newPage();
  await signIn(samPage, server, 'sam', 'sam-password-1');
  await samPage.waitForSelector('#agents tr[data-agent="carl"]', wait);
  t.same(await tabs(samPage), ['monitor', 'wallboard', 'reports', 'recordings'], 'the new supervisor signs in and sees the monitor, without the Admin tab');
  await samPage.goto(`${server.url}/app/#/admin/users`);
  await samPage.waitForSelector('#agents', wait);
  t.notOk(await samPage.$('#admin-sections'), 'opening the admin link directly leaves a supervisor on the monitor');
  await other.close();

  // Deleting yourself is refused by the server, with its reason shown.
  await page.click('#user-list tr[data-user="ada"]');
  await page.click('#user-form-delete');
  await page.click('#user-form-delete-confirm');
  await page.waitForSelector('#user-form-error', wait);
  t.match(await page.textContent('#user-form-error'), /yourself/, 'deleting yourself is refused with the reason');

  await page.click('#user-list tr[data-user="sam"]');
  await page.click('#user-form-delete');
  await page.click('#user-form-delete-confirm');
  await page.waitForSelector('#user-list tr[data-user="sam"]', { state: 'detached', timeout: 15_000 });
  t.notOk((await apiGet<UserView[]>(server, '/api/users')).some((u) => u.username === 'sam'), 'a deleted user is gone from the list and the API');
  await admin.close();
});
