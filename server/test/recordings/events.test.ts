// Who sees the recording events on the live events stream: supervisors and
// admins every one (the gateway's rule), an agent only those of the call they
// are on (the payload names them), never another agent's; and every one can
// be delivered to webhooks.

import t from 'tap';
import type { TenorEvent } from '../../src/core/events.js';
import { OwnCalls, eventForAgent } from '../../src/services/live-events/visibility.js';
import { deliverableEventNames } from '../../src/services/event-webhooks/catalogue.js';
import { recordingEventNames } from '../../src/services/recordings/index.js';

t.test("an agent sees the recording events of their own call, not another agent's", async (t) => {
  for (const type of recordingEventNames) {
    const event: TenorEvent = { type, at: '2026-03-02T09:00:00.000Z', seq: 1, payload: { recordingId: 'r1', callId: 'c1', at: '2026-03-02T09:00:00.000Z', by: 'sue', reason: 'card details', agent: 'ann' } };
    t.same(eventForAgent(event, 'ann', new OwnCalls()), event, `${type}: ann's call`);
    t.equal(eventForAgent(event, 'bob', new OwnCalls()), undefined, `${type}: not bob's`);
    t.ok(deliverableEventNames.has(type), `${type}: webhooks deliver it`);
  }
});
