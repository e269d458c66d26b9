// The AMD corpus through FreeSWITCH: for each file, the FreeSWITCH driver
// originates a call to a SIPp callee that answers and streams that file as RTP
// (peers/greeting-callee.ts), and the driver's detectAnsweringMachine decides
// from the audio FreeSWITCH receives (freeswitch/amd.ts). The decisions go into
// the same report as the offline runner's (corpus.ts), so the two can be put
// side by side. Shared by bench/amd-accuracy.ts (--engine freeswitch) and
// test/freeswitch/amd-corpus.test.ts.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { AmdOptions } from '../../src/driver.js';
import { FreeSwitchDriver } from '../../src/freeswitch/driver.js';
import { startFreeSwitch } from '../../src/freeswitch/process.js';
import { startGreetingCallee } from '../peers/greeting-callee.js';
import { describeSipp, type SippProcess } from '../peers/sipp.js';
import { corpusRun, type CorpusEntry, type CorpusRun } from './corpus.js';

export interface FreeSwitchAmdRig {
  driver: FreeSwitchDriver;
  /** Milliseconds from spawning FreeSWITCH until it was ready. */
  startMs: number;
  close(): Promise<void>;
}

/** Starts a FreeSWITCH from the build at `prefix` and a driver on it, in a temporary folder. */
export async function startFreeSwitchAmdRig(prefix: string): Promise<FreeSwitchAmdRig> {
  const folder = await mkdtemp(join(tmpdir(), 'tenor-fs-amd-'));
  try {
    const fs = await startFreeSwitch({ prefix, folder, mediaTimeoutMs: 60_000 });
    const driver = new FreeSwitchDriver({
      eventSocket: fs.eventSocket, profile: fs.profile, sipAddress: fs.address, sipPort: fs.sipPort,
      workDir: folder, logger: pino({ level: process.env['TENOR_TEST_LOG'] ?? 'silent' }),
    });
    try {
      await driver.start();
    } catch (err) {
      await fs.stop();
      throw err;
    }
    return {
      driver,
      startMs: fs.startMs,
      async close() {
        await driver.stop();
        await fs.stop();
        await rm(folder, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rm(folder, { recursive: true, force: true });
    throw err;
  }
}

/**
 * A SIPp callee for the file. Its free port is picked before SIPp binds it, and
 * on a machine shared with other test runs another process sometimes takes it
 * first: then a new port is tried, a few times.
 */
async function startCallee(greeting: string): Promise<SippProcess> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startGreetingCallee({ greeting, ringMs: 0 });
    } catch (err) {
      if (attempt >= 3 || !(err instanceof Error) || !err.message.includes('Address already in use')) throw err;
    }
  }
}

/**
 * One corpus file through FreeSWITCH: the callee answers at once and streams
 * the file right after the ACK, so the file's time 0 is the answer, as in the
 * offline runner; detection starts when the originate resolves (answered).
 */
export async function runEntryOnFreeSwitch(driver: FreeSwitchDriver, entry: CorpusEntry, opts: Omit<AmdOptions, 'signal'> = {}): Promise<CorpusRun> {
  const callee = await startCallee(entry.path);
  try {
    const call = await driver.originate(
      { kind: 'address', address: `sip:+15550100@127.0.0.1:${callee.port}` },
      { timeoutMs: 10_000, callerId: { number: '+15550999' } },
    );
    const result = await call.detectAnsweringMachine(opts);
    await call.hangup();
    const done = await callee.done;
    if (done.code !== 0) throw new Error(`${entry.file}: the callee did not end cleanly: ${describeSipp(done)}`);
    return corpusRun(entry, result);
  } finally {
    await callee.stop(500);
  }
}

/** Runs the entries, `concurrency` calls at a time, in the entries' order in the result. */
export async function runEntriesOnFreeSwitch(
  driver: FreeSwitchDriver, entries: readonly CorpusEntry[], opts: Omit<AmdOptions, 'signal'> = {}, concurrency = 1,
): Promise<CorpusRun[]> {
  const runs: CorpusRun[] = new Array<CorpusRun>(entries.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < entries.length) {
      const i = next++;
      runs[i] = await runEntryOnFreeSwitch(driver, entries[i] as CorpusEntry, opts);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return runs;
}
