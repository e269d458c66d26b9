// The memory driver's media, without samples: what a far end hears, what
// answering-machine detection makes of what it sends, digits collected from
// key presses, and the WAV a recording writes.

import { writeFile } from 'node:fs/promises';
import { wavHeader, writeWavFile, type AmdOptions, type AmdResult, type CollectOptions, type CollectResult, type MonitorMode } from '@tenor/telephony';
import type { FakeClock } from './fake-clock.js';
import type { MemoryCall } from './memory-driver.js';

/**
 * What the far end of a call sends: 'greeting' (someone says what the call's
 * planned amdResult decides: the ACD tests' callers and customers), 'silence',
 * or a steady 'tone' (the contract's test peer).
 */
export type FarAudio = 'greeting' | 'silence' | 'tone';

/** How long a steady tone takes to be decided a beep (the embedded detector needs a few hundred ms of it). */
export const BEEP_DECISION_MS = 500;

/** What detection decides on what the far end sends, and after how long. */
export function plannedAmd(audio: FarAudio, greeting: AmdResult, opts: AmdOptions): AmdResult {
  if (audio === 'greeting') return greeting;
  if (audio === 'silence') {
    return { result: opts.initialSilenceResult ?? 'unknown', reason: 'initial-silence', durationMs: opts.initialSilenceMs ?? 2500, words: 0, greetingMs: 0 };
  }
  if (opts.detectBeep === false) {
    // A tone that is not taken for a beep is one long greeting.
    const greetingMs = opts.greetingMs ?? 1800;
    return { result: 'machine', reason: 'long-greeting', durationMs: greetingMs, words: 1, greetingMs };
  }
  return { result: 'machine', reason: 'beep', durationMs: BEEP_DECISION_MS, words: 0, greetingMs: 0 };
}

interface OpenMonitor {
  target: MemoryCall;
  listener: MemoryCall;
  mode: MonitorMode;
}

/**
 * Whether the far end of `call` hears something now: a prompt or hold music
 * played to it, the far end of the call bridged with it (neither held), or
 * through a monitor: a listener hears both sides, a whisper reaches the
 * monitored side, a barge both sides.
 */
export function hearsSomething(call: MemoryCall, monitors: readonly OpenMonitor[]): boolean {
  if (call.state === 'ended') return false;
  if (call.playing) return true;
  if (call.farHeld) return false;
  const partner = call.bridgedWith;
  if (partner !== undefined && !partner.farHeld && partner.farSendsTone) return true;
  for (const m of monitors) {
    const other = m.target.bridgedWith;
    if (m.listener === call && (m.target.farSendsTone || other?.farSendsTone === true)) return true;
    const reached = m.mode === 'barge' ? call === m.target || call === other : m.mode === 'whisper' && call === m.target;
    if (reached && m.listener.farSendsTone) return true;
  }
  return false;
}

/**
 * Collects digits as the far end presses them: up to maxDigits, a terminator,
 * or the first-digit / inter-digit timeout (on the call's clock). `first` is a
 * digit already pressed during the prompts; `whileUp` runs its function when
 * the call ends and returns how to forget it.
 */
export function collectFromKeys(
  call: MemoryCall, clock: FakeClock, opts: CollectOptions, first: string, whileUp: (f: () => void) => () => void,
): Promise<CollectResult> {
  return new Promise<CollectResult>((resolve) => {
    let digits = '';
    let forget = (): void => undefined;
    let timer = clock.setTimer(opts.firstDigitTimeoutMs, () => done('timeout'));
    const done = (reason: CollectResult['reason']): void => {
      timer.cancel();
      forget();
      call.off('dtmf', onDigit);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve({ digits, reason });
    };
    const onDigit = (digit: string): void => {
      if (opts.terminators?.includes(digit)) return done('terminator');
      digits += digit;
      if (digits.length >= opts.maxDigits) return done('max-digits');
      timer.cancel();
      timer = clock.setTimer(opts.interDigitTimeoutMs, () => done('timeout'));
    };
    const onAbort = (): void => done('stopped');
    call.on('dtmf', onDigit);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    forget = whileUp(() => done('hangup'));
    if (first !== '') onDigit(first);
  });
}

/** A recording of this length: silence at 8 kHz (there are no samples to write). */
/** A call recording's silent stand-in: 8 kHz, 16-bit, 2 channels, `durationMs` long. */
export async function writeSilentCallRecording(file: string, durationMs: number): Promise<void> {
  const dataBytes = Math.round(durationMs * 8) * 4;
  await writeFile(file, Buffer.concat([wavHeader({ channels: 2, sampleRate: 8000 }, dataBytes), Buffer.alloc(dataBytes)]));
}

export async function writeSilentRecording(file: string, durationMs: number): Promise<void> {
  await writeWavFile(file, new Int16Array(Math.round(durationMs * 8)));
}
