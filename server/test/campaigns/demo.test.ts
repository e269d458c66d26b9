// The demo seed adds a paused campaign with three numbers, and seeding twice changes nothing.
import t from 'tap';
import { seedDemo } from '../../src/demo/seed.js';
import { startTestApp } from '../helpers.js';

t.test('the demo campaign is seeded paused, once', async (t) => {
  const { services } = await startTestApp(t);
  const summary = await seedDemo(services);
  t.match(summary.campaign, /demo-spring/);
  await seedDemo(services);
  const campaigns = services.get('campaigns');
  t.match(await campaigns.get('demo-spring'), { status: 'paused', definition: { mode: 'progressive', queue: 'outbound-demo' } });
  t.equal((await campaigns.records('demo-spring')).length, 3);
  t.equal((await campaigns.attempts('demo-spring')).length, 0, 'nothing dialed');
});
