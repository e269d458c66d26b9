// Test audio is what the peers need and the same bytes every run.
import t from 'tap';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeSpeechWav, makeToneUlaw, makeToneWav, rmsAmplitude, toUlaw, ulawSeconds, wavInfo } from './audio.js';

t.test('tone WAV is 8 kHz 16-bit mono, deterministic, and converts to µ-law', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tenor-test-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const a = await makeToneWav(join(dir, 'a.wav'), { seconds: 1.5 });
  const b = await makeToneWav(join(dir, 'b.wav'), { seconds: 1.5 });
  t.same(await readFile(a), await readFile(b), 'same bytes twice');
  const info = await wavInfo(a);
  t.match(info, { sampleRate: 8000, channels: 1, bits: 16, seconds: 1.5 });
  t.ok((await rmsAmplitude(a)) > 0.2, 'not silence');
  const ul = await toUlaw(a, join(dir, 'a.ul'));
  t.equal(await ulawSeconds(ul), 1.5);
  const direct = await makeToneUlaw(join(dir, 'c.ul'), { seconds: 2 });
  t.equal((await readFile(direct)).length, 16000, '160 bytes per 20 ms');
});

t.test('speech WAV is padded to the asked length', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tenor-test-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const f = await makeSpeechWav(join(dir, 's.wav'), 'Welcome to Tenor', 4);
  const info = await wavInfo(f);
  t.match(info, { sampleRate: 8000, channels: 1, bits: 16, seconds: 4 });
  t.ok((await rmsAmplitude(f)) > 0.01, 'speech is not silence');
});
