// Inbound calls, top to bottom:
//   1. an INVITE comes in (the telephony engine's 'incoming');
//   2. the dialed number is looked up in the routing table (the entryNumbers
//      service): nothing declared, or a flow that is not live → refused
//      ('unreachable');
//   3. the caller is identified in the CRM (segment → priority) and answered
//      (inbound-caller.ts);
//   4. the call is handed to the IVR (a flow) or the ACD (a queue); a caller
//      who leaves a queue for voicemail or a flow goes to the IVR from there.

import type { Call, IncomingCall } from '@tenor/telephony';
import { defineService } from '../core/service-manager.js';
import './acd/index.js';
import './crm/index.js';
import './entry-numbers/index.js';
import './events.js';
import './telephony/index.js';
import './ivr/index.js';
import { answerIdentified, enqueueCaller } from './inbound-caller.js';

export { SEGMENT_PRIORITY, UNKNOWN_CALLER_PRIORITY } from './inbound-caller.js';

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
  close(): void;
}

declare module '../core/service-manager.js' {
  interface ServiceMap {
    ingress: IngressService;
  }
}

/** A call whose handling failed: refused while it rings, hung up once answered. */
async function endFailed(call: Call): Promise<void> {
  if (call.state === 'ringing' || call.state === 'early') await call.reject('failed');
  else if (call.state === 'answered') await call.hangup('failed');
}

export function ingressService() {
  return defineService<IngressService>({
    name: 'ingress',
    version: '1.0.0',
    description: 'Inbound calls to entry numbers: into ACD queues or IVR flows',
    dependsOn: ['telephony', 'entryNumbers', 'acd', 'crm', 'events', 'ivr'],
    start(ctx) {
      const driver = ctx.get('telephony');
      const entryNumbers = ctx.get('entryNumbers');
      const acd = ctx.get('acd');
      const crm = ctx.get('crm');
      const bus = ctx.get('events');
      const ivr = ctx.get('ivr');
      const active = new Set<string>();

      const refuse = async (call: Call, reason: 'unknown-number' | 'flow-not-served'): Promise<void> => {
        ctx.logger.info({ callId: call.id, from: call.from.number, to: call.to.number, reason }, 'call refused');
        bus.publish('call_rejected', { callId: call.id, from: call.from.number, to: call.to.number, reason });
        if (call.state !== 'ended') await call.reject('unreachable');
      };

      const take = async ({ call, source }: IncomingCall): Promise<void> => {
        const log = ctx.logger.child({ callId: call.id });
        const from = call.from.number;
        const to = call.to.number;

        const target = entryNumbers.lookup(to);
        if (!target) return refuse(call, 'unknown-number');
        if ('flow' in target && !ivr.flow(target.flow)) return refuse(call, 'flow-not-served');

        const who = await answerIdentified(call, crm, log);
        if (!who) return;
        const trunk = source.kind === 'trunk' ? source.trunk : undefined;

        if ('flow' in target) {
          log.info({ from, to, flow: target.flow, customerId: who.customerId }, 'call answered into a flow');
          return ivr.takeCall(call, target.flow, who, trunk);
        }
        log.info({ from, to, queue: target.queue, customerId: who.customerId, priority: who.priority }, 'call answered; into the queue');
        bus.publish('call_arrived', { callId: call.id, from, to, queue: target.queue, customerId: who.customerId });
        const result = await enqueueCaller(acd, call, { queue: target.queue, who, trunk });
        log.info({ result }, 'caller left the queue');
        // Voicemail or a flow: the call is still up, and the IVR takes it from here.
        if (result.result === 'exit') await ivr.followQueueExit(call, result.destination, who, trunk);
      };

      const onIncoming = (incoming: IncomingCall): void => {
        const { call } = incoming;
        active.add(call.id);
        take(incoming)
          .catch(async (err: unknown) => {
            ctx.logger.error({ err, callId: call.id }, 'inbound call failed');
            await endFailed(call).catch((endErr: unknown) => ctx.logger.debug({ err: endErr, callId: call.id }, 'could not end the failed call'));
          })
          .finally(() => active.delete(call.id));
      };
      driver.on('incoming', onIncoming);
      // A new engine has no listener: calls it takes come here too (the old one's go on until it stops).
      ctx.whenReplaced('telephony', () => void driver.on('incoming', onIncoming));
      ctx.logger.info('ingress ready');

      return {
        active: () => active.size,
        close: () => void driver.off('incoming', onIncoming),
      };
    },
    stop: (ingress) => ingress.close(),
    health: (ingress) => ({ status: 'ok', detail: `${ingress.active()} calls in progress` }),
  });
}
