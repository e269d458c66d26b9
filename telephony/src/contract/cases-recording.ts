// Contract cases about recording a whole call (Call.startRecording): the
// customer (440 Hz) on the left, what the customer hears (the agent, 1 kHz;
// hold music, 440 Hz, or silence) on the right, a pause as silence on both,
// one file true to wall time through hold, and a whisper to the agent
// (1.8 kHz) nowhere in it.
//
// Spans are checked against the recording's own elapsedMs read at each step,
// not against sleeps, so a slow machine moves the spans but not the verdict.
// The edges of each span (where jitter buffers fill and relays switch) are
// left out of the checks.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CallRecording } from '../driver.js';
import { WAIT, answeredInbound, tolerate, waitUntil, type Case, type ContractTest } from './steps.js';
import { SILENCE_RMS, readStereoTones, shareOf, silentRunAround, windowsIn, type StereoReadings } from './tone-analysis.js';

const CUSTOMER_HZ = 440;
const AGENT_HZ = 1000;
const WHISPER_HZ = 1800;
const HOLD_MUSIC_HZ = 440; // the harness's prompt files are 440 Hz tones
const TONES = [CUSTOMER_HZ, AGENT_HZ, WHISPER_HZ];
/** Left out at each end of a span: buffers filling, relays switching over. */
const EDGE_MS = 300;
/** How much of a span must show what it should (a late or lost packet spoils a window on a loaded machine). */
const MOST = 0.8;
/** Each span: about 17 windows are checked, so one spoilt window is 6%. */
const SPAN_MS = 2000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until the recording has `ms` more of file than now: spans sized by the file, not by timers. */
async function recordFor(rec: CallRecording, ms: number): Promise<void> {
  const until = rec.elapsedMs + ms;
  while (rec.elapsedMs < until) await sleep(20);
}

function expectSpan(t: ContractTest, s: StereoReadings, what: string, from: number, to: number, left: number | 'silence', right: number | 'silence'): void {
  for (const [side, readings, want] of [['left', s.left, left], ['right', s.right, right]] as const) {
    const windows = windowsIn(readings, from + EDGE_MS, to - EDGE_MS);
    // A tone is there when it is present and no other test tone is: a frame
    // or two of silence in a window (FreeSWITCH fills a dry read with it on a
    // loaded machine) weakens the tone but mixes in nothing else.
    const share = shareOf(windows, (w) => (want === 'silence' ? w.rms < SILENCE_RMS : w.present.length === 1 && w.present[0] === want));
    const seen = share >= MOST ? '' : `: ${windows.map((w) => w.tone ?? (w.present.length > 0 ? w.present.join('+') : Math.round(w.rms))).join(' ')}`;
    t.ok(windows.length > 0 && share >= MOST,
      `${what} [${Math.round(from)}..${Math.round(to)} ms]: ${side} is ${want === 'silence' ? 'silent' : `${want} Hz`} (${Math.round(share * 100)}% of ${windows.length} windows${seen})`);
  }
}

