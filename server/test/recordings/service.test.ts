// The recordings service on the ACD's calls, in process: the queue's policy
// starts a recording when the agent is connected, hold and pause are marked at
// their offsets, the customer's hang-up stores the file through the vault, and
// the REST API plays it (Range), downloads it and audits each listen; the
// role rules and bad input. The in-memory driver's recordings are silent WAVs
// of the right length on its simulated clock; test/recordings/sip-recording
// proves the audio itself over real SIP.

import t, { type Test } from 'tap';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Fastify from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { TelephonyDriver } from '@tenor/telephony';
import { readWavHeader } from '@tenor/telephony';
import { loadConfig } from '../../src/services/index.js';
import { ServiceManager, defineService } from '../../src/core/service-manager.js';
import type { TenorEvent } from '../../src/core/events.js';
import { ErrorResponse, installErrorHandling } from '../../src/http/errors.js';
import { installAccess } from '../../src/http/auth.js';
import { storeService } from '../../src/services/store.js';
import { eventsService } from '../../src/services/events.js';
import { dialingService } from '../../src/services/dialing/service.js';
import { usersService } from '../../src/services/users.js';
import { sipCredentialsService } from '../../src/services/sip-credentials/service.js';
import { acdService } from '../../src/services/acd/service.js';
import { acdRoutes } from '../../src/services/acd/routes.js';
import { recordingsService } from '../../src/services/recordings/index.js';
import { recordingRoutes } from '../../src/services/recordings/routes.js';
import { silentLogger, sleep, tempDir } from '../helpers.js';
import { FakeClock } from '../acd/fake-clock.js';
import { MemoryDriver, PROMPT_MS, type MemoryCall } from '../acd/memory-driver.js';

const S = 1000;
const basic = (user: string, pw: string) => `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}`;
const ADMIN = basic('admin', 'admin-password');
const ANN = basic('ann', 'ann-web-password');
const BOB = basic('bob', 'bob-web-password');
const SUE = basic('sue', 'sue-web-password');

/** Wait (20 s at most: the machine may be loaded) for something the server does on its own time. */
async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

function siteFile(recording: string, salesRecording = '{ policy: all, retentionDays: 30 }'): string {
  return `
recording:
${recording}
queues:
  - name: sales
    recording: ${salesRecording}
  - name: support
agents:
  - login: ann
    name: Ann
    password: ann-web-password
    queues: [{ queue: sales }, { queue: support }]
  - login: bob
    name: Bob
    password: bob-web-password
    queues: [{ queue: sales }, { queue: support }]
  - login: oz
    name: Oz Optout
    recordingOptOut: true
    queues: [{ queue: sales }]
`;
}

