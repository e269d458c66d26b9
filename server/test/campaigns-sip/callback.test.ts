// A callback scheduled by an agent, over real SIP: when it falls due the
// number is handed to the ACD, which reserves the agent first (their baresip
// phone answers), then calls the customer through the trunk and connects them.
// A callback to a number put on the do-not-call list meanwhile is not made.
import t from 'tap';
import { ADMIN_AUTH } from '../helpers.js';
import { TEST_INSTANT, invitedNumbers, number, oneAgentCampaign } from './site.js';

t.test('scheduled callbacks reserve an agent, then call; never to a DNC number', { timeout: 90_000 }, async (t) => {
  const { pstn, s } = await oneAgentCampaign(t, { ringMs: 300, talkMs: 1500 });
  await s.campaigns.importList(['Phone\n'], { list: 'empty', mapping: { phone: 'Phone' } });
  const put = await s.app.inject({
    method: 'PUT', url: '/api/campaigns/cb', headers: ADMIN_AUTH,
    payload: { mode: 'progressive', target: { list: 'empty' }, queue: 'outbound', callerId: '+4930999000', trunk: 'pstn' },
  });
  t.equal(put.statusCode, 200, put.body);
  await s.campaigns.start('cb');
  const wanted = number('human', 7);
  const blocked = number('human', 8);
  const at = new Date(TEST_INSTANT - 1000).toISOString();
  // The customer of `blocked` asked not to be called any more after the callback was promised.
  await s.campaigns.addDnc([blocked], 'internal', 'asked on the phone');
  for (const p of [blocked, wanted]) {
    const res = await s.app.inject({ method: 'POST', url: '/api/campaigns/cb/callbacks', headers: ADMIN_AUTH, payload: { phone: p, at, agent: 'ann' } });
    t.equal(res.statusCode, 200, res.body);
  }
  const attempted = await s.bus.wait('callback_attempted', () => true, 40_000);
  t.match(attempted.payload, { number: wanted, agent: 'ann', result: 'answered' }, 'ann was reserved, then the customer answered');
  await s.bus.wait('call_ended', (p) => p.outcome === 'answered', 20_000);
  const records = await s.campaigns.records('cb');
  t.match(records.find((r) => r.phone === wanted), { state: 'done', lastOutcome: 'callback' });
  t.match(records.find((r) => r.phone === blocked), { state: 'done', lastOutcome: 'dnc-blocked' });
  await s.campaigns.stopCampaign('cb');
  const result = await pstn.stop(3000);
  t.same(invitedNumbers(result.logs).map((n) => n.replace(/^\+/, '')), [wanted.slice(1)], 'only the allowed callback was called');
});
