// The committed AMD corpus (telephony/amd-corpus/) and a runner that feeds
// each file to an AmdDetector frame by frame, as the live path does. Shared by
// the accuracy test and bench/amd-accuracy.ts, so both report the same figures;
// freeswitch-corpus.ts runs the same files through FreeSWITCH into the same report.

import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AmdOptions, AmdResult, AmdVerdict } from '../../src/driver.js';
import { AmdDetector, AMD_FRAME_SAMPLES } from '../../src/embedded/media/amd/detector.js';
import { readWavFile, toTelephonyAudio } from '../../src/audio/index.js';

/** The corpus the detector's defaults were tuned on. */
export const CORPUS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'amd-corpus');
/** The corpus held out from tuning (other voices, languages, noises and codecs): the figures to quote. */
export const HELD_OUT_DIR = join(CORPUS_DIR, 'held-out');

export interface CorpusEntry {
  file: string;
  /** Absolute path of the WAV. */
  path: string;
  expected: AmdVerdict;
  speechStartMs: number;
  /** Where the callee stops talking (0 when nobody speaks). */
  speechEndMs: number;
  lang: string;
  text: string;
}

/** The entries of a corpus folder (labels.tsv and wav/): the tuning corpus unless told. */
export async function loadCorpus(dir = CORPUS_DIR): Promise<CorpusEntry[]> {
  const tsv = await readFile(join(dir, 'labels.tsv'), 'utf8');
  const [, ...rows] = tsv.split('\n').filter((l) => l.trim().length > 0);
  return rows.map((row) => {
    const [file = '', expected = '', start = '0', end = '0', lang = '', text = ''] = row.split('\t');
    if (expected !== 'human' && expected !== 'machine' && expected !== 'unknown') {
      throw new Error(`labels.tsv: ${file}: expected must be human, machine or unknown, not "${expected}"`);
    }
    return { file, path: join(dir, 'wav', file), expected, speechStartMs: Number(start), speechEndMs: Number(end), lang, text };
  });
}

export interface CorpusRun {
  entry: CorpusEntry;
  result: AmdResult;
  /** For a person decided human: decision time minus the end of their speech. */
  afterSpeechMs: number | undefined;
}

/** Runs the detector over one file in 20 ms frames; past the end of the file, time runs on in silence (no packets). */
export async function runEntry(entry: CorpusEntry, opts: Omit<AmdOptions, 'signal'> = {}): Promise<CorpusRun> {
  const pcm = toTelephonyAudio(await readWavFile(entry.path));
  const detector = new AmdDetector(opts);
  let result: AmdResult | undefined;
  for (let at = 0; at < pcm.length && !result; at += AMD_FRAME_SAMPLES) {
    result = detector.push(pcm.subarray(at, at + AMD_FRAME_SAMPLES));
  }
  result ??= detector.advanceTo(detector.thresholds.maxWaitMs + 1000) ?? detector.stop('stopped');
  return corpusRun(entry, result);
}

/** A decision on one file, with how long after their speech a person was decided human. */
export function corpusRun(entry: CorpusEntry, result: AmdResult): CorpusRun {
  const afterSpeechMs = result.result === 'human' && entry.expected === 'human' ? result.durationMs - entry.speechEndMs : undefined;
  return { entry, result, afterSpeechMs };
}

export interface CorpusReport {
  runs: CorpusRun[];
  /** confusion[expected][decided] = count */
  confusion: Record<AmdVerdict, Record<AmdVerdict, number>>;
  /** Share of each expected class decided correctly (0..1). */
  accuracy: Record<AmdVerdict, number>;
  /** Decision time after the end of speech, for people decided human (ms, sorted). */
  humanAfterSpeechMs: number[];
  /** Decision time from the start, per decided class (ms, sorted). */
  decisionMs: Record<AmdVerdict, number[]>;
}

const VERDICTS: AmdVerdict[] = ['human', 'machine', 'unknown'];

export async function runCorpus(opts: Omit<AmdOptions, 'signal'> = {}, dir = CORPUS_DIR): Promise<CorpusReport> {
  const entries = await loadCorpus(dir);
  const runs: CorpusRun[] = [];
  for (const e of entries) runs.push(await runEntry(e, opts));
  return summarize(runs);
}

/** The confusion matrix, accuracy per class and decision times of a set of runs. */
export function summarize(runs: CorpusRun[]): CorpusReport {
  const row = (): Record<AmdVerdict, number> => ({ human: 0, machine: 0, unknown: 0 });
  const confusion = { human: row(), machine: row(), unknown: row() };
  const decisionMs: Record<AmdVerdict, number[]> = { human: [], machine: [], unknown: [] };
  for (const r of runs) {
    confusion[r.entry.expected][r.result.result]++;
    decisionMs[r.result.result].push(r.result.durationMs);
  }
  const accuracy = row();
  for (const v of VERDICTS) {
    const total = VERDICTS.reduce((n, d) => n + confusion[v][d], 0);
    accuracy[v] = total === 0 ? 1 : confusion[v][v] / total;
    decisionMs[v].sort((a, b) => a - b);
  }
  const humanAfterSpeechMs = runs.flatMap((r) => (r.afterSpeechMs === undefined ? [] : [r.afterSpeechMs])).sort((a, b) => a - b);
  return { runs, confusion, accuracy, humanAfterSpeechMs, decisionMs };
}

/** The p-th percentile (0..100) of sorted values, nearest rank. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}