async function setup(t: Test, yaml: string) {
  const dir = tempDir(t, 'tenor-recordings-');
  const file = path.join(dir, 'tenor.yaml');
  writeFileSync(file, yaml);
  const config = loadConfig({ TENOR_CONFIG: file, TENOR_DATA_DIR: path.join(dir, 'data'), TENOR_ADMIN_PASSWORD: 'admin-password' }, dir);
  const clock = new FakeClock();
  const driver = new MemoryDriver(clock);
  const services = new ServiceManager({ logger: silentLogger });
  services.register(storeService(config.dataDir));
  services.register(eventsService());
  services.register(dialingService(config));
  services.register(usersService(config.adminPassword));
  services.register(sipCredentialsService(config));
  services.register(defineService<TelephonyDriver>({ name: 'telephony', dependsOn: ['users'], start: () => driver }));
  services.register(acdService(config));
  services.register(recordingsService(config));
  await services.startAll();
  await services.get('users').create({ username: 'sue', password: 'sue-web-password', role: 'supervisor' });
  const app = Fastify().withTypeProvider<TypeBoxTypeProvider>();
  app.addSchema(ErrorResponse);
  installErrorHandling(app);
  // Who is an agent (AuthUser.agent) comes from the access control, as in the real shell.
  installAccess(app, { services, trustProxy: false, allowedOrigins: [] });
  await app.register(acdRoutes({ services }));
  await app.register(recordingRoutes({ services }));
  await app.ready();
  const events: TenorEvent[] = [];
  services.get('events').subscribeAll((e) => void events.push(e));
  t.teardown(async () => {
    await app.close();
    await services.stopAll();
  });
  const acd = services.get('acd');
  const as = (auth: string) => ({
    get: (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers: { authorization: auth, ...headers } }),
    post: (url: string, payload: object) => app.inject({ method: 'POST', url, payload, headers: { authorization: auth } }),
  });
  /** A caller in `queue` answered by `login` (the only one ready); `before` runs once the caller exists, before it is queued. */
  const connect = async (login: string, queue = 'sales', before?: (caller: MemoryCall) => void): Promise<{ caller: MemoryCall; done: Promise<unknown> }> => {
    const caller = driver.caller('+31205550001', 'Carla');
    before?.(caller);
    const done = acd.enqueueCall(caller, { queue });
    const ringing = await until(`${login}'s phone to ring`, () => driver.ringing(`device:${login}`)[0]);
    ringing.answer();
    await until(`${login} on the call`, () => acd.findConnectedCall(login));
    return { caller, done };
  };
  /**
   * Wait until `n` bus events of `type` matching `match` have been delivered: the recordings read
   * a marker's offset when its event arrives, so the simulated clock moves on only after that.
   */
  const delivered = (type: string, match: (p: Record<string, unknown>) => boolean = () => true, n = 1) =>
    until(`${n} ${type}`, () => events.filter((e) => e.type === type && match(e.payload as Record<string, unknown>)).length >= n);
  const control = (action: string, n = 1) => delivered('call_control', (p) => p.action === action, n);
  /** The caller is played `prompt` before being connected: let it run its length on the simulated clock (the recording starts after it). */
  const announced = async (caller: MemoryCall, prompt: string): Promise<void> => {
    await until(`the announcement ${prompt}`, () => caller.plays.some((p) => p.prompts.includes(prompt)));
    await clock.advance(PROMPT_MS);
  };
  const rowsOf = async (callId: string) => (await as(ADMIN).get(`/api/recordings?callId=${callId}`)).json().items as { id: string; state: string; campaign: string | null }[];
  return { services, acd, driver, clock, app, events, as, connect, announced, rowsOf, delivered, control, dataDir: config.dataDir };
}

