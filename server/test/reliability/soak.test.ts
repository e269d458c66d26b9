// The soak's suite version (docs/reliability.md#soak): one real `tenor start`
// process, close to three minutes of seeded random traffic (15 s of warm-up,
// 150 s measured) over real SIP (SIPp callers,
// baresip agents, a progressive campaign to a SIPp public network), agents'
// call controls and state changes through the API, the flow reloaded and
// services replaced while calls run. Then, once the traffic stops and the
// server settles: no agent stuck, no call or dialog left, the engine's
// timers, the event loop's handles, open files and RTP ports back to the
// baseline taken after a warm-up, and the heap after a full GC within a bound.
// SOAK_SEED=N replays a run; the seed is printed either way.
import t from 'tap';
import { runSoak, report, mb } from './soak/run.js';
import { tempDir } from '../helpers.js';

/** Heap growth allowed over the 3 minutes (measured after a forced full GC both times). */
const HEAP_BOUND_BYTES = 5 * 1048576;

// Under three minutes of traffic and about a minute of setting up and settling: above the suite's 180 s per file.
t.setTimeout(330_000);

t.test('random traffic (15 s warm-up, 150 s) leaves no agent stuck and nothing leaked', { timeout: 330_000 }, async (t) => {
  const seed = process.env['SOAK_SEED'] !== undefined ? Number(process.env['SOAK_SEED']) : Math.floor(Math.random() * 2 ** 31);
  const t0 = Date.now();
  t.comment(`soak seed ${seed} (SOAK_SEED=${seed} replays it)`);
  const r = await runSoak({ seed, warmupMs: 15_000, trafficMs: 150_000, dir: tempDir(t, 'tenor-soak-'), log: (line) => t.comment(`[${Math.round((Date.now() - t0) / 1000)} s] ${line}`), settleMs: 60_000 });
  for (const line of report(r)) t.comment(line);

  t.equal(r.serverExitCode, null, 'the server ran the whole time');
  t.same(r.agentsAstray, [], 'every agent is in the state the soak left them in (none offered, on a call or in wrap-up)');
  t.equal(r.end.calls, 0, 'no call left');
  t.equal(r.end.engine['dialogs'] ?? 0, 0, 'no dialog left');
  t.same(r.leaks, [], 'transactions, SIP timers, media ports, event-loop timers and handles, open fds and bound RTP ports back to the baseline');
  const growth = r.end.heapAfterGcBytes - r.baseline.heapAfterGcBytes;
  t.ok(growth < HEAP_BOUND_BYTES, `heap after GC grew ${mb(growth)} (bound ${mb(HEAP_BOUND_BYTES)})`);
  const calls = [...r.tallies].filter(([name]) => name.endsWith('caller')).reduce((n, [, x]) => n + x.done, 0);
  t.ok(calls >= 40, `${calls} callers went through`);
  t.same(r.problems, [], 'no caller failed, no 5xx');
});
