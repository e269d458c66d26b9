// Longest-idle over real SIP: three softphone agents registered to Tenor log in
// at staggered times (not in member order); three callers arriving one after
// the other are answered by the agents in the order they became idle.
import t from 'tap';
import { agentPhone, caller, finished, ms, sleep, startSite } from './site.js';

t.test('three agents logged in at staggered times take three callers, longest idle first', async (t) => {
  const s = await startSite(t, {
    queues: [{ name: 'sales', strategy: 'longest-idle', ringTimeoutSeconds: 10 }],
    agents: ['ann', 'bob', 'cid'].map((login) => ({ login, name: login, password: `${login}-web-password`, queues: [{ queue: 'sales' }] })),
    entryNumbers: [{ number: '+15550100', queue: 'sales' }],
  });
  const phones = await Promise.all(['ann', 'bob', 'cid'].map((login) => agentPhone(t, s, login)));
  t.equal(phones.length, 3, 'three softphones registered');

  // Idle since login: cid first, then ann, then bob (member order is ann, bob, cid).
  const loginOrder = ['cid', 'ann', 'bob'];
  for (const login of loginOrder) {
    t.equal((await s.setState(login, 'ready')).state, 'ready', `${login} logged in`);
    await sleep(1100);
  }

  const callers = ['+31201110001', '+31201110002', '+31201110003'];
  const stayMs = 6000;
  const procs = [];
  for (const [i, number] of callers.entries()) {
    procs.push(await caller(t, s, { number: '+15550100', caller: number, stayMs }));
    // The next caller only once this one is connected: the order of arrival is certain.
    await s.bus.atLeast('call_answered', i + 1);
  }
  const answered = s.bus.of('call_answered').map((e) => e.payload.agent);
  t.same(answered, loginOrder, 'answered by cid, ann, bob: the order they became idle');
  for (const [i, p] of procs.entries()) await finished(p, `caller ${i + 1}`);
  await s.bus.atLeast('call_ended', 3);

  const records = await s.calls();
  t.equal(records.length, 3, 'three call records');
  for (const [i, number] of callers.entries()) {
    const r = records.find((c) => c.from === number);
    t.ok(r, `record of caller ${i + 1}`);
    if (!r) continue;
    t.match(r, { outcome: 'answered', agent: loginOrder[i], queue: 'sales', live: false, endCause: 'normal' }, `caller ${i + 1} answered by ${loginOrder[i]}`);
    const wait = r.waitSeconds ?? NaN;
    const talk = r.talkSeconds ?? NaN;
    t.ok(wait >= 0 && wait <= 2, `caller ${i + 1} waited ${wait} s (an agent was free)`);
    t.ok(Math.abs(wait + talk - stayMs / 1000) <= 1, `wait ${wait} s + talk ${talk} s = the ${stayMs / 1000} s the caller stayed (± 1 s)`);
    t.ok(Math.abs(ms(r.endedAt) - ms(r.answeredAt) - talk * 1000) <= 100, 'talk time = answered to ended');
  }
  // Every agent is free again (no wrap-up configured).
  for (const login of loginOrder) t.equal((await s.agentView(login)).state, 'ready', `${login} ready after the call`);
});
