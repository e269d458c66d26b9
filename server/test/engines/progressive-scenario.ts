// Progressive dialing over real SIP, on any engine. GIVEN a SIPp public network
// behind a trunk (people who say "Hello?", a silent person, an answering
// machine, a busy line), one baresip agent, a do-not-call number and a number
// whose local time is outside the calling window (test clock: 11:00 in Berlin,
// 05:00 in New York) THEN answered people are connected to the agent, the
// machine is recognised (answering-machine detection on the engine's audio) and
// not connected, the busy line is retried by its rule, and neither the DNC
// number nor the out-of-window number ever receives an INVITE. Run by
// campaigns-sip/progressive.test.ts (embedded engine) and
// freeswitch/campaign-amd.test.ts.
import type { Test } from 'tap';
import { ADMIN_AUTH } from '../helpers.js';
import { invitedNumbers, number, oneAgentCampaign } from '../campaigns-sip/site.js';
import { runsOn, type TestEngine } from './engine.js';

export const PROGRESSIVE_AMD = 'progressive campaign: people connected, machine detected, busy retried, DNC and out-of-window never dialed';

export async function progressiveScenario(t: Test, engine: TestEngine): Promise<void> {
  // The agent talks 1.5 s with each person, then hangs up.
  const { pstn, s } = await oneAgentCampaign(t, { ringMs: 300, talkMs: 1500, engine });
  runsOn(t, engine, s.services.get('telephony').name);

  const human = number('human', 1);
  const silent = number('silent', 2);
  const machine = number('machine', 3);
  const busy = number('busy', 4);
  const dnc = number('human', 5);
  const newYork = '+12125550100';
  const csv = ['Phone,Name', `${human},Hana`, `${silent},Sid`, `${machine},Max`, `${busy},Bea`, `${dnc},Don`, `${newYork},Nora`].join('\n');
  const imported = await s.app.inject({ method: 'POST', url: '/api/lists/leads/import?map=phone=Phone,name=Name', headers: { ...ADMIN_AUTH, 'content-type': 'text/csv' }, payload: csv });
  t.equal(imported.statusCode, 200, imported.body);
  t.equal((await s.app.inject({ method: 'POST', url: '/api/dnc', headers: ADMIN_AUTH, payload: { numbers: [dnc], reason: 'asked not to be called' } })).statusCode, 200);
  const put = await s.app.inject({
    method: 'PUT', url: '/api/campaigns/spring', headers: ADMIN_AUTH,
    payload: {
      mode: 'progressive', target: { list: 'leads' }, queue: 'outbound', callerId: '+4930999000', trunk: 'pstn', ringTimeSeconds: 15, maxAttempts: 2,
      retry: { busy: { retry: true, delayMinutes: 0 }, machine: { retry: false, delayMinutes: 0 } },
      window: { from: '09:00', to: '21:00', days: ['mon', 'tue', 'wed', 'thu', 'fri'] }, script: 'spring-offer',
    },
  });
  t.equal(put.statusCode, 200, put.body);
  t.equal((await s.app.inject({ method: 'POST', url: '/api/campaigns/spring/start', headers: ADMIN_AUTH })).statusCode, 200);

  // human, silent, machine, busy twice, dnc blocked: six attempts.
  await s.bus.atLeast('campaign_attempt', 6, 75_000);
  const attempts = s.bus.of('campaign_attempt').map((e) => e.payload);
  const outcomes = (phoneNumber: string) => attempts.filter((a) => a.phone === phoneNumber).map((a) => a.outcome);
  t.same(outcomes(human), ['answered-human'], 'the person who said hello was connected');
  t.same(outcomes(silent), ['answered-human'], 'the silent person (AMD unsure) was connected too');
  t.same(outcomes(machine), ['machine'], 'the machine was recognised and not retried (rule: no retry)');
  t.same(outcomes(busy), ['busy', 'busy'], 'busy retried at once by its rule, up to 2 attempts');
  t.same(outcomes(dnc), ['dnc-blocked'], 'the DNC number was blocked');
  t.same(outcomes(newYork), [], 'no attempt outside the callee\'s window');
  for (const a of attempts.filter((x) => x.outcome === 'answered-human')) t.equal(a.agent, 'ann', `${a.phone} talked to ann`);

  const rows = JSON.parse((await s.app.inject({ method: 'GET', url: '/api/campaigns/spring/attempts', headers: ADMIN_AUTH })).body) as { phone: string; outcome: string; amd: string | null; agent: string | null; talkSeconds: number | null }[];
  t.match(rows.find((r) => r.phone === human), { outcome: 'answered-human', amd: 'human', agent: 'ann' }, 'the attempt record');
  t.match(rows.find((r) => r.phone === machine), { outcome: 'machine', amd: 'machine', agent: null });
  const withAgent = rows.find((r) => r.phone === human);
  await s.app.inject({ method: 'POST', url: `/api/campaigns/spring/attempts/${(await s.campaigns.attempts('spring')).find((a) => a.phone === human)?.id}/disposition`, headers: ADMIN_AUTH, payload: { disposition: 'sale' } });
  const figures = JSON.parse((await s.app.inject({ method: 'GET', url: '/api/campaigns/spring/figures', headers: ADMIN_AUTH })).body);
  t.match(figures, { dialed: 5, connected: 2, contacts: 2, machines: 1, abandoned: 0, abandonedPercent: 0, dispositions: { sale: 1 } }, 'figures');
  t.ok((withAgent?.talkSeconds ?? 0) >= 1, 'talk time measured');
  await s.bus.wait('campaign_figures', (p) => p.campaign === 'spring', 5000);

  await s.campaigns.stopCampaign('spring');
  const result = await pstn.stop(3000);
  const invited = invitedNumbers(result.logs);
  t.notOk(invited.some((n) => n.includes(dnc.slice(1))), 'the DNC number never received an INVITE');
  t.notOk(invited.some((n) => n.includes(newYork.slice(1))), 'the New York number (05:00 local) never received an INVITE');
  t.equal(invited.filter((n) => n.includes(busy.slice(1))).length, 2, 'the busy line was called twice');
}
