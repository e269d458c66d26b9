// The subscriptions, held in memory for the event path and persisted in
// webhook_subscriptions. The secret is sealed at rest (core/sealed-box.ts):
// Tenor must sign with it, so it cannot be hashed. It is never returned by
// the API; views say only that one is set.

import type { SealedBox } from '../../core/sealed-box.js';
import type { SqlExecutor } from '../../store/database.js';

export type Origin = 'config' | 'api';

export interface Subscription {
  id: string;
  url: string;
  events: string[];
  secret: string;
  enabled: boolean;
  origin: Origin;
}

/** What the API shows of a subscription: never the secret. */
export interface SubscriptionView {
  id: string;
  url: string;
  events: string[];
  enabled: boolean;
  origin: Origin;
  hasSecret: true;
}

export const viewOf = (s: Subscription): SubscriptionView =>
  ({ id: s.id, url: s.url, events: [...s.events], enabled: s.enabled, origin: s.origin, hasSecret: true });

interface Row {
  id: string;
  url: string;
  events: string;
  sealed_secret: string;
  enabled: number;
  origin: Origin;
}

export class SubscriptionStore {
  constructor(private readonly db: SqlExecutor, private readonly box: SealedBox) {}

  /** The subscriptions with their secrets opened; `stale` names those sealed with an older key (to seal again: tenor rotate-sealing-key). */
  async list(): Promise<{ subscriptions: Subscription[]; stale: string[] }> {
    const rows = await this.db.all<Row>('SELECT id, url, events, sealed_secret, enabled, origin FROM webhook_subscriptions');
    return {
      subscriptions: rows.map((r) => ({
        id: r.id, url: r.url, events: JSON.parse(r.events) as string[], secret: this.box.open(r.sealed_secret), enabled: r.enabled === 1, origin: r.origin,
      })),
      stale: rows.filter((r) => this.box.isStale(r.sealed_secret)).map((r) => r.id),
    };
  }

  async save(s: Subscription): Promise<void> {
    await this.db.run(
      `INSERT INTO webhook_subscriptions (id, url, events, sealed_secret, enabled, origin, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET url = excluded.url, events = excluded.events, sealed_secret = excluded.sealed_secret,
         enabled = excluded.enabled, origin = excluded.origin, updated_at = excluded.updated_at`,
      [s.id, s.url, JSON.stringify(s.events), this.box.seal(s.secret), s.enabled ? 1 : 0, s.origin, new Date().toISOString()],
    );
  }

  async remove(id: string): Promise<void> {
    await this.db.run('DELETE FROM webhook_subscriptions WHERE id = ?', [id]);
  }
}
