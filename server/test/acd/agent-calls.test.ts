// Calls an agent places (agent-calls.ts) on the in-memory driver and the
// simulated clock, for what the SIP tests do not reach: the agent's phone not
// answering, the customer not answering, a call from a break going back to
// the break, and the caller ID the customer sees. test/acd-sip/agent-call.test.ts
// and test/web-client/click-to-call.test.ts prove the rest over real SIP.
import t from 'tap';
import { TenorError } from '../../src/core/errors.js';
import { agentProfile, queue } from './fixtures.js';
import { startAcd, settle, type Harness } from './harness.js';

async function failure(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    return err instanceof TenorError ? err.code : String(err);
  }
}

const start = (t: Parameters<typeof startAcd>[0]): Promise<Harness> => startAcd(t, {
  queues: [queue('sales', { wrapUpSeconds: 30, ringTimeoutSeconds: 20 })],
  agents: [agentProfile('ann', ['sales'])],
  options: { deskOutbound: { callerId: '+15550100', queues: { sales: '+15550111' } } },
});

t.test("the agent's phone does not answer: a clear refusal, the agent as before, the record failed", async (t) => {
  const h = await start(t);
  await h.engine.login('ann');
  const placing = failure(h.engine.placeCall('ann', { number: '+12125550199' }));
  await settle();
  t.equal(h.engine.agent('ann')?.state, 'offered', 'offered while her phone rings');
  const ringing = h.driver.ringing('device:ann');
  t.equal(ringing.length, 1, 'her phone rings');
  t.equal(h.driver.ringing('number:+12125550199').length, 0, 'the customer is not dialed yet');
  ringing[0]?.reject('no-answer');
  t.equal(await placing, 'TENOR_ERR_AGENT_NOT_AVAILABLE');
  t.equal(h.engine.agent('ann')?.state, 'ready', 'ready again, not a missed offer');
  t.equal(h.engine.agent('ann')?.consecutiveMisses, 0);
  t.equal(h.driver.ringing('number:+12125550199').length, 0, 'the customer was never dialed');
  await h.engine.flush();
  const [record] = await h.engine.callRecords({});
  t.match(record, { direction: 'outbound', to: '+12125550199', outcome: 'failed', live: false });
});

t.test('the customer does not answer: the agent freed without wrap-up; a call from a break goes back to it', async (t) => {
  const h = await start(t);
  await h.engine.login('ann', { breakReason: 'lunch' });
  const placing = failure(h.engine.placeCall('ann', { number: '+12125550199' }));
  await settle();
  h.driver.ringing('device:ann')[0]?.answer();
  await settle();
  t.equal(h.engine.agent('ann')?.state, 'on-call', 'on call once she answered');
  const customer = h.driver.ringing('number:+12125550199');
  t.equal(customer.length, 1, 'then the customer is dialed');
  t.match(customer[0]?.call.from, { number: '+15550111' }, "with the queue's desk.outbound caller ID");
  customer[0]?.reject('no-answer');
  t.equal(await placing, 'TENOR_ERR_CUSTOMER_NOT_REACHED');
  await settle();
  t.match(h.engine.agent('ann'), { state: 'break', reason: 'lunch' }, 'back on her lunch break, no wrap-up');
});

t.test('answered from a break: the call is hers, wrap-up, then the break again', async (t) => {
  const h = await start(t);
  await h.engine.login('ann', { breakReason: 'lunch' });
  const placing = h.engine.placeCall('ann', { number: '+12125550199', customerId: '7', customerName: 'Carla' });
  await settle();
  h.driver.ringing('device:ann')[0]?.answer();
  await settle();
  h.driver.ringing('number:+12125550199')[0]?.answer();
  const placed = await placing;
  t.match(placed, { number: '+12125550199', queue: 'sales' });
  t.match(h.engine.connectedCall('ann'), { recordId: placed.recordId }, 'a connected call with the controls');
  await h.clock.advance(10_000);
  await h.engine.hangupCall('ann');
  await settle();
  t.equal(h.engine.agent('ann')?.state, 'wrap-up', "the queue's wrap-up");
  await h.clock.advance(30_000);
  await settle();
  t.match(h.engine.agent('ann'), { state: 'break', reason: 'lunch' }, 'then her break again');
  await h.engine.flush();
  const record = await h.engine.callRecord(placed.recordId);
  t.match(record, { direction: 'outbound', agent: 'ann', customerId: '7', outcome: 'answered', from: '+15550111', to: '+12125550199', live: false });
  t.equal(record?.talkMs, 10_000, 'talk time counted');
});
