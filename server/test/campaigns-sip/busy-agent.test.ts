// An agent on a campaign call cannot make themselves free, over real SIP (SIPp
// public network behind a trunk, ann on a baresip phone):
// - progressive: while ann talks to the first customer her own ready and break
//   answer 409 TENOR_ERR_AGENT_BUSY and the dialer calls nobody else; her
//   supervisor's forced break is pending and starts when the call ends; the next
//   customer is called only once she is ready again;
// - preview: the same while the preview call is up, a second preview dial is
//   refused, and a caller waiting in the campaign's queue is not offered to her
//   until she is ready again.
import path from 'node:path';
import t, { type Test } from 'tap';
import { startSipp, type SippProcess } from '../../../telephony/test/peers/index.js';
import { ADMIN_AUTH } from '../helpers.js';
import { ownChangesRefused, signIn, supervisorDesk } from '../acd-sip/desk.js';
import { SCENARIOS as ACD_SCENARIOS, sleep } from '../acd-sip/site.js';
import { number, oneAgentCampaign, publicNetwork, readyAgent, startCampaignSite, type CampaignSite } from './site.js';

t.test('progressive: own ready and break refused on the call, a forced break pending, nobody else dialed meanwhile', { timeout: 120_000 }, async (t) => {
  const { s, phone } = await oneAgentCampaign(t, { ringMs: 300 });
  const ann = await signIn(s.app, 'ann', 'ann-secret-word');
  const sue = await supervisorDesk(s.app);
  const first = number('human', 1);
  const second = number('human', 2);
  await s.campaigns.importList([`Phone,Name\n${first},Alma\n${second},Bert\n`], { list: 'leads', mapping: { phone: 'Phone', name: 'Name' } });
  const put = await s.app.inject({
    method: 'PUT', url: '/api/campaigns/spring', headers: ADMIN_AUTH,
    payload: { mode: 'progressive', target: { list: 'leads' }, queue: 'outbound', callerId: '+4930999000', trunk: 'pstn', ringTimeSeconds: 15, amd: false },
  });
  t.equal(put.statusCode, 200, put.body);
  await s.campaigns.start('spring');

  const answered = await s.bus.wait('call_answered', (p) => p.agent === 'ann', 30_000);
  const dialed = async () => (await s.campaigns.attempts('spring')).map((a) => a.phone).sort();
  t.same(await dialed(), [first], 'one customer called: ann talks to them');
  await ownChangesRefused(t, ann, 'ann', 'on-call');
  t.match(await sue.state('ann', { state: 'break' }), { status: 200, body: { state: 'on-call', pending: { state: 'break', reason: 'supervisor' } } }, "sue's forced break is pending");
  t.match((await s.bus.wait('agent_state_pending')).payload, { login: 'ann', state: 'break', during: 'on-call', callId: answered.payload.callId }, 'an event says so');
  await sleep(1500);
  t.same(await dialed(), [first], 'the dialer calls nobody else while ann is on the call');

  await phone.hangup();
  const onBreak = await s.bus.wait('agent_state_changed', (p) => p.login === 'ann' && p.to === 'break', 15_000);
  t.match(onBreak.payload, { from: 'on-call', reason: 'supervisor' }, 'the forced break starts when the call ends (no wrap-up in this queue)');
  await sleep(2000);
  t.same(await dialed(), [first], 'nor while she is on the break');

  t.match(await ann.state('ann', { state: 'ready' }), { status: 200, body: { state: 'ready' } }, 'ann ends her break');
  const next = await s.bus.wait('call_answered', (p) => p.agent === 'ann' && p.callId !== answered.payload.callId, 30_000);
  t.same(await dialed(), [first, second].sort(), 'then the next customer is called and connected to her');
  await phone.hangup();
  await s.bus.wait('call_ended', (p) => p.callId === next.payload.callId, 15_000);
  await s.campaigns.stopCampaign('spring');
});

/** A SIPp caller into `number` who stays `stayMs` from the answer; stopped at teardown. */
async function inboundCaller(t: Test, s: CampaignSite, dialed: string, stayMs: number): Promise<SippProcess> {
  const p = await startSipp({
    scenario: path.join(ACD_SCENARIOS, 'uac-caller.xml'), remote: s.sip, service: dialed, calls: 1, pauseMs: stayMs, vars: { caller: '+31201110009' }, timeoutMs: stayMs + 60_000,
  });
  t.teardown(async () => {
    await p.stop(2000);
  });
  return p;
}