t.test('policy all: recorded from the agent connecting to the customer leaving; hold and pause marked; stored, played, audited', async (t) => {
  const h = await setup(t, siteFile('  policy: never', '{ policy: all, retentionDays: 30, announcement: sales-may-be-recorded }'));
  await h.acd.login('ann');
  const { caller, done } = await h.connect('ann');
  t.match(caller.plays.find((p) => p.prompts.includes('sales-may-be-recorded')), { prompts: ['sales-may-be-recorded'] }, "the caller hears the queue's announcement before ann");
  t.same(await h.rowsOf(caller.id), [], 'not recorded during the announcement');
  await h.announced(caller, 'sales-may-be-recorded');
  const [started] = await until('the recording to start', async () => (await h.rowsOf(caller.id)).filter((r) => r.state === 'recording'));
  if (!started) throw new Error('no recording');
  t.match(h.events.find((e) => e.type === 'recording_started')?.payload, { recordingId: started.id, callId: caller.id, by: 'policy', agent: 'ann' });

  await h.clock.advance(4 * S);
  await h.acd.holdCall('ann');
  await h.control('hold');
  await h.clock.advance(3 * S);
  await h.acd.unholdCall('ann');
  await h.control('unhold');
  await h.clock.advance(2 * S);
  const paused = await h.as(ANN).post(`/api/calls/${caller.id}/recording`, { action: 'pause', reason: 'card details' });
  t.same([paused.statusCode, paused.json()], [200, { state: 'paused' }], 'the agent on the call pauses it');
  t.same((await h.as(ANN).post(`/api/calls/${caller.id}/recording`, { action: 'pause' })).json(), { state: 'paused' }, 'pausing twice is harmless');
  await h.clock.advance(5 * S);
  t.same((await h.as(SUE).post(`/api/calls/${caller.id}/recording`, { action: 'resume' })).json(), { state: 'recording' }, 'a supervisor resumes it');
  await h.clock.advance(1 * S);
  const wrongAgent = await h.as(BOB).post(`/api/calls/${caller.id}/recording`, { action: 'stop' });
  t.same([wrongAgent.statusCode, wrongAgent.json().error.code], [404, 'TENOR_ERR_RECORDING_NOT_FOUND'], "another agent cannot touch ann's call");

  caller.farEndHangup();
  await done;
  const stored = await until('the recording to be stored', async () => {
    const one = (await h.as(SUE).get(`/api/recordings/${started.id}`)).json();
    return one.state === 'stored' ? one : undefined;
  });
  t.match(stored, { callId: caller.id, queue: 'sales', agent: 'ann', durationMs: 15 * S, encrypted: false, audioUrl: `/api/recordings/${started.id}/audio` });
  t.equal(Date.parse(stored.retainUntil) - Date.parse(stored.startedAt), 30 * 86_400_000, 'kept 30 days, as the queue says');
  t.same(stored.markers.map((m: { atMs: number; kind: string; by: string | null; reason: string | null; detail: string | null }) => [m.atMs, m.kind, m.by, m.reason, m.detail]), [
    [0, 'agent', null, null, 'ann'],
    [4 * S, 'hold', 'ann', null, null],
    [7 * S, 'unhold', 'ann', null, null],
    [9 * S, 'pause', 'ann', 'card details', null],
    [14 * S, 'resume', 'sue', null, null],
  ]);
  t.same(h.events.filter((e) => e.type.startsWith('recording_')).map((e) => e.type), ['recording_started', 'recording_paused', 'recording_resumed', 'recording_stopped']);

  const audio = await h.as(SUE).get(stored.audioUrl);
  t.equal(audio.statusCode, 200);
  t.equal(audio.headers['content-type'], 'audio/wav');
  const wav = readWavHeader(audio.rawPayload);
  t.same([wav.channels, wav.sampleRate, wav.frames], [2, 8000, 15 * 8000], 'stereo, 8 kHz, 15 s');
  const seek = await h.as(SUE).get(stored.audioUrl, { range: 'bytes=1000-1999' });
  t.same([seek.statusCode, seek.headers['content-range'], seek.rawPayload.length], [206, `bytes 1000-1999/${audio.rawPayload.length}`, 1000], 'a seek gets the bytes asked for');
  t.same(seek.rawPayload, audio.rawPayload.subarray(1000, 2000));
  t.equal((await h.as(SUE).get(stored.audioUrl, { range: `bytes=${audio.rawPayload.length + 5}-` })).statusCode, 416, 'a range past the end');
  const download = await h.as(ADMIN).get(`/api/recordings/${started.id}/download`);
  t.same([download.statusCode, download.headers['content-disposition']], [200, `attachment; filename="recording-${started.id}.wav"`]);
  const audit = (await h.as(SUE).get(`/api/recordings/${started.id}/audit`)).json();
  t.same(audit.map((a: { user: string; action: string }) => [a.user, a.action]), [['sue', 'listen'], ['admin', 'download']], 'one listen (the seeks are not listens) and one download');

  await h.acd.flush();
  const record = (await h.as(ADMIN).get(`/api/calls/${caller.id}`)).json();
  t.same(record.recordings, [{ id: started.id, state: 'stored', durationMs: 15 * S }], 'the call record shows its recording');
});

