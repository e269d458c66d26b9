// Transfer to a number over real SIP: ann (baresip) has a SIPp customer. A
// consult through a trunk that does not exist fails: the customer stays on
// hold with ann. Then ann transfers blind to a number through the trunk to a
// SIPp "public network": it is dialed, answered and bridged; ann leaves to
// wrap-up; when the customer hangs up, the far end gets its BYE.
import t from 'tap';
import { finished, homeNetwork } from '../acd-sip/site.js';
import { customer, readyAgent, startControlSite } from './site.js';

t.test('transfer to a number through a trunk; a failed consult leaves the customer on hold', async (t) => {
  const pstn = await homeNetwork(t);
  const s = await startControlSite(t, {
    trunks: [{ name: 'pstn', host: '127.0.0.1', port: pstn.port }],
    // Agents may send calls to numbers here (refused by default: test/dialing/transfer-rights.test.ts); the number is in Berlin.
    dialing: { agentsMayDialExternal: true, allow: ['+49'] },
    queues: [{ name: 'sales', ringTimeoutSeconds: 10, wrapUpSeconds: 30 }],
    agents: [{ login: 'ann', name: 'Ann', password: 'ann-secret-word', queues: [{ queue: 'sales' }] }],
    entryNumbers: [{ number: '+15550100', queue: 'sales' }],
  });
  await readyAgent(t, s, 'ann');
  const caller = await customer(t, s, { number: '+15550100', caller: '+31201110001', stayMs: 14_000 });
  const answered = await s.bus.wait('call_answered', (p) => p.agent === 'ann', 30_000);
  const callId = answered.payload.callId;

  const failing = await s.control('ann', 'POST', '/consult', { target: { type: 'number', number: '+4930555000', trunk: 'no-such-trunk' } });
  t.equal(failing.status, 200, 'consult started');
  await s.bus.wait('call_control', (p) => p.action === 'consult-ended', 15_000);
  t.match(await s.control('ann', 'GET', ''), { status: 200, body: { held: true, consult: null } }, 'not reached: the customer stays on hold with ann');
  // The customer waits on hold a full second before the transfer: the record
  // counts it in tenths, and a quick machine gets from the consult to the
  // transfer in under 50 ms, which counted as 0.
  await new Promise((resolve) => setTimeout(resolve, 1000));

  const target = { type: 'number', number: '+4930555111', trunk: 'pstn' };
  t.match(await s.control('ann', 'POST', '/transfer', { target }), { status: 202 }, 'blind transfer to the number');
  t.equal(s.acd.agent('ann')?.state, 'wrap-up', 'ann leaves at once, to wrap-up');
  await s.bus.wait('call_ended', (p) => p.callId === callId, 30_000);
  await finished(caller, 'the customer (hangs up after talking to the far end)', 30_000);
  const network = await pstn.stop(5000);
  t.match(network.logs, /INVITE-NUMBER \+4930555111/, 'the number was dialed through the trunk');
  t.equal(network.code, 0, `the far end was answered and got its BYE (${network.code})`);

  const record = await s.record(callId);
  t.match(record, { outcome: 'answered', agent: 'ann', live: false }, 'the record: answered by ann');
  t.ok((record.holdSeconds ?? 0) >= 1, `the failed consult's hold counted (${record.holdSeconds} s)`);
  const transfer = record.segments.find((g) => g.kind === 'transfer');
  t.match(transfer, { agent: 'ann', outcome: 'connected', detail: { mode: 'blind', target } }, 'a transfer segment to the number, connected');
  t.same(s.bus.of('call_control').map((e) => e.payload.action), ['consult', 'consult-ended', 'transfer']);
});
