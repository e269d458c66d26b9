// Accuracy on the committed synthetic corpus (telephony/amd-corpus/): people
// answering "Hello?" in English, Portuguese and Spanish, answering machines
// with and without the beep, and line noise with nobody speaking. The figures
// the defaults were tuned to are in docs/telephony/amd.md; bench/amd-accuracy.ts
// prints the full confusion matrix.
import t from 'tap';
import { assertHumanDecisionTiming } from './decision-timing.js';
import { runCorpus } from './corpus.js';

t.test('GIVEN the committed corpus WHEN the detector hears every greeting with default thresholds THEN people are told from machines, and people are decided soon after they stop speaking', async (t) => {
  const report = await runCorpus();
  const n = (c: 'human' | 'machine' | 'unknown'): number => report.runs.filter((r) => r.entry.expected === c).length;
  t.ok(n('human') >= 20 && n('machine') >= 20 && n('unknown') >= 3, `a corpus of substance: ${n('human')} people, ${n('machine')} machines, ${n('unknown')} silent`);
  const wrong = report.runs.filter((r) => r.result.result !== r.entry.expected)
    .map((r) => `${r.entry.file}: ${r.result.result} (${r.result.reason})`);
  t.ok(report.accuracy.human >= 0.9, `people decided human: ${(report.accuracy.human * 100).toFixed(1)} % ≥ 90 % (wrong: ${wrong.join('; ')})`);
  t.ok(report.accuracy.machine >= 0.9, `machines decided machine: ${(report.accuracy.machine * 100).toFixed(1)} % ≥ 90 %`);
  t.equal(report.accuracy.unknown, 1, 'silence and line noise alone are never taken for a person or a machine');
  t.equal(report.confusion.machine.human, 0, 'no machine is put through to an agent as a person');

  assertHumanDecisionTiming(t, report);
});

t.test('GIVEN the corpus WHEN nobody speaks and initialSilenceResult is "machine" THEN silent lines come out as machines (the option is honoured)', async (t) => {
  const report = await runCorpus({ initialSilenceResult: 'machine' });
  const silent = report.runs.filter((r) => r.entry.expected === 'unknown');
  t.ok(silent.length > 0);
  t.ok(silent.every((r) => r.result.result === 'machine' && r.result.reason === 'initial-silence'), silent.map((r) => `${r.entry.file}: ${r.result.result}`).join(', '));
});
