// Offers that are not answered, over real SIP: a softphone that rings and is
// never picked up loses the offer after the queue's ring timeout (the next
// agent, a home phone reached through the trunk, gets it), and after N such
// offers in a row the agent is put on break "no answer".
import t from 'tap';
import { agentPhone, caller, finished, homeNetwork, ms, sleep, startSite, trunkTo } from './site.js';

t.test('ring timeout: the offer moves from an agent who does not answer to the next one (an external phone through the trunk)', async (t) => {
  const home = await homeNetwork(t);
  const s = await startSite(t, {
    trunks: [trunkTo(home)],
    dialing: { allow: ['+31'] }, // rob's home phone is a Dutch mobile
    queues: [{ name: 'sales', strategy: 'longest-idle', ringTimeoutSeconds: 5 }],
    agents: [
      { login: 'lazy', name: 'Lazy', password: 'lazy-secret-word', queues: [{ queue: 'sales' }] },
      { login: 'rob', name: 'Rob at home', device: { type: 'external', number: '+31612345678', trunk: 'home' }, queues: [{ queue: 'sales' }] },
    ],
    entryNumbers: [{ number: '+15550100', queue: 'sales' }],
  });
  const lazy = await agentPhone(t, s, 'lazy', { autoAnswer: false });
  await s.setState('lazy', 'ready');
  await sleep(1100); // lazy is idle the longest: offered first
  await s.setState('rob', 'ready');

  const stayMs = 10_000;
  const p = await caller(t, s, { number: '+15550100', caller: '+31201110001', stayMs });
  const missed = await s.bus.wait('call_offer_missed');
  t.match(missed.payload, { agent: 'lazy', reason: 'no-answer' }, 'lazy missed the offer: ring timeout');
  await lazy.waitForEvent('CALL_INCOMING', { timeoutMs: 5000 });
  await lazy.waitForEvent('CALL_CLOSED', { timeoutMs: 10_000 });
  t.pass('the softphone rang and the offer was withdrawn from it');
  const answered = await s.bus.wait('call_answered');
  t.equal(answered.payload.agent, 'rob', 'the next agent took it');
  t.ok(Math.abs(answered.payload.waitMs - 5000) <= 1000, `answered after the 5 s ring timeout (${answered.payload.waitMs} ms)`);
  await finished(p, 'the caller');
  await s.bus.wait('call_ended');

  const [r] = await s.calls();
  t.ok(r, 'a record');
  if (!r) return;
  t.match(r, { from: '+31201110001', outcome: 'answered', agent: 'rob', queue: 'sales', live: false }, 'record: answered by rob');
  t.ok(Math.abs((r.waitSeconds ?? 0) - 5) <= 1, `wait ${r.waitSeconds} s`);
  t.ok(Math.abs((r.waitSeconds ?? 0) + (r.talkSeconds ?? 0) - stayMs / 1000) <= 1, `wait + talk = ${stayMs / 1000} s (± 1 s)`);
  const agentSegs = r.segments.filter((g) => g.kind === 'agent');
  t.match(agentSegs, [{ agent: 'lazy', outcome: 'no-answer' }, { agent: 'rob', outcome: 'answered' }], 'one missed offer, then the answer');
  const first = agentSegs[0];
  if (first) t.ok(Math.abs(ms(first.endedAt) - ms(first.offeredAt) - 5000) <= 1000, 'lazy rang 5 s (± 1 s)');
  t.equal((await s.agentView('lazy')).state, 'ready', 'one miss of 3 allowed: still ready');

  const homeResult = await home.stop(5000);
  t.match(homeResult.logs, /INVITE-NUMBER \+31612345678/, 'the home phone was called through the trunk at its number');
});

t.test('after N unanswered offers in a row the agent is put on break "no answer"', async (t) => {
  const s = await startSite(t, {
    acd: { maxMissedOffers: 2 },
    queues: [{ name: 'sales', ringTimeoutSeconds: 5 }],
    agents: [{ login: 'lazy', name: 'Lazy', password: 'lazy-secret-word', queues: [{ queue: 'sales' }] }],
    entryNumbers: [{ number: '+15550100', queue: 'sales' }],
  });
  const lazy = await agentPhone(t, s, 'lazy', { autoAnswer: false });
  await s.setState('lazy', 'ready');
  const stayMs = 16_000;
  const p = await caller(t, s, { number: '+15550100', caller: '+31201110001', stayMs });

  const onBreak = await s.bus.wait('agent_state_changed', (e) => e.login === 'lazy' && e.to === 'break', 40_000);
  t.equal(onBreak.payload.reason, 'no answer', 'break "no answer"');
  const misses = s.bus.of('call_offer_missed');
  t.equal(misses.length, 2, 'two offers missed (the only candidate is offered again)');
  t.ok(misses.every((m) => m.payload.agent === 'lazy' && m.payload.reason === 'no-answer'), 'both missed by lazy, no answer');
  t.equal(lazy.events.filter((e) => e.type === 'CALL_INCOMING').length, 2, 'the softphone rang twice');
  t.match(await s.agentView('lazy'), { state: 'break', reason: 'no answer' }, 'the API shows the break');

  // Nobody else: the caller gives up.
  const abandoned = await s.bus.wait('call_abandoned', () => true, 30_000);
  await finished(p, 'the caller');
  t.ok(Math.abs(abandoned.payload.waitMs - stayMs) <= 1000, `abandoned after ${abandoned.payload.waitMs} ms`);
  const [r] = await s.calls();
  t.match(r, { outcome: 'abandoned', agent: null, live: false }, 'record: abandoned');
  t.match(r?.segments.filter((g) => g.kind === 'agent'), [{ agent: 'lazy', outcome: 'no-answer' }, { agent: 'lazy', outcome: 'no-answer' }], 'two agent segments, both no-answer');
  t.ok(Math.abs((r?.waitSeconds ?? 0) - stayMs / 1000) <= 1, `record wait ${r?.waitSeconds} s`);
});
