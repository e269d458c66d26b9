// A callee that answers and speaks: SIPp (scenarios/uas-answer-play-greeting.xml)
// rings for a while, answers with PCMU, streams a recorded greeting once as RTP
// and then waits for our BYE. Stands in for the public network in outbound
// tests: a person's "Hello?" or an answering machine's message, e.g. taken from
// the committed answering-machine detection corpus (telephony/amd-corpus/).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toUlaw } from './audio.js';
import { startSipp, type SippOptions, type SippProcess } from './sipp.js';

/** The committed synthetic greetings: amd-corpus/wav/<name>.wav, labels in amd-corpus/labels.tsv. */
export const AMD_CORPUS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'amd-corpus');

/** Path of a corpus greeting by name, e.g. 'human-en-hello-1' or 'machine-en-reached-1'. */
export function corpusGreeting(name: string): string {
  return join(AMD_CORPUS_DIR, 'wav', name.endsWith('.wav') ? name : `${name}.wav`);
}

export interface GreetingCalleeOptions {
  /** Any audio sox reads (a corpus WAV, see corpusGreeting), or raw 8 kHz µ-law ending in .ul. */
  greeting: string;
  /** How many calls to take before exiting (-m). 1 unless told. */
  calls?: number;
  /** Ring this long before answering (SIPp's -d). 0 unless told. */
  ringMs?: number;
  /** Hard limit on the SIPp process. 30 s unless told. */
  timeoutMs?: number;
  /** Anything else for startSipp (port, limit, traceMessages, ...). */
  sipp?: Partial<Omit<SippOptions, 'scenario' | 'files' | 'calls' | 'pauseMs' | 'timeoutMs'>>;
}

/**
 * Starts the callee and waits until its SIP port is bound. Dial it at
 * `127.0.0.1:${callee.port}` (e.g. a trunk with that host and port, or
 * `{ kind: 'address', address: 'sip:someone@127.0.0.1:PORT' }`). Reap it with
 * `await callee.done` (exit code 0 once every call ended with our BYE) or
 * `callee.stop()` in a teardown.
 */
export async function startGreetingCallee(opts: GreetingCalleeOptions): Promise<SippProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'tenor-greeting-'));
  try {
    const ul = opts.greeting.endsWith('.ul') ? opts.greeting : await toUlaw(opts.greeting, join(dir, 'greeting.ul'));
    const sipp = await startSipp({
      ...opts.sipp,
      scenario: 'uas-answer-play-greeting.xml',
      files: { 'greeting.ul': ul },
      calls: opts.calls ?? 1,
      pauseMs: opts.ringMs ?? 0,
      timeoutMs: opts.timeoutMs ?? 30_000,
    });
    void sipp.done.finally(() => rm(dir, { recursive: true, force: true }));
    await sipp.ready();
    return sipp;
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
