// The contact history: every interaction with a customer, whatever the channel,
// on one timeline, with a summary an agent reads at a glance.

import type { EntityRecord, EntityRepository } from './repository.js';

export interface HistorySummary {
  segment: string | null;
  openCases: number;
  lastContact: string | null;
  contactsLast30Days: number;
}

export interface CustomerHistory {
  customer: EntityRecord;
  summary: HistorySummary;
  items: EntityRecord[];
  total: number;
}

const DAY_MS = 86_400_000;

export async function customerHistory(
  repos: { customers: EntityRepository; interactions: EntityRepository; cases: EntityRepository },
  customerId: number,
  page: { limit: number; offset: number },
  now = new Date(),
): Promise<CustomerHistory> {
  const customer = await repos.customers.get(customerId);
  const where = { customer: customerId };
  const timeline = await repos.interactions.list({ where, orderBy: 'occurredAt', desc: true, ...page });
  const latest = page.offset === 0 ? timeline.items[0] : (await repos.interactions.list({ where, orderBy: 'occurredAt', desc: true, limit: 1 })).items[0];
  const since = new Date(now.getTime() - 30 * DAY_MS).toISOString();
  const recent = await repos.interactions.list({ where, from: { attribute: 'occurredAt', value: since }, limit: 1 });
  let openCases = 0;
  for (const status of ['open', 'pending']) openCases += (await repos.cases.list({ where: { ...where, status }, limit: 1 })).total;
  return {
    customer,
    summary: {
      segment: (customer['segment'] as string | null | undefined) ?? null,
      openCases,
      lastContact: (latest?.['occurredAt'] as string | undefined) ?? null,
      contactsLast30Days: recent.total,
    },
    items: timeline.items,
    total: timeline.total,
  };
}
