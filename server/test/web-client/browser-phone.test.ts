// The phone in the agent desktop, end to end in real Chromium (fake microphone playing a
// 1 kHz tone): the agent signs in, the phone registers; a SIPp caller (440 Hz) dials the
// entry number and waits in the queue; the browser rings, the agent answers, and audio
// flows both ways, checked by content: in the page a WebAudio analyser on the far end's
// stream finds 440 Hz, and the wire towards the caller carries 1 kHz. Then hold, a network
// cut (the page's connection goes through a proxy the test cuts): the agent is on break
// "line lost" within seconds and the caller first in line again (mute is checked before the cut); the network comes back,
// the phone registers again, the agent answers the caller again and hangs up into wrap-up.
// Last, the keypad: the agent's phone calls the IVR's entry number and presses 2, which
// the menu routes to the support queue.
// Writes docs/screenshots/desktop-phone.png (ringing) and desktop-phone-call.png.

import t from 'tap';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { makeToneUlaw, makeToneWav, rtpPackets, startCapture } from '../../../telephony/test/peers/index.js';
import { caller, startSite, within } from '../acd-sip/site.js';
import { pcmOf, toneShare } from '../monitor-sip/harness.js';
import { tempDir } from '../helpers.js';
import { startCutProxy } from './cut-proxy.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const screenshots = path.join(repo, 'docs', 'screenshots');
const CALLER_HZ = 440;
const AGENT_HZ = 1000;

const menuFlow = `
name: menu
version: 1
language: en
timezone: UTC
start: main
nodes:
  main:
    type: menu
    prompts: [thank-you]
    options: { '1': sales, '2': support }
    timeout: 8s
    retries: 0
    fallback: sales
  sales: { type: queue, queue: sales }
  support: { type: queue, queue: support }
`;

/** The strongest frequency the page hears from the far end, and how far it stands above the rest of the spectrum (dB). */
async function heardInPage(page: Page): Promise<{ hz: number; aboveMedianDb: number }> {
  return page.evaluate(async () => {
    const audio = document.getElementById('phone-remote-audio') as HTMLAudioElement | null;
    const stream = audio?.srcObject;
    if (!(stream instanceof MediaStream)) return { hz: 0, aboveMedianDb: 0 };
    const context = new AudioContext();
    const analyser = context.createAnalyser();
    analyser.fftSize = 8192;
    context.createMediaStreamSource(stream).connect(analyser);
    await new Promise((r) => setTimeout(r, 1500));
    const bins = new Float32Array(analyser.frequencyBinCount);
    analyser.getFloatFrequencyData(bins);
    await context.close();
    // Telephone band only: G.711 carries nothing above 4 kHz.
    const binHz = context.sampleRate / analyser.fftSize;
    const band = Array.from(bins.slice(Math.round(100 / binHz), Math.round(3800 / binHz)));
    let best = 0;
    for (let i = 1; i < band.length; i++) if ((band[i] ?? -Infinity) > (band[best] ?? -Infinity)) best = i;
    const sorted = [...band].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
    return { hz: (best + Math.round(100 / binHz)) * binHz, aboveMedianDb: (band[best] ?? 0) - median };
  });
}

