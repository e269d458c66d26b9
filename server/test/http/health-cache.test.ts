// GET /health answers from checks run in the background: many requests cost
// one round of checks, the answer says how old the checks are, a failing
// service still shows within a refresh round, and a reloaded service at once.

import t from 'tap';
import { defineService } from '../../src/core/service-manager.js';
import { sleep, startTestApp } from '../helpers.js';

interface Health { status: string; services: Record<string, string>; checkedAt: string; checkAgeMs: number }

t.test('a burst of /health requests runs the checks once; the answer carries their time and age', async (t) => {
  let rounds = 0;
  const { app, services } = await startTestApp(t, {
    // No background round and no request-driven round during the test: only the first request and a reload check.
    health: { intervalMs: 3_600_000, minGapMs: 3_600_000 },
    extraServices: [defineService({ name: 'probe', start: () => ({}), health: () => { rounds += 1; return { status: 'ok' }; } })],
  });
  const answers = await Promise.all(Array.from({ length: 200 }, () => app.inject('/health')));
  t.ok(answers.every((a) => a.statusCode === 200));
  const bodies = answers.map((a) => a.json<Health>());
  t.equal(rounds, 1, '200 requests, one round of checks');
  t.equal(new Set(bodies.map((b) => b.checkedAt)).size, 1, 'all from the same round');
  t.match(bodies[0], { status: 'ok', services: { probe: 'ok', store: 'ok' }, checkedAt: /^\d{4}-\d\d-\d\dT/, checkAgeMs: Number });
  t.ok((bodies[0]?.checkAgeMs ?? -1) >= 0);

  await services.reload('probe');
  const after = (await app.inject('/health')).json<Health>();
  t.equal(rounds, 2, 'a reloaded service makes the cached checks stale at once');
  t.not(after.checkedAt, bodies[0]?.checkedAt);
});

t.test('a service that starts failing shows on /health within a refresh round', async (t) => {
  let healthy = true;
  const { app } = await startTestApp(t, {
    health: { intervalMs: 200, minGapMs: 100 },
    extraServices: [defineService({ name: 'uplink', start: () => ({}), health: () => (healthy ? { status: 'ok' } : { status: 'down', detail: 'no route' }) })],
  });
  t.equal((await app.inject('/health')).statusCode, 200);
  healthy = false;
  let answer = await app.inject('/health');
  for (const give = Date.now() + 15_000; answer.statusCode === 200 && Date.now() < give; answer = await app.inject('/health')) await sleep(50);
  t.equal(answer.statusCode, 503, 'unhealthy');
  t.match(answer.json<Health>(), { status: 'unhealthy', services: { uplink: 'down' } });
  healthy = true;
  for (const give = Date.now() + 15_000; answer.statusCode === 503 && Date.now() < give; answer = await app.inject('/health')) await sleep(50);
  t.equal(answer.statusCode, 200, 'and healthy again once it recovers');
});