export const recordingCases: Record<string, Case> = {
  'call recording: customer left, what the customer hears right; pause is silence; hold keeps one file; a whisper to the agent is not in it': async (t, h) => {
    const customer = await answeredInbound(h);
    const agent = await answeredInbound(h);
    const supervisor = await answeredInbound(h);
    await h.driver.bridge(customer.call, agent.call);
    customer.peer.startTone(CUSTOMER_HZ);
    agent.peer.startTone(AGENT_HZ);
    await tolerate(t, waitUntil(() => customer.peer.heardToneMs() > 300 && agent.peer.heardToneMs() > 300, WAIT, 'audio both ways'));

    const file = join(h.tmpDir, 'call.wav');
    const startedAt = Date.now();
    const rec = await customer.call.startRecording({ file });
    t.equal(rec.file, file);
    t.equal(rec.paused, false);
    await recordFor(rec, SPAN_MS);

    const pausedAt = rec.elapsedMs;
    rec.pause();
    rec.pause(); // idempotent
    t.equal(rec.paused, true, 'paused');
    await recordFor(rec, SPAN_MS);
    const resumedAt = rec.elapsedMs;
    rec.resume();
    t.equal(rec.paused, false, 'resumed');
    await recordFor(rec, SPAN_MS);

    const holdAt = rec.elapsedMs;
    await customer.call.hold({ music: await h.promptFile(5000) });
    await recordFor(rec, SPAN_MS);
    await customer.call.unhold();
    const unholdAt = rec.elapsedMs;
    await recordFor(rec, SPAN_MS);

    // The supervisor whispers to the agent: only the agent hears it.
    const monitor = await h.driver.monitor(agent.call, supervisor.call, 'whisper');
    supervisor.peer.startTone(WHISPER_HZ);
    await tolerate(t, waitUntil(() => agent.peer.heardToneMs() > 0, WAIT, 'whisper flowing'));
    const whisperAt = rec.elapsedMs;
    await recordFor(rec, SPAN_MS);
    const whisperEnd = rec.elapsedMs;
    const stoppedAt = Date.now();
    const result = await rec.stop();
    t.same(await rec.stop(), result, 'stop is idempotent');
    await monitor.stop();
    supervisor.peer.stopTone();

    const wallMs = stoppedAt - startedAt;
    t.equal(result.file, file);
    t.ok(Math.abs(result.durationMs - wallMs) <= 500, `duration ${result.durationMs} ms matches the ${wallMs} ms recorded (±500)`);
    const bytes = await readFile(file);
    const s = readStereoTones(bytes, TONES);
    t.same({ channels: s.channels, sampleRate: s.sampleRate }, { channels: 2, sampleRate: 8000 }, 'stereo, 8 kHz');
    t.ok(Math.abs(s.durationMs - result.durationMs) <= 100, `the file holds what stop() reports (${s.durationMs} ms)`);

    expectSpan(t, s, 'before the pause', 0, pausedAt, CUSTOMER_HZ, AGENT_HZ);
    expectSpan(t, s, 'paused', pausedAt, resumedAt, 'silence', 'silence');
    const run = silentRunAround(readStereoTones(bytes, [], 20), (pausedAt + resumedAt) / 2, 20);
    const pausedMs = resumedAt - pausedAt;
    t.ok(run !== undefined && Math.abs(run.toMs - run.fromMs - pausedMs) <= 200,
      `the silence lasts the pause: ${run ? run.toMs - run.fromMs : 0} ms for ${pausedMs} ms paused (±200)`);
    expectSpan(t, s, 'after resume', resumedAt, holdAt, CUSTOMER_HZ, AGENT_HZ);
    // The embedded engine records the music the customer hears; FreeSWITCH
    // records nothing while it holds a leg, and the driver fills that span
    // with silence (docs/telephony/freeswitch.md). Either way the agent is not there.
    const hold = windowsIn(s.right, holdAt + EDGE_MS, unholdAt - EDGE_MS);
    t.ok(hold.length > 0 && shareOf(hold, (w) => !w.present.includes(AGENT_HZ) && (w.present.includes(HOLD_MUSIC_HZ) || w.rms < SILENCE_RMS)) >= MOST,
      `on hold the right channel is the hold music or silence, not the agent (${hold.map((w) => w.tone ?? '-').join(' ')})`);
    expectSpan(t, s, 'after hold, the same file', unholdAt, whisperAt, CUSTOMER_HZ, AGENT_HZ);
    expectSpan(t, s, 'while the supervisor whispers to the agent', whisperAt, whisperEnd, CUSTOMER_HZ, AGENT_HZ);
    const whispered = [...s.left, ...s.right].filter((w) => w.present.includes(WHISPER_HZ));
    t.equal(whispered.length, 0, `the whisper is nowhere in the file (${whispered.map((w) => w.atMs).join(', ')})`);

    customer.peer.stopTone();
    agent.peer.stopTone();
    for (const leg of [customer, agent, supervisor]) await leg.call.hangup();
  },

  'call recording: ends with the call; an abort stops it; an ended call cannot be recorded': async (t, h) => {
    const { call, peer } = await answeredInbound(h);
    peer.startTone(CUSTOMER_HZ);
    const aborted = new AbortController();
    const first = await call.startRecording({ file: join(h.tmpDir, 'aborted.wav'), signal: aborted.signal });
    await recordFor(first, 600);
    aborted.abort();
    const firstResult = await first.stop();
    t.ok(firstResult.durationMs >= 400, `aborting ended the first recording (${firstResult.durationMs} ms)`);

    const file = join(h.tmpDir, 'to-hangup.wav');
    const startedAt = Date.now();
    const rec = await call.startRecording({ file });
    await recordFor(rec, 1200);
    const hungUpAt = Date.now();
    await peer.hangup();
    await tolerate(t, waitUntil(() => call.state === 'ended', WAIT, 'call ended'));
    const result = await rec.stop();
    const wallMs = hungUpAt - startedAt;
    t.ok(Math.abs(result.durationMs - wallMs) <= 500, `the recording ended with the call: ${result.durationMs} ms for ${wallMs} ms (±500)`);
    const s = readStereoTones(await readFile(file), TONES);
    t.equal(s.channels, 2, 'a complete stereo WAV');
    t.ok(shareOf(windowsIn(s.left, EDGE_MS, result.durationMs - EDGE_MS), (w) => w.present.length === 1 && w.present[0] === CUSTOMER_HZ) >= MOST, 'the customer is on the left');

    let refused = false;
    try {
      await call.startRecording({ file: join(h.tmpDir, 'too-late.wav') });
    } catch {
      refused = true;
    }
    t.ok(refused, 'an ended call cannot be recorded');
  },
};
