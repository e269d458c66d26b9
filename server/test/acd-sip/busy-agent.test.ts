// An agent on an inbound call cannot make themselves free, over real SIP: a SIPp
// caller is connected to ann's baresip phone; ann's own ready and break answer 409
// TENOR_ERR_AGENT_BUSY; a second caller waits and is not offered to her; her
// supervisor's forced break is accepted as pending and starts when the call and
// its wrap-up end; the second caller reaches ann only once she goes ready again.
import t from 'tap';
import { ownChangesRefused, signIn, supervisorDesk } from './desk.js';
import { agentPhone, caller, finished, sleep, startSite } from './site.js';

t.test('inbound: own ready and break refused on the call, a forced break pending until the call and wrap-up end, no second call', { timeout: 120_000 }, async (t) => {
  const s = await startSite(t, {
    queues: [{ name: 'sales', wrapUpSeconds: 2 }],
    agents: [{ login: 'ann', name: 'Ann', password: 'ann-secret-word', queues: [{ queue: 'sales' }] }],
    entryNumbers: [{ number: '+15550100', queue: 'sales' }],
  });
  const phone = await agentPhone(t, s, 'ann');
  const ann = await signIn(s.app, 'ann', 'ann-secret-word');
  const sue = await supervisorDesk(s.app);
  t.match(await ann.state('ann', { state: 'ready' }), { status: 200, body: { state: 'ready' } }, 'ann logs in ready');

  // The first caller hangs up 15 s after Tenor answers (time for the requests below, even on a loaded machine).
  const first = await caller(t, s, { number: '+15550100', caller: '+31201110001', stayMs: 15_000 });
  const answered = await s.bus.wait('call_answered', (p) => p.agent === 'ann', 20_000);
  t.equal((await s.agentView('ann')).state, 'on-call', 'ann is on the call');
  await ownChangesRefused(t, ann, 'ann', 'on-call');
  t.match(await ann.state('ann', { state: 'logged-out' }), { status: 409, body: { error: { code: 'TENOR_ERR_AGENT_BUSY' } } }, 'and so is her own logout');

  // The second caller would stay a minute: ann hangs up on them at the end.
  const second = await caller(t, s, { number: '+15550100', caller: '+31201110002', stayMs: 60_000 });
  const queued = await s.bus.wait('call_queued', (p) => p.callId !== answered.payload.callId, 20_000);
  await sleep(1500);
  t.equal(s.bus.of('call_offered').filter((e) => e.payload.callId === queued.payload.callId).length, 0, 'the second caller waits: ann, on a call, is offered nothing');

  const forced = await sue.state('ann', { state: 'break' });
  t.match(forced, { status: 200, body: { state: 'on-call', pending: { state: 'break', reason: 'supervisor' } } }, "sue's forced break is accepted, pending");
  t.match((await s.bus.wait('agent_state_pending')).payload, { login: 'ann', state: 'break', reason: 'supervisor', during: 'on-call' }, 'an event says so');

  await finished(first, 'the first caller');
  await s.bus.wait('agent_state_changed', (p) => p.login === 'ann' && p.to === 'wrap-up', 10_000);
  const onBreak = await s.bus.wait('agent_state_changed', (p) => p.login === 'ann' && p.to === 'break', 10_000);
  t.match(onBreak.payload, { from: 'wrap-up', reason: 'supervisor' }, 'the break starts when the wrap-up ends');
  await sleep(1000);
  t.equal(s.bus.of('call_offered').filter((e) => e.payload.callId === queued.payload.callId).length, 0, 'on her break she is still offered nothing');

  t.match(await ann.state('ann', { state: 'ready' }), { status: 200, body: { state: 'ready', pending: null } }, 'ann ends her break herself');
  const next = await s.bus.wait('call_answered', (p) => p.callId === queued.payload.callId, 20_000);
  t.equal(next.payload.agent, 'ann', 'and takes the second caller');
  await phone.hangup();
  await s.bus.wait('call_ended', (p) => p.callId === queued.payload.callId, 10_000);
  await second.stop(2000);
});
