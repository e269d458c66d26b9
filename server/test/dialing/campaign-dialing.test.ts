// A campaign whose list holds a premium-rate number, over real SIP: the
// dialer tries it once, the dialing policy refuses it at the engine, the
// record is closed (no retry would ever be allowed) and the SIPp public
// network behind the trunk never hears of it; the ordinary number is called
// and connected as usual.
import t from 'tap';
import { ADMIN_AUTH } from '../helpers.js';
import { invitedNumbers, number, oneAgentCampaign } from '../campaigns-sip/site.js';

t.test('a premium-rate number in a campaign list is refused once, closed, and never reaches the trunk', { timeout: 90_000 }, async (t) => {
  const { pstn, s } = await oneAgentCampaign(t, { ringMs: 300, talkMs: 1500 }); // a site in Germany
  const person = number('human', 1);
  const premium = '+499001234567'; // German 0900: premium-rate
  const csv = ['Phone,Name', `${person},Hana`, `${premium},Paid Line`].join('\n');
  const imported = await s.app.inject({ method: 'POST', url: '/api/lists/leads/import?map=phone=Phone,name=Name', headers: { ...ADMIN_AUTH, 'content-type': 'text/csv' }, payload: csv });
  t.equal(imported.statusCode, 200, imported.body);
  const put = await s.app.inject({
    method: 'PUT', url: '/api/campaigns/spring', headers: ADMIN_AUTH,
    payload: {
      mode: 'progressive', target: { list: 'leads' }, queue: 'outbound', callerId: '+4930999000', trunk: 'pstn', ringTimeSeconds: 15, maxAttempts: 3,
      retry: { failed: { retry: true, delayMinutes: 0 } }, window: { from: '09:00', to: '21:00', days: ['mon', 'tue', 'wed', 'thu', 'fri'] },
    },
  });
  t.equal(put.statusCode, 200, put.body);
  t.equal((await s.app.inject({ method: 'POST', url: '/api/campaigns/spring/start', headers: ADMIN_AUTH })).statusCode, 200);

  await s.bus.atLeast('campaign_attempt', 2, 60_000);
  const refused = await s.bus.wait('dialing_refused', (p) => p.number === premium, 10_000);
  t.match(refused.payload, { class: 'premium-rate', reason: 'number-class', trunk: 'pstn' }, 'refused at the engine');
  await s.bus.wait('call_ended', (p) => p.outcome === 'answered', 30_000);
  const attempts = s.bus.of('campaign_attempt').map((e) => e.payload);
  t.same(attempts.filter((a) => a.phone === premium).map((a) => a.outcome), ['failed'], 'one failed attempt, though failures are retried at once by the campaign\'s rule');
  t.same(attempts.filter((a) => a.phone === person).map((a) => a.outcome), ['answered-human'], 'the person was called and connected');
  const records = await s.campaigns.records('spring');
  t.match(records.find((r) => r.phone === premium), { state: 'done', attempts: 1 }, 'the record is closed');
  await s.campaigns.stopCampaign('spring');
  const network = await pstn.stop(3000);
  t.same(invitedNumbers(network.logs).map((n) => n.replace(/^\+/, '')), [person.slice(1)], 'only the ordinary number reached the trunk');
});