t.test('the desktop phone: register, ring, answer, audio both ways, hold, line lost and back, keypad to an IVR', { timeout: 150_000 }, async (t) => {
  const dir = tempDir(t, 'tenor-browser-phone-');
  const site = await startSite(t, {
    queues: [{ name: 'sales', ringTimeoutSeconds: 30, wrapUpSeconds: 60 }, { name: 'support' }],
    agents: [{ login: 'ann', name: 'Ann', password: 'ann-password', queues: [{ queue: 'sales' }], device: { type: 'webrtc' } }],
    flows: [{ name: 'menu', file: 'flows/menu.yaml' }],
    entryNumbers: [{ number: '+15550100', queue: 'sales' }, { number: '+15550200', flow: 'menu' }],
  }, { files: { 'flows/menu.yaml': menuFlow } });
  await site.app.listen({ port: 0, host: '127.0.0.1' });
  const address = site.app.server.address();
  if (address === null || typeof address === 'string') throw new Error('the server has no TCP address');
  const proxy = await startCutProxy(t, { host: '127.0.0.1', port: address.port });

  const microphone = await makeToneWav(path.join(dir, 'agent-1khz.wav'), { seconds: 10, frequency: AGENT_HZ });
  const callerTone = await makeToneUlaw(path.join(dir, 'caller-440.ul'), { seconds: 1, frequency: CALLER_HZ });
  const browser = await chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync',
      '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${microphone}`,
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
  t.teardown(() => browser.close());
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  const page = await context.newPage();

  await page.goto(`${proxy.url}/app/`);
  await page.fill('#username', 'ann');
  await page.fill('#password', 'ann-password');
  await page.click('#sign-in');
  await page.waitForSelector('#phone-status[data-ready="true"]', { timeout: 20_000 });
  t.equal(await page.textContent('#phone-status'), 'Phone ready', 'the phone registered: the indicator says ready');

  const capture = await startCapture({ portRange: site.rtp });
  t.teardown(() => capture.dispose());
  const callerProc = await caller(t, site, { number: '+15550100', caller: '+31201110001', stayMs: 90_000, toneFile: callerTone });
  await site.bus.wait('call_queued', (p) => p.queue === 'sales', 15_000);
  t.pass('the caller waits in the queue');

  // Ready: the browser rings.
  await page.click('#go-ready');
  await page.waitForSelector('#phone-call[data-phase="ringing"]', { timeout: 20_000 });
  await page.waitForSelector('#contact[data-state="offered"]', { timeout: 10_000 });
  await page.screenshot({ path: path.join(screenshots, 'desktop-phone.png') });
  await page.click('#phone-answer');
  await page.waitForSelector('#phone-call[data-phase="connected"]', { timeout: 15_000 });
  await page.waitForSelector('#contact[data-state="on-call"]', { timeout: 15_000 });
  const answeredAt = Date.now();
  t.pass('answered in the browser: the desktop shows the call');

  // Audio both ways, by content.
  // The far end's audio takes a moment to play out (ICE, DTLS, the jitter buffer): listen until it is the tone, up to 15 s.
  let inPage = await heardInPage(page);
  for (const until = Date.now() + 15_000; Date.now() < until && !(Math.abs(inPage.hz - CALLER_HZ) <= 15 && inPage.aboveMedianDb >= 30);) inPage = await heardInPage(page);
  t.ok(Math.abs(inPage.hz - CALLER_HZ) <= 15 && inPage.aboveMedianDb >= 30,
    `the page hears the caller's 440 Hz (strongest ${inPage.hz.toFixed(0)} Hz, ${inPage.aboveMedianDb.toFixed(0)} dB above the median)`);
  await page.waitForSelector('#phone-quality', { timeout: 15_000 });
  t.equal(await page.getAttribute('#phone-quality', 'data-level'), 'good', 'no loss on loopback: the quality indicator says good');
  await page.screenshot({ path: path.join(screenshots, 'desktop-phone-call.png') });

  // Two more seconds of talk, so the caller's side has a few seconds of the agent's tone to check.
  await page.waitForTimeout(2000);
  // Hold and resume with the desktop's call controls (the customer hears the queue's music).
  await page.click('#call-hold');
  await page.waitForSelector('#call-controls[data-held="true"]', { timeout: 10_000 });
  const heldAt = Date.now();
  await page.waitForTimeout(1500);
  await page.click('#call-resume');
  await page.waitForSelector('#call-controls[data-held="false"]', { timeout: 10_000 });
  const resumedAt = Date.now();
  await page.waitForTimeout(1500);

  // Mute on the phone: the microphone's tone leaves the caller's line; unmute.
  await page.click('#phone-mute');
  await page.waitForSelector('#phone-call[data-muted="true"]', { timeout: 5000 });
  const mutedAt = Date.now();
  await page.waitForTimeout(1500);
  await page.click('#phone-mute');
  await page.waitForSelector('#phone-call[data-muted="false"]', { timeout: 5000 });
  const unmutedAt = Date.now();
  await page.waitForTimeout(1500);

  // The network goes away: signalling and the live view are cut; media is not.
  const lostMark = site.bus.events.length;
  await context.setOffline(true);
  proxy.cut();
  const cutAt = Date.now();
  await site.bus.wait('agent_state_changed', (p) => p.login === 'ann' && p.to === 'break' && p.reason === 'line lost', 10_000, lostMark);
  const onBreakMs = Date.now() - cutAt;
  t.ok(onBreakMs < 8000, `the agent is on break "line lost" ${onBreakMs} ms after the cut`);
  const requeued = await site.bus.wait('call_queued', (p) => p.queue === 'sales', 10_000, lostMark);
  t.equal(requeued.payload.position, 1, 'the caller is back first in line');

  // Everything the caller was sent while the agent was connected, by content.
  const { packets } = await capture.stop();
  const toCaller = rtpPackets(packets).filter((p) => p.dstPort === callerProc.mediaPort);
  const between = (from: number, until: number): Int16Array => pcmOf(toCaller.filter((p) => p.timeMs >= from + 500 && p.timeMs <= until - 300));
  const talking = between(answeredAt, heldAt);
  t.ok(toneShare(talking, AGENT_HZ) >= 0.5, `the caller hears the agent's 1 kHz (share ${toneShare(talking, AGENT_HZ).toFixed(2)} over ${(talking.length / 8000).toFixed(1)} s)`);
  const onHold = between(heldAt, resumedAt);
  t.ok(toneShare(onHold, AGENT_HZ) < 0.05, `on hold the caller does not hear the agent (share ${toneShare(onHold, AGENT_HZ).toFixed(2)})`);
  const muted = between(mutedAt, unmutedAt);
  t.ok(toneShare(muted, AGENT_HZ) < 0.05, `muted, the caller does not hear the agent (share ${toneShare(muted, AGENT_HZ).toFixed(2)} over ${(muted.length / 8000).toFixed(1)} s)`);
  const unmuted = between(unmutedAt, cutAt);
  t.ok(toneShare(unmuted, AGENT_HZ) >= 0.5, `unmuted, the agent is heard again (share ${toneShare(unmuted, AGENT_HZ).toFixed(2)})`);

  // The network comes back: the phone registers again by itself.
  proxy.restore();
  await context.setOffline(false);
  await page.waitForSelector('#phone-status[data-ready="true"]', { timeout: 20_000 });
  t.pass('the phone registered again when the network came back');
  await page.waitForSelector('#agent-state[data-state="break"]', { timeout: 15_000 });
  t.match(await page.textContent('.state-bar'), /phone line lost/, 'the desktop shows the break "line lost"');

  // Ready again: the same caller rings first; answered, then hung up from the phone into wrap-up.
  await page.click('#go-ready');
  await page.waitForSelector('#phone-call[data-phase="ringing"]', { timeout: 20_000 });
  t.equal(await page.textContent('#caller-number'), '+31201110001', 'the caller whose line was lost is offered first');
  await page.click('#phone-answer');
  await page.waitForSelector('#contact[data-state="on-call"]', { timeout: 15_000 });
  await page.click('#phone-hangup');
  await page.waitForSelector('#contact[data-state="wrap-up"] #wrap-up-countdown', { timeout: 15_000 });
  t.pass('hung up from the phone: wrap-up with its countdown');
  await within(callerProc.stop(2000), 10_000, 'the caller to stop');
  await page.click('#end-wrap-up');
  await page.waitForSelector('#agent-state[data-state="ready"]', { timeout: 15_000 });
  await page.click('#take-break');
  await page.waitForSelector('#agent-state[data-state="break"]', { timeout: 15_000 });

  // The keypad reaches an IVR: the phone calls the menu's entry number and presses 2 (support).
  const keypadMark = site.bus.events.length;
  await page.fill('#phone-dial-number', '+15550200');
  await page.click('#phone-dial');
  await page.waitForSelector('#phone-call[data-phase="connected"]', { timeout: 15_000 });
  await page.waitForTimeout(1000);
  await page.click('#phone-keypad button[data-digit="2"]');
  const toSupport = await site.bus.wait('call_queued', (p) => p.queue === 'support', 15_000, keypadMark);
  t.ok(toSupport, 'the menu heard 2 from the keypad and queued the call in support');
  await page.click('#phone-hangup');
  await page.waitForSelector('#phone-call', { state: 'detached', timeout: 10_000 });
  await context.close();
});
