// Predictive dialing over real SIP under the abandon cap. GIVEN a campaign
// whose history (100 live answers in the 30-day window, none abandoned; one
// call in five answered by a person) lets the pacer dial ahead, two baresip
// agents, and a public network drawn from a seed (people, answering machines
// and busy lines, each ringing its own time), THEN the dialer places more calls than there are ready agents, every
// person it cannot connect within 2 s hears the identification message, and
// the campaign's abandon rate over its window stays at or under the 3 % cap.
import t from 'tap';
import { ADMIN_AUTH } from '../helpers.js';
import { sleep } from '../acd-sip/site.js';
import { TEST_INSTANT, identificationPrompt, publicNetwork, readyAgent, seededNumbers, startCampaignSite } from './site.js';

t.test('predictive: dials ahead, plays the identification message on each abandon, stays under the cap', { timeout: 90_000 }, async (t) => {
  const ident = identificationPrompt(t, 0.5);
  const pstn = await publicNetwork(t, 1000);
  const s = await startCampaignSite(t, {
    trunks: [{ name: 'pstn', host: '127.0.0.1', port: pstn.port }],
    dialing: { country: 'DE' }, // the public network's numbers are in Berlin
    queues: [{ name: 'outbound', ringTimeoutSeconds: 10 }],
    agents: [
      { login: 'ann', name: 'Ann', password: 'ann-secret-word', queues: [{ queue: 'outbound' }] },
      { login: 'bob', name: 'Bob', password: 'bob-secret-word', queues: [{ queue: 'outbound' }] },
    ],
  });
  const phones = { ann: await readyAgent(t, s, 'ann'), bob: await readyAgent(t, s, 'bob') };
  s.services.get('events').subscribe('call_answered', (e) => {
    const phone = phones[e.payload.agent as 'ann' | 'bob'];
    void sleep(2000).then(() => phone?.hangup()).catch(() => undefined);
  });

  const network = seededNumbers(10, 6, { human: 0.5, machine: 0.2, busy: 0.3 });
  const numbers = network.map((n) => n.number);
  const people = network.filter((n) => n.behaviour === 'human').length;
  t.comment(`network: ${network.map((n) => `${n.behaviour} +${n.extraRingMs} ms`).join(', ')}`);
  await s.campaigns.importList([`Phone\n${numbers.join('\n')}\n`], { list: 'leads', mapping: { phone: 'Phone' } });
  const put = await s.app.inject({
    method: 'PUT', url: '/api/campaigns/pd', headers: ADMIN_AUTH,
    payload: {
      mode: 'predictive', target: { list: 'leads' }, queue: 'outbound', callerId: '+4930999000', trunk: 'pstn', ringTimeSeconds: 15, maxAttempts: 1,
      identificationPrompt: ident, abandonCap: 0.03, abandonWindow: '30d',
    },
  });
  t.equal(put.statusCode, 200, put.body);

  // The campaign's history: 500 earlier attempts, one in five a live answer (100 in the 30-day window, 5 s talks), none abandoned.
  const db = s.services.get('store');
  await db.transaction(async (tx) => {
    for (let i = 0; i < 500; i++) {
      const at = TEST_INSTANT - 86_400_000 + i * 60_000;
      const live = i % 5 === 0;
      await tx.run(
        `INSERT INTO campaign_attempts (id, campaign, phone, attempt, status, outcome, started_at, answered_at, ended_at, talk_ms, agent)
         VALUES (?, 'pd', ?, 1, 'ended', ?, ?, ?, ?, ?, ?)`,
        [`hist-${i}`, `+4930777${String(i).padStart(4, '0')}`, live ? 'answered-human' : 'busy', at, live ? at + 4000 : null, at + 40_000, live ? 5_000 : null, live ? 'ann' : null],
      );
    }
  });

  const reasons: string[] = [];
  let maxInFlight = 0;
  await s.campaigns.start('pd');
  const poll = setInterval(() => {
    const d = s.campaigns.dialer('pd');
    if (!d) return;
    maxInFlight = Math.max(maxInFlight, d.activeCalls);
    if (reasons.at(-1) !== d.lastReason) reasons.push(d.lastReason);
  }, 20);
  t.teardown(() => clearInterval(poll));

  await s.bus.atLeast('campaign_attempt', 6, 70_000);
  clearInterval(poll);
  const attempts = s.bus.of('campaign_attempt').map((e) => e.payload);
  t.ok(reasons.some((r) => r.startsWith('predictive')), `the pacer dialed predictively (${reasons.find((r) => r.startsWith('predictive')) ?? reasons.join(' | ')})`);
  t.ok(maxInFlight > 2, `more calls in flight (${maxInFlight}) than the 2 agents`);
  const abandons = attempts.filter((a) => a.outcome === 'abandoned');
  for (const a of abandons) t.ok(a.identificationPlayed, `${a.phone}: abandoned, identification message played`);
  t.equal(attempts.filter((a) => a.outcome === 'answered-human').length + abandons.length, people, `every person answered (${people}) was connected or heard the message`);
  const figures = JSON.parse((await s.app.inject({ method: 'GET', url: '/api/campaigns/pd/figures', headers: ADMIN_AUTH })).body) as { abandonedPercent: number; abandoned: number };
  t.ok(figures.abandonedPercent <= 3, `abandon rate over 30 days ${figures.abandonedPercent}% ≤ 3% (${abandons.length} abandoned now)`);
  await s.campaigns.stopCampaign('pd');
});