t.test('a transfer keeps one recording: each agent connected is marked, with the transfer', async (t) => {
  const h = await setup(t, siteFile('  policy: all\n  announcement: may-be-recorded'));
  await h.acd.login('ann');
  const { caller, done } = await h.connect('ann');
  await h.announced(caller, 'may-be-recorded');
  const [rec] = await until('the recording', async () => (await h.rowsOf(caller.id)).filter((r) => r.state === 'recording'));
  await h.clock.advance(3 * S);
  await h.acd.transferCall('ann', { type: 'queue', queue: 'support' });
  await h.control('transfer');
  await h.clock.advance(2 * S);
  await h.acd.login('bob');
  const atBob = await until("bob's phone", () => h.driver.ringing('device:bob')[0]);
  atBob.answer();
  await h.delivered('call_answered', (p) => p.agent === 'bob');
  await h.clock.advance(4 * S);
  caller.farEndHangup();
  await done;
  const one = await until('stored', async () => {
    const r = (await h.as(ADMIN).get(`/api/recordings/${rec?.id}`)).json();
    return r.state === 'stored' ? r : undefined;
  });
  t.equal((await h.rowsOf(caller.id)).length, 1, 'one recording for the call');
  t.same(one.markers.map((m: { atMs: number; kind: string; detail: string | null; reason: string | null }) => [m.atMs, m.kind, m.reason, m.detail]), [
    [0, 'agent', null, 'ann'],
    [3 * S, 'transfer', 'blind', JSON.stringify({ type: 'queue', queue: 'support' })],
    [5 * S, 'agent', null, 'bob'],
  ]);
  t.equal(one.agent, 'bob', 'the agent connected last');
  t.equal(caller.plays.filter((p) => p.prompts.includes('may-be-recorded')).length, 1, 'the announcement is played once, not again for bob');
  t.equal(one.durationMs, 9 * S, 'the customer was recorded while waiting for bob too');
  const byAgent = async (agent: string) => (await h.as(ADMIN).get(`/api/recordings?agent=${agent}`)).json().total;
  t.same([await byAgent('ann'), await byAgent('bob'), await byAgent('oz')], [1, 1, 0], 'found under both agents');
});

t.test('on-demand: nothing until someone starts it; never and opted-out agents refuse a start; pause auto-resumes', async (t) => {
  const h = await setup(t, siteFile('  policy: on-demand\n  agentOptOut: true\n  maxPauseSeconds: 1\n  announcement: may-be-recorded', '{ policy: never }'));
  await h.acd.login('ann');
  const first = await h.connect('ann', 'support');
  t.same((await h.as(ANN).post(`/api/calls/${first.caller.id}/recording`, { action: 'pause' })).json(), { state: 'none' }, 'pause with no recording: nothing to pause');
  t.same(await h.rowsOf(first.caller.id), [], 'not recorded on its own');
  const started = await h.as(ANN).post(`/api/calls/${first.caller.id}/recording`, { action: 'start', reason: 'customer agreed' });
  t.same([started.statusCode, started.json()], [200, { state: 'recording' }]);
  t.same((await h.as(ANN).post(`/api/calls/${first.caller.id}/recording`, { action: 'start' })).json(), { state: 'recording' }, 'starting twice is harmless');
  t.same((await h.as(ANN).post(`/api/calls/${first.caller.id}/recording`, { action: 'pause', reason: 'card' })).json(), { state: 'paused' });
  // maxPauseSeconds: 1 resumes it on the server's own timer.
  const [rec] = await h.rowsOf(first.caller.id);
  const resumed = await until('the automatic resume', async () => {
    const markers = (await h.as(ADMIN).get(`/api/recordings/${rec?.id}`)).json().markers as { kind: string; by: string; reason: string }[];
    return markers.find((m) => m.kind === 'resume');
  });
  t.match(resumed, { by: 'system', reason: 'maxPauseSeconds reached' });
  t.same((await h.as(ANN).post(`/api/calls/${first.caller.id}/recording`, { action: 'stop' })).json(), { state: 'stopped' });
  await until('stored', async () => (await h.rowsOf(first.caller.id))[0]?.state === 'stored');
  first.caller.farEndHangup();
  await first.done;
  await until('ann ready again (no wrap-up in support)', () => h.acd.agent('ann')?.state === 'ready');

  t.equal(first.caller.plays.filter((p) => p.prompts.includes('may-be-recorded')).length, 1, 'an on-demand call may be recorded: announced');
  const never = await h.connect('ann', 'sales');
  const refused = await h.as(ADMIN).post(`/api/calls/${never.caller.id}/recording`, { action: 'start' });
  t.same([refused.statusCode, refused.json().error.code], [409, 'TENOR_ERR_RECORDING_STATE'], "policy 'never' refuses a start");
  t.equal(never.caller.plays.filter((p) => p.prompts.includes('may-be-recorded')).length, 0, "a call that is never recorded is not announced");
  never.caller.farEndHangup();
  await never.done;

  await h.acd.login('oz');
  await h.acd.logout('ann');
  const optedOut = await h.connect('oz', 'sales');
  t.equal((await h.as(ADMIN).post(`/api/calls/${optedOut.caller.id}/recording`, { action: 'start' })).statusCode, 409, 'an agent who opted out is not recorded');
  optedOut.caller.farEndHangup();
  await optedOut.done;
  const gone = await h.as(ADMIN).post(`/api/calls/${optedOut.caller.id}/recording`, { action: 'start' });
  t.same([gone.statusCode, gone.json().error.code], [404, 'TENOR_ERR_RECORDING_NOT_FOUND'], 'a call that ended is no live call');
});

