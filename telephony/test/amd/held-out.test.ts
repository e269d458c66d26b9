// Accuracy on the corpus held out from tuning (telephony/amd-corpus/held-out/,
// made by its make-corpus.sh): voices, accents, languages, speeds, noises and
// G.711 paths the thresholds were never tuned on, people answering with short
// and long greetings, machines with other beeps, silent lines. These are the
// figures docs/telephony/amd.md quotes; bench/run.sh amd-accuracy --corpus
// held-out prints the confusion matrix. Never tune thresholds on this corpus.
//
// Measured with the defaults (2026-12-05): people 24 of 27 (the 3 missed are
// long greetings: "Hello, this is Peter, who's calling?" and alike reach
// greetingMs and are taken for machines), machines 24 of 24, silent lines 5 of
// 5. The margin: one file per class for people and machines (a threshold
// change may move one file either way; a second one lost is a regression);
// none for silent lines, and none for machines put through as people.
import t from 'tap';
import { assertHumanDecisionTiming } from './decision-timing.js';
import { HELD_OUT_DIR, runCorpus } from './corpus.js';

const MEASURED = { human: { right: 24, of: 27 }, machine: { right: 24, of: 24 }, unknown: { right: 5, of: 5 } } as const;
const MARGIN_FILES = { human: 1, machine: 1, unknown: 0 } as const;

t.test('GIVEN the held-out corpus WHEN the detector hears every greeting with default thresholds THEN each class is decided as well as measured, within the documented margin', async (t) => {
  const report = await runCorpus({}, HELD_OUT_DIR);
  const wrong = report.runs.filter((r) => r.result.result !== r.entry.expected)
    .map((r) => `${r.entry.file}: ${r.result.result} (${r.result.reason})`);
  for (const c of ['human', 'machine', 'unknown'] as const) {
    const files = report.runs.filter((r) => r.entry.expected === c);
    const right = files.filter((r) => r.result.result === c).length;
    t.equal(files.length, MEASURED[c].of, `${MEASURED[c].of} ${c} files`);
    t.ok(right >= MEASURED[c].right - MARGIN_FILES[c],
      `${c}: ${right} of ${files.length} decided right (${(report.accuracy[c] * 100).toFixed(1)} %), measured ${MEASURED[c].right}, at most ${MARGIN_FILES[c]} fewer (wrong: ${wrong.join('; ') || 'none'})`);
  }
  t.equal(report.confusion.machine.human, 0, 'no machine is put through to an agent as a person');
  t.equal(report.confusion.unknown.human + report.confusion.unknown.machine, 0, 'line noise alone is never taken for a person or a machine');

  assertHumanDecisionTiming(t, report);
});
