// Campaigns in the live view, over a real WebSocket: a supervisor's snapshot
// lists every campaign (active ones first) with its queue's agents, calls in
// flight, today's attempts and the abandon rate; starting and pausing a campaign
// reaches the supervisor's socket as campaign_changed, and a resync shows the
// new status. Agents get no campaigns and none of these events.

import t from 'tap';
import type { LiveCampaign, LiveSnapshot } from '../../src/services/live-events/index.js';
import { AttemptsRepository } from '../../src/services/campaigns/store/attempts.js';
import { LiveSocket, login, seedPeople, startAccessServer } from '../access/harness.js';

const campaign = (queue: string) => ({ mode: 'progressive', target: { segment: 'A' }, queue, callerId: '+15550000' });

t.test('supervisors see the campaigns and their changes live; agents do not', async (t) => {
  const server = await startAccessServer(t);
  await seedPeople(server);
  const crm = server.services.get('crm');
  for (const [i, name] of ['Anna', 'Bruno', 'Carla'].entries()) await crm.create('Customer', { name, phones: [`+4930555010${i}`], segment: 'A' });
  const campaigns = server.services.get('campaigns');
  await campaigns.save('spring', campaign('sales'));
  await campaigns.save('autumn', campaign('support'));
  await server.services.get('acd').login('ann');

  // Today's attempts of spring: one ringing now, one connected, one abandoned.
  const attempts = new AttemptsRepository(server.services.get('store'));
  const now = Date.now();
  const open = (id: string, phone: string) => attempts.open({ id, campaign: 'spring', phone, customerId: undefined, attempt: 1, startedAt: now - 60_000 });
  await open('a1', '+49305550100');
  await open('a2', '+49305550101');
  await attempts.update('a2', { status: 'ended', outcome: 'answered-human', answeredAt: now - 55_000, endedAt: now - 30_000 });
  await open('a3', '+49305550102');
  await attempts.update('a3', { status: 'ended', outcome: 'abandoned', answeredAt: now - 50_000, endedAt: now - 49_000 });

  const sue = await login(server, 'sue');
  const ann = await login(server, 'ann');
  const supervisor = new LiveSocket(t, server.wsUrl, { cookie: sue.cookie });
  const agent = new LiveSocket(t, server.wsUrl, { cookie: ann.cookie });
  await supervisor.until(() => supervisor.snapshots().length === 1, 10_000, 'supervisor snapshot');
  await agent.until(() => agent.snapshots().length === 1, 10_000, 'agent snapshot');

  const first: LiveSnapshot | undefined = supervisor.snapshots()[0]?.data;
  t.same(first?.campaigns?.map((c) => [c.name, c.status]), [['autumn', 'stopped'], ['spring', 'stopped']], 'every campaign, by name while none is active');
  const autumn: LiveCampaign = {
    name: 'autumn', mode: 'progressive', status: 'stopped', queue: 'support', agentsAssigned: 0, agentsReady: 0, inFlight: 0,
    attemptsToday: 0, connectedToday: 0, abandonedToday: 0, abandonRatePercent: null, remaining: 0,
  };
  t.same(first?.campaigns?.[0], autumn, 'a campaign without attempts: no abandon rate yet');
  t.match(first?.campaigns?.[1], {
    name: 'spring', queue: 'sales', agentsAssigned: 1, agentsReady: 1, inFlight: 1, attemptsToday: 3, connectedToday: 1, abandonedToday: 1,
    abandonRatePercent: 50, remaining: 0,
  }, 'spring: ann logged in and ready in sales, one call ringing, today 3 attempts, 1 connected, 1 abandoned (50 % of live answers)');
  t.equal(agent.snapshots()[0]?.data.campaigns, null, 'an agent gets no campaigns');

  // With ann on a break the progressive dialer has nobody to dial for, so the
  // count of customers still to dial cannot change under the assertion below.
  server.services.get('acd').takeBreak('ann', 'coffee');
  await campaigns.start('spring');
  await supervisor.until(() => supervisor.messages.some((m) => m.type === 'events' && m.events.some((e) => e.type === 'campaign_changed' && e.payload.campaign === 'spring' && e.payload.status === 'running')), 10_000, 'campaign_changed running');
  t.pass('campaign_changed (running) reached the supervisor');
  supervisor.ws.send(JSON.stringify({ type: 'resync' }));
  await supervisor.until(() => supervisor.snapshots().length === 2, 10_000, 'second snapshot');
  const second = supervisor.snapshots()[1]?.data;
  t.same(second?.campaigns?.map((c) => [c.name, c.status]), [['spring', 'running'], ['autumn', 'stopped']], 'the running campaign comes first');
  t.equal(second?.campaigns?.[0]?.remaining, 3, 'its segment\'s three customers are to be dialed');

  await campaigns.pause('spring');
  await supervisor.until(() => supervisor.messages.some((m) => m.type === 'events' && m.events.some((e) => e.type === 'campaign_changed' && e.payload.status === 'paused')), 10_000, 'campaign_changed paused');
  t.pass('campaign_changed (paused) reached the supervisor');
  await campaigns.stopCampaign('spring');
  // The agent's socket is still open and sees its own events, but none of the campaign ones.
  server.services.get('acd').ready('ann');
  await agent.until(() => agent.messages.some((m) => m.type === 'events' && m.events.some((e) => e.type === 'agent_state_changed' && e.payload.to === 'ready')), 10_000, 'ann ready again');
  t.notOk(agent.messages.some((m) => m.type === 'events' && m.events.some((e) => e.type.startsWith('campaign_'))), 'no campaign events for an agent');
});
