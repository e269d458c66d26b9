// play and collectDigits on a FreeSWITCH channel. Prompts run as the playback
// application, once or again and again (`loop`: not endless_playback, which
// plays on through uuid_break, so its music could never be stopped to bridge
// the call); digits that interrupt are given to
// FreeSWITCH as playback_terminators, and the digit itself is read from the
// DTMF events, which also drive digit collection (timers kept here, so the
// contract's first-digit and inter-digit timeouts mean what they mean on every
// engine). On a bridged channel an application would only run once the bridge
// ended, so prompts are mixed into what that channel hears (uuid_displace,
// mux) for as long as the WAV lasts.
import { readFile } from 'node:fs/promises';
import { readWavHeader } from '../audio/index.js';
import type { CollectOptions, CollectResult, PlayOptions, PlayResult } from '../driver.js';
import { apiLogged, type FsChannel } from './channel.js';

const ALL_DIGITS = '0123456789*#';

function interruptDigits(interruptOn: PlayOptions['interruptOn']): string {
  if (interruptOn === true) return ALL_DIGITS;
  if (typeof interruptOn === 'string') return interruptOn;
  return '';
}

/** Resolves after `ms`, or earlier when `stop()` says so; true when the time ran out. */
function waitOrStop(ms: number, stop: () => boolean): Promise<boolean> {
  return new Promise((resolve) => {
    const started = Date.now();
    const tick = setInterval(() => {
      if (stop()) done(false);
      else if (Date.now() - started >= ms) done(true);
    }, 20);
    const done = (v: boolean): void => { clearInterval(tick); resolve(v); };
  });
}

async function playOverBridge(ch: FsChannel, opts: PlayOptions, stopOn: string): Promise<PlayResult> {
  let digit: string | undefined;
  const offDigit = ch.onDigit((d) => {
    if (digit === undefined && stopOn.includes(d)) digit = d;
  });
  const interrupted = (): boolean => ch.ended || digit !== undefined || opts.signal?.aborted === true;
  try {
    for (const prompt of opts.prompts) {
      const file = ch.promptFile(prompt);
      const ms = opts.loop ? Number.POSITIVE_INFINITY : readWavHeader(await readFile(file)).durationMs;
      await apiLogged(ch, `uuid_displace ${ch.uuid} start ${file} 0 ${opts.loop ? 'mux,loop' : 'mux'}`);
      await waitOrStop(ms, interrupted);
      if (!ch.ended) await apiLogged(ch, `uuid_displace ${ch.uuid} stop ${file}`);
      if (ch.ended) return { reason: 'hangup' };
      if (digit !== undefined) return { reason: 'dtmf', digit };
      if (opts.signal?.aborted) return { reason: 'stopped' };
    }
    return { reason: 'done' };
  } finally {
    offDigit();
  }
}

export async function play(ch: FsChannel, opts: PlayOptions): Promise<PlayResult> {
  if (ch.ended) return { reason: 'hangup' };
  if (ch.bridged) return playOverBridge(ch, opts, interruptDigits(opts.interruptOn));
  if (opts.signal?.aborted) return { reason: 'stopped' };
  const stopOn = interruptDigits(opts.interruptOn);
  let digit: string | undefined;
  let stopped = false;
  let wasStopped = (): void => undefined;
  // `uuid_break all` also drops a playback FreeSWITCH has queued but not begun, and
  // that one never reports its end: a stop must not wait for it.
  const stopping = new Promise<undefined>((resolve) => { wasStopped = () => resolve(undefined); });
  const offDigit = ch.onDigit((d) => {
    if (digit === undefined && stopOn.includes(d)) digit = d;
  });
  const onAbort = (): void => {
    stopped = true;
    wasStopped();
    void apiLogged(ch, `uuid_break ${ch.uuid} all`);
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await apiLogged(ch, `uuid_setvar ${ch.uuid} playback_terminators ${stopOn === '' ? 'none' : stopOn}`);
    do {
      for (const prompt of opts.prompts) {
        // Stopped while the previous command was on its way: nothing left to break, so nothing is started.
        if (stopped) return { reason: 'stopped' };
        const file = ch.promptFile(prompt);
        const done = await Promise.race([ch.esl.execute(ch.uuid, 'playback', file), stopping]);
        if (stopped) return { reason: 'stopped' };
        if (ch.ended || !done || done.header('Answer-State') === 'hangup') return { reason: 'hangup' };
        const used = done.header('variable_playback_terminator_used');
        digit ??= used && stopOn.includes(used) ? used : undefined;
        if (digit !== undefined) return { reason: 'dtmf', digit };
      }
    } while (opts.loop === true);
    return { reason: 'done' };
  } finally {
    offDigit();
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

export function collectDigits(ch: FsChannel, opts: CollectOptions): Promise<CollectResult> {
  if (ch.ended) return Promise.resolve({ digits: '', reason: 'hangup' });
  if (opts.signal?.aborted) return Promise.resolve({ digits: '', reason: 'stopped' });
  const terminators = opts.terminators ?? '';
  return new Promise((resolve) => {
    let digits = '';
    let finished = false;
    let timer: NodeJS.Timeout | undefined;
    const promptAbort = new AbortController();
    const finish = (reason: CollectResult['reason']): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      offDigit();
      offEnded();
      opts.signal?.removeEventListener('abort', onAbort);
      promptAbort.abort();
      resolve({ digits, reason });
    };
    const arm = (ms: number): void => {
      clearTimeout(timer);
      timer = setTimeout(() => finish('timeout'), ms);
    };
    const offDigit = ch.onDigit((d) => {
      if (finished) return;
      if (terminators.includes(d)) return finish('terminator');
      digits += d;
      if (digits.length >= opts.maxDigits) return finish('max-digits');
      arm(opts.interDigitTimeoutMs);
    });
    const offEnded = ch.onEnded(() => finish('hangup'));
    const onAbort = (): void => finish('stopped');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.prompts && opts.prompts.length > 0) {
      void play(ch, { prompts: opts.prompts, interruptOn: true, signal: promptAbort.signal }).then((r) => {
        if (!finished && digits === '' && r.reason === 'done') arm(opts.firstDigitTimeoutMs);
      }, (err: unknown) => {
        ch.logger.warn({ callId: ch.uuid, err }, 'prompts before digit collection failed');
        if (!finished && digits === '') arm(opts.firstDigitTimeoutMs);
      });
    } else {
      arm(opts.firstDigitTimeoutMs);
    }
  });
}
