// Call recording end to end over real SIP and RTP on the embedded engine: a
// SIPp customer sends 440 Hz to a queue recorded by policy, ann's baresip
// softphone answers sending 1 kHz, bob's (after a blind transfer) 1.2 kHz.
// The stored WAV has the customer on the left and the agents on the right,
// told apart by frequency; its length is the call record's connected span; a
// pause asked through the REST API is silence of the span between its markers,
// with who and why; hold, the transfer and each agent are marked.

import t from 'tap';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Baresip, makeToneUlaw, startSipp } from '../../../telephony/test/peers/index.js';
import { decodeWav16 } from '@tenor/telephony';
import { ADMIN_AUTH, tempDir } from '../helpers.js';
import { deviceSecret } from '../sip-devices.js';
import { finished, ms, sleep, within } from '../acd-sip/site.js';
import { toneShare } from '../monitor-sip/harness.js';
import { startControlSite } from '../call-control-sip/site.js';

/** A customer who streams their tone until Tenor hangs up (the call controls' scenario). */
const CONTROL_SCENARIOS = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'call-control-sip', 'scenarios');
const CUSTOMER_HZ = 440;
const ANN_HZ = 1000;
const BOB_HZ = 1200;
const RATE = 8000;

interface Marker { atMs: number; kind: string; by: string | null; reason: string | null; detail: string | null }

/** One channel (0 left, 1 right) of interleaved stereo, between two offsets in ms. */
function channel(samples: Int16Array, ch: 0 | 1, fromMs: number, toMs: number): Int16Array {
  const from = Math.max(0, Math.round((fromMs * RATE) / 1000));
  const to = Math.min(samples.length / 2, Math.round((toMs * RATE) / 1000));
  const out = new Int16Array(Math.max(0, to - from));
  for (let i = 0; i < out.length; i++) out[i] = samples[(from + i) * 2 + ch] as number;
  return out;
}

/** The longest run of 10 ms blocks where both channels are digital silence (a pause writes zeros): [startMs, endMs]. */
function longestSilence(samples: Int16Array): [number, number] {
  const block = RATE / 100;
  let best: [number, number] = [0, 0];
  let runStart: number | undefined;
  const frames = samples.length / 2;
  for (let b = 0; b * block < frames; b++) {
    let silent = true;
    for (let i = b * block * 2; i < Math.min(frames, (b + 1) * block) * 2; i++) if (Math.abs(samples[i] as number) > 1) { silent = false; break; }
    if (silent) runStart ??= b * 10;
    if (!silent || (b + 1) * block >= frames) {
      const end = silent ? (b + 1) * 10 : b * 10;
      if (runStart !== undefined && end - runStart > best[1] - best[0]) best = [runStart, end];
      runStart = undefined;
    }
  }
  return best;
}

