// The desktop's own phone (JsSIP in real Chromium, unchanged) on FreeSWITCH:
// the agent signs in, the phone registers through /sip (relayed to FreeSWITCH),
// and a queued caller from the carrier is connected to it (autoAnswer) with the
// browser's WebRTC media terminated by FreeSWITCH: the caller hears the fake
// microphone's 1000 Hz (DTLS-SRTP between Chromium and FreeSWITCH, PCMU on to
// the caller); the agent hangs up from the card. The same page, the same code
// as on the embedded engine.
import t from 'tap';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { makeToneWav, rtpPackets, startCapture } from '../../../telephony/test/peers/index.js';
import { tonePower } from '../../../telephony/test/peers/webrtc-phone.js';
import { decodeUlaw } from '../../../telephony/src/embedded/media/g711.js';
import { caller, startSite } from '../acd-sip/site.js';
import { freeSwitchEngine, runsOn } from '../engines/engine.js';
import { tempDir } from '../helpers.js';

t.setTimeout(600_000);

/** The caller's address: a carrier trunk's, one no other test uses. */
const CARRIER = '127.0.0.42';
const engine = await freeSwitchEngine();

t.test('the desktop phone registers on FreeSWITCH and takes a queued call (autoAnswer), hang-up from the card', engine.options, async (t) => {
  const dir = tempDir(t, 'tenor-fs-browser-phone-');
  const site = await startSite(t, engine.site({
    queues: [{ name: 'hotline', ringTimeoutSeconds: 30 }],
    agents: [{ login: 'bob', name: 'Bob', password: 'bob-password', queues: [{ queue: 'hotline' }], device: { type: 'webrtc', autoAnswer: true } }],
    entryNumbers: [{ number: '+15550101', queue: 'hotline' }],
    trunks: [{ name: 'carrier', host: CARRIER, inboundAddresses: [CARRIER] }],
  }));
  runsOn(t, engine, site.engine);
  await site.app.listen({ port: 0, host: '127.0.0.1' });
  const address = site.app.server.address();
  if (address === null || typeof address === 'string') throw new Error('the server has no TCP address');
  const microphone = await makeToneWav(path.join(dir, 'agent-1khz.wav'), { seconds: 5, frequency: 1000 });
  const browser = await chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync',
      '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${microphone}`],
  });
  t.teardown(() => browser.close());
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' })).newPage();
  await page.goto(`http://127.0.0.1:${address.port}/app/`);
  await page.fill('#username', 'bob');
  await page.fill('#password', 'bob-password');
  await page.click('#sign-in');
  await page.waitForSelector('#phone-status[data-ready="true"]', { timeout: 30_000 });
  t.equal(await page.textContent('#phone-status'), 'Phone ready', 'registered at FreeSWITCH through /sip: the indicator says ready');
  await page.click('#go-ready');
  await page.waitForSelector('#agent-state[data-state="ready"]', { timeout: 10_000 });
  const capture = await startCapture({ filter: `udp and host ${CARRIER}`, snaplen: 400 });
  t.teardown(() => capture.dispose());
  const sipp = await caller(t, site, { number: '+15550101', caller: '+31201110002', stayMs: 30_000, localAddress: CARRIER });
  await page.waitForSelector('#phone-call[data-phase="connected"]', { timeout: 30_000 });
  await page.waitForSelector('#contact[data-state="on-call"]', { timeout: 15_000 });
  t.pass('the caller is connected to the browser');
  const answered = await site.bus.wait('call_answered', () => true, 10_000);
  t.ok(answered, 'the ACD saw the call answered');
  // Three seconds of the microphone's tone go to the caller (an amount of audio, not a timing check).
  await new Promise((r) => setTimeout(r, 3000));
  await page.click('#phone-hangup');
  await page.waitForSelector('#phone-call', { state: 'detached', timeout: 15_000 });
  await site.bus.wait('call_ended', () => true, 15_000);
  t.pass('hung up from the card: the call ended');
  const { packets } = await capture.stop();
  const toCaller = rtpPackets(packets).filter((p) => p.dstPort === sipp.mediaPort && p.payloadType === 0);
  const pcm = Int16Array.from(toCaller.slice(-60, -10).flatMap((p) => [...decodeUlaw(p.payload)]));
  t.ok(pcm.length >= 4000 && tonePower(pcm, 1000) > 0.3,
    `the caller heard the browser's microphone, 1000 Hz through DTLS-SRTP (power ${tonePower(pcm, 1000).toFixed(2)}, ${toCaller.length} packets)`);
});
