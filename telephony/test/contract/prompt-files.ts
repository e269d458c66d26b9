// The prompt files the contract harnesses give the cases: a 440 Hz tone WAV of
// the length asked for, written once per length into the harness's folder.
import { join } from 'node:path';
import { writeWavFile } from '../../src/audio/index.js';

function tone(ms: number): Int16Array {
  const samples = new Int16Array(Math.round(ms * 8));
  for (let i = 0; i < samples.length; i++) samples[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000));
  return samples;
}

export function tonePromptFiles(dir: string): (durationMs: number) => Promise<string> {
  const files = new Map<number, string>();
  return async (ms) => {
    let file = files.get(ms);
    if (!file) {
      file = join(dir, `tone-${ms}.wav`);
      await writeWavFile(file, tone(ms));
      files.set(ms, file);
    }
    return file;
  };
}
