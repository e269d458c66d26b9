// Webhooks on a real call, over real SIP: a SIPp caller reaches ann's baresip
// phone while one receiver hangs on every delivery (the call is answered and
// bridged all the same: deliveries never run on the call path), and another
// receives call_answered and call_ended with the call record as GET
// /api/calls/:id shows it, signed with the site file's secret.

import t from 'tap';
import { agentPhone, caller, finished, startSite } from '../acd-sip/site.js';
import { verifySignature } from '../../src/services/event-webhooks/index.js';
import { startReceiver, type Received } from './receiver.js';

const SECRET = 'crm-secret-0123456789';

const bodyOf = (r: Received) => JSON.parse(r.body) as { type: string; data: { callId: string; agent?: string; record?: { id: string; agent: string | null; outcome: string | null; answeredAt: string | null; talkSeconds: number | null; live: boolean } } };

t.test('a hanging receiver does not delay the call; call_ended arrives with the call record', { timeout: 120_000 }, async (t) => {
  const slow = await startReceiver(t);
  slow.answer = 'hang';
  const crm = await startReceiver(t);
  const s = await startSite(t, {
    queues: [{ name: 'sales', wrapUpSeconds: 0 }],
    agents: [{ login: 'ann', name: 'Ann', password: 'ann-secret-word', queues: [{ queue: 'sales' }] }],
    entryNumbers: [{ number: '+15550100', queue: 'sales' }],
    webhooks: {
      subscriptions: [
        { id: 'slow', url: slow.url, events: ['call_arrived', 'call_answered', 'agent_state_changed'], secret: 'slow-secret-0123456789' },
        { id: 'crm', url: crm.url, events: ['call_answered', 'call_ended'], secret: SECRET },
      ],
      delivery: { timeoutSeconds: 30, retryBaseMs: 50 },
    },
  });
  await agentPhone(t, s, 'ann');
  await s.setState('ann', 'ready');
  await slow.waitFor(1);

  const customer = await caller(t, s, { number: '+15550100', caller: '+31201110001', stayMs: 3_000 });
  const answered = await s.bus.wait('call_answered', (p) => p.agent === 'ann', 30_000);
  t.equal((await s.agentView('ann')).state, 'on-call', 'ann is on the call');
  t.ok(slow.received.length >= 1, 'while the slow receiver holds its deliveries unanswered');
  await finished(customer, 'the caller');
  const ended = await s.bus.wait('call_ended', (p) => p.callId === answered.payload.callId, 20_000);

  const [first, second] = await crm.waitFor(2);
  if (!first || !second) throw new Error('unreachable');
  const now = Math.floor(Date.now() / 1000);
  for (const r of [first, second]) t.ok(verifySignature(SECRET, r.body, String(r.headers['tenor-signature']), now), `${bodyOf(r).type} is signed`);
  const byType = new Map([first, second].map((r) => [bodyOf(r).type, bodyOf(r)]));
  t.match(byType.get('call_answered'), { data: { callId: answered.payload.callId, agent: 'ann', record: { agent: 'ann', live: true } } }, 'call_answered with the record so far');
  const final = byType.get('call_ended');
  t.match(final, { data: { callId: answered.payload.callId, recordId: ended.payload.recordId, agent: 'ann', record: { id: ended.payload.recordId, agent: 'ann', outcome: 'answered', live: false } } },
    'call_ended with the final record');
  const api = (await s.calls()).find((c) => c.id === ended.payload.recordId);
  t.equal(final?.data.record?.answeredAt, api?.answeredAt, 'the record as the API shows it');
  t.ok(slow.received.every((r) => bodyOf(r).type !== 'call_ended'), 'each subscription gets only its events');
});
