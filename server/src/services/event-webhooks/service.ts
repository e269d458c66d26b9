// Outbound event webhooks (`eventWebhooks`, not the `webhooks` service that
// script actions call): admins subscribe URLs to bus events; each event a
// subscription names becomes a row in the delivery queue (SQLite, so a restart
// loses nothing) and the worker POSTs it, signed, with retries and a
// dead-letter list. The bus handler only starts an insert: a slow or dead
// receiver never delays a call.
//
// The site file is authoritative for the subscriptions it declares (written
// again at every start, origin 'config'); the admin API's (origin 'api') persist.

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { TenorConfig } from '../../config/schema.js';
import type { TenorEvent } from '../../core/events.js';
import { defineService } from '../../core/service-manager.js';
import { TenorError } from '../../core/errors.js';
import { openSealedBox } from '../../core/sealed-box.js';
import '../store.js';
import '../events.js';
import { callView } from '../acd/index.js';
import { deliverableEventNames, unknownEvents } from './catalogue.js';
import { deliverySettings, type FileSubscriptionConfig } from './config-schema.js';
import { eventWebhookMigrations } from './migrations.js';
import { DeliveryQueue, type DeadLetter } from './queue.js';
import { eventWebhookRoutes } from './routes.js';
import { SubscriptionStore, viewOf, type Subscription, type SubscriptionView } from './subscriptions.js';
import { DeliveryWorker, type DeliveryCounters } from './worker.js';

export interface SubscriptionInput {
  url: string;
  events: string[];
  /** Kept when omitted on an existing subscription; required for a new one. */
  secret?: string;
  enabled?: boolean;
}

export interface EventWebhooksService {
  list(): SubscriptionView[];
  save(id: string, input: SubscriptionInput): Promise<SubscriptionView>;
  /** False for an unknown subscription; its queued deliveries and dead letters go with it. */
  remove(id: string): Promise<boolean>;
  deadLetters(): Promise<DeadLetter[]>;
  /** Put a dead letter back in the queue with fresh attempts, due now; false when there is none. */
  retry(id: string): Promise<boolean>;
  discard(id: string): Promise<boolean>;
  /** Deliveries sent, failed attempts, dead-lettered since start, and the pending count now (for /metrics). */
  figures(): Promise<DeliveryCounters & { pending: number }>;
  /** Resolves once the events published so far are in the queue (tests, shutdown). */
  settled(): Promise<void>;
}

declare module '../../core/service-manager.js' {
  interface ServiceMap {
    eventWebhooks: EventWebhooksService;
  }
}

interface Running extends EventWebhooksService {
  close(): Promise<void>;
}

/** The file's secret, from where the file says it is (config-schema.ts checks exactly one is given). */
function fileSecret(s: FileSubscriptionConfig, baseDir: string, env: NodeJS.ProcessEnv): string {
  if (s.secret !== undefined) return s.secret;
  const where = s.secretEnv !== undefined ? `environment variable ${s.secretEnv}` : `file ${s.secretFile ?? ''}`;
  const value = s.secretEnv !== undefined ? env[s.secretEnv] : readFileSync(path.resolve(baseDir, s.secretFile ?? ''), 'utf8').trim();
  if (value === undefined || value.length < 16) {
    throw new TenorError('TENOR_ERR_CONFIG_INVALID', [`webhooks subscription '${s.id}': the secret in ${where} is missing or shorter than 16 characters`]);
  }
  return value;
}