t.test('a recording that cannot be stored fails alone: the call goes on, the row says failed', async (t) => {
  const h = await setup(t, siteFile('  policy: all'));
  await h.acd.login('ann');
  const { caller, done } = await h.connect('ann');
  const [rec] = await until('the recording', async () => (await h.rowsOf(caller.id)).filter((r) => r.state === 'recording'));
  // The engine cannot write the file where the vault expects it.
  rmSync(path.join(h.dataDir, 'recordings', 'incoming'), { recursive: true, force: true });
  await h.clock.advance(2 * S);
  t.equal(caller.state, 'answered', 'the call goes on');
  caller.farEndHangup();
  t.same(await done, { result: 'connected', agent: 'ann' });
  await until('the row to say failed', async () => (await h.rowsOf(caller.id))[0]?.state === 'failed');
  const audio = await h.as(ADMIN).get(`/api/recordings/${rec?.id}/audio`);
  t.same([audio.statusCode, audio.json().error.code], [404, 'TENOR_ERR_RECORDING_NOT_FOUND'], 'no audio for a failed recording');
});

t.test('who may reach recordings: agents only where the site allows, only their own calls; bad ids refused', async (t) => {
  const closed = await setup(t, siteFile('  policy: all'));
  await closed.acd.login('ann');
  const call = await closed.connect('ann');
  const [rec] = await until('the recording', async () => (await closed.rowsOf(call.caller.id)).filter((r) => r.state === 'recording'));
  call.caller.farEndHangup();
  await call.done;
  await until('stored', async () => (await closed.rowsOf(call.caller.id))[0]?.state === 'stored');
  for (const url of ['/api/recordings', `/api/recordings/${rec?.id}`, `/api/recordings/${rec?.id}/audio`, `/api/recordings/${rec?.id}/download`]) {
    const res = await closed.as(ANN).get(url);
    t.same([res.statusCode, res.json().error.code], [403, 'TENOR_ERR_FORBIDDEN'], `agent without recording.agentsMayListen: ${url}`);
  }
  t.equal((await closed.as(ANN).get(`/api/recordings/${rec?.id}/audit`)).statusCode, 403, 'agents never read the audit');
  t.equal((await closed.app.inject({ method: 'GET', url: '/api/recordings' })).statusCode, 401, 'credentials required');
  t.equal((await closed.as(ADMIN).get('/api/recordings/../audio')).statusCode, 404, "'..' never reaches a recording");
  for (const bad of ['..%2F..%2Fetc%2Fpasswd', '..%2F', 'a%2Fb', 'x'.repeat(65), 'id%00']) {
    t.equal((await closed.as(ADMIN).get(`/api/recordings/${bad}/audio`)).statusCode, 400, `bad id ${bad}`);
  }
  const tooLong = (await closed.as(ADMIN).post(`/api/calls/${'x'.repeat(300)}/recording`, { action: 'pause' })).statusCode;
  t.equal(tooLong, 414, "a call id longer than fastify's route parameters is refused before any handler");
  for (const bad of ['a%20b', 'id%00', '%C3%A9t%C3%A9', '%0D%0Ax']) {
    t.equal((await closed.as(ADMIN).post(`/api/calls/${bad}/recording`, { action: 'pause' })).statusCode, 400, `bad call id ${bad}`);
  }
  t.equal((await closed.as(ADMIN).post(`/api/calls/${encodeURIComponent('1-2@127.0.0.1')}/recording`, { action: 'pause' })).statusCode, 404, 'a SIP Call-ID is a call id (none live here)');
  t.equal((await closed.as(ADMIN).get('/api/recordings/no-such-recording')).statusCode, 404);
  t.equal((await closed.as(ADMIN).post(`/api/calls/${call.caller.id}/recording`, { action: 'explode' })).statusCode, 400, 'unknown action');
  t.equal((await closed.as(ADMIN).post(`/api/calls/${call.caller.id}/recording`, { action: 'pause', reason: 'r'.repeat(201) })).statusCode, 400, 'reason too long');
  t.equal((await closed.as(ADMIN).get('/api/recordings?from=yesterday')).statusCode, 400, 'a date that is no date');
  t.equal(closed.events.filter((e) => e.type === 'recording_started').length, 1);

  const open = await setup(t, siteFile('  policy: all\n  agentsMayListen: true'));
  await open.acd.login('ann');
  const annCall = await open.connect('ann');
  const [annRec] = await until('the recording', async () => (await open.rowsOf(annCall.caller.id)).filter((r) => r.state === 'recording'));
  annCall.caller.farEndHangup();
  await annCall.done;
  await until('stored', async () => (await open.rowsOf(annCall.caller.id))[0]?.state === 'stored');
  t.equal((await open.as(ANN).get(`/api/recordings/${annRec?.id}/audio`)).statusCode, 200, 'ann plays her own call');
  t.equal((await open.as(ANN).get('/api/recordings')).json().total, 1, 'and lists it');
  const bobs = await open.as(BOB).get(`/api/recordings/${annRec?.id}/audio`);
  t.same([bobs.statusCode, bobs.json().error.code], [404, 'TENOR_ERR_RECORDING_NOT_FOUND'], "bob cannot play ann's call (not found)");
  t.same((await open.as(BOB).get('/api/recordings')).json().total, 0, "bob's list has none of ann's");
  t.equal((await open.as(BOB).get('/api/recordings?agent=ann')).statusCode, 403, "bob cannot ask for ann's");
  t.same((await open.as(SUE).get(`/api/recordings/${annRec?.id}/audit`)).json().map((a: { user: string }) => a.user), ['ann'], "ann's listen is audited");
});

