// The phone in the agent desktop, in real Chromium: the microphone refused says so and
// the phone stays not ready; with a (fake) microphone the phone registers, the devices are
// listed and the choice is remembered; the network is cut (the page's connection goes
// through a proxy the test cuts): the indicator says not ready; when the network comes back
// the phone registers again. An agent whose device says autoAnswer is connected to a
// caller without clicking.
// Writes docs/screenshots/desktop-phone-ready.png.

import t, { type Test } from 'tap';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { makeToneWav } from '../../../telephony/test/peers/index.js';
import { fileURLToPath } from 'node:url';
import { caller, startSite } from '../acd-sip/site.js';
import { tempDir } from '../helpers.js';
import { startCutProxy } from './cut-proxy.js';

const screenshots = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'docs', 'screenshots');
const baseArgs = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];

async function launch(t: Test, args: string[]): Promise<Browser> {
  const browser = await chromium.launch({ executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium', headless: true, args: [...baseArgs, ...args] });
  t.teardown(() => browser.close());
  return browser;
}

t.test('the desktop phone: microphone refused, registered, devices remembered, network cut and back, auto-answer', { timeout: 90_000 }, async (t) => {
  const dir = tempDir(t, 'tenor-browser-phone-line-');
  const site = await startSite(t, {
    queues: [{ name: 'sales', ringTimeoutSeconds: 30 }, { name: 'hotline', ringTimeoutSeconds: 30 }],
    agents: [
      { login: 'ann', name: 'Ann', password: 'ann-password', queues: [{ queue: 'sales' }], device: { type: 'webrtc' } },
      { login: 'bob', name: 'Bob', password: 'bob-password', queues: [{ queue: 'hotline' }], device: { type: 'webrtc', autoAnswer: true } },
    ],
    entryNumbers: [{ number: '+15550100', queue: 'sales' }, { number: '+15550101', queue: 'hotline' }],
  });
  await site.app.listen({ port: 0, host: '127.0.0.1' });
  const address = site.app.server.address();
  if (address === null || typeof address === 'string') throw new Error('the server has no TCP address');
  const proxy = await startCutProxy(t, { host: '127.0.0.1', port: address.port });
  const signIn = async (page: import('playwright-core').Page, user = 'ann'): Promise<void> => {
    await page.goto(`${proxy.url}/app/`);
    await page.fill('#username', user);
    await page.fill('#password', `${user}-password`);
    await page.click('#sign-in');
    await page.waitForSelector('#phone', { timeout: 15_000 });
  };

  // No permission for the microphone: the card says what to do, and the phone does not register.
  const refusing = await launch(t, ['--use-fake-device-for-media-stream']);
  const denied = await (await refusing.newContext({ locale: 'en-US' })).newPage();
  await signIn(denied);
  await denied.waitForSelector('#phone-mic-problem[data-problem="denied"]', { timeout: 15_000 });
  t.match(await denied.textContent('#phone-mic-problem'), /blocked the microphone/, 'a refused microphone is explained');
  t.equal(await denied.getAttribute('#phone-status', 'data-ready'), 'false', 'and the phone is not ready');
  await denied.context().close();

  const microphone = await makeToneWav(path.join(dir, 'agent-1khz.wav'), { seconds: 5, frequency: 1000 });
  const browser = await launch(t, ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${microphone}`]);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  const page = await context.newPage();
  await signIn(page);
  await page.waitForSelector('#phone-status[data-ready="true"]', { timeout: 20_000 });
  t.equal(await page.textContent('#phone-status'), 'Phone ready', 'registered: the indicator says ready');

  // The device picker lists the (fake) devices; the choice survives a reload.
  await page.click('.phone-devices summary');
  const inputs = await page.$$eval('#phone-input option', (options) => options.map((o) => (o as HTMLOptionElement).value).filter((v) => v !== ''));
  t.ok(inputs.length >= 1, `the microphones are listed (${inputs.length})`);
  const chosen = inputs[0] ?? '';
  await page.selectOption('#phone-input', chosen);
  await page.reload();
  await page.waitForSelector('#phone-status[data-ready="true"]', { timeout: 20_000 });
  t.equal(await page.$eval('#phone-input', (s) => (s as HTMLSelectElement).value), chosen, 'the chosen microphone is remembered');

  // The network goes away: the indicator says so at once.
  await context.setOffline(true);
  proxy.cut();
  await page.waitForSelector('#phone-status[data-ready="false"]', { timeout: 10_000 });
  t.match(await page.textContent('#phone-status'), /Phone not ready/, `the indicator says not ready (${await page.textContent('#phone-status')})`);

  // The network comes back: the phone registers again, the desktop shows the break.
  proxy.restore();
  await context.setOffline(false);
  await page.waitForSelector('#phone-status[data-ready="true"]', { timeout: 20_000 });
  t.pass('registered again once the network is back');
  await page.waitForSelector('header .live.on', { timeout: 30_000 });
  await page.click('.phone-devices summary');
  await page.screenshot({ path: path.join(screenshots, 'desktop-phone-ready.png') });
  await context.close();

  // Bob's device answers by itself (autoAnswer): a caller is connected without a click.
  const bobContext = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  const bob = await bobContext.newPage();
  await signIn(bob, 'bob');
  await bob.waitForSelector('#phone-status[data-ready="true"]', { timeout: 20_000 });
  await bob.click('#go-ready');
  await bob.waitForSelector('#agent-state[data-state="ready"]', { timeout: 10_000 });
  await caller(t, site, { number: '+15550101', caller: '+31201110002', stayMs: 30_000 });
  await bob.waitForSelector('#phone-call[data-phase="connected"]', { timeout: 20_000 });
  await bob.waitForSelector('#contact[data-state="on-call"]', { timeout: 10_000 });
  t.equal(await bob.$('#phone-answer'), null, 'answered by itself: no Answer button was needed');
  await bob.click('#phone-hangup');
  await bob.waitForSelector('#phone-call', { state: 'detached', timeout: 10_000 });
  await bobContext.close();
});
