// A flow replaced while a call is in it: that call finishes on the version it
// started with, the next call takes the new one. Replaced through the admin API
// (an invalid version is refused with its problems and changes nothing), and
// by editing the flow file (the watcher reloads it).
import t from 'tap';
import { renameSync, writeFileSync } from 'node:fs';
import { finished, within } from '../acd-sip/site.js';
import { keysCaller, silentCaller, startIvrSite } from './site.js';

const flow = (queue: string): string => `
name: swap
version: 1
language: en
timezone: UTC
start: pick
nodes:
  pick:
    type: menu
    prompts: [thank-you]
    options: { '1': route }
    timeout: 6s
    retries: 0
    fallback: route
  route: { type: queue, queue: ${queue} }
`;

const site = {
  queues: [{ name: 'old' }, { name: 'new' }, { name: 'newer' }],
  entryNumbers: [{ number: '+15550500', flow: 'swap' }],
};

t.test('replaced through the API while a call waits in its menu: that call ends in the old queue, the next in the new one', async (t) => {
  const s = await startIvrSite(t, { site, flows: { swap: flow('old') } });
  // The first caller presses 1 only 4 s after the answer: the flow is replaced meanwhile.
  const first = await keysCaller(t, s, { number: '+15550500', caller: '+31201110021', keys1: '1', keys2: '5', gapMs: 4000 });
  const started = await s.bus.wait('flow_started');
  t.equal(started.payload.version, 1, 'the first call runs version 1');

  const broken = flow('nowhere');
  const routeLine = broken.split('\n').findIndex((l) => l.includes('queue: nowhere')) + 1;
  const refused = await s.api('PUT', '/api/flows/swap', broken);
  t.equal(refused.status, 400, 'a flow to an unknown queue is refused');
  t.match(refused.json, { error: { code: 'TENOR_ERR_FLOW_INVALID', details: { problems: [{ node: 'route', line: routeLine, message: /unknown queue 'nowhere'/ }] } } }, 'the problem names the node and line');

  const saved = await s.api('PUT', '/api/flows/swap', flow('new'));
  t.equal(saved.status, 200, 'the new version is saved');
  t.match(saved.json, { name: 'swap', version: 2, origin: 'api', changed: true, callsInFlow: 1 }, 'version 2 is live while one call is still in the flow');
  t.equal(s.bus.of('call_queued').length, 0, 'the first call has not reached a queue yet (the swap happened mid-flow)');

  const q1 = await s.bus.wait('call_queued', () => true, 30_000);
  t.equal(q1.payload.queue, 'old', 'the call already in the flow finished on version 1');
  t.match((await s.bus.wait('flow_ended')).payload, { flow: 'swap', version: 1 }, 'flow_ended says version 1');

  const second = await silentCaller(t, s, { number: '+15550500', caller: '+31201110022', stayMs: 10_000 });
  const q2 = await s.bus.wait('call_queued', (p) => p.callId !== q1.payload.callId, 30_000);
  t.equal(q2.payload.queue, 'new', 'the next call took version 2');
  t.match((await s.bus.wait('flow_started', (p) => p.callId === q2.payload.callId)).payload, { version: 2 }, 'flow_started says version 2');
  await within(Promise.all([finished(first, 'the first caller'), finished(second, 'the second caller')]), 50_000, 'both callers');

  const detail = await s.api('GET', '/api/flows/swap');
  t.match(detail.json, { version: 2, origin: 'api', history: [{ version: 2, origin: 'api', savedBy: 'admin' }, { version: 1, origin: 'file' }] }, 'history: the file version, then the API one');
});

t.test('the flow file edited while a call is in the flow: the watcher swaps it for the next call; a broken edit changes nothing', async (t) => {
  const s = await startIvrSite(t, { site, flows: { swap: flow('old') } });
  const first = await keysCaller(t, s, { number: '+15550500', caller: '+31201110031', keys1: '1', keys2: '5', gapMs: 4000 });
  await s.bus.wait('flow_started');
  // Saved the way editors do: a new file renamed over the old one.
  const tmp = `${s.flowFile('swap')}.tmp`;
  writeFileSync(tmp, flow('newer'));
  renameSync(tmp, s.flowFile('swap'));
  const changed = await s.bus.wait('flow_changed', () => true, 20_000);
  t.match(changed.payload, { flow: 'swap', version: 2, origin: 'file' }, 'the watcher made version 2 live');

  const q1 = await s.bus.wait('call_queued', () => true, 30_000);
  t.equal(q1.payload.queue, 'old', 'the call already in the flow finished on version 1');

  // A broken edit: refused, version 2 stays.
  writeFileSync(s.flowFile('swap'), flow('newer').replace('type: queue', 'type: queu'));
  await new Promise((resolve) => setTimeout(resolve, 1500));
  t.equal(s.bus.of('flow_changed').length, 1, 'no new version from the broken file');
  const second = await silentCaller(t, s, { number: '+15550500', caller: '+31201110032', stayMs: 10_000 });
  const q2 = await s.bus.wait('call_queued', (p) => p.callId !== q1.payload.callId, 30_000);
  t.equal(q2.payload.queue, 'newer', 'the next call took version 2 from the file');
  await within(Promise.all([finished(first, 'the first caller'), finished(second, 'the second caller')]), 50_000, 'both callers');
});