t.test('a consult, its cancel and an attended transfer are marked at their offsets', async (t) => {
  const h = await setup(t, siteFile('  policy: all'));
  await h.acd.login('ann');
  const { caller, done } = await h.connect('ann');
  await h.acd.login('bob');
  const [rec] = await until('the recording', async () => (await h.rowsOf(caller.id)).filter((r) => r.state === 'recording'));
  let consults = 0;
  const consultBob = async (): Promise<void> => {
    consults++;
    await h.acd.consultCall('ann', { type: 'agent', agent: 'bob' });
    const atBob = await until("bob's phone", () => h.driver.ringing('device:bob')[0]);
    atBob.answer();
    await h.control('consult-answered', consults);
  };
  await h.clock.advance(2 * S);
  await consultBob();
  await h.clock.advance(1 * S);
  await h.acd.cancelConsult('ann');
  await h.control('consult-cancel');
  await h.clock.advance(2 * S);
  await consultBob();
  await h.clock.advance(1 * S);
  await h.acd.completeConsult('ann');
  await h.control('consult-complete');
  await h.delivered('call_answered', (p) => p.agent === 'bob');
  await h.clock.advance(3 * S);
  caller.farEndHangup();
  await done;
  const one = await until('stored', async () => {
    const r = (await h.as(ADMIN).get(`/api/recordings/${rec?.id}`)).json();
    return r.state === 'stored' ? r : undefined;
  });
  const bob = JSON.stringify({ type: 'agent', agent: 'bob' });
  // Markers at the same offset come from different events whose order is not the point here.
  const sorted = (rows: unknown[][]) => rows.map((r) => JSON.stringify(r)).sort();
  t.same(sorted(one.markers.map((m: { atMs: number; kind: string; by: string | null; reason: string | null; detail: string | null }) => [m.atMs, m.kind, m.by, m.reason, m.detail])), sorted([
    [0, 'agent', null, null, 'ann'],
    [2 * S, 'consult', 'ann', null, bob],
    [2 * S, 'consult', 'ann', 'answered', bob],
    [3 * S, 'unhold', 'ann', 'consult cancelled', bob],
    [5 * S, 'consult', 'ann', null, bob],
    [5 * S, 'consult', 'ann', 'answered', bob],
    [6 * S, 'transfer', 'ann', 'attended', bob],
    [6 * S, 'agent', null, null, 'bob'],
  ]));
  t.equal(one.durationMs, 9 * S);
});

