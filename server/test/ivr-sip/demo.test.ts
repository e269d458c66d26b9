// `tenor start --demo` seeds the demo main flow behind number 100, with the
// sales and support queues it sends callers to. A SIPp caller dials 100 in
// office hours (fixed clock), hears the welcome and the menu, presses 2 and
// waits in support. Seeding again changes nothing.
import t from 'tap';
import { seedDemo } from '../../src/demo/seed.js';
import { finished, within } from '../acd-sip/site.js';
import { keysCaller, startIvrSite } from './site.js';

t.test('the demo: dial 100 in office hours, press 2, wait in support', async (t) => {
  // A Wednesday, 11:00 in São Paulo.
  const s = await startIvrSite(t, { site: {}, flows: {}, clock: () => new Date('2026-11-25T14:00:00Z') });
  const summary = await seedDemo(s.services);
  t.match(summary.ivr, /dial 100 for flow 'demo-main' v1/, `the banner line: ${summary.ivr}`);
  t.ok(s.services.get('acd').queue('sales') && s.services.get('acd').queue('support'), 'queues sales and support exist');
  t.same(s.services.get('acd').agent('alice')?.profile.queues.map((q) => q.queue), ['sales', 'support'], 'alice serves both');
  t.match(s.services.get('entryNumbers').list(), [{ number: '100', flow: 'demo-main', queue: null }], 'number 100 is listed with the entry numbers an admin sees');

  const p = await keysCaller(t, s, { number: '100', caller: '+31201110051', keys1: '2', keys2: '5', gapMs: 4500 });
  const started = await s.bus.wait('flow_started');
  t.match(started.payload, { flow: 'demo-main', version: 1, to: '100' }, 'the call runs demo-main v1');
  const queued = await s.bus.wait('call_queued', () => true, 30_000);
  t.equal(queued.payload.queue, 'support', '2 → support');
  const ended = await s.bus.wait('flow_ended');
  t.same(ended.payload.path.map((st) => st.node), ['welcome', 'office-hours', 'main-menu', 'support'], 'welcome, office hours, menu, support');
  await within(finished(p, 'the caller'), 40_000, 'the caller');

  const again = await seedDemo(s.services);
  t.match(again.ivr, /v1/, 'seeding again keeps version 1');
  t.equal((await s.services.get('ivr').history('demo-main')).length, 1, 'one version stored');
});
