// The recording announcement over real SIP and RTP on the embedded engine: a
// caller (baresip, sending 440 Hz and recording what it hears) reaches a queue
// whose recording policy has an announcement (here a 1.5 s 700 Hz prompt);
// ann's baresip softphone answers sending 1 kHz. What the caller heard has
// the announcement first and ann after it; the stored recording starts when
// ann is connected: its right channel (what the caller hears) has ann's tone
// and none of the announcement, and it lasts the time the two talked.

import t from 'tap';
import path from 'node:path';
import { Baresip, makeToneWav } from '../../../telephony/test/peers/index.js';
import { decodeWav16, readWavFile } from '@tenor/telephony';
import { ADMIN_AUTH, tempDir } from '../helpers.js';
import { deviceSecret } from '../sip-devices.js';
import { ms, sleep, within } from '../acd-sip/site.js';
import { toneShare } from '../monitor-sip/harness.js';
import { startControlSite } from '../call-control-sip/site.js';

const CUSTOMER_HZ = 440;
const ANNOUNCEMENT_HZ = 700;
const ANN_HZ = 1000;
const ANNOUNCEMENT_MS = 1500;
const RATE = 8000;
const BLOCK_MS = 100;

/** For each 100 ms block of mono audio, the tone (of `tones`) that holds most of its energy, or null (silence, noise). */
function toneBlocks(samples: Int16Array, tones: readonly number[]): (number | null)[] {
  const n = (RATE * BLOCK_MS) / 1000;
  const out: (number | null)[] = [];
  for (let from = 0; from + n <= samples.length; from += n) {
    const block = samples.subarray(from, from + n);
    const best = tones.map((hz) => ({ hz, share: toneShare(block, hz) })).sort((a, b) => b.share - a.share)[0];
    out.push(best && best.share > 0.5 ? best.hz : null);
  }
  return out;
}

