// collectDigits of the driver contract on a media leg: optional prompts (a
// digit pressed during them stops them and counts as the first digit), then
// wait for digits with a first-digit and an inter-digit timeout, ending on a
// terminator (not included), at maxDigits, on abort or when the leg closes.

import type { CollectOptions, CollectResult } from '../../driver.js';
import type { MediaLeg } from './leg.js';
import { playOnLeg } from './player.js';
import type { PlayerDeps } from './player.js';

export async function collectDigits(leg: MediaLeg, opts: CollectOptions, deps: PlayerDeps): Promise<CollectResult> {
  if (leg.closed) return { digits: '', reason: 'hangup' };
  if (opts.signal?.aborted) return { digits: '', reason: 'stopped' };
  const terminators = (opts.terminators ?? '').toUpperCase();
  let digits = '';
  let outcome: CollectResult['reason'] | undefined;
  let wake: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  // Timeouts run only once the prompts are over.
  let promptsDone = false;
  // Stops the prompts as soon as a digit comes (the player is also told by
  // the digit itself; this covers a terminator or maxDigits during prompts).
  const promptAbort = new AbortController();

  const end = (reason: CollectResult['reason']): void => {
    if (outcome) return;
    outcome = reason;
    promptAbort.abort();
    wake?.();
  };
  const armTimer = (ms: number): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => end('timeout'), ms);
  };
  const onDigit = (digit: string): void => {
    if (outcome) return;
    if (terminators.includes(digit)) return end('terminator');
    digits += digit;
    if (digits.length >= opts.maxDigits) return end('max-digits');
    promptAbort.abort();
    if (promptsDone) armTimer(opts.interDigitTimeoutMs);
  };
  const onClosed = (): void => end('hangup');
  const onAbort = (): void => end('stopped');

  leg.on('dtmf', onDigit);
  leg.on('closed', onClosed);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (opts.prompts && opts.prompts.length > 0) {
      await playOnLeg(leg, { prompts: opts.prompts, interruptOn: true, signal: promptAbort.signal, sourceName: 'collect-prompt' }, deps);
    }
    promptsDone = true;
    if (!outcome) armTimer(digits.length === 0 ? opts.firstDigitTimeoutMs : opts.interDigitTimeoutMs);
    if (!outcome) await new Promise<void>((resolve) => (wake = resolve));
    return { digits, reason: outcome ?? 'stopped' };
  } finally {
    if (timer) clearTimeout(timer);
    leg.off('dtmf', onDigit);
    leg.off('closed', onClosed);
    opts.signal?.removeEventListener('abort', onAbort);
  }
}