export function eventWebhooksService(config: Pick<TenorConfig, 'webhooks' | 'dataDir' | 'baseDir' | 'outboundHttp'>, env: NodeJS.ProcessEnv = process.env) {
  return defineService<Running>({
    name: 'eventWebhooks',
    version: '1.0.0',
    description: 'Outbound event webhooks: signed POSTs of bus events to subscribed URLs, queued, retried, dead letters',
    dependsOn: ['store', 'events', 'acd'],
    routes: { plugin: eventWebhookRoutes },
    async start(ctx) {
      const db = ctx.get('store');
      await db.migrate(eventWebhookMigrations);
      const store = new SubscriptionStore(db, openSealedBox(config.dataDir));
      const queue = new DeliveryQueue(db);
      const acd = ctx.get('acd');

      const stored = await store.list();
      const subscriptions = new Map(stored.subscriptions.map((s) => [s.id, s]));
      // Secrets sealed with a key older than the newest (after tenor rotate-sealing-key): sealed again with it.
      for (const id of stored.stale) {
        const sub = subscriptions.get(id);
        if (sub) await store.save(sub);
      }
      const fileSubs = config.webhooks.subscriptions ?? [];
      const inFile = new Set(fileSubs.map((s) => s.id));
      for (const f of fileSubs) {
        const sub: Subscription = { id: f.id, url: f.url, events: [...f.events], secret: fileSecret(f, config.baseDir, env), enabled: f.enabled ?? true, origin: 'config' };
        await store.save(sub);
        subscriptions.set(sub.id, sub);
      }
      for (const [id, s] of subscriptions) {
        if (s.origin === 'config' && !inFile.has(id)) {
          await store.remove(id);
          await queue.dropSubscription(id);
          subscriptions.delete(id);
          ctx.logger.info({ subscription: id }, 'webhook subscription no longer in the site file: removed with its deliveries');
        }
      }

      const worker = new DeliveryWorker(queue, (id) => subscriptions.get(id), deliverySettings(config.webhooks), config.outboundHttp, ctx.logger);

      /** The body's data: the event's payload; call events carry the call record as GET /api/calls/:id shows it. */
      const dataOf = async (event: TenorEvent): Promise<object> => {
        const payload = event.payload as object;
        const recordId = event.type === 'call_ended' ? (payload as { recordId: string }).recordId
          : event.type === 'call_answered' ? (payload as { callId: string }).callId : undefined;
        if (recordId === undefined) return payload;
        const record = await acd.callRecord(recordId);
        if (!record) return payload;
        const extra = await acd.callRecordFields([record.id]);
        return { ...payload, record: { ...callView(record), ...extra.get(record.id) } };
      };

      const enqueue = async (event: TenorEvent, targets: Subscription[]): Promise<void> => {
        const data = await dataOf(event);
        await queue.add(targets.map((sub) => {
          const id = randomUUID();
          return { id, subscriptionId: sub.id, type: event.type, body: JSON.stringify({ id, type: event.type, at: event.at, data }) };
        }), Date.now());
        worker.wake();
      };

      const pending = new Set<Promise<void>>();
      const onEvent = (event: TenorEvent): void => {
        if (!deliverableEventNames.has(event.type)) return;
        const targets = [...subscriptions.values()].filter((s) => s.enabled && s.events.includes(event.type));
        if (targets.length === 0) return;
        // After the publisher's turn and any I/O already waiting (media, SIP): the database write is never on the call's path.
        const job: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
          .then(() => enqueue(event, targets))
          .catch((err: unknown) => ctx.logger.error({ err, event: event.type, callId: (event.payload as { callId?: string }).callId }, 'event not queued for its webhooks'))
          .finally(() => pending.delete(job));
        pending.add(job);
      };
      const bus = ctx.get('events');
      let unsubscribe = bus.subscribeAll(onEvent);
      ctx.whenReplaced('events', () => {
        unsubscribe();
        unsubscribe = bus.subscribeAll(onEvent);
      });
      worker.wake();
      ctx.logger.info({ subscriptions: subscriptions.size, pending: await queue.pendingCount() }, 'event webhooks ready');

      return {
        list: () => [...subscriptions.values()].sort((a, b) => a.id.localeCompare(b.id)).map(viewOf),
        async save(id, input) {
          const problem = unknownEvents(input.events)[0];
          if (problem) throw new TenorError('TENOR_ERR_VALIDATION', [`events.${problem.index}: ${problem.message}`]);
          const before = subscriptions.get(id);
          const secret = input.secret ?? before?.secret;
          if (secret === undefined) throw new TenorError('TENOR_ERR_VALIDATION', ['secret: a new subscription needs a secret (at least 16 characters)']);
          const sub: Subscription = { id, url: input.url, events: [...new Set(input.events)], secret, enabled: input.enabled ?? true, origin: 'api' };
          await store.save(sub);
          subscriptions.set(id, sub);
          ctx.logger.info({ subscription: id, url: sub.url, events: sub.events, enabled: sub.enabled }, 'webhook subscription saved');
          return viewOf(sub);
        },
        async remove(id) {
          if (!subscriptions.has(id)) return false;
          await store.remove(id);
          await queue.dropSubscription(id);
          subscriptions.delete(id);
          ctx.logger.info({ subscription: id }, 'webhook subscription removed');
          return true;
        },
        deadLetters: () => queue.deadLetters(),
        async retry(id) {
          const ok = await queue.revive(id, Date.now());
          if (ok) {
            ctx.logger.info({ delivery: id }, 'dead letter queued again');
            worker.wake();
          }
          return ok;
        },
        async discard(id) {
          const ok = await queue.discard(id);
          if (ok) ctx.logger.info({ delivery: id }, 'dead letter discarded');
          return ok;
        },
        figures: async () => ({ ...worker.counters, pending: await queue.pendingCount() }),
        async settled() {
          await Promise.all([...pending]);
        },
        async close() {
          unsubscribe();
          await Promise.all([...pending]);
          await worker.close();
        },
      };
    },
    stop: (running) => running.close(),
  });
}
