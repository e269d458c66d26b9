// Answering-machine detection through FreeSWITCH on a few files of each class
// of the committed corpus (the whole corpus: bench/run.sh amd-accuracy
// --engine freeswitch). The driver originates to a SIPp callee that streams
// the file, and decides from the audio FreeSWITCH receives: each file must be
// decided as labelled, and people within 1.5 s after they stop speaking, as
// the offline corpus test asserts for the detector alone.
import t from 'tap';
import { loadCorpus } from '../amd/corpus.js';
import { runEntriesOnFreeSwitch, startFreeSwitchAmdRig } from '../amd/freeswitch-corpus.js';
import { findEngineBuild } from '../engine-build.js';

const FILES = [
  'human-en-hello-1.wav', 'human-pt-sim.wav', 'human-es-digame.wav',
  'machine-en-reached-1.wav', 'machine-en-short-beep-1.wav', 'machine-es-hola-trick.wav',
  'silence-line-1.wav', 'silence-line-loud.wav',
];
// FreeSWITCH start and stop (~6 s) and eight calls of up to 4 s, two at a time.
t.setTimeout(120_000);

const build = await findEngineBuild('freeswitch');
if ('missing' in build) {
  if (process.env['CI'] === 'true') t.fail(`${build.missing}: the FreeSWITCH AMD test must run in CI`);
  else t.plan(0, `skipped: ${build.missing}`);
} else {
  const rig = await startFreeSwitchAmdRig(build.prefix);
  t.teardown(() => rig.close());
  const corpus = await loadCorpus();
  const entries = FILES.map((file) => {
    const entry = corpus.find((e) => e.file === file);
    if (!entry) throw new Error(`${file} is not in the corpus`);
    return entry;
  });
  const started = Date.now();
  const runs = await runEntriesOnFreeSwitch(rig.driver, entries, {}, 2);
  t.comment(`${runs.length} corpus files through FreeSWITCH in ${Date.now() - started} ms`);
  for (const run of runs) {
    const r = run.result;
    t.equal(r.result, run.entry.expected, `${run.entry.file}: ${r.result} (${r.reason}) at ${r.durationMs} ms, labelled ${run.entry.expected}`);
    if (run.afterSpeechMs !== undefined) {
      t.ok(run.afterSpeechMs <= 1500, `${run.entry.file}: decided human ${run.afterSpeechMs} ms after the person stopped speaking`);
    }
  }
  t.equal(rig.driver.stats().activeCalls, 0, 'no call left');
}