t.test('a recorded call over SIP: tones on their sides, length of the connected time, the pause silent and marked, hold and transfer marked', async (t) => {
  const s = await startControlSite(t, {
    recording: { policy: 'never' },
    queues: [
      { name: 'sales', ringTimeoutSeconds: 15, recording: { policy: 'all' } },
      { name: 'support', ringTimeoutSeconds: 15 },
    ],
    agents: [
      { login: 'ann', name: 'Ann', password: 'ann-secret-word', queues: [{ queue: 'sales' }] },
      { login: 'bob', name: 'Bob', password: 'bob-secret-word', queues: [{ queue: 'support' }] },
    ],
    entryNumbers: [{ number: '+15550100', queue: 'sales' }],
  });
  const phone = async (login: string, hz: number): Promise<Baresip> => {
    const p = await Baresip.start({ user: login, registrar: s.sip, password: deviceSecret(login), registerIntervalS: 300, autoAnswer: true, mic: { sineHz: hz } });
    t.teardown(() => p.stop());
    if ((await p.waitForRegistration(15_000)) !== 'ok') throw new Error(`${login} did not register: ${p.log().slice(-800)}`);
    await s.setState(login, 'ready');
    return p;
  };
  const ann = await phone('ann', ANN_HZ);
  const bob = await phone('bob', BOB_HZ);
  const password = { ann: 'ann-secret-word', bob: 'bob-secret-word' } as const;
  const as = (login: keyof typeof password) => ({ authorization: 'Basic ' + Buffer.from(`${login}:${password[login]}`).toString('base64') });

  const tone = await makeToneUlaw(path.join(tempDir(t, 'tenor-tone-'), 'customer.ul'), { seconds: 1, frequency: CUSTOMER_HZ });
  const customer = await startSipp({
    scenario: path.join(CONTROL_SCENARIOS, 'uac-caller-until-bye.xml'), remote: s.sip, service: '+15550100', calls: 1,
    vars: { caller: '+31201110001' }, files: { 'audio.ul': tone }, timeoutMs: 100_000,
  });
  t.teardown(() => customer.stop(2000));

  const answered = await s.bus.wait('call_answered', (p) => p.agent === 'ann', 30_000);
  const callId = answered.payload.callId;
  const started = await s.bus.wait('recording_started', (p) => p.callId === callId, 15_000);
  t.match(started.payload, { by: 'policy', agent: 'ann' }, 'recorded by policy from the moment ann is connected');
  await within(ann.waitForEvent('CALL_RTPESTAB', { timeoutMs: 10_000 }), 12_000, "RTP at ann's phone");

  // Talk, then a pause for card details (the agent on the call asks), talk, hold, talk.
  await sleep(2000);
  const control = (login: keyof typeof password, action: string, reason?: string) => s.app.inject({
    method: 'POST', url: `/api/calls/${encodeURIComponent(callId)}/recording`, headers: as(login), payload: { action, ...(reason ? { reason } : {}) },
  });
  const paused = await control('ann', 'pause', 'card details');
  t.same([paused.statusCode, paused.json()], [200, { state: 'paused' }], 'ann pauses the recording');
  await s.bus.wait('recording_paused', (p) => p.callId === callId, 5000);
  await sleep(1500);
  t.same((await control('ann', 'resume')).json(), { state: 'recording' }, 'and resumes it');
  await sleep(1500);
  t.match(await s.control('ann', 'POST', '/hold'), { status: 200 }, 'hold');
  await sleep(1000);
  t.match(await s.control('ann', 'POST', '/unhold'), { status: 200 }, 'unhold');
  await sleep(1500);

  // Blind transfer to support: bob answers the same customer.
  t.match(await s.control('ann', 'POST', '/transfer', { target: { type: 'queue', queue: 'support' } }), { status: 202 }, 'transferred to support');
  await s.bus.wait('call_answered', (p) => p.agent === 'bob' && p.callId === callId, 30_000);
  await within(bob.waitForEvent('CALL_RTPESTAB', { timeoutMs: 10_000 }), 12_000, "RTP at bob's phone");
  await sleep(2000);
  await bob.hangup();
  await finished(customer, 'the customer (BYE when bob hangs up)', 20_000);

  const stopped = await s.bus.wait('recording_stopped', (p) => p.callId === callId, 20_000);
  const one = await s.app.inject({ method: 'GET', url: `/api/recordings/${stopped.payload.recordingId}`, headers: ADMIN_AUTH });
  t.equal(one.statusCode, 200, one.body);
  const rec = one.json() as { state: string; durationMs: number; agent: string; markers: Marker[] };
  t.equal(rec.state, 'stored');
  t.equal(rec.agent, 'bob', 'the agent connected last');
  const kinds = rec.markers.map((m) => m.kind);
  t.same(kinds, ['agent', 'pause', 'resume', 'hold', 'unhold', 'transfer', 'agent'], 'every event of the call is marked, in order');
  const at = (kind: string, nth = 0): Marker => {
    const m = rec.markers.filter((x) => x.kind === kind)[nth];
    if (!m) throw new Error(`no ${kind} marker`);
    return m;
  };
  t.match(at('pause'), { by: 'ann', reason: 'card details' }, 'the pause says who and why');
  t.match(at('hold'), { by: 'ann' }, 'hold is marked');
  t.match(at('transfer'), { by: 'ann', reason: 'blind' });
  t.same([at('agent', 0).detail, at('agent', 1).detail], ['ann', 'bob'], "each agent's part is marked");

  // Length: the call record's connected span (answered to ended), within half a second.
  const record = await s.record(callId);
  const connectedMs = ms(record.endedAt) - ms(record.answeredAt);
  t.ok(Math.abs(rec.durationMs - connectedMs) <= 500, `the recording lasts the connected time (${rec.durationMs} ms recorded, ${connectedMs} ms connected)`);

  const audio = await s.app.inject({ method: 'GET', url: `/api/recordings/${stopped.payload.recordingId}/download`, headers: ADMIN_AUTH });
  t.equal(audio.statusCode, 200);
  const wav = decodeWav16(audio.rawPayload);
  t.same([wav.channels, wav.sampleRate], [2, RATE], 'stereo, 8 kHz');
  t.ok(Math.abs(wav.durationMs - rec.durationMs) <= 100, `the file is as long as the row says (${wav.durationMs} ms)`);

  // The pause: digital silence on both channels, as long as the span between its markers.
  const [silentFrom, silentTo] = longestSilence(wav.samples);
  const pausedMs = at('resume').atMs - at('pause').atMs;
  t.ok(Math.abs(silentTo - silentFrom - pausedMs) <= 200, `the paused span is silent (${silentTo - silentFrom} ms of silence, ${pausedMs} ms between the markers)`);
  t.ok(Math.abs(silentFrom - at('pause').atMs) <= 200, `the silence starts at the pause marker (${silentFrom} ms, marker ${at('pause').atMs} ms)`);

  // Tones on their sides, away from the edges of each part (a quarter second either side).
  const edge = 250;
  const annPart = [at('agent', 0).atMs + 500, at('pause').atMs - edge] as const;
  const left = channel(wav.samples, 0, ...annPart);
  const right = channel(wav.samples, 1, ...annPart);
  t.ok(toneShare(left, CUSTOMER_HZ) > 0.6, `left: the customer's 440 Hz (${toneShare(left, CUSTOMER_HZ).toFixed(2)})`);
  t.ok(toneShare(left, ANN_HZ) < 0.1, `left: not ann (${toneShare(left, ANN_HZ).toFixed(2)})`);
  t.ok(toneShare(right, ANN_HZ) > 0.6, `right: ann's 1 kHz (${toneShare(right, ANN_HZ).toFixed(2)})`);
  t.ok(toneShare(right, CUSTOMER_HZ) < 0.1, `right: not the customer (${toneShare(right, CUSTOMER_HZ).toFixed(2)})`);
  const bobPart = [at('agent', 1).atMs + 500, rec.durationMs - edge] as const;
  const bobRight = channel(wav.samples, 1, ...bobPart);
  t.ok(bobPart[1] - bobPart[0] > 500, "bob's part is long enough to measure");
  t.ok(toneShare(bobRight, BOB_HZ) > 0.6, `right after the transfer: bob's 1.2 kHz (${toneShare(bobRight, BOB_HZ).toFixed(2)})`);
  t.ok(toneShare(channel(wav.samples, 0, ...bobPart), CUSTOMER_HZ) > 0.6, 'left after the transfer: still the customer');
  const held = channel(wav.samples, 1, at('hold').atMs + edge, at('unhold').atMs - edge);
  t.ok(toneShare(held, ANN_HZ) < 0.1, `on hold the customer does not hear ann (${toneShare(held, ANN_HZ).toFixed(2)})`);
});
