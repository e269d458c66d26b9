// Callbacks asked for without a caller waiting (a voicemail, an agent, a
// campaign): they wait in line like callers, reach an agent, and survive a restart.

import t from 'tap';
import { agentProfile, queue } from './fixtures.js';
import { startAcd, settle } from './harness.js';

const S = 1000;

t.test('a requested callback is offered to a free agent, who is then connected to the customer', async (t) => {
  const h = await startAcd(t, { queues: [queue('support')], agents: [agentProfile('ann', ['support'])] });
  const { entryId } = h.engine.requestCallback({ queue: 'support', number: '+4930123456', customerId: '7', customerName: 'Ada Lovelace', trunk: 'kpn', reason: 'voicemail' });
  await h.engine.flush(); // the event leaves once the request is written
  t.same(h.of('callback_requested').map((e) => [e.entryId, e.queue, e.number]), [[entryId, 'support', '+4930123456']]);
  t.equal(h.engine.figures('support')?.waiting, 1, 'it waits in the queue like a caller');

  await h.engine.login('ann');
  await settle();
  const offer = h.driver.ringing('device:ann');
  t.equal(offer.length, 1, 'the agent is offered the callback');
  offer[0]?.answer();
  await settle();
  const dial = h.driver.ringing('number:+4930123456');
  t.same(dial[0]?.target, { kind: 'number', number: '+4930123456', trunk: 'kpn' }, 'Tenor calls the customer through the trunk');
  dial[0]?.answer();
  await settle();
  t.equal(h.driver.bridges.length, 1, 'agent and customer are connected');
  await h.clock.advance(20 * S);
  dial[0]?.call.farEndHangup();
  await settle();
  await h.engine.flush();
  const record = await h.engine.callRecord(entryId);
  t.same([record?.outcome, record?.agent, record?.customerId, record?.to], ['answered', 'ann', '7', '+4930123456']);
});

t.test('a requested callback survives a restart, and an unknown queue is refused', async (t) => {
  const first = await startAcd(t, { queues: [queue('support')], agents: [agentProfile('ann', ['support'])] });
  t.throws(() => first.engine.requestCallback({ queue: 'nope', number: '+4930123456' }), { code: 'TENOR_ERR_NOT_FOUND' });
  const { entryId } = first.engine.requestCallback({ queue: 'support', number: '+4930999888' });
  await first.engine.flush();
  await first.engine.stop();
  const again = await startAcd(t, { queues: [queue('support')], agents: [agentProfile('ann', ['support'])], file: first.file });
  t.equal(again.engine.router.waiting('support')[0]?.id, entryId, 'still in line after the restart');
});