/** One channel (0 left, 1 right) of interleaved stereo. */
function channel(samples: Int16Array, ch: 0 | 1): Int16Array {
  const out = new Int16Array(samples.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = samples[i * 2 + ch] as number;
  return out;
}

t.test('the caller hears the announcement before the agent, and the recording starts when the agent is connected', async (t) => {
  const dir = tempDir(t, 'tenor-announcement-');
  const announcement = await makeToneWav(path.join(dir, 'may-be-recorded.wav'), { seconds: ANNOUNCEMENT_MS / 1000, frequency: ANNOUNCEMENT_HZ });
  const s = await startControlSite(t, {
    recording: { policy: 'never' },
    queues: [{ name: 'sales', ringTimeoutSeconds: 15, recording: { policy: 'all', announcement } }],
    agents: [{ login: 'ann', name: 'Ann', password: 'ann-secret-word', queues: [{ queue: 'sales' }] }],
    entryNumbers: [{ number: '+15550100', queue: 'sales' }],
  });
  const ann = await Baresip.start({ user: 'ann', registrar: s.sip, password: deviceSecret('ann'), registerIntervalS: 300, autoAnswer: true, mic: { sineHz: ANN_HZ } });
  t.teardown(() => ann.stop());
  t.equal(await ann.waitForRegistration(15_000), 'ok', "ann's softphone registered");
  await s.setState('ann', 'ready');

  // The caller records both directions: dump-<time>-dec.wav is what it heard.
  const caller = await Baresip.start({ user: 'carla', autoAnswer: false, mic: { sineHz: CUSTOMER_HZ }, recordDir: path.join(dir, 'caller') });
  t.teardown(() => caller.stop());
  t.ok((await caller.dial(`sip:+15550100@${s.sip}`)).ok, 'the caller dials the sales number');

  const answered = await s.bus.wait('call_answered', (p) => p.agent === 'ann', 30_000);
  const callId = answered.payload.callId;
  const started = await s.bus.wait('recording_started', (p) => p.callId === callId, 15_000);
  t.match(started.payload, { by: 'policy', agent: 'ann' });
  await within(ann.waitForEvent('CALL_RTPESTAB', { timeoutMs: 10_000 }), 12_000, "RTP at ann's phone");
  await sleep(2500);
  await caller.hangup();
  const stopped = await s.bus.wait('recording_stopped', (p) => p.callId === callId, 20_000);
  // sndfile closes its files when baresip quits.
  await caller.stop();

  await t.test('what the caller heard: the announcement, then ann', async (t) => {
    const heardFile = (await caller.recordings()).find((f) => f.endsWith('-dec.wav'));
    if (!heardFile) return t.fail(`no recording of what the caller heard: ${(await caller.recordings()).join(', ')}`);
    const heard = await readWavFile(heardFile);
    t.equal(heard.sampleRate, RATE);
    const blocks = toneBlocks(heard.channels === 1 ? heard.samples : channel(heard.samples, 0), [ANNOUNCEMENT_HZ, ANN_HZ, CUSTOMER_HZ]);
    const firstAnnouncement = blocks.indexOf(ANNOUNCEMENT_HZ);
    const lastAnnouncement = blocks.lastIndexOf(ANNOUNCEMENT_HZ);
    const firstAnn = blocks.indexOf(ANN_HZ);
    t.ok(firstAnnouncement >= 0, `the caller heard the announcement (blocks: ${summary(blocks)})`);
    const announcementBlocks = blocks.filter((b) => b === ANNOUNCEMENT_HZ).length;
    // Most of it: edge blocks are shared with silence, and a loaded machine may make the caller's jitter buffer drop a few packets.
    t.ok(announcementBlocks * BLOCK_MS >= ANNOUNCEMENT_MS / 2, `for its length (${announcementBlocks * BLOCK_MS} ms of ${ANNOUNCEMENT_MS} ms)`);
    t.ok(firstAnn > lastAnnouncement, `ann only after the announcement (ann from block ${firstAnn}, announcement blocks ${firstAnnouncement}–${lastAnnouncement})`);
    t.notOk(blocks.includes(CUSTOMER_HZ), 'the caller does not hear themselves');
  });

  await t.test('the recording: from ann being connected, without the announcement', async (t) => {
    const one = await s.app.inject({ method: 'GET', url: `/api/recordings/${stopped.payload.recordingId}`, headers: ADMIN_AUTH });
    t.equal(one.statusCode, 200, one.body);
    const rec = one.json() as { state: string; durationMs: number; startedAt: string };
    t.equal(rec.state, 'stored');
    const audio = await s.app.inject({ method: 'GET', url: `/api/recordings/${stopped.payload.recordingId}/download`, headers: ADMIN_AUTH });
    t.equal(audio.statusCode, 200);
    const wav = decodeWav16(audio.rawPayload);
    t.same([wav.channels, wav.sampleRate], [2, RATE], 'stereo, 8 kHz');
    const right = toneBlocks(channel(wav.samples, 1), [ANNOUNCEMENT_HZ, ANN_HZ, CUSTOMER_HZ]);
    const left = toneBlocks(channel(wav.samples, 0), [ANNOUNCEMENT_HZ, ANN_HZ, CUSTOMER_HZ]);
    t.notOk(right.includes(ANNOUNCEMENT_HZ), `no announcement in what the recording says the caller heard (right: ${summary(right)})`);
    t.ok(right.filter((b) => b === ANN_HZ).length >= right.length / 2, `the right channel is ann (${summary(right)})`);
    t.ok(left.filter((b) => b === CUSTOMER_HZ).length >= left.length / 2, `the left channel is the caller (${summary(left)})`);
    // Started when ann was connected: after the announcement ended, so its length is the time they talked.
    const record = await s.record(callId);
    const answeredAt = ms(record.answeredAt);
    t.ok(Date.parse(rec.startedAt) - answeredAt >= ANNOUNCEMENT_MS - 200,
      `the recording starts after the announcement (${Date.parse(rec.startedAt) - answeredAt} ms after ann answered)`);
    // Its length is not bounded from above here: how late the file is closed after the hangup depends on the
    // machine's load. That the announcement is not in it is what the right channel's tones above show.
    const fromStartToHangup = ms(record.endedAt) - Date.parse(rec.startedAt);
    t.ok(rec.durationMs >= fromStartToHangup - 500, `it lasts from its start to the hangup (${rec.durationMs} ms; ${fromStartToHangup} ms between them)`);
  });
});

/** Blocks as runs, e.g. "700×15 1000×24": what an assertion message shows. */
function summary(blocks: readonly (number | null)[]): string {
  const runs: string[] = [];
  let i = 0;
  while (i < blocks.length) {
    let j = i;
    while (j < blocks.length && blocks[j] === blocks[i]) j++;
    runs.push(`${blocks[i] ?? '-'}×${j - i}`);
    i = j;
  }
  return runs.join(' ');
}
