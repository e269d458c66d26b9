// Who is calling: the CRM customer with the caller's number, and the priority
// their segment earns in a queue (higher is served first):
//   A → 2 (high), B → 1 (normal), C → 0 (low); an unknown caller → 1 (normal).
// Used by the ingress for queue numbers and by the IVR when a flow ends in a queue.

import type { Logger } from 'pino';
import type { EnqueueOptions } from '../acd/index.js';
import type { CrmService } from '../crm/index.js';

export const SEGMENT_PRIORITY: Readonly<Record<string, number>> = { A: 2, B: 1, C: 0 };
export const UNKNOWN_CALLER_PRIORITY = 1;

export type CallerIdentity = Pick<EnqueueOptions, 'customerId' | 'customerName' | 'segment' | 'priority'> & {
  /** The customer record, for a flow's `customer.*` references. */
  customer?: Record<string, unknown>;
};

export async function identifyCaller(crm: Pick<CrmService, 'findCustomersByPhone'>, number: string, log: Logger): Promise<CallerIdentity> {
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
