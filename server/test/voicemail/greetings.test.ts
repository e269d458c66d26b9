// Box greetings and box visibility over the REST API on the whole app:
// supervisors upload a greeting in any common WAV format (stored as 8 kHz
// mono, survives a restart of the service), listen to it, and go back to the
// default; agents only see their own box and their queues' boxes.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { wavInfo } from '../../../telephony/test/peers/index.js';
import { ADMIN_AUTH, startTestApp, tempDir, testConfig } from '../helpers.js';

const run = promisify(execFile);
const basic = (user: string, password: string) => ({ authorization: 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64') });

t.test('voicemail boxes and greetings', async (t) => {
  const dir = tempDir(t);
  const site = path.join(dir, 'site.yaml');
  await writeFile(site, JSON.stringify({
    queues: [{ name: 'sales' }, { name: 'support' }],
    agents: [{ login: 'alice', name: 'Alice', password: 'pw-alice-password', queues: [{ queue: 'support' }] }],
    voicemail: { silenceSeconds: 3, boxes: [{ name: 'general', notify: ['desk@test.example'], maxSeconds: 60 }] },
  }));
  const { app, services } = await startTestApp(t, { config: testConfig(t, { TENOR_CONFIG: site }) });
  await services.get('users').create({ username: 'sue', password: 'pw-sue-password', role: 'supervisor' });

  await t.test('GIVEN the site file THEN every box is listed with its settings for a supervisor; an agent sees their own and their queue\'s', async (t) => {
    const all = JSON.parse((await app.inject({ method: 'GET', url: '/api/voicemail/boxes', headers: basic('sue', 'pw-sue-password') })).body) as { name: string }[];
    t.same(all.map((b) => b.name).sort(), ['agent:alice', 'general', 'queue:sales', 'queue:support']);
    t.match(all.find((b) => b.name === 'general'), { kind: 'general', notify: ['desk@test.example'], maxSeconds: 60, silenceSeconds: 3, greeting: 'default', queue: null });
    t.match(all.find((b) => b.name === 'queue:sales'), { kind: 'queue', queue: 'sales', notify: [], maxSeconds: 120, silenceSeconds: 3 });
    const mine = JSON.parse((await app.inject({ method: 'GET', url: '/api/voicemail/boxes', headers: basic('alice', 'pw-alice-password') })).body) as { name: string }[];
    t.same(mine.map((b) => b.name).sort(), ['agent:alice', 'queue:support']);
    t.equal((await app.inject({ method: 'GET', url: '/api/voicemail/boxes' })).statusCode, 401);
  });

  await t.test('GIVEN a 44.1 kHz stereo greeting WHEN a supervisor uploads it for queue:sales THEN it is stored as 8 kHz mono, served back, kept across a restart, and can be removed', async (t) => {
    const file = path.join(dir, 'greeting.wav');
    await run('sox', ['-D', '-n', '-r', '44100', '-b', '16', '-c', '2', '-e', 'signed-integer', file, 'synth', '2', 'sine', '600', 'vol', '0.4']);
    const put = await app.inject({ method: 'PUT', url: '/api/voicemail/boxes/queue:sales/greeting', headers: { ...basic('sue', 'pw-sue-password'), 'content-type': 'audio/wav' }, payload: await readFile(file) });
    t.equal(put.statusCode, 200, put.body);
    t.match(JSON.parse(put.body), { name: 'queue:sales', greeting: 'uploaded' });
    const stored = services.get('voicemail').box('queue:sales')?.greeting;
    t.ok(stored);
    const info = await wavInfo(stored ?? '');
    t.same([info.sampleRate, info.channels, info.bits], [8000, 1, 16]);
    t.ok(Math.abs(info.seconds - 2) < 0.01);
    const back = await app.inject({ method: 'GET', url: '/api/voicemail/boxes/queue:sales/greeting', headers: ADMIN_AUTH });
    t.equal(back.statusCode, 200);
    t.equal(back.headers['content-type'], 'audio/wav');
    t.same(back.rawPayload, await readFile(stored ?? ''));

    // A second upload gets a new file (the engine caches decoded files by path) and the first goes.
    const again = await app.inject({ method: 'PUT', url: '/api/voicemail/boxes/queue:sales/greeting', headers: { ...ADMIN_AUTH, 'content-type': 'audio/wav' }, payload: await readFile(file) });
    t.equal(again.statusCode, 200);
    const replaced = services.get('voicemail').box('queue:sales')?.greeting;
    t.not(replaced, stored);
    t.notOk(existsSync(stored ?? ''), 'the old greeting file is removed');

    await services.reload('voicemail');
    t.equal(services.get('voicemail').box('queue:sales')?.greeting, replaced, 'the greeting is remembered by a new instance');

    const del = await app.inject({ method: 'DELETE', url: '/api/voicemail/boxes/queue:sales/greeting', headers: basic('sue', 'pw-sue-password') });
    t.match(JSON.parse(del.body), { greeting: 'default' });
    t.equal((await app.inject({ method: 'GET', url: '/api/voicemail/boxes/queue:sales/greeting', headers: ADMIN_AUTH })).statusCode, 404);
  });

  await t.test('GIVEN a bad greeting, an unknown box or an agent THEN the upload is refused', async (t) => {
    const bad = await app.inject({ method: 'PUT', url: '/api/voicemail/boxes/general/greeting', headers: { ...ADMIN_AUTH, 'content-type': 'audio/wav' }, payload: Buffer.from('RIFF....WAVEjunk') });
    t.equal(bad.statusCode, 400);
    t.match(JSON.parse(bad.body), { error: { code: 'TENOR_ERR_PROMPT_INVALID', message: /greeting of box 'general'.*no fmt chunk/ } });
    const unknown = await app.inject({ method: 'PUT', url: '/api/voicemail/boxes/queue:nope/greeting', headers: { ...ADMIN_AUTH, 'content-type': 'audio/wav' }, payload: Buffer.from('x') });
    t.equal(unknown.statusCode, 404);
    const agent = await app.inject({ method: 'PUT', url: '/api/voicemail/boxes/agent:alice/greeting', headers: { ...basic('alice', 'pw-alice-password'), 'content-type': 'audio/wav' }, payload: Buffer.from('x') });
    t.equal(agent.statusCode, 403);
  });
});
