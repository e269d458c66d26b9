// Preview dialing through the API over real SIP: the agent is shown the next
// record (with the campaign's script), skips one, dials the next: their
// baresip phone rings and answers, then the customer is called and connected,
// and recorded by the campaign's recording policy (the site records nothing).
import t from 'tap';
import { ADMIN_AUTH } from '../helpers.js';
import { sleep } from '../acd-sip/site.js';
import { invitedNumbers, number, publicNetwork, readyAgent, startCampaignSite } from './site.js';

t.test('preview: next, skip, dial connects the agent to the customer', { timeout: 90_000 }, async (t) => {
  const pstn = await publicNetwork(t, 300);
  const s = await startCampaignSite(t, {
    trunks: [{ name: 'pstn', host: '127.0.0.1', port: pstn.port }],
    dialing: { country: 'DE' }, // the public network's numbers are in Berlin
    queues: [{ name: 'outbound' }],
    agents: [{ login: 'ann', name: 'Ann', password: 'ann-secret-word', queues: [{ queue: 'outbound' }] }],
  });
  const phone = await readyAgent(t, s, 'ann');
  const a = number('human', 1);
  const b = number('human', 2);
  await s.campaigns.importList([`Phone,Name\n${a},Alma\n${b},Bert\n`], { list: 'leads', mapping: { phone: 'Phone', name: 'Name' } });
  const put = await s.app.inject({
    method: 'PUT', url: '/api/campaigns/pv', headers: ADMIN_AUTH,
    payload: { mode: 'preview', target: { list: 'leads' }, queue: 'outbound', callerId: '+4930999000', trunk: 'pstn', script: 'renewal', amd: false, recording: { policy: 'all' } },
  });
  t.equal(put.statusCode, 200, put.body);
  await s.campaigns.start('pv');
  const post = (url: string, payload: object) => s.app.inject({ method: 'POST', url, headers: ADMIN_AUTH, payload });

  const first = JSON.parse((await post('/api/campaigns/pv/preview/next', { agent: 'ann' })).body);
  t.match(first, { phone: a, name: 'Alma', script: 'renewal' }, 'the agent sees the first record and the script');
  t.same(JSON.parse((await post('/api/campaigns/pv/preview/next', { agent: 'ann' })).body).phone, a, 'asking again shows the same reserved record');
  t.equal((await post('/api/campaigns/pv/preview/skip', { agent: 'ann', phone: a })).statusCode, 204, 'skipped');
  const second = JSON.parse((await post('/api/campaigns/pv/preview/next', { agent: 'ann' })).body);
  t.match(second, { phone: b, name: 'Bert' }, 'then the next record');

  const dial = await post('/api/campaigns/pv/preview/dial', { agent: 'ann', phone: b });
  t.equal(dial.statusCode, 200, dial.body);
  const { attemptId } = JSON.parse(dial.body) as { attemptId: string };
  const until = Date.now() + 20_000;
  while (Date.now() < until && (await s.campaigns.attempt(attemptId))?.answeredAt === undefined) await sleep(100);
  const callId = (await s.campaigns.attempt(attemptId))?.callId;
  t.ok(callId, 'the customer answered');
  const started = await s.bus.wait('recording_started', (p) => p.callId === callId, 15_000);
  t.match(started.payload, { by: 'policy', agent: 'ann' }, "the preview call is recorded by the campaign's policy");
  await sleep(1500);
  await phone.hangup();
  const done = await s.bus.wait('campaign_attempt', (p) => p.attemptId === attemptId, 20_000);
  t.match(done.payload, { phone: b, outcome: 'answered-human', agent: 'ann' }, 'the customer talked to ann');
  const stopped = await s.bus.wait('recording_stopped', (p) => p.callId === callId, 20_000);
  const recording = await s.app.inject({ method: 'GET', url: `/api/recordings/${stopped.payload.recordingId}`, headers: ADMIN_AUTH });
  t.match(recording.json(), { state: 'stored', campaign: 'pv', queue: 'outbound', agent: 'ann', callId }, 'stored, naming the campaign, its queue and the agent');
  t.ok((recording.json() as { durationMs: number }).durationMs >= 1000, 'from the connection to the hangup');
  await s.campaigns.stopCampaign('pv');
  const result = await pstn.stop(3000);
  t.same(invitedNumbers(result.logs).map((n) => n.replace(/^\+/, '')), [b.slice(1)], 'only the dialed record was called; the skipped one was not');
});
