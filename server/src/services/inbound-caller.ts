// An inbound caller's first steps, written once for the ingress (entry numbers)
// and the IVR (a flow's queue node): who is calling, answering unless they hung
// up meanwhile, and handing them to an ACD queue with what we know of them.
//
// Who is calling: the CRM customer with the caller's number, and the priority
// their segment earns in a queue (higher is served first):
//   A → 2 (high), B → 1 (normal), C → 0 (low); an unknown caller → 1 (normal).

import type { Call } from '@tenor/telephony';
import type { Logger } from 'pino';
import type { ServiceMap } from '../core/service-manager.js';
import type { CrmService } from './crm/index.js';
import './acd/index.js';

type Acd = ServiceMap['acd'];
export type EnqueueOptions = Parameters<Acd['enqueueCall']>[1];
export type EnqueueResult = Awaited<ReturnType<Acd['enqueueCall']>>;

export const SEGMENT_PRIORITY: Readonly<Record<string, number>> = { A: 2, B: 1, C: 0 };
export const UNKNOWN_CALLER_PRIORITY = 1;

export type CallerIdentity = Pick<EnqueueOptions, 'customerId' | 'customerName' | 'segment' | 'priority'> & {
  /** The customer record, for a flow's `customer.*` references. */
  customer?: Record<string, unknown>;
};

type CustomerLookup = Pick<CrmService, 'findCustomersByPhone'>;

export async function identifyCaller(crm: CustomerLookup, number: string, log: Logger): Promise<CallerIdentity> {
  try {
    const [customer] = await crm.findCustomersByPhone(number);
    if (!customer) return { priority: UNKNOWN_CALLER_PRIORITY };
    const segment = typeof customer['segment'] === 'string' ? customer['segment'] : undefined;
    const name = typeof customer['name'] === 'string' ? customer['name'] : undefined;
    return {
      customerId: String(customer.id),
      ...(name !== undefined ? { customerName: name } : {}),
      ...(segment !== undefined ? { segment } : {}),
      priority: (segment !== undefined ? SEGMENT_PRIORITY[segment] : undefined) ?? UNKNOWN_CALLER_PRIORITY,
      customer,
    };
  } catch (err) {
    // A CRM without customers, or one that fails, must not keep the caller out.
    log.warn({ err }, 'caller not identified');
    return { priority: UNKNOWN_CALLER_PRIORITY };
  }
}

/** Read afresh: a call's state changes while we await (TypeScript would keep an earlier narrowing). */
const hasEnded = (call: Call): boolean => call.state === 'ended';

/**
 * Identify the caller, then answer. Undefined when the caller hung up while
 * the CRM was asked (nothing left to answer).
 */
export async function answerIdentified(call: Call, crm: CustomerLookup, log: Logger): Promise<CallerIdentity | undefined> {
  const who = await identifyCaller(crm, call.from.number, log);
  if (hasEnded(call)) {
    log.info('caller hung up before the call was answered');
    return undefined;
  }
  await call.answer();
  return who;
}

export interface QueueRequest {
  queue: string;
  who: CallerIdentity;
  /** Trunk the call came in on: a callback goes out the same way. */
  trunk: string | undefined;
  /** Overrides the priority the caller's segment earns (a flow's queue node may set one). */
  priority?: number | undefined;
  requiredSkills?: EnqueueOptions['requiredSkills'] | undefined;
}

/** Put an answered caller in a queue; resolves when they leave it (served, abandoned, or an exit). */
export function enqueueCaller(acd: Pick<Acd, 'enqueueCall'>, call: Call, req: QueueRequest): Promise<EnqueueResult> {
  const { who, trunk } = req;
  return acd.enqueueCall(call, {
    queue: req.queue,
    priority: req.priority ?? who.priority ?? UNKNOWN_CALLER_PRIORITY,
    ...(req.requiredSkills !== undefined ? { requiredSkills: req.requiredSkills } : {}),
    ...(who.customerId !== undefined ? { customerId: who.customerId } : {}),
    ...(who.customerName !== undefined ? { customerName: who.customerName } : {}),
    ...(who.segment !== undefined ? { segment: who.segment } : {}),
    ...(trunk !== undefined ? { trunk } : {}),
  });
}
