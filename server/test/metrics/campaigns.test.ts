// The dialer's abandon rate per campaign in the metrics: abandoned / live
// answers over the campaign's compliance window, the figure its cap applies
// to; a campaign without a live answer yet has no series (not a false 0).

import t from 'tap';
import { AttemptsRepository } from '../../src/services/campaigns/store/attempts.js';
import { basic, seedPeople, startAccessServer } from '../access/harness.js';
import { parseExposition } from './exposition.js';

const campaign = (queue: string) => ({ mode: 'progressive', target: { segment: 'A' }, queue, callerId: '+15550000' });

t.test('tenor_campaign_abandon_ratio: per campaign, over its window, absent before a live answer', async (t) => {
  const server = await startAccessServer(t);
  await seedPeople(server);
  const campaigns = server.services.get('campaigns');
  await campaigns.save('spring', campaign('sales'));
  await campaigns.save('autumn', campaign('support'));

  // spring: three live answers in the window, one of them abandoned; and one still ringing.
  const attempts = new AttemptsRepository(server.services.get('store'));
  const now = Date.now();
  const attempt = async (id: string, outcome?: 'answered-human' | 'abandoned') => {
    await attempts.open({ id, campaign: 'spring', phone: `+4930555010${id.slice(1)}`, customerId: undefined, attempt: 1, startedAt: now - 60_000 });
    if (outcome) await attempts.update(id, { status: 'ended', outcome, answeredAt: now - 55_000, endedAt: now - 30_000 });
  };
  await attempt('a1', 'answered-human');
  await attempt('a2', 'answered-human');
  await attempt('a3', 'abandoned');
  await attempt('a4');

  const res = await fetch(`${server.url}/metrics`, { headers: { authorization: basic('sue', 'sue-password') } });
  t.equal(res.status, 200);
  const scrape = parseExposition(await res.text());
  const ratio = scrape.value('tenor_campaign_abandon_ratio', { campaign: 'spring' }) ?? NaN;
  t.ok(Math.abs(ratio - 1 / 3) < 0.001, `spring: 1 abandoned of 3 live answers (${ratio})`);
  t.equal(scrape.value('tenor_campaign_abandon_ratio', { campaign: 'autumn' }), undefined, 'autumn has no live answer: no series');
  t.equal(scrape.families.get('tenor_campaign_abandon_ratio')?.type, 'gauge');
});
