// `tenor start --demo`: the demo flow's voicemail boxes (general, and the boxes
// of the demo's sales and support queues) exist once the demo is seeded.

import t from 'tap';
import { seedDemo } from '../../src/demo/seed.js';
import { startTestApp } from '../helpers.js';

t.test('GIVEN a fresh server WHEN the demo is seeded THEN the general, sales and support boxes exist and the summary says where messages are', async (t) => {
  const { services } = await startTestApp(t);
  const summary = await seedDemo(services);
  t.match(summary.voicemail, /^boxes general, queue:sales, queue:support; messages at \/api\/voicemail\/messages, not e-mailed \(no smtp in the site file\)$/);
  const boxes = services.get('voicemail').boxes().map((b) => b.name);
  for (const name of ['general', 'queue:sales', 'queue:support']) t.ok(boxes.includes(name), name);
});
