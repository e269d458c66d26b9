// The agent's recent calls for their day: the ACD's call records the agent
// handled since the day began, newest first, each with the disposition the
// agent (or the script) gave it on the customer's timeline, when the CRM is installed.

import type { ServiceManager } from '../../core/service-manager.js';
import type { AuthUser } from '../../http/auth.js';
import { playableRecordings } from '../recordings/index.js';
import '../acd/index.js';
import '../crm/index.js';

export interface RecentCall {
  id: string;
  direction: 'inbound' | 'outbound';
  /** The customer's number: the caller of an inbound call, the called number of an outbound one. */
  number: string;
  customerId: string | null;
  queue: string | null;
  answeredAt: string | null;
  endedAt: string | null;
  talkSeconds: number | null;
  outcome: string | null;
  disposition: string | null;
  /** The call's recording, when the one asking may play it (docs/recording.md, "Playback"). */
  recordingId: string | null;
}

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

/** The agent's calls since `since`, newest first; `viewer` is who asks (what recordings they may play). */
export async function recentCallsOf(services: ServiceManager, agent: string, since: number, limit: number, viewer: AuthUser): Promise<RecentCall[]> {
  if (limit === 0) return [];
  const records = await services.get('acd').callRecords({ agent, from: since, limit });
  const recordings = await playableRecordings(services, viewer, records.map((r) => r.id));
  const crm = services.has('crm') ? services.get('crm') : undefined;
  const interactions = crm?.hasContactHistory ? crm.entity('Interaction') : undefined;
  const calls: RecentCall[] = [];
  for (const r of records) {
    let disposition: string | null = null;
    if (interactions) {
      // The newest disposition given on the call's timeline entries (the notes form, a script's end).
      const { items } = await interactions.list({ where: { callId: r.id }, orderBy: 'occurredAt', desc: true, limit: 20 });
      const given = items.find((i) => typeof i['disposition'] === 'string' && i['disposition'] !== '');
      disposition = (given?.['disposition'] as string | undefined) ?? null;
    }
    calls.push({
      id: r.id,
      direction: r.direction,
      number: r.direction === 'inbound' ? r.from : r.to,
      customerId: r.customerId ?? null,
      queue: r.queue ?? null,
      answeredAt: iso(r.answeredAt),
      endedAt: iso(r.endedAt),
      talkSeconds: r.talkMs === undefined ? null : Math.round(r.talkMs / 10) / 100,
      outcome: r.outcome ?? null,
      disposition,
      recordingId: recordings.get(r.id) ?? null,
    });
  }
  return calls;
}
