// Restart after kill -9: a child process runs the ACD with a caller connected
// to an agent, another waiting and a callback request in line, and is killed
// with SIGKILL. The next start on the same database closes both calls with
// cause "server-restart", leaves no agent on a call that no longer exists,
// keeps configuration and logged-in agents, and puts the callback back in line.

import t from 'tap';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers.js';
import { FakeClock } from './fake-clock.js';
import { agentProfile, queue } from './fixtures.js';
import { settle, startAcd } from './harness.js';

const here = path.dirname(fileURLToPath(import.meta.url));

t.test('after kill -9: live calls closed with "server-restart", agents reconciled, configuration kept', async (t) => {
  const file = path.join(tempDir(t, 'tenor-acd-crash-'), 'tenor.db');
  const child = spawn(process.execPath, [...process.execArgv, path.join(here, 'crash-child.ts'), file], { stdio: ['ignore', 'pipe', 'inherit'] });
  const connectedId = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the child did not connect its caller within 60 s')), 60_000);
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /connected (\S+)\n/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`child exited early with ${code}`)));
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  child.kill('SIGKILL');
  t.equal(await exited, 'SIGKILL');

  const restartAt = Date.UTC(2026, 0, 5, 9, 5, 0);
  const h = await startAcd(t, {
    file, clock: new FakeClock(restartAt),
    queues: [queue('sales')], agents: [agentProfile('talker', ['sales']), agentProfile('resting', ['sales']), agentProfile('away', ['sales'])],
  });
  await h.engine.flush();
  const records = await h.engine.callRecords();
  const closed = records.filter((r) => r.endCause === 'server-restart');
  t.equal(closed.length, 2, 'the connected call and the waiting call');
  for (const r of closed) t.same([r.live, r.endedAt], [false, restartAt], `call ${r.id} closed`);
  const talked = records.find((r) => r.id === connectedId);
  t.same([talked?.outcome, talked?.agent, talked?.waitMs], ['answered', 'talker', 4000], 'what happened before the crash is kept');
  const asked = records.find((r) => r.outcome === 'callback');
  const callback = records.find((r) => r.id === `${asked?.id}:callback`);
  t.same([callback?.live, callback?.to], [true, '0612345678'], 'the callback request survives the restart');

  // The callback is back at its place in line and the free agent is offered it.
  const offer = h.driver.ringing('device:talker');
  t.same([offer.length, offer[0]?.opts.callerId?.displayName], [1, 'Callback sales']);
  t.same(h.engine.agents().map((a) => [a.login, a.state]), [['away', 'logged-out'], ['resting', 'break'], ['talker', 'offered']]);
  t.equal(h.engine.agent('resting')?.reason, 'lunch');
  t.same(h.engine.queues().map((q) => q.name), ['sales']);
  t.same(h.engine.figures('sales'), { waiting: 1, longestWaitMs: restartAt - Date.UTC(2026, 0, 5, 9, 0, 19), agentsLoggedIn: 2, agentsReady: 0, agentsBusy: 1, agentsOnBreak: 1 });
  offer[0]?.answer();
  await settle();
  t.equal(h.driver.ringing('number:0612345678').length, 1, 'and Tenor calls the customer');
  const log = await h.engine.agentStateLog({ login: 'talker' });
  t.ok(log.some((l) => l.from === 'on-call' && l.to === 'ready' && l.reason === 'server-restart'), 'the reset is in the agent state log');
});
