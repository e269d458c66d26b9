// Puts every call the ACD handled for a known customer on that customer's
// timeline, so the next agent sees it in the contact history. The ACD keeps its
// own call record (for reports); this adds the customer's view of the call.

import { defineService } from '../core/service-manager.js';
import type { TenorEvent } from '../core/events.js';

export interface ContactHistoryService {
  /** Resolves once every call ended so far is on its customer's timeline. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

declare module '../core/service-manager.js' {
  interface ServiceMap {
    'contact-history': ContactHistoryService;
  }
}

export function contactHistoryService() {
  return defineService<ContactHistoryService>({
    name: 'contact-history',
    version: '1.0.0',
    description: 'Calls handled by the ACD on the customers\' timelines',
    dependsOn: ['events', 'crm', 'acd'],
    start(ctx) {
      const acd = ctx.get('acd');
      const crm = ctx.get('crm');
      const pending = new Set<Promise<void>>();

      const record = async ({ payload }: TenorEvent<'call_ended'>): Promise<void> => {
        const customer = Number(payload.customerId);
        if (!Number.isInteger(customer) || customer <= 0) return;
        await acd.flush(); // the ACD writes its records in the background
        const call = await acd.callRecord(payload.recordId);
        if (!call) return;
        await crm.recordInteraction({
          customer,
          channel: payload.outcome === 'failed' && call.direction === 'outbound' ? 'callback' : 'call',
          direction: call.direction,
          occurredAt: new Date(call.arrivedAt).toISOString(),
          ...(call.queue !== undefined ? { queue: call.queue } : {}),
          ...(call.agent !== undefined ? { agent: call.agent } : {}),
          outcome: call.outcome ?? payload.outcome,
          durationSeconds: Math.round((call.talkMs ?? 0) / 1000),
          callId: payload.callId,
        });
      };

      const onCallEnded = (event: TenorEvent<'call_ended'>): void => {
        const job: Promise<void> = record(event)
          .catch((err: unknown) => ctx.logger.error({ err, callId: event.payload.callId }, 'call not put on the customer timeline'))
          .finally(() => pending.delete(job));
        pending.add(job);
      };
      const bus = ctx.get('events');
      let unsubscribe = bus.subscribe('call_ended', onCallEnded);
      ctx.whenReplaced('events', () => {
        unsubscribe();
        unsubscribe = bus.subscribe('call_ended', onCallEnded);
      });

      return {
        async settled() {
          await Promise.all([...pending]);
        },
        async close() {
          unsubscribe();
          await Promise.all([...pending]);
        },
      };
    },
    stop: (history) => history.close(),
  });
}
