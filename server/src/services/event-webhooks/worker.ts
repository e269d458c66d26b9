// The delivery worker: sends due deliveries with at most `concurrency` in
// flight per subscription (so a receiver that hangs holds up only its own
// deliveries, never another subscription's), records each outcome in the
// queue, and sleeps until the next one is due (or until woken by a new delivery). Nothing here runs on the call path:
// events only add rows (service.ts), this loop does the HTTP.

import type { Logger } from 'pino';
import type { OutboundHttpLimits } from '../../core/outbound-http.js';
import { attemptDelivery, backoffMs } from './attempt.js';
import type { DeliverySettings } from './config-schema.js';
import type { DeliveryQueue, QueuedDelivery } from './queue.js';
import type { Subscription } from './subscriptions.js';

export interface DeliveryCounters {
  delivered: number;
  failedAttempts: number;
  deadLettered: number;
}

/** The longest sleep between two looks at a queue with deliveries pending. */
const MAX_SLEEP_MS = 1_000;
/** Due rows read per look at most. */
const DUE_BATCH = 200;

export class DeliveryWorker {
  readonly counters: DeliveryCounters = { delivered: 0, failedAttempts: 0, deadLettered: 0 };
  /** Deliveries in flight: delivery id → subscription id. */
  readonly #busy = new Map<string, string>();
  readonly #inFlight = new Set<Promise<void>>();
  #timer: NodeJS.Timeout | undefined;
  #pumping = false;
  #again = false;
  #closed = false;
  /** Aborts the attempts in flight when the worker closes (their rows stay pending: sent again after a restart). */
  readonly #stopping = new AbortController();

  constructor(
    private readonly queue: DeliveryQueue,
    private readonly subscription: (id: string) => Subscription | undefined,
    private readonly settings: DeliverySettings,
    private readonly limits: OutboundHttpLimits,
    private readonly logger: Logger,
  ) {}

  /** Look at the queue now (a delivery was added or revived). */
  wake(): void {
    if (this.#closed) return;
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    clearTimeout(this.#timer);
    this.#timer = undefined;
    void this.#pump();
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      do {
        this.#again = false;
        const perSubscription = new Map<string, number>();
        for (const sub of this.#busy.values()) perSubscription.set(sub, (perSubscription.get(sub) ?? 0) + 1);
        const full = new Set([...perSubscription].filter(([, n]) => n >= this.settings.concurrency).map(([sub]) => sub));
        for (const d of await this.queue.due(Date.now(), DUE_BATCH, new Set(this.#busy.keys()), full)) {
          const n = perSubscription.get(d.subscriptionId) ?? 0;
          if (n >= this.settings.concurrency) continue;
          perSubscription.set(d.subscriptionId, n + 1);
          this.#start(d);
        }
      } while (this.#again && !this.#closed);
      if (this.#closed) return;
      // Nothing pending: sleep until woken (every row is added or revived through this service, which wakes the worker).
      const next = await this.queue.nextDueAt();
      if (next !== undefined) this.#timer = setTimeout(() => this.wake(), Math.max(0, Math.min(MAX_SLEEP_MS, next - Date.now())));
    } catch (err) {
      this.logger.error({ err }, 'webhook queue unreadable; trying again shortly');
      if (!this.#closed) this.#timer = setTimeout(() => this.wake(), MAX_SLEEP_MS);
    } finally {
      this.#pumping = false;
      // Woken while busy reading: look again now rather than at the timer.
      if (this.#again && !this.#closed) this.wake();
    }
  }

  #start(d: QueuedDelivery): void {
    this.#busy.set(d.id, d.subscriptionId);
    const run = this.#deliver(d)
      .catch((err: unknown) => this.logger.error({ err, delivery: d.id }, 'webhook delivery could not be recorded'))
      .finally(() => {
        this.#busy.delete(d.id);
        this.#inFlight.delete(run);
        this.wake();
      });
    this.#inFlight.add(run);
  }

  async #deliver(d: QueuedDelivery): Promise<void> {
    const sub = this.subscription(d.subscriptionId);
    if (!sub) {
      await this.queue.delivered(d.id);
      this.logger.warn({ delivery: d.id, subscription: d.subscriptionId }, 'webhook delivery dropped: its subscription is gone');
      return;
    }
    const now = Date.now();
    const callId = callIdOf(d.body);
    const log = this.logger.child({ delivery: d.id, subscription: sub.id, event: d.type, ...(callId ? { callId } : {}) });
    const result = await attemptDelivery(sub, d, { timeoutMs: this.settings.timeoutMs, limits: this.limits, now, stop: this.#stopping.signal });
    if (this.#closed) return;
    const attempts = d.attempts + 1;
    if (result.ok) {
      await this.queue.delivered(d.id);
      this.counters.delivered += 1;
      log.info({ status: result.status, attempts }, 'webhook delivered');
      return;
    }
    this.counters.failedAttempts += 1;
    if (!result.retry || attempts >= this.settings.attempts) {
      await this.queue.deadLetter(d.id, attempts, result.error);
      this.counters.deadLettered += 1;
      log.warn({ error: result.error, attempts }, 'webhook delivery failed for good: in the dead-letter list');
      return;
    }
    const delay = result.retryAfterMs !== undefined
      ? Math.min(this.settings.retryMaxMs, result.retryAfterMs)
      : backoffMs(attempts, this.settings.retryBaseMs, this.settings.retryMaxMs);
    await this.queue.retryLater(d.id, attempts, Date.now() + delay, result.error);
    log.info({ error: result.error, attempts, retryInMs: delay }, 'webhook delivery failed; retrying later');
  }

  /** Stop looking at the queue and end the attempts in flight, leaving them pending. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#stopping.abort();
    await Promise.allSettled([...this.#inFlight]);
  }
}

function callIdOf(body: string): string | undefined {
  try {
    const data = (JSON.parse(body) as { data?: { callId?: unknown } }).data;
    return typeof data?.callId === 'string' ? data.callId : undefined;
  } catch {
    return undefined;
  }
}
