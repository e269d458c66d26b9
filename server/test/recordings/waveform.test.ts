// GET /api/recordings/:id/waveform: a recording's per-channel peaks for the
// player, read from the stored WAV (plain, and encrypted at rest through the
// vault): a tone shows on its own side at its own time, silence is 0, the
// answer has as many buckets as asked. The same access rule as the audio (an
// agent: own calls only, and only where the site allows), never audited, and
// bad input refused. On the same two servers, the call lists' links to the
// player: the customer's history and the agent's day name a call's recording
// only to whoever may play it.

import t, { type Test } from 'tap';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CallRecordsRepository } from '../../src/services/acd/store/call-records.js';
import type { ServiceManager } from '../../src/core/service-manager.js';
import { presetPeriod } from '../../src/services/reports/buckets.js';
import { defaultTimeZone } from '../../src/services/reports/query.js';
import { startTestApp, tempDir, testConfig } from '../helpers.js';
import { writeKeyFile } from './wav-fixture.js';
import { callWav, seedRecording } from './seed-recording.js';

const basic = (user: string, pw: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}` });
const SUE = basic('sue', 'sue-web-password');
const ANN = basic('ann', 'ann-web-password');
const BOB = basic('bob', 'bob-web-password');
const AT = '2026-11-20T10:00:00.000Z';

interface Waveform { durationMs: number; sampleRate: number; channels: number; points: number; left: number[]; right: number[] }

async function server(t: Test, recording: Record<string, unknown>) {
  const dir = tempDir(t, 'tenor-waveform-');
  const file = path.join(dir, 'site.yaml');
  writeFileSync(file, JSON.stringify({
    recording,
    queues: [{ name: 'sales' }],
    agents: [
      { login: 'ann', name: 'Ann', password: 'ann-web-password', queues: [{ queue: 'sales' }] },
      { login: 'bob', name: 'Bob', password: 'bob-web-password', queues: [{ queue: 'sales' }] },
    ],
  }));
  const config = testConfig(t, { TENOR_CONFIG: file });
  const { app, services } = await startTestApp(t, { config });
  await services.get('users').create({ username: 'sue', password: 'sue-web-password', role: 'supervisor' });
  const get = (url: string, headers: Record<string, string>) => app.inject({ method: 'GET', url, headers });
  return { app, services, config, get };
}

/** A customer whose call `callId` (answered by `agent` a minute ago, today) is on their history; bob also took a call of theirs. */
async function customerWithCall(services: ServiceManager, callId: string, agent: string): Promise<{ customer: number; interaction: number }> {
  // Today's calls make the agent's day: right after midnight, wait until today has two minutes.
  const sinceMidnight = Date.now() - presetPeriod(defaultTimeZone({}), 'today', Date.now()).start;
  if (sinceMidnight < 120_000) await sleep(120_000 - sinceMidnight);
  const crm = services.get('crm');
  const customer = (await crm.create('Customer', { name: 'Carla Kunde', phones: ['+31205550001'] })).id as number;
  const records = new CallRecordsRepository(services.get('store'));
  const at = Date.now() - 60_000;
  for (const [id, who] of [[callId, agent], [`${callId}-bob`, 'bob']] as const) {
    await records.open({ id, direction: 'inbound', from: '+31205550001', to: '100', customerId: String(customer), arrivedAt: at });
    await records.update(id, { queue: 'sales', agent: who, answeredAt: at + 1000, endedAt: at + 30_000, talkMs: 29_000, outcome: 'answered', live: false });
  }
  const interaction = (await crm.recordInteraction({ customer, channel: 'call', direction: 'inbound', callId, agent, notes: 'card payment' })).id as number;
  await crm.recordInteraction({ customer, channel: 'call', direction: 'inbound', callId: `${callId}-bob`, agent: 'bob', notes: 'follow-up' });
  return { customer, interaction };
}

interface HistoryItem { id: number; callId?: string; recordingId?: string }
interface Day { recentCalls: Array<{ id: string; recordingId: string | null }> }

const all = (peaks: number[], from: number, to: number, test: (p: number) => boolean): boolean => peaks.slice(from, to).every(test);

t.test('waveform of a recording: peaks per channel, plain and encrypted; access; bad input', async (t) => {
  const keyFile = path.join(tempDir(t), 'recording.keys');
  writeKeyFile(keyFile, ['k1']);
  const s = await server(t, { policy: 'never', agentsMayListen: true, encryption: { keyFile } });
  // 4 s: the customer speaks (440 Hz, half scale) for the first 2 s; the agent is silent.
  await seedRecording(s.services, s.config.dataDir, {
    id: 'rec-left', callId: 'call-left', queue: 'sales', agent: 'ann', startedAt: AT, plain: true,
    wav: callWav(4, { left: [{ hz: 440, amplitude: 16384, fromS: 0, toS: 2 }] }),
  });
  // Encrypted at rest: the agent (1 kHz, quarter scale) in the last 2 s; the customer is silent.
  const encryptedFile = await seedRecording(s.services, s.config.dataDir, {
    id: 'rec-right', callId: 'call-right', queue: 'sales', agent: 'ann', startedAt: AT,
    wav: callWav(4, { right: [{ hz: 1000, amplitude: 8192, fromS: 2, toS: 4 }] }),
  });
  t.match(encryptedFile, /\.wav\.enc$/, 'the second recording is encrypted on disk');

  await t.test('the customer on the left, the agent on the right, silence is 0', async (t) => {
    const res = await s.get('/api/recordings/rec-left/waveform?points=100', SUE);
    t.equal(res.statusCode, 200, res.body.slice(0, 200));
    const w = res.json() as Waveform;
    t.match(w, { durationMs: 4000, sampleRate: 8000, channels: 2, points: 100 });
    t.equal(w.left.length, 100, 'as many left buckets as points');
    t.equal(w.right.length, 100, 'as many right buckets as points');
    t.ok(all(w.left, 0, 50, (p) => p > 0.45 && p <= 0.5), 'the tone: about half scale on the left for the first half');
    t.ok(all(w.left, 50, 100, (p) => p === 0), 'silence on the left after it');
    t.ok(all(w.right, 0, 100, (p) => p === 0), 'the right side is silent throughout');
    t.equal(res.headers['cache-control'], 'private, no-store');
  });

  await t.test('an encrypted recording is read through the vault', async (t) => {
    const res = await s.get('/api/recordings/rec-right/waveform?points=200', SUE);
    t.equal(res.statusCode, 200, res.body.slice(0, 200));
    const w = res.json() as Waveform;
    t.equal(w.left.length, 200);
    t.ok(all(w.left, 0, 200, (p) => p === 0), 'the customer is silent');
    t.ok(all(w.right, 0, 100, (p) => p === 0), 'the agent is silent for the first half');
    t.ok(all(w.right, 100, 200, (p) => p > 0.2 && p <= 0.25), 'then a quarter-scale tone on the right');
  });

  await t.test('the default is 1000 points; a waveform is not a listen', async (t) => {
    const res = await s.get('/api/recordings/rec-left/waveform', ANN);
    t.equal(res.statusCode, 200, 'ann was on the call, and the site lets agents listen');
    t.equal((res.json() as Waveform).left.length, 1000);
    const audit = await s.get('/api/recordings/rec-left/audit', SUE);
    t.same(audit.json(), [], 'nothing audited');
  });

  await t.test("another agent's recording, bad ids, bad points, no audio", async (t) => {
    const bobs = await s.get('/api/recordings/rec-left/waveform', BOB);
    t.same([bobs.statusCode, bobs.json().error.code], [404, 'TENOR_ERR_RECORDING_NOT_FOUND'], "bob was not on ann's call: not found");
    t.equal((await s.get('/api/recordings/rec-left/waveform', {})).statusCode, 401, 'signed in only');
    t.equal((await s.get('/api/recordings/no-such/waveform', SUE)).statusCode, 404);
    t.equal((await s.get('/api/recordings/bad.id/waveform', SUE)).statusCode, 400, 'ids are letters, digits, - and _');
    t.equal((await s.get(`/api/recordings/${'x'.repeat(65)}/waveform`, SUE)).statusCode, 400, 'ids are 64 characters at most');
    for (const points of ['99', '4001', '0', '-5', '1.5', 'lots']) {
      const res = await s.get(`/api/recordings/rec-left/waveform?points=${points}`, SUE);
      t.same([res.statusCode, res.json().error.code], [400, 'TENOR_ERR_VALIDATION'], `points=${points} is refused`);
    }
    t.equal((await s.get('/api/recordings/rec-left/waveform?points=4000', SUE)).statusCode, 200, '4000 is the most');
    const { repo } = s.services.get('recordings');
    await repo.insert({ id: 'rec-failed', callId: 'call-failed', queue: 'sales', campaign: null, agent: 'ann', customerId: null, startedAt: AT, state: 'failed' });
    t.equal((await s.get('/api/recordings/rec-failed/waveform', SUE)).statusCode, 404, 'a failed recording has no audio to draw');
  });

  await t.test("the customer's history and the agent's day link a call to its recording for whoever may play it", async (t) => {
    const { customer, interaction } = await customerWithCall(s.services, 'call-left', 'ann');
    const history = async (auth: Record<string, string>) => (await s.get(`/api/customers/${customer}/history`, auth)).json().items as HistoryItem[];
    const ofCall = (items: HistoryItem[]) => items.find((i) => i.id === interaction);
    t.equal(ofCall(await history(SUE))?.recordingId, 'rec-left', 'a supervisor: the recording of the call');
    t.equal(ofCall(await history(ANN))?.recordingId, 'rec-left', 'ann, who was on the call');
    const bobs = await history(BOB);
    t.ok(ofCall(bobs), 'bob handles this customer too, so he reads the history');
    t.equal(ofCall(bobs)?.recordingId, undefined, "but ann's call names no recording to him");
    t.ok(bobs.every((i) => i.recordingId === undefined), 'his own call has none');

    const dayOf = async (login: string, auth: Record<string, string>) => ((await s.get(`/api/agents/${login}/day`, auth)).json() as Day).recentCalls;
    t.equal((await dayOf('ann', ANN)).find((c) => c.id === 'call-left')?.recordingId, 'rec-left', "ann's day links her call");
    t.equal((await dayOf('ann', SUE)).find((c) => c.id === 'call-left')?.recordingId, 'rec-left', 'as it does for a supervisor looking at it');
    t.equal((await dayOf('bob', BOB)).find((c) => c.id === 'call-left-bob')?.recordingId, null, "bob's call was not recorded");
  });
});

t.test('agents get no waveform and no links where the site does not let them listen', async (t) => {
  const s = await server(t, { policy: 'never' });
  await seedRecording(s.services, s.config.dataDir, {
    id: 'rec-closed', callId: 'call-closed', queue: 'sales', agent: 'ann', startedAt: AT, wav: callWav(1, { left: [{ hz: 440, amplitude: 8000, fromS: 0, toS: 1 }] }),
  });
  const res = await s.get('/api/recordings/rec-closed/waveform', ANN);
  t.same([res.statusCode, res.json().error.code], [403, 'TENOR_ERR_FORBIDDEN'], 'even on her own call');
  t.equal((await s.get('/api/recordings/rec-closed/waveform', SUE)).statusCode, 200, 'supervisors still see it');

  const { customer, interaction } = await customerWithCall(s.services, 'call-closed', 'ann');
  const itemOf = async (auth: Record<string, string>) => ((await s.get(`/api/customers/${customer}/history`, auth)).json().items as HistoryItem[]).find((i) => i.id === interaction);
  t.equal((await itemOf(SUE))?.recordingId, 'rec-closed', 'a supervisor gets the link');
  t.equal((await itemOf(ANN))?.recordingId, undefined, 'ann does not: she may not play it');
  const day = (await s.get('/api/agents/ann/day', ANN)).json() as Day;
  t.equal(day.recentCalls.find((c) => c.id === 'call-closed')?.recordingId, null, "nor on her day");
});
