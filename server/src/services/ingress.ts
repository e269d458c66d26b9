// Inbound calls to entry numbers that go straight to a queue: identify the
// caller in the CRM, answer, and hand the call to the ACD. Nothing else: a call
// to a number nobody declared is refused ('unreachable'); numbers that enter an
// IVR flow, and ACD exits to voicemail or a flow, belong to later services (the
// call is hung up and logged until they exist).
//
// Priority from the customer's segment (higher is served first):
//   A → 2 (high), B → 1 (normal), C → 0 (low); an unknown caller → 1 (normal).

import type { Logger } from 'pino';
import type { Call, IncomingCall } from '@tenor/telephony';
import type { EntryNumberConfig } from '../config/schema.js';
import { defineService } from '../core/service-manager.js';
import type { EnqueueOptions } from './acd/engine.js';
import './acd/service.js';
import './crm/index.js';
import './events.js';
import './telephony.js';

export const SEGMENT_PRIORITY: Readonly<Record<string, number>> = { A: 2, B: 1, C: 0 };
export const UNKNOWN_CALLER_PRIORITY = 1;

export interface IngressEvents {
  /** A call to a queue's entry number was answered and queued. */
  call_arrived: { callId: string; from: string; to: string; queue: string; customerId: string | undefined };
  /** A call was refused: nothing is declared for the number dialed (or it enters a flow, not served yet). */
  call_rejected: { callId: string; from: string; to: string; reason: 'unknown-number' | 'flow-not-served' };
}

declare module '../core/events.js' {
  interface TenorEvents extends IngressEvents {}
}

export interface IngressService {
  /** Calls taken in and still in progress. */
  active(): number;
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
    description: 'Inbound calls to entry numbers straight into ACD queues',
    dependsOn: ['telephony', 'acd', 'crm', 'events'],
    start(ctx) {
      const driver = ctx.get('telephony');
      const acd = ctx.get('acd');
      const crm = ctx.get('crm');
      const bus = ctx.get('events');
      const byNumber = new Map(entryNumbers.map((e) => [e.number, e]));
      const active = new Set<string>();

      /** Customer id, name, segment and priority of the caller, when the CRM knows the number. */
      const identify = async (call: Call, log: Logger): Promise<Pick<EnqueueOptions, 'customerId' | 'customerName' | 'segment' | 'priority'>> => {
        try {
          const [customer] = await crm.findCustomersByPhone(call.from.number);
          if (!customer) return { priority: UNKNOWN_CALLER_PRIORITY };
          const segment = typeof customer['segment'] === 'string' ? customer['segment'] : undefined;
          const name = typeof customer['name'] === 'string' ? customer['name'] : undefined;
          return {
            customerId: String(customer.id),
            ...(name !== undefined ? { customerName: name } : {}),
            ...(segment !== undefined ? { segment } : {}),
            priority: (segment !== undefined ? SEGMENT_PRIORITY[segment] : undefined) ?? UNKNOWN_CALLER_PRIORITY,
          };
        } catch (err) {
          // A CRM without customers, or one that fails, must not keep the caller out of the queue.
          log.warn({ err }, 'caller not identified');
          return { priority: UNKNOWN_CALLER_PRIORITY };
        }
      };

      const take = async ({ call, source }: IncomingCall): Promise<void> => {
        const log = ctx.logger.child({ callId: call.id });
        const entry = byNumber.get(call.to.number);
        if (!entry || !('queue' in entry)) {
          const reason = entry ? 'flow-not-served' : 'unknown-number';
          log.info({ from: call.from.number, to: call.to.number, reason }, 'call refused');
          bus.publish('call_rejected', { callId: call.id, from: call.from.number, to: call.to.number, reason });
          if (!hasEnded(call)) await call.reject('unreachable');
          return;
        }
        const who = await identify(call, log);
        if (hasEnded(call)) {
          log.info('caller hung up before the call was answered');
          return;
        }
        await call.answer();
        log.info({ from: call.from.number, to: call.to.number, queue: entry.queue, customerId: who.customerId, priority: who.priority }, 'call answered; into the queue');
        bus.publish('call_arrived', { callId: call.id, from: call.from.number, to: call.to.number, queue: entry.queue, customerId: who.customerId });
        const result = await acd.enqueueCall(call, {
          queue: entry.queue,
          ...who,
          // A callback goes out through the trunk the call came in on.
          ...(source.kind === 'trunk' ? { trunk: source.trunk } : {}),
        });
        if (result.result === 'exit') {
          // Voicemail and flows are not served yet: end the call rather than leave it open.
          log.warn({ reason: result.reason, destination: result.destination }, 'caller left the queue to a destination not served yet; hanging up');
          if (!hasEnded(call)) await call.hangup('normal');
          return;
        }
        log.info({ result }, 'caller left the queue');
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
      ctx.logger.info({ queueNumbers: entryNumbers.filter((e) => 'queue' in e).length }, 'ingress ready');

      return {
        active: () => active.size,
        close: () => void driver.off('incoming', onIncoming),
      };
    },
    stop: (ingress) => ingress.close(),
    health: (ingress) => ({ status: 'ok', detail: `${ingress.active()} calls in progress` }),
  });
}
