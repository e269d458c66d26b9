// The detector on signals made in the test, where the truth is known to the
// frame: a short utterance then silence, a long one, many short words, a beep,
// line noise, no packets at all, and each threshold option.
import t from 'tap';
import { AmdDetector, AMD_DEFAULTS, AMD_FRAME_SAMPLES } from '../../src/embedded/media/amd/detector.js';
import { analyseTone } from '../../src/embedded/media/amd/tone.js';
import type { AmdResult } from '../../src/driver.js';
import { noise, onLine, silence, speech, tone } from './signals.js';

function run(audio: Int16Array, opts: ConstructorParameters<typeof AmdDetector>[0] = {}): AmdResult {
  const d = new AmdDetector(opts);
  for (let at = 0; at < audio.length; at += AMD_FRAME_SAMPLES) {
    const r = d.push(audio.subarray(at, at + AMD_FRAME_SAMPLES));
    if (r) return r;
  }
  return d.advanceTo(60_000) ?? d.stop('stopped');
}

t.test('GIVEN "Hello?" (400 ms) then silence WHEN detected THEN human, decided about afterGreetingSilenceMs after the word ends', async (t) => {
  const r = run(onLine(silence(300), speech(400), silence(3000)));
  t.equal(r.result, 'human');
  t.equal(r.reason, 'short-greeting-then-silence');
  t.equal(r.words, 1);
  const s = AMD_DEFAULTS.afterGreetingSilenceMs;
  t.ok(r.durationMs >= 700 + s && r.durationMs <= 700 + s + 200, `decided at ${r.durationMs} ms (speech ended at 700 ms)`);
  t.ok(r.greetingMs >= 300 && r.greetingMs <= 500, `greeting measured ${r.greetingMs} ms`);
});

t.test('GIVEN a message that talks on for 3 s WHEN detected THEN machine (long-greeting), decided once the greeting reaches greetingMs', async (t) => {
  const r = run(onLine(silence(500), speech(3000), silence(1000)));
  t.equal(r.result, 'machine');
  t.equal(r.reason, 'long-greeting');
  const g = AMD_DEFAULTS.greetingMs;
  t.ok(r.durationMs >= 500 + g && r.durationMs <= 500 + g + 200, `decided at ${r.durationMs} ms (greetingMs ${g})`);
  const sooner = run(onLine(silence(500), speech(3000), silence(1000)), { greetingMs: 1000 });
  t.ok(sooner.durationMs <= 500 + 1200, `greetingMs moves the decision (${sooner.durationMs} ms)`);
});

t.test('GIVEN short words with short pauses WHEN detected THEN machine once maxWords words are heard', async (t) => {
  const parts: Int16Array[] = [silence(200)];
  for (let i = 0; i < 6; i++) parts.push(speech(150, 3000, i + 1), silence(150));
  parts.push(silence(2000));
  const r = run(onLine(...parts), { maxWords: 4, greetingMs: 5000 });
  t.equal(r.result, 'machine');
  t.equal(r.reason, 'too-many-words');
  t.equal(r.words, 4);
  const fewer = run(onLine(...parts), { maxWords: 10, greetingMs: 5000 });
  t.equal(fewer.result, 'human', 'the same words under a higher maxWords end as a short greeting then silence');
});

t.test('GIVEN a 1 kHz beep after a short phrase WHEN detected THEN machine (beep), unless beep detection is off', async (t) => {
  const audio = onLine(silence(300), speech(500), silence(300), tone(500, 1000), silence(2000));
  const r = run(audio);
  t.equal(r.result, 'machine');
  t.equal(r.reason, 'beep');
  t.ok(r.durationMs <= 1100 + 200, `decided within 200 ms of the beep starting (${r.durationMs} ms)`);
  const off = run(audio, { detectBeep: false });
  t.not(off.reason, 'beep');
});

