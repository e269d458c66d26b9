import t from 'tap';
import type { Test } from 'tap';
import { join } from 'node:path';
import { MediaLeg } from '../../src/embedded/media/leg.js';
import { collectDigits } from '../../src/embedded/media/collect.js';
import type { PlayerDeps } from '../../src/embedded/media/player.js';
import { writeWavFile } from '../../src/audio/index.js';
import { AudioCache } from '../../src/embedded/media/audio-cache.js';
import { RtpPeer, silentLogger, sleep, tone } from './fixtures/rtp-peer.js';
import { pressDigit } from './fixtures/digits.js';

const dir = t.testdir({});
const deps: PlayerDeps = { cache: new AudioCache(), resolve: (p) => (typeof p === 'string' ? p : 'file' in p ? p.file : p.name) };

async function setup(t: Test) {
  const peer = await RtpPeer.open();
  const leg = await MediaLeg.open({ payloadType: 0, telephoneEventPayloadType: 101, remote: peer.endpoint, logger: silentLogger });
  t.teardown(async () => { await leg.close(); await peer.close(); });
  const press = async (digits: string, gapMs = 50) => {
    for (const d of digits) { await pressDigit(peer, leg.localPort, d); await sleep(gapMs); }
  };
  return { peer, leg, press };
}

t.test('max digits, terminator and timeouts', async (t) => {
  const { leg, press } = await setup(t);
  const base = { firstDigitTimeoutMs: 3000, interDigitTimeoutMs: 1000 };
  let c = collectDigits(leg, { ...base, maxDigits: 3 }, deps);
  await press('1234');
  t.same(await c, { digits: '123', reason: 'max-digits' });

  c = collectDigits(leg, { ...base, maxDigits: 10, terminators: '#' }, deps);
  await press('42#');
  t.same(await c, { digits: '42', reason: 'terminator' }, 'terminator not included');

  const t0 = Date.now();
  t.same(await collectDigits(leg, { maxDigits: 4, firstDigitTimeoutMs: 300, interDigitTimeoutMs: 5000 }, deps), { digits: '', reason: 'timeout' });
  t.ok(Date.now() - t0 < 1500, 'first-digit timeout');

  c = collectDigits(leg, { maxDigits: 4, firstDigitTimeoutMs: 3000, interDigitTimeoutMs: 300 }, deps);
  await press('7');
  const t1 = Date.now();
  t.same(await c, { digits: '7', reason: 'timeout' });
  t.ok(Date.now() - t1 < 1500, 'inter-digit timeout after the first digit');

  const ctl = new AbortController();
  c = collectDigits(leg, { ...base, maxDigits: 4, signal: ctl.signal }, deps);
  await press('9');
  ctl.abort();
  t.same(await c, { digits: '9', reason: 'stopped' });
});

t.test('a digit during the prompt stops it and counts as the first digit', async (t) => {
  const { peer, leg, press } = await setup(t);
  const prompt = join(dir, 'menu.wav');
  await writeWavFile(prompt, tone(400, 8000 * 4));
  const c = collectDigits(leg, { maxDigits: 2, prompts: [prompt], firstDigitTimeoutMs: 3000, interDigitTimeoutMs: 2000 }, deps);
  await sleep(400);
  await press('3');
  await sleep(300);
  const afterDigit = peer.received.length;
  await sleep(300);
  t.ok(peer.received.length - afterDigit <= 1, 'the prompt stopped on the digit');
  await press('1');
  t.same(await c, { digits: '31', reason: 'max-digits' });
  t.ok(peer.received.length < 100, `only part of the 4 s prompt was played (${peer.received.length} frames)`);
});

t.test('hangup ends collection', async (t) => {
  const { leg, press } = await setup(t);
  const c = collectDigits(leg, { maxDigits: 4, firstDigitTimeoutMs: 3000, interDigitTimeoutMs: 3000 }, deps);
  await press('5');
  await leg.close();
  t.same(await c, { digits: '5', reason: 'hangup' });
});
