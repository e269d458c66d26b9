// Prompts over the REST API on the whole app: uploads in every common WAV
// flavour (made by sox) come out as 8 kHz 16-bit mono of the same length,
// bad files are refused with a clear 400, uploads are listed with built-in
// prompts, played, deleted, and `resolve` prefers them for the driver.

import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { wavInfo } from '../../../telephony/test/peers/index.js';
import { ADMIN_AUTH, startTestApp, tempDir } from '../helpers.js';

const run = promisify(execFile);

/** A 1.5 s 440 Hz tone in the given format; sox args after the input. */
async function soxTone(file: string, format: string[]): Promise<Buffer> {
  await run('sox', ['-D', '-n', ...format, file, 'synth', '1.5', 'sine', '440', 'vol', '0.5']);
  return readFile(file);
}

const wavHeaders = { ...ADMIN_AUTH, 'content-type': 'audio/wav' };
const basic = (user: string, password: string) => ({ authorization: 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64') });

t.test('prompts REST', async (t) => {
  const { app, services, config } = await startTestApp(t);
  const users = services.get('users');
  await users.create({ username: 'sue', password: 'pw-sue-password', role: 'supervisor' });
  await users.create({ username: 'al', password: 'pw-al-password', role: 'agent' });
  const dir = tempDir(t);

  await t.test('GIVEN WAVs of every common rate, depth, channel count and G.711 WHEN uploaded THEN each is stored as 8 kHz 16-bit mono of the same length', async (t) => {
    const formats: [string, string[]][] = [
      ['pcm8-8k-mono', ['-r', '8000', '-b', '8', '-e', 'unsigned-integer', '-c', '1']],
      ['pcm16-11k-mono', ['-r', '11025', '-b', '16', '-e', 'signed-integer', '-c', '1']],
      ['pcm16-16k-stereo', ['-r', '16000', '-b', '16', '-e', 'signed-integer', '-c', '2']],
      ['pcm24-22k-mono', ['-r', '22050', '-b', '24', '-e', 'signed-integer', '-c', '1']],
      ['pcm16-44k-stereo', ['-r', '44100', '-b', '16', '-e', 'signed-integer', '-c', '2']],
      ['pcm24-48k-stereo', ['-r', '48000', '-b', '24', '-e', 'signed-integer', '-c', '2']],
      ['ulaw-8k', ['-r', '8000', '-e', 'u-law', '-c', '1']],
      ['alaw-8k', ['-r', '8000', '-e', 'a-law', '-c', '1']],
    ];
    for (const [name, format] of formats) {
      const bytes = await soxTone(path.join(dir, `${name}.wav`), format);
      const res = await app.inject({ method: 'PUT', url: `/api/prompts/en/${name}`, headers: wavHeaders, payload: bytes });
      t.equal(res.statusCode, 200, `${name}: ${res.body}`);
      t.match(JSON.parse(res.body), { name, language: 'en', source: 'uploaded', durationSeconds: 1.5 });
      const stored = path.join(config.dataDir, 'prompts', 'en', `${name}.wav`);
      const info = await wavInfo(stored);
      t.same([info.sampleRate, info.bits, info.channels], [8000, 16, 1], `${name} stored as 8 kHz 16-bit mono`);
      t.ok(Math.abs(info.seconds - 1.5) < 0.01, `${name} lasts 1.5 s (${info.seconds})`);
    }
  });

  await t.test('GIVEN files that are not usable prompts WHEN uploaded THEN 400 TENOR_ERR_PROMPT_INVALID saying why', async (t) => {
    const cases: [string, Buffer, RegExp][] = [
      ['text', Buffer.from('hello, I am not audio'), /not a WAV file/],
      ['mp3ish', Buffer.from([0x49, 0x44, 0x33, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), /not a WAV file/],
      ['adpcm', await (async () => {
        const file = path.join(dir, 'adpcm.wav');
        await run('sox', ['-D', '-n', '-r', '8000', '-e', 'ima-adpcm', '-c', '1', file, 'synth', '1', 'sine', '440']);
        return readFile(file);
      })(), /unsupported WAV encoding/],
      ['rate-96k', await soxTone(path.join(dir, 'r96.wav'), ['-r', '96000', '-b', '16', '-e', 'signed-integer', '-c', '1']), /unsupported sample rate 96000/],
      ['too-long', await (async () => {
        const file = path.join(dir, 'long.wav');
        await run('sox', ['-D', '-n', '-r', '8000', '-b', '16', '-e', 'signed-integer', '-c', '1', file, 'synth', '301', 'sine', '440']);
        return readFile(file);
      })(), /lasts 301\.0 s, more than the 300 s allowed/],
    ];
    for (const [name, bytes, why] of cases) {
      const res = await app.inject({ method: 'PUT', url: `/api/prompts/en/${name}`, headers: wavHeaders, payload: bytes });
      t.equal(res.statusCode, 400, name);
      const body = JSON.parse(res.body) as { error: { code: string; message: string } };
      t.equal(body.error.code, 'TENOR_ERR_PROMPT_INVALID', name);
      t.match(body.error.message, why, `${name}: ${body.error.message}`);
    }
    t.equal((await app.inject({ method: 'PUT', url: '/api/prompts/fr/hello', headers: wavHeaders, payload: await readFile(path.join(dir, 'ulaw-8k.wav')) })).statusCode, 400, 'language fr is refused');
    t.equal((await app.inject({ method: 'PUT', url: '/api/prompts/en/Bad%20Name', headers: wavHeaders, payload: await readFile(path.join(dir, 'ulaw-8k.wav')) })).statusCode, 400, 'a name with a space is refused');
  });

  await t.test('GIVEN an uploaded prompt THEN it is listed with the built-in ones, can be played, hides the built-in one of its name, and resolve prefers it', async (t) => {
    const prompts = services.get('prompts');
    t.same(prompts.resolve('goodbye', 'pt-BR'), { name: 'goodbye', language: 'pt-BR' }, 'built-in before any upload');
    const greeting = await soxTone(path.join(dir, 'goodbye-pt.wav'), ['-r', '44100', '-b', '16', '-e', 'signed-integer', '-c', '2']);
    t.equal((await app.inject({ method: 'PUT', url: '/api/prompts/pt-BR/goodbye', headers: wavHeaders, payload: greeting })).statusCode, 200);
    const list = JSON.parse((await app.inject({ method: 'GET', url: '/api/prompts?language=pt-BR', headers: basic('sue', 'pw-sue-password') })).body) as { name: string; source: string; durationSeconds: number; overridesBuiltin: boolean }[];
    t.match(list.find((p) => p.name === 'goodbye'), { source: 'uploaded', durationSeconds: 1.5, overridesBuiltin: true });
    const thanks = list.find((p) => p.name === 'thank-you');
    t.equal(thanks?.source, 'builtin');
    t.ok((thanks?.durationSeconds ?? 0) > 0.3, 'built-in prompts come with their duration');
    t.ok(list.some((p) => p.name === 'beep'), 'common sounds are listed too');
    const file = path.join(config.dataDir, 'prompts', 'pt-BR', 'goodbye.wav');
    t.same(prompts.resolve('goodbye', 'pt-BR'), { file });
    t.same(prompts.resolve('goodbye', 'es'), { name: 'goodbye', language: 'es' }, 'other languages keep the built-in one');
    t.same(prompts.resolve('ulaw-8k', 'es'), { file: path.join(config.dataDir, 'prompts', 'en', 'ulaw-8k.wav') }, 'an upload only in English is the fallback');
    t.throws(() => prompts.resolve('no-such-prompt', 'es'), { code: 'TENOR_ERR_NOT_FOUND' });
    const play = await app.inject({ method: 'GET', url: '/api/prompts/pt-BR/goodbye', headers: basic('sue', 'pw-sue-password') });
    t.equal(play.statusCode, 200);
    t.equal(play.headers['content-type'], 'audio/wav');
    t.same(play.rawPayload, await readFile(file));
    const builtinPlay = await app.inject({ method: 'GET', url: '/api/prompts/en/thank-you', headers: ADMIN_AUTH });
    t.equal(builtinPlay.statusCode, 200);
    t.equal(builtinPlay.rawPayload.subarray(0, 4).toString(), 'RIFF');
  });

  await t.test('GIVEN roles THEN supervisors read, only admins write, agents neither', async (t) => {
    const bytes = await readFile(path.join(dir, 'ulaw-8k.wav'));
    t.equal((await app.inject({ method: 'PUT', url: '/api/prompts/en/x', headers: { ...basic('sue', 'pw-sue-password'), 'content-type': 'audio/wav' }, payload: bytes })).statusCode, 403);
    t.equal((await app.inject({ method: 'DELETE', url: '/api/prompts/en/ulaw-8k', headers: basic('sue', 'pw-sue-password') })).statusCode, 403);
    t.equal((await app.inject({ method: 'GET', url: '/api/prompts', headers: basic('al', 'pw-al-password') })).statusCode, 403);
    t.equal((await app.inject({ method: 'GET', url: '/api/prompts' })).statusCode, 401);
  });

  await t.test('GIVEN an uploaded prompt WHEN deleted THEN the built-in one is back; a built-in prompt cannot be deleted', async (t) => {
    t.equal((await app.inject({ method: 'DELETE', url: '/api/prompts/pt-BR/goodbye', headers: ADMIN_AUTH })).statusCode, 204);
    t.same(services.get('prompts').resolve('goodbye', 'pt-BR'), { name: 'goodbye', language: 'pt-BR' });
    const again = await app.inject({ method: 'DELETE', url: '/api/prompts/pt-BR/goodbye', headers: ADMIN_AUTH });
    t.equal(again.statusCode, 404);
    t.match(JSON.parse(again.body), { error: { message: /built-in prompts cannot be deleted/ } });
    const list = JSON.parse((await app.inject({ method: 'GET', url: '/api/prompts?language=pt-BR', headers: ADMIN_AUTH })).body) as { name: string; source: string }[];
    t.equal(list.find((p) => p.name === 'goodbye')?.source, 'builtin');
  });

});