t.test('GIVEN pure tones and speech WHEN analysed frame by frame THEN tones are tonal at their frequency and speech is not', async (t) => {
  for (const hz of [440, 1000, 1400]) {
    const f = analyseTone(tone(20, hz));
    t.ok(f.tonal, `${hz} Hz is tonal`);
    t.ok(Math.abs(f.frequency - hz) < 5, `estimated ${f.frequency.toFixed(1)} Hz`);
  }
  t.notOk(analyseTone(speech(20)).tonal, 'speech-like noise is not');
  t.notOk(analyseTone(silence(20)).tonal, 'silence is not');
});

t.test('GIVEN nobody speaking WHEN detected THEN unknown after initialSilenceMs, on silence, on loud steady line noise, and with no packets at all', async (t) => {
  const quiet = run(onLine(silence(4000)));
  t.same([quiet.result, quiet.reason, quiet.durationMs], ['unknown', 'initial-silence', 2500]);
  const loud = run(noise(4000, 700, 3));
  t.same([loud.result, loud.reason], ['unknown', 'initial-silence'], 'steady noise well above silenceThreshold is the noise floor, not speech');
  const d = new AmdDetector({ initialSilenceMs: 1000 });
  t.equal(d.advanceTo(980), undefined, 'undecided before initialSilenceMs');
  t.same(d.advanceTo(1000)?.reason, 'initial-silence', 'time alone (no packets) decides');
  const asMachine = run(onLine(silence(4000)), { initialSilenceResult: 'machine' });
  t.equal(asMachine.result, 'machine', 'initialSilenceResult is honoured');
});

t.test('GIVEN speech that never settles WHEN maxWaitMs passes THEN unknown (max-wait)', async (t) => {
  const parts: Int16Array[] = [];
  for (let i = 0; i < 20; i++) parts.push(speech(200, 3000, i + 1), silence(600));
  const r = run(onLine(...parts), { maxWaitMs: 2000, afterGreetingSilenceMs: 900, greetingMs: 10_000, maxWords: 100 });
  t.same([r.result, r.reason, r.durationMs], ['unknown', 'max-wait', 2000]);
});

t.test('GIVEN a quiet voice WHEN under silenceThreshold THEN it is not speech; a lower threshold hears it', async (t) => {
  // a flat voice at about 170 RMS over the line: under the default 200, well over the noise floor
  const audio = onLine(silence(300), noise(400, 160, 5), silence(3000));
  t.equal(run(audio).reason, 'initial-silence');
  t.equal(run(audio, { silenceThreshold: 100 }).result, 'human');
});

t.test('GIVEN a detector WHEN fed audio with a gap in time THEN the gap counts as silence; stop() gives unknown; the decision never changes', async (t) => {
  const d = new AmdDetector();
  const word = speech(400);
  t.equal(d.push(word.subarray(0, 1600), 300), undefined, 'audio placed at 300 ms');
  t.equal(d.elapsedMs, 500);
  t.equal(d.push(word.subarray(1600)), undefined);
  const r = d.advanceTo(2000);
  t.equal(r?.result, 'human', 'no packets after the word: silence, then human');
  t.equal(d.push(speech(2000)), r, 'later audio does not change the decision');
  t.equal(d.stop('hangup'), r, 'nor does stop()');
  const cut = new AmdDetector();
  cut.push(speech(200));
  t.same([cut.stop('hangup').result, cut.decision?.reason], ['unknown', 'hangup']);
});

t.test('GIVEN an invalid threshold WHEN a detector is made THEN a RangeError names the option', async (t) => {
  t.throws(() => new AmdDetector({ greetingMs: -1 }), { name: 'RangeError', message: /AmdOptions\.greetingMs/ });
  t.throws(() => new AmdDetector({ maxWaitMs: Number.NaN }), { message: /AmdOptions\.maxWaitMs/ });
  t.doesNotThrow(() => new AmdDetector({ greetingMs: undefined, detectBeep: false, initialSilenceResult: 'human' }));
});
