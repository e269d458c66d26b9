// IVR flows on real calls: SIPp callers send RFC 4733 digits to a two-level
// menu and land in the queue they chose; a wrong digit is re-prompted, then
// falls back; silence times out to the no-input branch. The ACD's call_queued
// event proves where each call went; the IVR's flow_ended event shows the path.
import t from 'tap';
import { finished, within } from '../acd-sip/site.js';
import { keysCaller, silentCaller, startIvrSite } from './site.js';

const MENU = `
name: menu
version: 1
language: en
timezone: UTC
start: main
nodes:
  main:
    type: menu
    prompts: [thank-you]
    options: { '1': sales, '2': support }
    timeout: 3s
    retries: 1
    invalid-prompts: [invalid-option]
    fallback: { invalid: operator, no-input: quiet }
  support:
    type: menu
    prompts: [thank-you]
    options: { '1': billing, '2': tech }
    timeout: 4s
    retries: 1
    fallback: operator
  sales: { type: queue, queue: sales }
  billing: { type: queue, queue: billing }
  tech: { type: queue, queue: tech }
  operator: { type: queue, queue: operator }
  quiet: { type: queue, queue: quiet }
`;

const site = {
  queues: ['sales', 'billing', 'tech', 'operator', 'quiet'].map((name) => ({ name })),
  entryNumbers: [{ number: '+15550200', flow: 'menu' }],
};

t.test('a caller walks a two-level menu (2 then 1) into the billing queue', async (t) => {
  const s = await startIvrSite(t, { site, flows: { menu: MENU } });
  const p = await keysCaller(t, s, { number: '+15550200', caller: '+31201110001', keys1: '2', keys2: '1', gapMs: 2500 });
  const started = await s.bus.wait('flow_started');
  t.match(started.payload, { flow: 'menu', version: 1, from: '+31201110001', to: '+15550200', via: 'entry' }, 'the call entered flow menu v1');
  const queued = await s.bus.wait('call_queued', () => true, 30_000);
  t.equal(queued.payload.queue, 'billing', 'the ACD got the call in billing');
  t.equal(queued.payload.callId, started.payload.callId, 'the same call');
  const ended = await s.bus.wait('flow_ended');
  t.match(ended.payload, { how: 'completed', outcome: { type: 'queue', queue: 'billing' } }, 'the flow ended in billing');
  t.same(ended.payload.path.filter((st) => st.type === 'menu').map((st) => [st.node, st.exit]), [['main', '2'], ['support', '1']], 'path: main by 2, support by 1');
  await within(finished(p, 'the caller'), 40_000, 'the caller');
  t.equal(s.bus.of('call_queued').length, 1, 'queued once');
});

t.test('a wrong digit re-prompts; a second wrong digit falls back to the operator queue', async (t) => {
  const s = await startIvrSite(t, { site, flows: { menu: MENU } });
  const p = await keysCaller(t, s, { number: '+15550200', caller: '+31201110002', keys1: '9', keys2: '9', gapMs: 3000 });
  const queued = await s.bus.wait('call_queued', () => true, 30_000);
  t.equal(queued.payload.queue, 'operator', 'fell back to operator');
  const ended = await s.bus.wait('flow_ended');
  const main = ended.payload.path.filter((st) => st.node === 'main');
  t.ok(main.length >= 2, `the menu was offered twice (${main.length} visits to main)`);
  const prompts = ended.payload.path.flatMap((st) => st.prompts ?? []);
  t.ok(prompts.includes('invalid-option'), `the caller heard invalid-option (prompts: ${prompts.join(', ')})`);
  t.equal(prompts.filter((x) => x === 'thank-you').length >= 2, true, 'the menu prompt played again');
  await within(finished(p, 'the caller'), 40_000, 'the caller');
});

t.test('no input: after the retry the call times out to its no-input branch', async (t) => {
  const s = await startIvrSite(t, { site, flows: { menu: MENU } });
  const p = await silentCaller(t, s, { number: '+15550200', caller: '+31201110003', stayMs: 14_000 });
  const queued = await s.bus.wait('call_queued', () => true, 30_000);
  t.equal(queued.payload.queue, 'quiet', 'no input → quiet');
  const ended = await s.bus.wait('flow_ended');
  t.equal(ended.payload.path.filter((st) => st.node === 'main').length >= 2, true, 'prompted twice before giving up');
  t.notOk(ended.payload.path.some((st) => st.node === 'operator'), 'not the invalid branch');
  await within(finished(p, 'the caller'), 40_000, 'the caller');
});