t.test("where the policy comes from: a flow node or a campaign over the queue, runtime queues from the admin API over the site's default", async (t) => {
  const h = await setup(t, siteFile('  policy: all', '{ policy: never }'));
  const bus = h.services.get('events');
  const recordings = h.services.get('recordings');
  const put = (url: string, payload: object) => h.app.inject({ method: 'PUT', url, payload, headers: { authorization: ADMIN } });
  /** One call through `queue`, hung up; whether it was recorded, and the row. */
  const callThrough = async (queue: string, before?: (caller: MemoryCall) => void) => {
    const { caller, done } = await h.connect('ann', queue, before);
    // The decision is taken when ann is connected: a recording starts at once or never.
    await h.delivered('call_answered', (p) => p.callId === caller.id);
    const live = recordings.liveState(caller.id);
    caller.farEndHangup();
    await done;
    await until('ann ready again', () => h.acd.agent('ann')?.state === 'ready');
    const rows = await until('the rows settled', async () => {
      const all = await h.rowsOf(caller.id);
      return all.every((r) => r.state === 'stored') ? all : undefined;
    });
    return { live, rows };
  };

  t.equal((await put('/api/queues/vip', { strategy: 'longest-idle' })).statusCode, 200, 'a queue created at run time');
  t.equal((await put('/api/queues/quiet', { recording: { policy: 'never', retentionDays: 7 } })).statusCode, 200, 'a runtime queue with its own recording');
  t.match((await h.as(ADMIN).get('/api/queues/quiet')).json().definition, { recording: { policy: 'never', retentionDays: 7 } }, 'shown with the queue');
  const bad = await put('/api/queues/odd', { recording: { policy: 'sometimes' } });
  t.same([bad.statusCode, bad.json().error.code], [400, 'TENOR_ERR_VALIDATION']);
  t.match(bad.json().error.message, /recording\/policy/, 'the bad value is named by its path');
  const ann = await put('/api/agents/ann', { name: 'Ann', queues: [{ queue: 'sales' }, { queue: 'vip' }, { queue: 'quiet' }] });
  t.equal(ann.statusCode, 200, ann.body);
  await h.acd.login('ann');

  const vip = await callThrough('vip');
  t.equal(vip.rows.length, 1, "a runtime queue without recording keys takes the site's policy (all)");
  t.match(vip.live, { recordingId: vip.rows[0]?.id, state: 'recording', since: /^\d{4}-/ }, 'the live state names the recording');
  t.same((await callThrough('quiet')).rows, [], "a runtime queue's own policy (never) wins over the site's");
  t.same((await callThrough('sales')).rows, [], "sales' policy is never");

  const viaFlow = await callThrough('sales', (caller) => bus.publish('flow_ended', {
    callId: caller.id, flow: 'main', version: 1, how: 'completed', path: [], outcome: { type: 'queue', queue: 'sales', recording: { policy: 'all' } },
  }));
  t.match(viaFlow.rows, [{ state: 'stored', campaign: null }], "the flow node's policy (all) wins over the queue's (never)");

  const viaCampaign = await callThrough('sales', (caller) => bus.publish('campaign_call_queued', {
    campaign: 'spring', callId: caller.id, queue: 'sales', recording: { policy: 'all' },
  }));
  t.match(viaCampaign.rows, [{ state: 'stored', campaign: 'spring' }], "the campaign's policy wins over the queue's, and the row names the campaign");

  const flowSaysNever = await callThrough('vip', (caller) => bus.publish('flow_ended', {
    callId: caller.id, flow: 'main', version: 1, how: 'completed', path: [], outcome: { type: 'queue', queue: 'vip', recording: { policy: 'never' } },
  }));
  t.same(flowSaysNever.rows, [], "a flow node's never wins over the site's all");
  t.equal(flowSaysNever.live, undefined, 'no live recording state');
});
