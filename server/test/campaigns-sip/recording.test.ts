// A campaign's recording policy over real SIP on the embedded engine: the site
// records nothing (policy never, the campaign's queue sets none), the campaign
// says `all`; the person reached and connected to ann (baresip) is recorded,
// and the recording names the campaign and its queue.
import t from 'tap';
import { ADMIN_AUTH } from '../helpers.js';
import { number, oneAgentCampaign } from './site.js';

t.test("a campaign call connected to an agent is recorded by the campaign's policy", { timeout: 90_000 }, async (t) => {
  const { s } = await oneAgentCampaign(t, { ringMs: 300, talkMs: 2000 });
  const person = number('human', 1);
  const csv = ['Phone,Name', `${person},Hana`].join('\n');
  const imported = await s.app.inject({ method: 'POST', url: '/api/lists/leads/import?map=phone=Phone,name=Name', headers: { ...ADMIN_AUTH, 'content-type': 'text/csv' }, payload: csv });
  t.equal(imported.statusCode, 200, imported.body);
  const campaign = {
    mode: 'progressive', target: { list: 'leads' }, queue: 'outbound', callerId: '+4930999000', trunk: 'pstn', ringTimeSeconds: 15, maxAttempts: 1,
    window: { from: '09:00', to: '21:00', days: ['mon', 'tue', 'wed', 'thu', 'fri'] },
  };
  const bad = await s.app.inject({ method: 'PUT', url: '/api/campaigns/spring', headers: ADMIN_AUTH, payload: { ...campaign, recording: { policy: 'always' } } });
  t.equal(bad.statusCode, 400, 'a bad recording policy is refused');
  t.match(bad.json(), { error: { code: 'TENOR_ERR_VALIDATION', message: /recording\/policy/ } }, 'naming its path');
  const put = await s.app.inject({ method: 'PUT', url: '/api/campaigns/spring', headers: ADMIN_AUTH, payload: { ...campaign, recording: { policy: 'all', retentionDays: 30 } } });
  t.equal(put.statusCode, 200, put.body);
  t.match(put.json(), { recording: { policy: 'all', retentionDays: 30 } }, 'the campaign shows its recording');
  t.equal((await s.app.inject({ method: 'POST', url: '/api/campaigns/spring/start', headers: ADMIN_AUTH })).statusCode, 200);

  const answered = await s.bus.wait('call_answered', (p) => p.agent === 'ann', 60_000);
  const started = await s.bus.wait('recording_started', (p) => p.callId === answered.payload.callId, 15_000);
  t.match(started.payload, { by: 'policy', agent: 'ann' }, "recorded by the campaign's policy although the site and the queue record nothing");
  const stopped = await s.bus.wait('recording_stopped', (p) => p.callId === answered.payload.callId, 30_000);
  const one = await s.app.inject({ method: 'GET', url: `/api/recordings/${stopped.payload.recordingId}`, headers: ADMIN_AUTH });
  t.equal(one.statusCode, 200, one.body);
  t.match(one.json(), { state: 'stored', campaign: 'spring', queue: 'outbound', agent: 'ann', retainUntil: /^\d{4}-/ }, 'stored, naming the campaign; kept for its 30 days');
  const byCampaign = await s.app.inject({ method: 'GET', url: `/api/recordings?callId=${encodeURIComponent(answered.payload.callId)}`, headers: ADMIN_AUTH });
  t.same(byCampaign.json().items.map((r: { campaign: string | null }) => r.campaign), ['spring']);
});
