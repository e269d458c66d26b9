import t from 'tap';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PromptLibrary, UnknownPromptError, defaultPromptsDir } from '../../src/embedded/media/prompts.js';
import { MediaLeg } from '../../src/embedded/media/leg.js';
import { playOnLeg } from '../../src/embedded/media/player.js';
import { readWavFile } from '../../src/audio/index.js';
import { AudioCache } from '../../src/embedded/media/audio-cache.js';
import { RtpPeer, silentLogger } from './fixtures/rtp-peer.js';
import type { PromptManifest } from '../../src/embedded/media/prompts.js';

const lib = new PromptLibrary();
const manifest = JSON.parse(readFileSync(join(defaultPromptsDir(), 'manifest.json'), 'utf8')) as PromptManifest;
const required = [
  'welcome', 'main-menu', 'you-are-number', 'in-line', 'estimated-wait', 'minutes', 'leave-message', 'goodbye',
  'invalid-option', 'agents-busy', 'press-star-callback', 'will-call-back', 'office-closed', 'thank-you', 'hundred',
  'zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'thirteen',
  'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen', 'twenty',
  'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety',
];

t.test('every language has every prompt, and every file is 8 kHz 16-bit mono for sox', async (t) => {
  t.same(lib.languages().sort(), ['en', 'es', 'pt-BR']);
  for (const lang of lib.languages()) {
    const names = Object.keys(manifest.languages[lang] ?? {});
    t.same(required.filter((n) => !names.includes(n)), [], `${lang}: nothing missing`);
  }
  const files = [
    ...Object.values(manifest.common),
    ...Object.values(manifest.languages).flatMap((m) => Object.values(m)),
  ].map((f) => join(lib.dir, f));
  t.ok(files.every((f) => existsSync(f)), `${files.length} files exist`);
  const info = (flag: string) => execFileSync('sox', ['--i', flag, ...files]).toString().trim().split('\n');
  t.ok(info('-r').every((r) => r === '8000'), 'all 8 kHz');
  t.ok(info('-c').every((c) => c === '1'), 'all mono');
  t.ok(info('-b').every((b) => b === '16'), 'all 16-bit');
  const durations = info('-D').map(Number);
  t.ok(durations.every((d) => d >= 0.3 && d <= 20), 'all have sound of a sensible length');
  const moh = Number(execFileSync('sox', ['--i', '-D', lib.file('music-on-hold')]).toString());
  t.ok(moh >= 15 && moh <= 25, `music on hold lasts ${moh} s`);
  const mohAudio = (await readWavFile(lib.file('music-on-hold'))).samples;
  const rms = Math.sqrt(mohAudio.reduce((s, v) => s + v * v, 0) / mohAudio.length);
  t.ok(rms > 1000 && rms < 12000, `music on hold is soft but not silence (rms ${rms.toFixed(0)})`);
});

t.test('resolves names by language with fallback', async (t) => {
  t.equal(relative(lib.dir, lib.file('goodbye')), 'en/goodbye.wav');
  t.equal(relative(lib.dir, lib.resolve({ name: 'goodbye', language: 'pt-BR' })), 'pt-BR/goodbye.wav');
  t.equal(relative(lib.dir, lib.resolve({ name: 'goodbye', language: 'pt-br' })), 'pt-BR/goodbye.wav', 'case-insensitive');
  t.equal(relative(lib.dir, lib.resolve({ name: 'goodbye', language: 'es-MX' })), 'es/goodbye.wav', 'base language');
  t.equal(relative(lib.dir, lib.resolve({ name: 'goodbye', language: 'fr' })), 'en/goodbye.wav', 'falls back to en');
  t.equal(relative(lib.dir, lib.resolve('beep')), 'common/beep.wav');
  t.equal(lib.resolve({ file: '/x/y.wav' }), '/x/y.wav');
  t.equal(lib.resolve('/abs/file.wav'), '/abs/file.wav');
  t.throws(() => lib.resolve({ name: 'no-such-prompt' }), UnknownPromptError);
  const es = new PromptLibrary({ defaultLanguage: 'es' });
  t.equal(relative(es.dir, es.resolve('welcome')), 'es/welcome.wav');
});

t.test('a generated prompt plays on a leg, frame for frame', async (t) => {
  const peer = await RtpPeer.open();
  const leg = await MediaLeg.open({ payloadType: 0, remote: peer.endpoint, logger: silentLogger });
  t.teardown(async () => { await leg.close(); await peer.close(); });
  const samples = (await readWavFile(lib.file('goodbye'))).samples.length;
  const result = await playOnLeg(leg, { prompts: [{ name: 'goodbye' }] }, { cache: new AudioCache(), resolve: (p) => lib.resolve(p) });
  t.same(result, { reason: 'done' });
  const expected = Math.ceil(samples / 160);
  await peer.waitFor(() => peer.received.length >= expected, 2000);
  t.equal(peer.received.length, expected, `${expected} frames for ${samples} samples`);
});

t.test('the script is deterministic: a fresh run makes the same bytes', async (t) => {
  const out = t.testdir({});
  const script = join(defaultPromptsDir(), '..', 'scripts', 'make-prompts.sh');
  execFileSync('bash', [script, out], { stdio: 'ignore', timeout: 120_000 });
  for (const rel of ['en/welcome.wav', 'pt-BR/main-menu.wav', 'es/twenty.wav', 'common/music-on-hold.wav', 'manifest.json']) {
    t.ok(readFileSync(join(out, rel)).equals(readFileSync(join(defaultPromptsDir(), rel))), rel);
  }
});
