// What an agent may see of customers: only those they are handling. The rule
// (docs/access.md):
//   - the customer of the agent's current contact: the call offered to them,
//     the call they are on, or the one they are wrapping up;
//   - the customers of the calls the agent answered within the last
//     RECENT_CALL_WINDOW_MS (a shift), so after-call work (notes, a case, a
//     callback) can be finished after wrap-up ends.
// Supervisors and admins see every customer. A user with the agent role who
// is not an ACD agent handles no calls and so sees no customer.

import { TenorError } from '../../core/errors.js';
import type { ServiceManager } from '../../core/service-manager.js';
import type { AuthUser } from '../../http/auth.js';
import '../acd/index.js';

export const RECENT_CALL_WINDOW_MS = 12 * 3_600_000;

/** Customer ids (as strings) the agent handles now or handled recently. */
export async function customersHandledBy(services: ServiceManager, login: string, now: number = Date.now()): Promise<Set<string>> {
  const ids = new Set<string>();
  if (!services.has('acd')) return ids;
  const acd = services.get('acd');
  const callId = acd.agent(login)?.callId;
  if (callId !== undefined) {
    const waiting = acd.router.entry(callId);
    if (waiting?.customerId !== undefined) ids.add(waiting.customerId);
    const current = await acd.callRecord(callId);
    if (current?.customerId !== undefined) ids.add(current.customerId);
  }
  for (const record of await acd.callRecords({ agent: login, from: now - RECENT_CALL_WINDOW_MS, limit: 500 })) {
    if (record.customerId !== undefined) ids.add(record.customerId);
  }
  return ids;
}

/**
 * The customers (ids as strings) a user may see, for filtering a search or a
 * list by the same rule as single reads: undefined for supervisors and admins (all).
 */
export async function customerScopeOf(services: ServiceManager, user: AuthUser): Promise<Set<string> | undefined> {
  if (user.role === 'supervisor' || user.role === 'admin') return undefined;
  if (user.agent === undefined) return new Set();
  return customersHandledBy(services, user.agent);
}

/** True when the user may read and work on this customer's data. */
export async function mayAccessCustomer(services: ServiceManager, user: AuthUser, customerId: number | string): Promise<boolean> {
  if (user.role === 'supervisor' || user.role === 'admin') return true;
  if (user.agent === undefined) return false;
  return (await customersHandledBy(services, user.agent)).has(String(customerId));
}

/** Throws TENOR_ERR_FORBIDDEN unless the user may access the customer. */
export async function requireCustomerAccess(services: ServiceManager, user: AuthUser, customerId: number | string | null | undefined): Promise<void> {
  if (user.role === 'supervisor' || user.role === 'admin') return;
  if (customerId === null || customerId === undefined || !(await mayAccessCustomer(services, user, customerId))) {
    throw new TenorError('TENOR_ERR_FORBIDDEN');
  }
}
