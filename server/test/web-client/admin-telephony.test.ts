// The admin console's telephony sections in headless Chromium: an admin adds a trunk
// through the form (the list shows it, the API returns it without the password, and an
// edit that leaves the password empty keeps it), points a new entry number at a queue,
// uploads a WAV prompt made here (it is listed and the page's audio element plays it),
// sees the server's reason when the file is not a WAV, and on the services page sees
// every built-in service healthy and reloads one, which keeps running with a new start time.
// Screenshot: docs/screenshots/admin-prompts.png.

import t from 'tap';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { encodeWav } from '@tenor/telephony';
import { basic, seedPeople, startAccessServer, type AccessServer } from '../access/harness.js';
import { launchBrowser } from '../browser.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const screenshots = path.join(repo, 'docs', 'screenshots');

/** A mono 16-bit PCM WAV of a sine tone (what a recording tool would export). */
function toneWav(seconds: number, sampleRate: number, hz: number): Buffer {
  const samples = Int16Array.from({ length: Math.round(seconds * sampleRate) }, (_, i) => Math.round(Math.sin((2 * Math.PI * hz * i) / sampleRate) * 12000));
  return encodeWav(samples, sampleRate);
}

async function adminGet<T>(server: AccessServer, url: string): Promise<T> {
  const res = await fetch(`${server.url}${url}`, { headers: { authorization: basic('ada', 'ada-password') } });
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

async function openSection(page: Page, section: string): Promise<void> {
  await page.click(`#admin-sections a[data-section="${section}"]`);
  await page.waitForSelector(`.admin-body[data-section="${section}"]`, { timeout: 10_000 });
}

interface TrunkView { name: string; host: string; port: number; username: string | null; hasPassword: boolean; origin: string; [field: string]: unknown }
interface ServiceView { name: string; status: string; health: { status: string }; startedAt: string | null; origin: string }

t.test('trunks, entry numbers, prompts and services in the admin console', { timeout: 150_000 }, async (t) => {
  const server = await startAccessServer(t);
  await seedPeople(server);
  const browser = await launchBrowser(t);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  const page = await context.newPage();

  await page.goto(`${server.url}/app/#/admin/trunks`);
  await page.fill('#username', 'ada');
  await page.fill('#password', 'ada-password');
  await page.click('#sign-in');
  await page.waitForSelector('.admin-body[data-section="trunks"]', { timeout: 15_000 });

  // --- a trunk through the form ---
  await page.click('#trunk-new');
  await page.fill('#trunk-name', 'carrier');
  await page.fill('#trunk-host', '127.0.0.1');
  await page.fill('#trunk-port', '5099');
  await page.selectOption('#trunk-transport', 'tcp');
  await page.fill('#trunk-username', 'tenor');
  await page.fill('#trunk-password', 'trunk-secret-1');
  await page.fill('#trunk-caller-id', '+551130000000');
  await page.click('#trunk-form-save');
  await page.waitForSelector('#trunks tr[data-trunk="carrier"]', { timeout: 10_000 });
  const row = await page.textContent('#trunks tr[data-trunk="carrier"]');
  t.match(row, /127\.0\.0\.1:5099\/tcp/, 'the list shows the trunk with host:port/transport');
  t.match(row, /tenor/, 'and its username');
  t.match(row, /password set/, 'and that a password is set (not the password)');
  t.notMatch(row, /trunk-secret-1/, 'the password itself is not shown');
  let trunks = await adminGet<TrunkView[]>(server, '/api/trunks');
  let carrier = trunks.find((x) => x.name === 'carrier');
  t.match(carrier, { host: '127.0.0.1', port: 5099, transport: 'tcp', username: 'tenor', hasPassword: true, callerId: '+551130000000', origin: 'api' }, 'GET /api/trunks returns the new trunk');
  t.notOk(carrier && 'password' in carrier, 'without its password');
  t.notMatch(JSON.stringify(trunks), /trunk-secret-1/, 'the password appears nowhere in the answer');

  // Editing another field leaves the password box empty: the stored password is kept.
  t.equal(await page.inputValue('#trunk-password'), '', 'the password box is empty when editing');
  await page.fill('#trunk-host', '127.0.0.2');
  await page.click('#trunk-form-save');
  await page.waitForSelector('#trunks tr[data-trunk="carrier"]:has-text("127.0.0.2:5099/tcp")', { timeout: 10_000 });
  trunks = await adminGet<TrunkView[]>(server, '/api/trunks');
  carrier = trunks.find((x) => x.name === 'carrier');
  t.match(carrier, { host: '127.0.0.2', hasPassword: true }, 'an edit without a password keeps the stored one');

  // A second trunk, deleted again (after a confirmation).
  await page.click('#trunk-new');
  await page.fill('#trunk-name', 'spare');
  await page.fill('#trunk-host', '127.0.0.3');
  await page.click('#trunk-form-save');
  await page.waitForSelector('#trunks tr[data-trunk="spare"]', { timeout: 10_000 });
  await page.click('#trunk-form-delete');
  await page.click('#trunk-form-delete-confirm');
  await page.waitForSelector('#trunks tr[data-trunk="spare"]', { state: 'detached', timeout: 10_000 });
  t.same((await adminGet<TrunkView[]>(server, '/api/trunks')).map((x) => x.name), ['carrier'], 'a deleted trunk leaves the list and the API');

  // --- an entry number pointing at a queue ---
  await openSection(page, 'numbers');
  await page.click('#entry-new');
  await page.fill('#entry-number', '4000');
  await page.selectOption('#entry-kind', 'queue');
  await page.waitForSelector('#entry-target option[value="support"]', { state: 'attached', timeout: 10_000 });
  await page.selectOption('#entry-target', 'support');
  await page.click('#entry-form-save');
  await page.waitForSelector('#entry-numbers tr[data-number="4000"][data-queue="support"]', { timeout: 10_000 });
  t.match(await page.textContent('#entry-numbers tr[data-number="4000"]'), /queue support/, 'the list shows the number going to the support queue');
  const numbers = await adminGet<Array<{ number: string; flow: string | null; queue: string | null; origin: string }>>(server, '/api/entry-numbers');
  t.match(numbers.find((n) => n.number === '4000'), { queue: 'support', flow: null, origin: 'api' }, 'GET /api/entry-numbers has it');

  // Re-pointed to another queue, then a second number added and deleted.
  await page.click('#entry-numbers tr[data-number="4000"]');
  await page.selectOption('#entry-target', 'sales');
  await page.click('#entry-form-save');
  await page.waitForSelector('#entry-numbers tr[data-number="4000"][data-queue="sales"]', { timeout: 10_000 });
  t.match((await adminGet<Array<{ number: string; queue: string | null }>>(server, '/api/entry-numbers')).find((n) => n.number === '4000'), { queue: 'sales' }, 'the number is re-pointed to sales');
  await page.click('#entry-new');
  await page.fill('#entry-number', '4001');
  await page.click('#entry-form-save');
  await page.waitForSelector('#entry-numbers tr[data-number="4001"]', { timeout: 10_000 });
  await page.click('#entry-form-delete');
  await page.click('#entry-form-delete-confirm');
  await page.waitForSelector('#entry-numbers tr[data-number="4001"]', { state: 'detached', timeout: 10_000 });
  t.same((await adminGet<Array<{ number: string }>>(server, '/api/entry-numbers')).map((n) => n.number), ['4000'], 'a deleted number is gone');

  // --- a prompt uploaded from a WAV file, then played in the page ---
  await openSection(page, 'prompts');
  await page.waitForSelector('#prompts tr[data-source="builtin"]', { timeout: 10_000 });
  await page.setInputFiles('#prompt-file', { name: 'Welcome Tone.wav', mimeType: 'audio/wav', buffer: toneWav(1.5, 16_000, 440) });
  t.equal(await page.inputValue('#prompt-name'), 'welcome-tone', 'the prompt name is suggested from the file name');
  await page.click('#prompt-upload-submit');
  await page.waitForSelector('#prompts tr[data-prompt="welcome-tone"][data-source="uploaded"]', { timeout: 15_000 });
  t.match(await page.textContent('#prompts tr[data-prompt="welcome-tone"]'), /uploaded\s*1\.5 s/, 'the list shows the upload with its length');
  const audioSrc = await page.getAttribute('#prompts tr[data-prompt="welcome-tone"] audio', 'src');
  t.equal(audioSrc, '/api/prompts/en/welcome-tone', 'the audio element plays the prompt from the API');
  const fetched = await page.evaluate(async (src) => {
    const res = await fetch(src);
    return { status: res.status, type: res.headers.get('content-type'), bytes: (await res.arrayBuffer()).byteLength };
  }, audioSrc ?? '');
  t.equal(fetched.status, 200, "the audio element's source answers 200");
  t.match(fetched.type, /^audio\/wav/, 'with audio/wav');
  t.equal(fetched.bytes, 44 + 1.5 * 8000 * 2, 'the converted 8 kHz mono file');
  const played = await page.evaluate(async () => {
    const audio = document.querySelector<HTMLAudioElement>('#prompts tr[data-prompt="welcome-tone"] audio');
    if (!audio) return null;
    audio.preload = 'auto';
    await new Promise<void>((resolve, reject) => {
      audio.addEventListener('loadedmetadata', () => resolve(), { once: true });
      audio.addEventListener('error', () => reject(new Error(`audio error ${audio.error?.code}`)), { once: true });
      audio.load();
    });
    return audio.duration;
  });
  t.ok(played !== null && Math.abs(played - 1.5) < 0.05, `the browser loads the prompt in the page (duration ${played})`);

  // A file that is not a WAV: the server's reason shows next to the form.
  await page.setInputFiles('#prompt-file', { name: 'notes.wav', mimeType: 'audio/wav', buffer: Buffer.from('these are meeting notes, not audio\n'.repeat(4)) });
  await page.fill('#prompt-name', 'notes');
  await page.click('#prompt-upload-submit');
  await page.waitForSelector('#prompt-error', { timeout: 10_000 });
  const direct = await fetch(`${server.url}/api/prompts/en/notes`, {
    method: 'PUT', headers: { authorization: basic('ada', 'ada-password'), 'content-type': 'audio/wav' }, body: Buffer.from('these are meeting notes, not audio\n'.repeat(4)),
  });
  const refusal = (await direct.json()) as { error: { code: string; message: string } };
  t.equal(direct.status, 400, 'the server refuses the file');
  t.equal(await page.textContent('#prompt-error'), refusal.error.message, "the page shows the server's own reason");
  t.notOk(await page.$('#prompts tr[data-prompt="notes"]'), 'and nothing is added to the list');

  await page.click('#prompt-name'); // keeps the focus ring off the list in the picture
  mkdirSync(screenshots, { recursive: true });
  await page.screenshot({ path: path.join(screenshots, 'admin-prompts.png') });

  // Deleting the upload (confirmed with a second click) removes it from the list and the API.
  await page.setInputFiles('#prompt-file', { name: 'spare.wav', mimeType: 'audio/wav', buffer: toneWav(0.5, 16_000, 660) });
  await page.fill('#prompt-name', 'spare');
  await page.click('#prompt-upload-submit');
  await page.waitForSelector('#prompts tr[data-prompt="spare"]', { timeout: 15_000 });
  await page.click('#prompts button[data-delete="spare"]');
  await page.click('#prompts button[data-delete-confirm="spare"]');
  await page.waitForSelector('#prompts tr[data-prompt="spare"]', { state: 'detached', timeout: 10_000 });
  const gone = await fetch(`${server.url}/api/prompts/en/spare`, { headers: { authorization: basic('ada', 'ada-password') } });
  t.equal(gone.status, 404, 'a deleted prompt is gone');

  // --- services: all healthy, one reloaded ---
  await openSection(page, 'services');
  await page.waitForSelector('#services tr[data-service="reports"]', { timeout: 10_000 });
  const apiServices = await adminGet<ServiceView[]>(server, '/api/services');
  const shown = await page.$$eval('#services tbody tr', (rows) => rows.map((r) => ({ name: r.getAttribute('data-service'), status: r.getAttribute('data-status'), health: r.getAttribute('data-health') })));
  t.same(shown.map((s) => s.name).sort(), apiServices.map((s) => s.name).sort(), 'the page lists every service the manager has');
  t.ok(apiServices.every((s) => s.origin === 'builtin') && apiServices.length >= 10, `all ${apiServices.length} of them built in`);
  t.same(shown.filter((s) => s.status !== 'running' || s.health !== 'ok'), [], 'every one running with health ok');

  const before = apiServices.find((s) => s.name === 'reports')?.startedAt ?? '';
  t.equal(await page.getAttribute('#services tr[data-service="reports"]', 'data-started-at'), before, 'the page shows when reports started');
  await page.click('#services button[data-reload="reports"]');
  await page.waitForSelector('#service-outcome:has-text("reports reloaded")', { timeout: 20_000 });
  await page.waitForFunction((old) => {
    const r = document.querySelector('#services tr[data-service="reports"]');
    return r !== null && r.getAttribute('data-started-at') !== old && r.getAttribute('data-status') === 'running' && r.getAttribute('data-health') === 'ok';
  }, before, { timeout: 10_000 });
  const after = (await adminGet<ServiceView[]>(server, '/api/services')).find((s) => s.name === 'reports');
  t.match(after, { status: 'running', health: { status: 'ok' } }, 'after Reload the reports service is running and healthy');
  t.ok(after?.startedAt && Date.parse(after.startedAt) > Date.parse(before), 'with a later start time, as the page shows');

  // Replace from a module that does not exist: the manager's refusal, and reports keeps running.
  await page.selectOption('#service-target', 'reports');
  await page.fill('#service-module', 'services/missing-reports.js');
  await page.click('#service-replace-submit');
  await page.waitForSelector('#service-outcome.form-error', { timeout: 20_000 });
  t.match(await page.textContent('#service-outcome'), /reports was not replaced: .*missing-reports/, 'a module that cannot be loaded is refused with the reason');
  t.match((await adminGet<ServiceView[]>(server, '/api/services')).find((s) => s.name === 'reports'), { status: 'running', startedAt: after?.startedAt }, 'and the running version goes on');

  await context.close();
});
