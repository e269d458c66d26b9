// Calls into a queue over real SIP: the ingress answers calls to an entry
// number that goes straight to a queue (caller identified in the CRM, priority
// from the segment), refuses numbers nobody declared, and a caller who hangs up
// while waiting is recorded as abandoned with the wait they really had.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/services/index.js';
import { isTenorError } from '../../src/core/errors.js';
import { tempDir } from '../helpers.js';
import { describeSipp, runSipp } from '../../../telephony/test/peers/index.js';
import { SCENARIOS, caller, finished, ms, startSite } from './site.js';

const site = {
  acd: { maxMissedOffers: 3 },
  queues: [{ name: 'sales', ringTimeoutSeconds: 5 }],
  agents: [{ login: 'ann', name: 'Ann', password: 'ann-secret-word', queues: [{ queue: 'sales' }] }],
  entryNumbers: [{ number: '+15550100', queue: 'sales' }],
};

t.test('config: an entry number goes to a flow or to a declared queue, exactly one of the two', async (t) => {
  const dir = tempDir(t);
  const problems = (entry: Record<string, unknown>): string => {
    const file = path.join(dir, 'site.yaml');
    writeFileSync(file, JSON.stringify({ queues: [{ name: 'sales' }], flows: [{ name: 'main', file: 'main.yaml' }], entryNumbers: [entry] }));
    try {
      loadConfig({ TENOR_CONFIG: file }, dir);
      return '';
    } catch (err) {
      return isTenorError(err) ? err.message : String(err);
    }
  };
  t.equal(problems({ number: '+15550100', queue: 'sales' }), '', 'straight to a queue');
  t.equal(problems({ number: '+15550100', flow: 'main' }), '', 'into a flow');
  t.match(problems({ number: '+15550100', queue: 'nowhere' }), /entry number '\+15550100' goes to queue 'nowhere', which is not declared/);
  t.not(problems({ number: '+15550100', queue: 'sales', flow: 'main' }), '', 'both: refused');
  t.not(problems({ number: '+15550100' }), '', 'neither: refused');
});

t.test('a call to a number nobody declared is refused with 404 (unreachable)', async (t) => {
  const s = await startSite(t, site);
  const r = await runSipp({
    scenario: path.join(SCENARIOS, 'uac-call-expect-404.xml'), remote: s.sip, service: '+15559999', calls: 1,
    vars: { caller: '+31201110009' }, timeoutMs: 20_000,
  });
  t.equal(r.code, 0, `refused with 404: ${describeSipp(r)}`);
  const rejected = await s.bus.wait('call_rejected');
  t.same(rejected.payload, { callId: rejected.payload.callId, from: '+31201110009', to: '+15559999', reason: 'unknown-number' }, 'call_rejected: unknown number');
  t.same(await s.calls(), [], 'no call record: the call never reached the ACD');
});

t.test('a known caller waits with nobody logged in, hangs up after 4 s: abandoned, wait 4 s (± 1 s), customer and priority from the CRM', async (t) => {
  const s = await startSite(t, site);
  const customer = await s.crm.create('Customer', { name: 'Gold Customer', phones: ['+31201110001'], segment: 'A' });
  const stayMs = 4000;
  const p = await caller(t, s, { number: '+15550100', caller: '+31201110001', stayMs });
  const queued = await s.bus.wait('call_queued');
  t.equal(queued.payload.priority, 2, 'segment A: high priority');
  t.equal(queued.payload.customerId, String(customer.id), 'identified by the caller number');
  const abandoned = await s.bus.wait('call_abandoned', () => true, 30_000);
  await finished(p, 'the caller');
  t.ok(Math.abs(abandoned.payload.waitMs - stayMs) <= 1000, `waited ${abandoned.payload.waitMs} ms`);

  const [record, ...others] = await s.calls();
  t.equal(others.length, 0, 'one record');
  t.ok(record, 'the call has a record');
  if (!record) return;
  t.match(record, { from: '+31201110001', to: '+15550100', queue: 'sales', agent: null, outcome: 'abandoned', customerId: String(customer.id), live: false, endCause: 'normal' }, 'record: abandoned in sales, customer known');
  t.ok(Math.abs((record.waitSeconds ?? 0) * 1000 - stayMs) <= 1000, `record wait ${record.waitSeconds} s`);
  t.ok(Math.abs(ms(record.endedAt) - ms(record.queuedAt) - stayMs) <= 1000, 'queued to ended: 4 s (± 1 s)');
  t.match(record.segments, [{ kind: 'queue', queue: 'sales', outcome: 'abandoned' }], 'one queue segment, abandoned');
});

t.test('an unknown caller is queued with normal priority and no customer', async (t) => {
  const s = await startSite(t, site);
  const p = await caller(t, s, { number: '+15550100', caller: '+31201110002', stayMs: 1500 });
  const queued = await s.bus.wait('call_queued');
  t.equal(queued.payload.priority, 1, 'normal priority');
  t.equal(queued.payload.customerId, undefined, 'no customer id');
  await s.bus.wait('call_abandoned');
  await finished(p, 'the caller');
  const [record] = await s.calls();
  t.match(record, { outcome: 'abandoned', customerId: null }, 'record: abandoned, no customer');
});

t.test('an exit to a voicemail box that does not exist ends the call: Tenor hangs up, the record says voicemail', async (t) => {
  const s = await startSite(t, {
    queues: [{ name: 'sales', maxWaitSeconds: 2, exits: { maxWait: { type: 'voicemail', box: 'sales' } } }],
    flows: [{ name: 'main', file: 'main.yaml' }],
    entryNumbers: [{ number: '+15550100', queue: 'sales' }, { number: '+15550111', flow: 'main' }],
  });
  const r = await runSipp({ scenario: 'uac-call-expect-bye.xml', remote: s.sip, service: '+15550100', calls: 1, timeoutMs: 30_000 });
  t.equal(r.code, 0, `Tenor hung up after the maximum wait: ${describeSipp(r)}`);
  const exited = await s.bus.wait('call_exited');
  t.match(exited.payload, { reason: 'max-wait', destination: { type: 'voicemail', box: 'sales' } }, 'left for voicemail after 2 s');
  await s.acd.flush();
  const [record] = await s.calls();
  t.match(record, { outcome: 'voicemail', live: false, endCause: 'normal' }, 'record: voicemail, ended');
  t.ok(record && Math.abs((record.waitSeconds ?? 0) - 2) <= 1, `waited ${record?.waitSeconds} s (± 1 s)`);

  // A number whose flow is not live (here: its file does not exist) is refused.
  const flow = await runSipp({
    scenario: path.join(SCENARIOS, 'uac-call-expect-404.xml'), remote: s.sip, service: '+15550111', calls: 1,
    vars: { caller: '+31201110009' }, timeoutMs: 20_000,
  });
  t.equal(flow.code, 0, `flow number refused with 404: ${describeSipp(flow)}`);
  t.match((await s.bus.wait('call_rejected')).payload, { to: '+15550111', reason: 'flow-not-served' }, 'call_rejected: flow not served');
});
