// Abandons over real SIP. GIVEN a predictive campaign, one baresip agent who
// goes on break while the first call rings, THEN the person who answers gets
// no agent within 2 s: the identification message is played to them, the
// attempt is recorded as abandoned, the number is not redialed (72 h), and
// with the cap crossed the dialer only dials one call per ready agent.
import t from 'tap';
import { ADMIN_AUTH } from '../helpers.js';
import { sleep } from '../acd-sip/site.js';
import { identificationPrompt, invitedNumbers, number, oneAgentCampaign } from './site.js';

t.test('a live answer with no agent within 2 s hears the identification message and counts as abandoned', { timeout: 90_000 }, async (t) => {
  const ident = identificationPrompt(t, 1);
  const { pstn, s } = await oneAgentCampaign(t, { ringMs: 1500, talkMs: 1500 });
  const first = number('human', 1);
  const second = number('human', 2);
  await s.campaigns.importList([`Phone\n${first}\n${second}\n`], { list: 'leads', mapping: { phone: 'Phone' } });
  const put = await s.app.inject({
    method: 'PUT', url: '/api/campaigns/predict', headers: ADMIN_AUTH,
    payload: { mode: 'predictive', target: { list: 'leads' }, queue: 'outbound', callerId: '+4930999000', trunk: 'pstn', ringTimeSeconds: 15, identificationPrompt: ident, abandonCap: 0.03 },
  });
  t.equal(put.statusCode, 200, put.body);
  await s.campaigns.start('predict');

  // The first call is ringing: the agent takes a break.
  const until = Date.now() + 20_000;
  while ((s.campaigns.dialer('predict')?.activeCalls ?? 0) === 0 && Date.now() < until) await sleep(20);
  t.equal(s.campaigns.dialer('predict')?.activeCalls, 1, 'one call for the one ready agent');
  s.acd.takeBreak('ann', 'coffee');

  const abandoned = await s.bus.wait('campaign_attempt', (p) => p.outcome === 'abandoned', 30_000);
  t.match(abandoned.payload, { phone: first, outcome: 'abandoned', identificationPlayed: true, agent: undefined }, 'abandoned, identification message played');
  const record = await s.campaigns.attempt(abandoned.payload.attemptId);
  t.match(record, { outcome: 'abandoned', identificationPlayed: true, amd: 'human' }, 'recorded with the message played');
  t.ok((record?.endedAt ?? 0) - (record?.answeredAt ?? 0) >= 2000, 'after the 2 s allowed to reach an agent (plus detection and the message)');
  const figures = JSON.parse((await s.app.inject({ method: 'GET', url: '/api/campaigns/predict/figures', headers: ADMIN_AUTH })).body);
  t.match(figures, { abandoned: 1, abandonedPercent: 100 }, 'the abandon rate counts it');

  // Back from the break: the second number is dialed (one call for one agent: the cap is crossed), the first is not.
  s.acd.ready('ann');
  const connected = await s.bus.wait('campaign_attempt', (p) => p.outcome === 'answered-human', 30_000);
  t.match(connected.payload, { phone: second, agent: 'ann' });
  t.match(s.campaigns.dialer('predict')?.lastReason, /progressive/, `pacing held to progressive (${s.campaigns.dialer('predict')?.lastReason})`);
  await sleep(1500);
  t.equal(s.bus.of('campaign_attempt').length, 2, 'the abandoned number was not dialed again');
  await s.campaigns.stopCampaign('predict');
  const result = await pstn.stop(3000);
  t.equal(invitedNumbers(result.logs).filter((n) => n.includes(first.slice(1))).length, 1, 'one INVITE to the abandoned number');
});
