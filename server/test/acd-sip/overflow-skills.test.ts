// Waiting that changes who may answer, over real SIP: overflow to a second
// queue after T seconds, and skill requirements relaxed by escalation.
import t from 'tap';
import { agentPhone, caller, finished, ms, startSite } from './site.js';

t.test('overflow: after 3 s in a queue nobody serves, the caller moves to the second queue and is answered there', async (t) => {
  const s = await startSite(t, {
    queues: [
      { name: 'sales', ringTimeoutSeconds: 5, overflow: { afterSeconds: 3, queue: 'support' } },
      { name: 'support', ringTimeoutSeconds: 5 },
    ],
    agents: [
      { login: 'sam', name: 'Sam (sales)', password: 'sam-secret-word', queues: [{ queue: 'sales' }] },
      { login: 'sue', name: 'Sue (support)', password: 'sue-secret-word', queues: [{ queue: 'support' }] },
    ],
    entryNumbers: [{ number: '+15550100', queue: 'sales' }],
  });
  await agentPhone(t, s, 'sue');
  await s.setState('sue', 'ready'); // sam stays logged out: nobody serves sales
  const stayMs = 8000;
  const p = await caller(t, s, { number: '+15550100', caller: '+31201110001', stayMs });
  const overflowed = await s.bus.wait('call_overflowed');
  t.match(overflowed.payload, { from: 'sales', to: 'support' }, 'overflowed from sales to support');
  const answered = await s.bus.wait('call_answered');
  t.match(answered.payload, { agent: 'sue', queue: 'support' }, 'answered by sue in support');
  t.ok(Math.abs(answered.payload.waitMs - 3000) <= 1000, `answered ${answered.payload.waitMs} ms after entering sales (overflow at 3 s)`);
  await finished(p, 'the caller');
  await s.bus.wait('call_ended');

  const [r] = await s.calls();
  t.ok(r, 'a record');
  if (!r) return;
  t.match(r, { outcome: 'answered', queue: 'support', agent: 'sue', live: false }, 'record: answered by sue in support');
  t.ok(Math.abs((r.waitSeconds ?? 0) - 3) <= 1, `wait ${r.waitSeconds} s counts from the first queue`);
  t.ok(Math.abs((r.waitSeconds ?? 0) + (r.talkSeconds ?? 0) - stayMs / 1000) <= 1, 'wait + talk = the time the caller stayed (± 1 s)');
  t.match(r.segments, [
    { kind: 'queue', queue: 'sales', outcome: 'overflow' },
    { kind: 'queue', queue: 'support', outcome: 'answered' },
    { kind: 'agent', queue: 'support', agent: 'sue', outcome: 'answered' },
  ]);
  const salesSeg = r.segments[0];
  if (salesSeg) t.ok(Math.abs(ms(salesSeg.endedAt) - ms(r.queuedAt) - 3000) <= 1000, 'left sales after 3 s (± 1 s)');
});

t.test('skills escalation: an agent below the minimum is offered the caller only once escalation lowers it', async (t) => {
  const s = await startSite(t, {
    queues: [{
      name: 'support', ringTimeoutSeconds: 5, requiredSkills: { network: 7 },
      escalation: [{ afterSeconds: 3, skills: { network: 4 } }],
    }],
    agents: [{ login: 'jun', name: 'Junior', password: 'jun-secret-word', skills: { network: 5 }, queues: [{ queue: 'support' }] }],
    entryNumbers: [{ number: '+15550100', queue: 'support' }],
  });
  const phone = await agentPhone(t, s, 'jun');
  await s.setState('jun', 'ready');
  const stayMs = 8000;
  const p = await caller(t, s, { number: '+15550100', caller: '+31201110001', stayMs });
  const queued = await s.bus.wait('call_queued');
  const offered = await s.bus.wait('call_offered', () => true, 20_000);
  const offeredAfter = Date.parse(offered.at) - Date.parse(queued.at);
  t.ok(offeredAfter >= 2900 && offeredAfter <= 4000, `first offered ${offeredAfter} ms after queueing (escalation at 3 s)`);
  t.same(offered.payload.agents, ['jun'], 'offered to the junior agent');
  const answered = await s.bus.wait('call_answered');
  t.equal(answered.payload.agent, 'jun', 'answered by the junior agent');
  await finished(p, 'the caller');
  await s.bus.wait('call_ended');
  t.equal(phone.events.filter((e) => e.type === 'CALL_ESTABLISHED').length, 1, `the phone answered one call, after escalation (events: ${phone.events.map((e) => e.type).join(',')})`);

  const [r] = await s.calls();
  t.match(r, { outcome: 'answered', agent: 'jun', queue: 'support', live: false }, 'record: answered by jun');
  t.ok(Math.abs((r?.waitSeconds ?? 0) - 3) <= 1, `wait ${r?.waitSeconds} s`);
  t.ok(Math.abs((r?.waitSeconds ?? 0) + (r?.talkSeconds ?? 0) - stayMs / 1000) <= 1, 'wait + talk = the time the caller stayed (± 1 s)');
});
