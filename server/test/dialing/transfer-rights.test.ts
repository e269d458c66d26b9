// Agents dial anywhere, performed over real SIP: ann (baresip) has a SIPp
// customer and tries to consult and to transfer to an outside number on a site
// that keeps agents to internal targets (the default). Both are refused with
// 403 TENOR_ERR_DIALING_REFUSED before anything is dialed; the customer stays
// with ann. An admin may send ann's call to a US number, but not to a
// premium-rate one. The SIPp network behind the trunk shows what was dialed.
// (Agents transferring out where the site allows it: call-control-sip/transfer-number.test.ts.)
import t from 'tap';
import { homeNetwork } from '../acd-sip/site.js';
import { customer, readyAgent, startControlSite } from '../call-control-sip/site.js';

t.test('agents transfer and consult to agents and queues only, unless the site allows numbers', async (t) => {
  const pstn = await homeNetwork(t);
  const s = await startControlSite(t, {
    trunks: [{ name: 'pstn', host: '127.0.0.1', port: pstn.port }],
    queues: [{ name: 'sales', ringTimeoutSeconds: 10, wrapUpSeconds: 30 }],
    agents: [{ login: 'ann', name: 'Ann', password: 'ann-secret-word', queues: [{ queue: 'sales' }] }],
    entryNumbers: [{ number: '+15550100', queue: 'sales' }],
  });
  await readyAgent(t, s, 'ann');
  await customer(t, s, { number: '+15550100', caller: '+12125550001', stayMs: 30_000 });
  const answered = await s.bus.wait('call_answered', (p) => p.agent === 'ann', 30_000);
  const callId = answered.payload.callId;

  t.match(await s.control('ann', 'GET', '/targets'), { status: 200, body: { numbers: false } }, 'the transfer form offers ann no numbers');
  t.match(await s.control('ann', 'GET', '/targets', undefined, 'admin'), { status: 200, body: { numbers: true } }, 'an admin acting for her may dial out');

  const outside = { type: 'number', number: '+12125551234', trunk: 'pstn' };
  for (const action of ['consult', 'transfer'] as const) {
    const res = await s.control('ann', 'POST', `/${action}`, { target: outside });
    t.match(res, { status: 403, body: { error: { code: 'TENOR_ERR_DIALING_REFUSED' } } }, `ann's ${action} to an outside number is refused`);
    t.match(s.bus.of('dialing_refused').at(-1)?.payload, { purpose: action, reason: 'external-not-allowed', agent: 'ann', callId }, 'published with the agent and the call');
  }
  t.match(await s.control('ann', 'GET', ''), { status: 200, body: { held: false, consult: null } }, 'the customer is still with ann, not on hold');
  t.equal(s.acd.agent('ann')?.state, 'on-call', 'ann is still on the call');

  const premium = await s.control('ann', 'POST', '/transfer', { target: { type: 'number', number: '+19005551234', trunk: 'pstn' } }, 'admin');
  t.match(premium, { status: 403, body: { error: { code: 'TENOR_ERR_DIALING_REFUSED' } } }, 'not even an admin sends the call to a premium-rate number');
  t.match(s.bus.of('dialing_refused').at(-1)?.payload, { number: '+19005551234', reason: 'number-class', class: 'premium-rate' });

  t.match(await s.control('ann', 'POST', '/transfer', { target: outside }, 'admin'), { status: 202 }, 'an admin may transfer ann\'s call to a US number');
  await s.bus.wait('call_ended', (p) => p.callId === callId, 40_000);
  const network = await pstn.stop(5000);
  const invited = [...network.logs.matchAll(/INVITE-NUMBER (\S+)/g)].map((m) => m[1]);
  t.same(invited, ['+12125551234'], 'only the admin\'s transfer reached the trunk');
});
