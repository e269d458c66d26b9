// The webhooks' tables (ids 0790–0799): the subscriptions (the site file's,
// origin 'config', written again at every start; the admin API's, origin
// 'api', kept) with their secrets sealed; and the delivery queue, so a restart
// loses no pending delivery. A delivered row is deleted; one that used up its
// attempts stays as 'dead' (the dead-letter list) until retried or discarded.

import type { Migration } from '../../store/database.js';

export const eventWebhookMigrations: readonly Migration[] = [
  {
    id: '0790-event-webhooks',
    up: `
      CREATE TABLE webhook_subscriptions (
        id TEXT PRIMARY KEY,
        url TEXT NOT NULL,
        events TEXT NOT NULL,
        sealed_secret TEXT NOT NULL,
        enabled INTEGER NOT NULL,
        origin TEXT NOT NULL CHECK (origin IN ('config', 'api')),
        updated_at TEXT NOT NULL
      );
      CREATE TABLE webhook_deliveries (
        id TEXT PRIMARY KEY,
        subscription_id TEXT NOT NULL,
        event_type TEXT NOT NULL,
        body TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'dead')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        last_error TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
    `,
  },
];
