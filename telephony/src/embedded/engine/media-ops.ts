// The media operations of a call, as the media layer provides them, bound to
// the engine's prompt library and audio cache.
import { resolve as resolvePath } from 'node:path';
import type { Prompt, RecordOptions, RecordResult } from '../../driver.js';
import { collectDigits } from '../media/collect.js';
import { FRAME_MS, FRAME_SAMPLES } from '../media/output.js';
import { startPacer } from '../media/pacer.js';
import type { MediaLeg } from '../media/leg.js';
import { playOnLeg, type PlayerDeps } from '../media/player.js';
import { PromptLibrary } from '../media/prompts.js';
import { recordOnLeg } from '../media/recorder.js';
import { AudioCache } from '../media/audio-cache.js';
import type { CallMediaOps } from './call.js';

/** A short 1 kHz beep (200 ms) played before recordings that ask for one. */
function beepSamples(): Int16Array {
  const samples = new Int16Array(1600);
  for (let i = 0; i < samples.length; i++) samples[i] = Math.round(6000 * Math.sin((2 * Math.PI * 1000 * i) / 8000));
  return samples;
}

export function createMediaOps(opts: { promptsDir?: string }): { ops: CallMediaOps; deps: PlayerDeps } {
  const cache = new AudioCache();
  let library: PromptLibrary | undefined;
  const resolve = (prompt: Prompt): string => {
    // Files need no library; a missing manifest only matters for named prompts.
    if (typeof prompt === 'object' && 'file' in prompt) return prompt.file;
    if (typeof prompt === 'string' && (prompt.includes('/') || prompt.toLowerCase().endsWith('.wav'))) {
      return resolvePath(prompt);
    }
    library ??= new PromptLibrary(opts.promptsDir !== undefined ? { dir: opts.promptsDir } : {});
    return library.resolve(prompt);
  };
  const deps: PlayerDeps = { cache, resolve };

  const playBeep = (leg: MediaLeg, signal: AbortSignal | undefined): Promise<void> => new Promise((done) => {
    const source = leg.output.attach('beep');
    const beep = beepSamples();
    startPacer(FRAME_MS, (n) => {
      const at = n * FRAME_SAMPLES;
      if (at >= beep.length || leg.closed || signal?.aborted) {
        source.detach();
        done();
        return false;
      }
      source.write(beep.subarray(at, at + FRAME_SAMPLES));
      return true;
    });
  });

  const ops: CallMediaOps = {
    play: (leg, o) => playOnLeg(leg, {
      prompts: o.prompts,
      ...(o.interruptOn !== undefined ? { interruptOn: o.interruptOn } : {}),
      ...(o.loop !== undefined ? { loop: o.loop } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.sourceName ? { sourceName: o.sourceName } : {}),
    }, deps),
    collect: (leg, o) => collectDigits(leg, o, deps),
    record: async (leg: MediaLeg, o: RecordOptions): Promise<RecordResult> => {
      if (o.beep) await playBeep(leg, o.signal);
      return recordOnLeg(leg, {
        file: o.file, maxSeconds: o.maxSeconds,
        ...(o.silenceSeconds !== undefined ? { silenceSeconds: o.silenceSeconds } : {}),
        ...(o.stopKeys !== undefined ? { stopKeys: o.stopKeys } : {}),
        ...(o.signal ? { signal: o.signal } : {}),
      });
    },
  };
  return { ops, deps };
}
