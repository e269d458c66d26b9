// The crash loop in the suite: 10 cycles of load, `kill -9` at a seeded random
// moment and a restart on the same data folder (reliability/crash-loop.ts; the
// long run is bench/crash-loop.ts). It asserts invariants, never timings: the
// database intact, nothing acknowledged lost, no agent or call left from the
// dead process, the waiting callbacks kept with their place, no campaign number
// dialed twice within its retry delay.
import t from 'tap';
import { tempDir } from '../helpers.js';
import { crashLoop, RETRY_MINUTES } from './crash-loop.js';

const CYCLES = Number(process.env['TENOR_CRASH_LOOP_CYCLES'] ?? 10);
const SEED = Number(process.env['TENOR_CRASH_LOOP_SEED'] ?? 17);

t.setTimeout(600_000);

t.test(`GIVEN tenor start under SIP load WHEN it is killed with SIGKILL and restarted ${CYCLES} times THEN nothing acknowledged is lost and nothing is left stuck`, async (t) => {
  t.comment(`seed ${SEED} (TENOR_CRASH_LOOP_SEED reproduces a run)`);
  const report = await crashLoop({
    cycles: CYCLES, seed: SEED, upMs: { min: 2000, max: 5000 }, dir: tempDir(t, 'tenor-crash-loop-'),
    say: (line) => t.comment(line), teardown: (fn) => t.teardown(fn),
  });
  t.equal(report.cycles.length, CYCLES, 'every cycle ran');
  for (const c of report.cycles) {
    t.equal(c.integrity, 'ok', `cycle ${c.cycle}: PRAGMA integrity_check`);
    t.same(c.lost, [], `cycle ${c.cycle}: every acknowledged record, callback, state and attempt is in the database (${c.acknowledged} so far)`);
    t.same(c.stuckAgents, [], `cycle ${c.cycle}: no agent left offered, on a call or in wrap-up by the killed process`);
    t.same(c.leftOpen, [], `cycle ${c.cycle}: no call of the killed process left open, but waiting callbacks`);
    t.equal(c.callbacks.waitingAfter, c.callbacks.stored, `cycle ${c.cycle}: every stored callback request waits again`);
    t.ok(c.callbacks.stored >= c.callbacks.acknowledged, `cycle ${c.cycle}: at least the ${c.callbacks.acknowledged} acknowledged callbacks are stored`);
    // Its place: the oldest request keeps its original entry time (rounded to seconds either way).
    t.ok(c.callbacks.longestWaitAfterS >= c.callbacks.oldestAgeS - 2, `cycle ${c.cycle}: the oldest callback waited ${c.callbacks.longestWaitAfterS} s, since it was asked for ${c.callbacks.oldestAgeS} s ago`);
    t.same(c.problems, [], `cycle ${c.cycle}: the observer's API calls were answered`);
  }
  // Callback requests are checked when there are some; the callers' * is not always heard (see docs/reliability.md).
  t.ok(report.acknowledged.records > 0 && report.acknowledged.states > 0 && report.acknowledged.attempts > 0,
    `the load produced call records, agent states and campaign attempts: ${JSON.stringify(report.acknowledged)}`);
  t.ok(report.campaignInvites > 0, `the campaign dialed (${report.campaignInvites} INVITEs)`);
  t.same(report.doubleDialed, [], `no campaign number dialed twice within ${RETRY_MINUTES} minutes`);
  t.same(report.dialedUnrecorded, [], 'every number the phone network was asked to ring has an attempt stored');
});
