// Inbound calls to entry numbers: a number that leads to a queue is answered,
// the caller identified in the CRM (segment → priority) and handed to the ACD;
// a number that leads to a flow goes to the IVR service, which answers and runs
// it. A caller who leaves a queue for voicemail or a flow goes to the IVR too.
// A call to a number nobody declared is refused ('unreachable').
//
// Priority from the customer's segment (higher is served first):
//   A → 2 (high), B → 1 (normal), C → 0 (low); an unknown caller → 1 (normal).

import type { Call, IncomingCall } from '@tenor/telephony';
import type { EntryNumberConfig } from '../config/schema.js';
import { defineService } from '../core/service-manager.js';
import './acd/index.js';
import './crm/index.js';
import './events.js';
import './telephony.js';
import './ivr/service.js';
import { identifyCaller } from './ivr/identify.js';

export { SEGMENT_PRIORITY, UNKNOWN_CALLER_PRIORITY } from './ivr/identify.js';

export interface IngressEvents {
  /** A call to a queue's entry number was answered and queued. */
  call_arrived: { callId: string; from: string; to: string; queue: string; customerId: string | undefined };
  /** A call was refused: nothing is declared for the number dialed, or its flow is not live. */
  call_rejected: { callId: string; from: string; to: string; reason: 'unknown-number' | 'flow-not-served' };
}

declare module '../core/events.js' {
  interface TenorEvents extends IngressEvents {}
}

export interface IngressService {
  /** Calls taken in and still in progress. */
  active(): number;
  /** Declare (or re-point) an entry number while running, e.g. the demo's; lasts until the next start. */
  setEntryNumber(entry: EntryNumberConfig): void;
  /** Stop taking calls to a number (they are refused as unknown from now on); false when it was not declared. */
  removeEntryNumber(number: string): boolean;
  close(): void;
}

declare module '../core/service-manager.js' {
  interface ServiceMap {
    ingress: IngressService;
  }
}

/** Read afresh: a call's state changes while we await (TypeScript would keep an earlier narrowing). */
const hasEnded = (call: Call): boolean => call.state === 'ended';

export function ingressService(entryNumbers: readonly EntryNumberConfig[]) {
  return defineService<IngressService>({
    name: 'ingress',
    version: '1.0.0',
    description: 'Inbound calls to entry numbers: into ACD queues or IVR flows',
    dependsOn: ['telephony', 'acd', 'crm', 'events', 'ivr'],
    start(ctx) {
      const driver = ctx.get('telephony');
      const acd = ctx.get('acd');
      const crm = ctx.get('crm');
      const bus = ctx.get('events');
      const ivr = ctx.get('ivr');
      const byNumber = new Map(entryNumbers.map((e) => [e.number, e]));
      const active = new Set<string>();

      const refuse = async (call: Call, reason: 'unknown-number' | 'flow-not-served'): Promise<void> => {
        ctx.logger.info({ callId: call.id, from: call.from.number, to: call.to.number, reason }, 'call refused');
        bus.publish('call_rejected', { callId: call.id, from: call.from.number, to: call.to.number, reason });
        if (!hasEnded(call)) await call.reject('unreachable');
      };

      const take = async (incoming: IncomingCall): Promise<void> => {
        const { call, source } = incoming;
        const log = ctx.logger.child({ callId: call.id });
        const entry = byNumber.get(call.to.number);
        if (!entry) return refuse(call, 'unknown-number');
        if ('flow' in entry) {
          if (!ivr.flow(entry.flow)) return refuse(call, 'flow-not-served');
          log.info({ from: call.from.number, to: call.to.number, flow: entry.flow }, 'call to a flow');
          return ivr.takeCall(incoming, entry.flow);
        }
        const who = await identifyCaller(crm, call.from.number, log);
        if (hasEnded(call)) {
          log.info('caller hung up before the call was answered');
          return;
        }
        await call.answer();
        log.info({ from: call.from.number, to: call.to.number, queue: entry.queue, customerId: who.customerId, priority: who.priority }, 'call answered; into the queue');
        bus.publish('call_arrived', { callId: call.id, from: call.from.number, to: call.to.number, queue: entry.queue, customerId: who.customerId });
        const trunk = source.kind === 'trunk' ? source.trunk : undefined;
        const result = await acd.enqueueCall(call, {
          queue: entry.queue,
          ...(who.customerId !== undefined ? { customerId: who.customerId } : {}),
          ...(who.customerName !== undefined ? { customerName: who.customerName } : {}),
          ...(who.segment !== undefined ? { segment: who.segment } : {}),
          ...(who.priority !== undefined ? { priority: who.priority } : {}),
          // A callback goes out through the trunk the call came in on.
          ...(trunk !== undefined ? { trunk } : {}),
        });
        log.info({ result }, 'caller left the queue');
        // Voicemail or a flow: the call is still up, and the IVR takes it from here.
        if (result.result === 'exit') await ivr.followQueueExit(call, result.destination, who, trunk);
      };

      const onIncoming = (incoming: IncomingCall): void => {
        const id = incoming.call.id;
        active.add(id);
        take(incoming)
          .catch(async (err: unknown) => {
            ctx.logger.error({ err, callId: id }, 'inbound call failed');
            const { call } = incoming;
            if (call.state === 'ringing' || call.state === 'early') await call.reject('failed').catch(() => undefined);
            else if (call.state === 'answered') await call.hangup('failed').catch(() => undefined);
          })
          .finally(() => active.delete(id));
      };
      driver.on('incoming', onIncoming);
      ctx.logger.info({ queueNumbers: entryNumbers.filter((e) => 'queue' in e).length, flowNumbers: entryNumbers.filter((e) => 'flow' in e).length }, 'ingress ready');

      return {
        active: () => active.size,
        setEntryNumber(entry) {
          byNumber.set(entry.number, entry);
          ctx.logger.info({ entry }, 'entry number set');
        },
        removeEntryNumber(number) {
          const removed = byNumber.delete(number);
          if (removed) ctx.logger.info({ number }, 'entry number removed');
          return removed;
        },
        close: () => void driver.off('incoming', onIncoming),
      };
    },
    stop: (ingress) => ingress.close(),
    health: (ingress) => ({ status: 'ok', detail: `${ingress.active()} calls in progress` }),
  });
}
