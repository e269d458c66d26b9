// What both AMD corpus tests ask of the detector's timing on people: decided soon
// after they stop speaking, and never before their greeting and the silence after
// it could have been heard.
import type { Test } from 'tap';
import { AMD_DEFAULTS, AMD_FRAME_MS } from '../../src/embedded/media/amd/detector.js';
import { percentile, type CorpusReport } from './corpus.js';

export function assertHumanDecisionTiming(t: Test, report: CorpusReport): void {
  const after = report.humanAfterSpeechMs;
  t.ok(after.length > 0 && (after[after.length - 1] as number) <= 1500,
    `every person decided human within 1.5 s after they stop speaking (median ${percentile(after, 50)} ms, max ${after[after.length - 1]} ms)`);
  const humans = report.runs.filter((r) => r.entry.expected === 'human' && r.result.result === 'human');
  // (A person who says "Hello? … Hello?" is decided in the pause, before their second "Hello?".)
  t.ok(humans.every((r) => r.result.durationMs >= r.entry.speechStartMs + r.result.greetingMs + AMD_DEFAULTS.afterGreetingSilenceMs - AMD_FRAME_MS),
    'never before their greeting and the silence after it were heard (to the frame)');
}
