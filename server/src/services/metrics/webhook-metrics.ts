// The event webhooks' deliveries, read from the eventWebhooks service when
// Prometheus scrapes: counts since start and the queue's depth now.

import { Counter, Gauge, type Registry } from 'prom-client';
import type { EventWebhooksService } from '../event-webhooks/index.js';

export function registerWebhookMetrics(registry: Registry, webhooks: () => EventWebhooksService | undefined): void {
  const registers = [registry];
  const figures = async () => webhooks()?.figures();
  const counter = (name: string, help: string, pick: (f: { delivered: number; failedAttempts: number; deadLettered: number }) => number) =>
    new Counter({
      name, help, registers,
      async collect() {
        const f = await figures();
        this.reset();
        if (f) this.inc(pick(f));
      },
    });
  counter('tenor_webhook_deliveries_total', 'Webhook deliveries the receiver accepted (2xx) since start', (f) => f.delivered);
  counter('tenor_webhook_attempts_failed_total', 'Webhook delivery attempts that failed (network error, timeout, non-2xx) since start', (f) => f.failedAttempts);
  counter('tenor_webhook_dead_letters_total', 'Webhook deliveries moved to the dead-letter list since start', (f) => f.deadLettered);
  new Gauge({
    name: 'tenor_webhook_queue_depth', help: 'Webhook deliveries waiting to be sent now (first attempts and retries)', registers,
    async collect() {
      const f = await figures();
      this.set(f?.pending ?? 0);
    },
  });
}
