// Where a flow hands a call on, over real SIP: a caller who leaves a queue
// (maximum wait) for a flow runs that flow and lands in its queue; a flow that
// ends in voicemail records the caller into the box.
import t from 'tap';
import path from 'node:path';
import { makeToneUlaw } from '../../../telephony/test/peers/index.js';
import { tempDir } from '../helpers.js';
import { finished, within } from '../acd-sip/site.js';
import { silentCaller, startIvrSite } from './site.js';
import { startSipp } from '../../../telephony/test/peers/index.js';

const AFTER = `
name: after
version: 1
language: en
timezone: UTC
start: sorry
nodes:
  sorry: { type: play, prompts: [thank-you], next: other }
  other: { type: queue, queue: other }
`;

t.test('a caller who waited too long leaves the queue for a flow, which puts them in another queue', async (t) => {
  const s = await startIvrSite(t, {
    site: {
      queues: [{ name: 'sales', maxWaitSeconds: 2, exits: { maxWait: { type: 'flow', flow: 'after' } } }, { name: 'other' }],
      entryNumbers: [{ number: '+15550700', queue: 'sales' }],
    },
    flows: { after: AFTER },
  });
  const p = await silentCaller(t, s, { number: '+15550700', caller: '+31201110041', stayMs: 9000 });
  const first = await s.bus.wait('call_queued', () => true, 30_000);
  t.equal(first.payload.queue, 'sales', 'queued in sales first');
  t.match((await s.bus.wait('call_exited')).payload, { queue: 'sales', reason: 'max-wait', destination: { type: 'flow', flow: 'after' } }, 'left sales after 2 s for flow after');
  t.match((await s.bus.wait('flow_started')).payload, { callId: first.payload.callId, flow: 'after', version: 1, via: 'queue-exit' }, 'the IVR ran flow after');
  const second = await s.bus.wait('call_queued', (q) => q.queue === 'other', 30_000);
  t.equal(second.payload.callId, first.payload.callId, 'the same call is now in other');
  await within(finished(p, 'the caller'), 40_000, 'the caller');
});

const VM = `
name: vm
version: 1
language: en
timezone: UTC
start: box
nodes:
  box: { type: voicemail, box: general }
`;

t.test('a flow that ends in voicemail: the caller is recorded into the general box', async (t) => {
  const s = await startIvrSite(t, {
    site: { queues: [{ name: 'sales' }], entryNumbers: [{ number: '+15550800', flow: 'vm' }] },
    flows: { vm: VM },
  });
  const tone = await makeToneUlaw(path.join(tempDir(t), 'caller.ul'), { seconds: 9, frequency: 600 });
  const p = await startSipp({
    scenario: 'uac-call-stream-for-recording.xml', remote: s.sip, service: '+15550800', calls: 1, pauseMs: 8000,
    files: { 'audio.ul': tone }, timeoutMs: 40_000,
  });
  t.teardown(() => p.stop(2000));
  const ended = await s.bus.wait('flow_ended', () => true, 30_000);
  t.match(ended.payload, { flow: 'vm', how: 'completed', outcome: { type: 'voicemail', box: 'general' } }, 'the flow ended in voicemail');
  const received = await s.bus.wait('voicemail_received', () => true, 40_000);
  t.equal(received.payload.box, 'general', 'a message in the general box');
  t.equal(received.payload.callId, ended.payload.callId, 'from this call');
  t.ok(received.payload.durationMs > 1000, `with the caller's audio (${received.payload.durationMs} ms)`);
  await within(finished(p, 'the caller'), 40_000, 'the caller');
});
