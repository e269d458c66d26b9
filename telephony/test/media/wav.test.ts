import { utimes } from 'node:fs/promises';
import t from 'tap';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { decodeWav16 as parseWav, readWavFile, resample, toTelephonyAudio, writeWavFile, WavError as WavFormatError, encodeWav } from '../../src/audio/index.js';
import { AudioCache } from '../../src/embedded/media/audio-cache.js';
import { tonePower } from './fixtures/rtp-peer.js';

const dir = t.testdir({});
const sox = (...args: string[]) => execFileSync('sox', args).toString().trim();

t.test('reads WAVs sox makes: 16-bit stereo 44.1 kHz, µ-law, A-law, 8-bit', async (t) => {
  const cases = [
    { name: 'stereo44k.wav', args: ['-r', '44100', '-c', '2', '-b', '16', '-e', 'signed-integer'], rate: 44100, channels: 2, code: 1 },
    { name: 'mulaw.wav', args: ['-r', '8000', '-c', '1', '-e', 'u-law'], rate: 8000, channels: 1, code: 7 },
    { name: 'alaw.wav', args: ['-r', '8000', '-c', '1', '-e', 'a-law'], rate: 8000, channels: 1, code: 6 },
    { name: 'u8-16k.wav', args: ['-r', '16000', '-c', '1', '-b', '8', '-e', 'unsigned-integer'], rate: 16000, channels: 1, code: 1 },
  ];
  for (const c of cases) {
    const file = join(dir, c.name);
    sox('-D', '-n', ...c.args, file, 'synth', '1', 'sine', '1000', 'vol', '0.5');
    const wav = await readWavFile(file);
    t.match(wav, { sampleRate: c.rate, channels: c.channels, formatCode: c.code }, c.name);
    const audio = toTelephonyAudio(wav);
    t.ok(Math.abs(audio.length - 8000) <= 2, `${c.name}: 1 s becomes 8000 samples (${audio.length})`);
    const p = tonePower(audio.subarray(1000, 5000), 1000);
    t.ok(p > 0.15 && p < 0.4, `${c.name}: the 1 kHz tone survives at its level (${p.toFixed(3)})`);
  }
});

t.test('downsampling filters out what 8 kHz cannot carry', async (t) => {
  const file = join(dir, 'high.wav');
  sox('-D', '-n', '-r', '48000', '-c', '1', '-b', '16', file, 'synth', '1', 'sine', '6000', 'vol', '0.5');
  const audio = toTelephonyAudio(await readWavFile(file));
  // Without a low-pass, 6 kHz would fold to 2 kHz at full strength.
  t.ok(tonePower(audio.subarray(1000, 5000), 2000) < 0.005, 'no 2 kHz alias of a 6 kHz tone');
  const up = resample(new Float32Array(800).fill(0.5), 8000, 16000);
  t.equal(up.length, 1600, 'upsampling doubles the samples');
  t.ok(Math.abs((up[800] as number) - 0.5) < 0.001, 'and keeps the level');
});

t.test('writes 8 kHz 16-bit mono WAVs that sox accepts', async (t) => {
  const file = join(dir, 'out.wav');
  const samples = Int16Array.from({ length: 12345 }, (_, i) => (i % 100) * 100 - 5000);
  await writeWavFile(file, samples);
  t.equal(sox('--i', '-r', file), '8000');
  t.equal(sox('--i', '-c', file), '1');
  t.equal(sox('--i', '-b', file), '16');
  t.equal(sox('--i', '-s', file), '12345');
  const bytes = readFileSync(file);
  t.equal(bytes.readUInt32LE(4), bytes.length - 8, 'RIFF size');
  t.equal(bytes.readUInt32LE(40), 12345 * 2, 'data size');
  t.same(parseWav(bytes).samples, samples, 'reads back the same samples');
  // sox can convert it, i.e. it really is a valid file.
  sox(file, '-n', 'stat');
});

t.test('refuses what it cannot read', async (t) => {
  t.throws(() => parseWav(Buffer.from('not a wav at all')), WavFormatError);
  const adpcm = Buffer.from(encodeWav(new Int16Array(10)));
  adpcm.writeUInt16LE(2, 20); // Microsoft ADPCM
  adpcm.writeUInt16LE(4, 34);
  t.throws(() => parseWav(adpcm), WavFormatError);
  const noData = encodeWav(new Int16Array(0)).subarray(0, 36);
  t.throws(() => parseWav(noData), WavFormatError);
  const cache = new AudioCache();
  await t.rejects(cache.load(join(dir, 'missing.wav')));
  await new Promise((r) => setImmediate(r));
  t.equal(cache.size, 0, 'failures are not cached');
});

t.test('a prompt file replaced on disk is played in its new version, an unchanged one comes from the cache', async (t) => {
  const cache = new AudioCache();
  const file = join(dir, 'replaced.wav');
  await writeWavFile(file, new Int16Array(800).fill(1000), 8000);
  const first = await cache.load(file);
  t.equal(await cache.load(file), first, 'unchanged: the same decoded audio');
  await writeWavFile(file, new Int16Array(1600).fill(-2000), 8000);
  const later = new Date(Date.now() + 5000);
  await utimes(file, later, later);
  const second = await cache.load(file);
  t.equal(second.length, 1600, 'the new recording');
  t.equal(second[0], -2000);
});
