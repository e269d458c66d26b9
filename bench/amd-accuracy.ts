// Answering-machine detection accuracy on the committed synthetic corpus
// (telephony/amd-corpus/): the confusion matrix, accuracy per class, and how
// long decisions take (for people: after they stop speaking, which the law
// cares about: an agent within 2 s of the greeting).
//
//   bench/run.sh amd-accuracy [--corpus tuning|held-out] [--verbose] [--engine offline|freeswitch] [--concurrency N] [option=value ...]
//   e.g. bench/run.sh amd-accuracy greetingMs=1800 afterGreetingSilenceMs=600
//
// --corpus tuning (the default): telephony/amd-corpus/, the corpus the
// defaults were tuned on (try thresholds here). --corpus held-out:
// telephony/amd-corpus/held-out/, never tuned on: the figures to quote.
//
// --engine offline (the default): each WAV is fed to the same AmdDetector the
// live path uses, in 20 ms frames. --engine freeswitch: a FreeSWITCH built from
// ../shared/vendor (scripts/build-freeswitch.sh) is started, and for each file the
// FreeSWITCH driver originates a call to a SIPp callee that streams the file as
// RTP; the driver's detectAnsweringMachine decides (--concurrency calls at a
// time, 1 unless told: decisions are timed on the wall clock).

import type { AmdOptions, AmdVerdict } from '../telephony/src/driver.js';
import { AMD_DEFAULTS } from '../telephony/src/embedded/media/amd/detector.js';
import { CORPUS_DIR, HELD_OUT_DIR, loadCorpus, percentile, runCorpus, summarize, type CorpusReport } from '../telephony/test/amd/corpus.js';
import { runEntriesOnFreeSwitch, startFreeSwitchAmdRig } from '../telephony/test/amd/freeswitch-corpus.js';
import { findEngineBuild } from '../telephony/test/engine-build.js';

const args = process.argv.slice(2);
const verbose = args.includes('--verbose');
const flag = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? (args[i + 1] as string) : fallback;
};
const engine = flag('--engine', 'offline');
if (engine !== 'offline' && engine !== 'freeswitch') throw new Error(`--engine must be offline or freeswitch, not ${engine}`);
const corpus = flag('--corpus', 'tuning');
if (corpus !== 'tuning' && corpus !== 'held-out') throw new Error(`--corpus must be tuning or held-out, not ${corpus}`);
const corpusDir = corpus === 'held-out' ? HELD_OUT_DIR : CORPUS_DIR;
const concurrency = Number(flag('--concurrency', '1'));
if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error('--concurrency must be a whole number of 1 or more');
const opts: Record<string, number | string | boolean> = {};
for (const a of args.filter((x) => x.includes('='))) {
  const [k = '', v = ''] = a.split('=');
  if (!(k in AMD_DEFAULTS)) throw new Error(`unknown option ${k} (one of ${Object.keys(AMD_DEFAULTS).join(', ')})`);
  opts[k] = v === 'true' ? true : v === 'false' ? false : Number.isNaN(Number(v)) ? v : Number(v);
}
const options = opts as Omit<AmdOptions, 'signal'>;

async function throughFreeSwitch(): Promise<CorpusReport> {
  const build = await findEngineBuild('freeswitch');
  if ('missing' in build) throw new Error(`${build.missing}: --engine freeswitch needs ../shared/vendor`);
  const rig = await startFreeSwitchAmdRig(build.prefix);
  try {
    const started = Date.now();
    const runs = await runEntriesOnFreeSwitch(rig.driver, await loadCorpus(corpusDir), options, concurrency);
    console.log(`FreeSWITCH ready in ${rig.startMs} ms; ${runs.length} calls in ${Date.now() - started} ms, ${concurrency} at a time`);
    return summarize(runs);
  } finally {
    await rig.close();
  }
}

const report = engine === 'freeswitch' ? await throughFreeSwitch() : await runCorpus(options, corpusDir);
const classes: AmdVerdict[] = ['human', 'machine', 'unknown'];
const pad = (s: string | number, n: number): string => String(s).padStart(n);

console.log(`corpus: ${corpus} (${corpusDir})`);
console.log(`engine: ${engine}`);
console.log(`options: ${JSON.stringify({ ...AMD_DEFAULTS, ...options })}`);
console.log(`files: ${report.runs.length}\n`);
console.log(`expected \\ decided ${classes.map((c) => pad(c, 9)).join('')}   accuracy`);
for (const e of classes) {
  const row = report.confusion[e];
  console.log(`${e.padEnd(19)}${classes.map((d) => pad(row[d], 9)).join('')}   ${pad((report.accuracy[e] * 100).toFixed(1), 6)} %`);
}
const fmt = (xs: number[]): string => (xs.length === 0 ? '-' : `median ${percentile(xs, 50)} ms, p90 ${percentile(xs, 90)} ms, max ${xs[xs.length - 1]} ms (n=${xs.length})`);
console.log('\ndecision time from answer:');
for (const d of classes) console.log(`  ${d.padEnd(8)} ${fmt(report.decisionMs[d])}`);
console.log(`people decided human, after they stopped speaking: ${fmt(report.humanAfterSpeechMs)}`);

const wrong = report.runs.filter((r) => r.result.result !== r.entry.expected);
if (wrong.length > 0 || verbose) {
  console.log(`\n${verbose ? 'every file' : 'misclassified'}:`);
  for (const r of verbose ? report.runs : wrong) {
    const x = r.result;
    console.log(`  ${r.entry.file.padEnd(30)} expected ${r.entry.expected.padEnd(8)} got ${x.result.padEnd(8)} ${x.reason.padEnd(28)} at ${pad(x.durationMs, 5)} ms  words ${x.words}  greeting ${x.greetingMs} ms  "${r.entry.text}"`);
  }
}