t.test('preview: own ready and break refused on the preview call, no second call, a forced break pending until it ends', { timeout: 120_000 }, async (t) => {
  const pstn = await publicNetwork(t, 300);
  const s = await startCampaignSite(t, {
    trunks: [{ name: 'pstn', host: '127.0.0.1', port: pstn.port }],
    dialing: { country: 'DE' },
    queues: [{ name: 'outbound' }],
    agents: [{ login: 'ann', name: 'Ann', password: 'ann-secret-word', queues: [{ queue: 'outbound' }] }],
    entryNumbers: [{ number: '+15550100', queue: 'outbound' }],
  });
  const phone = await readyAgent(t, s, 'ann');
  const ann = await signIn(s.app, 'ann', 'ann-secret-word');
  const sue = await supervisorDesk(s.app);
  const a = number('human', 1);
  const b = number('human', 2);
  await s.campaigns.importList([`Phone,Name\n${a},Alma\n${b},Bert\n`], { list: 'leads', mapping: { phone: 'Phone', name: 'Name' } });
  const put = await s.app.inject({
    method: 'PUT', url: '/api/campaigns/pv', headers: ADMIN_AUTH,
    payload: { mode: 'preview', target: { list: 'leads' }, queue: 'outbound', callerId: '+4930999000', trunk: 'pstn', amd: false },
  });
  t.equal(put.statusCode, 200, put.body);
  await s.campaigns.start('pv');
  const post = (url: string, payload: object) => s.app.inject({ method: 'POST', url, headers: ADMIN_AUTH, payload });

  const shown = JSON.parse((await post('/api/campaigns/pv/preview/next', { agent: 'ann' })).body) as { phone: string };
  const dial = await post('/api/campaigns/pv/preview/dial', { agent: 'ann', phone: shown.phone });
  t.equal(dial.statusCode, 200, dial.body);
  const { attemptId } = JSON.parse(dial.body) as { attemptId: string };
  await s.bus.wait('agent_state_changed', (p) => p.login === 'ann' && p.to === 'on-call', 20_000);
  const until = Date.now() + 20_000;
  while (Date.now() < until && (await s.campaigns.attempt(attemptId))?.answeredAt === undefined) await sleep(100);
  t.ok((await s.campaigns.attempt(attemptId))?.answeredAt, 'the customer answered: ann is connected to them');

  await ownChangesRefused(t, ann, 'ann', 'on-call');
  const other = JSON.parse((await post('/api/campaigns/pv/preview/next', { agent: 'ann' })).body) as { phone: string };
  t.match(JSON.parse((await post('/api/campaigns/pv/preview/dial', { agent: 'ann', phone: other.phone })).body), { error: { code: 'TENOR_ERR_AGENT_BUSY', details: { state: 'on-call' } } },
    'a second preview call is refused while the first is up');
  const waiting = await inboundCaller(t, s, '+15550100', 60_000);
  const queued = await s.bus.wait('call_queued', () => true, 20_000);
  await sleep(1500);
  t.equal(s.bus.of('call_offered').length, 0, 'a caller in the campaign queue waits: ann, on the preview call, is offered nothing');

  t.match(await sue.state('ann', { state: 'break' }), { status: 200, body: { state: 'on-call', pending: { state: 'break', reason: 'supervisor' } } }, "sue's forced break is pending");
  await phone.hangup();
  const onBreak = await s.bus.wait('agent_state_changed', (p) => p.login === 'ann' && p.to === 'break', 15_000);
  t.match(onBreak.payload, { from: 'on-call', reason: 'supervisor' }, 'and starts when the preview call ends');
  t.match((await s.bus.wait('campaign_attempt', (p) => p.attemptId === attemptId, 15_000)).payload, { outcome: 'answered-human', agent: 'ann' }, 'the attempt is recorded as before');
  await sleep(1000);
  t.equal(s.bus.of('call_offered').length, 0, 'on her break she is still offered nothing');

  t.match(await ann.state('ann', { state: 'ready' }), { status: 200, body: { state: 'ready' } }, 'ann ends her break');
  const answered = await s.bus.wait('call_answered', (p) => p.callId === queued.payload.callId, 20_000);
  t.equal(answered.payload.agent, 'ann', 'and takes the waiting caller');
  await phone.hangup();
  await s.bus.wait('call_ended', (p) => p.callId === queued.payload.callId, 10_000);
  await waiting.stop(2000);
  await s.campaigns.stopCampaign('pv');
});
