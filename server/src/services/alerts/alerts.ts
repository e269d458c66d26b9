// Alerts: rules evaluated on bus events (the quick ones) and on a periodic tick
// (all of them). One problem is one alert: a broken rule raises an alert once
// (alert_raised, an e-mail), it stays active while the rule stays broken, and
// it is cleared (alert_cleared) when the rule holds again. A rule that breaks
// again within the cool-down after it was raised is shown as active but not
// announced again (no event, no e-mail), nor is its clearing.

import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { EventBus } from '../../core/events.js';
import type { MailService } from '../mail.js';
import type { AlertRule, AlertsSettings } from './config-schema.js';
import type { AlertRaisedEvent } from './events.js';
import { breaches, quickRule, type Breach, type Readings } from './rules.js';
import './events.js';

export interface AlertView extends AlertRaisedEvent {
  /** Null while active. */
  clearedAt: string | null;
  /** False when it broke again within the cool-down: shown, not announced. */
  announced: boolean;
}

export interface AlertsOptions {
  settings: AlertsSettings;
  readings: Readings;
  bus: EventBus;
  mail: MailService;
  log: Logger;
  now?: () => number;
}

const RECENT = 100;
/** Bus events after which the quick rules are looked at again. */
const TRIGGERS = ['call_queued', 'call_answered', 'call_abandoned', 'call_exited', 'call_overflowed', 'agent_state_changed'] as const;

export class Alerts {
  readonly #o: AlertsOptions;
  readonly #rules: AlertRule[];
  readonly #now: () => number;
  readonly #active = new Map<string, AlertView>();
  readonly #recent: AlertView[] = [];
  /** When each key was last announced: the cool-down runs from there. */
  readonly #announcedAt = new Map<string, number>();
  #unsubscribe: (() => void)[] = [];
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> = Promise.resolve();
  #quickPending = false;
  #closed = false;

  constructor(opts: AlertsOptions) {
    this.#o = opts;
    this.#rules = opts.settings.rules ?? [];
    this.#now = opts.now ?? Date.now;
  }

  start(): void {
    this.listen();
    if (this.#rules.length === 0) return;
    this.#timer = setInterval(() => void this.evaluate('all'), (this.#o.settings.tickSeconds ?? 10) * 1000);
    this.#timer.unref();
    void this.evaluate('all');
  }

  /** (Re)subscribe to the bus: after the events service was replaced, the new bus. */
  listen(): void {
    for (const off of this.#unsubscribe) off();
    this.#unsubscribe = this.#rules.some(quickRule)
      ? TRIGGERS.map((type) => this.#o.bus.subscribe(type, () => this.#onEvent()))
      : [];
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    for (const off of this.#unsubscribe) off();
  }

  active(): AlertView[] {
    return [...this.#active.values()];
  }

  /** Ended alerts, newest first (at most 100, this process). */
  recent(): AlertView[] {
    return [...this.#recent];
  }

  /** Evaluate the rules ('quick': those events change), one evaluation at a time. */
  evaluate(which: 'quick' | 'all'): Promise<void> {
    this.#running = this.#running.then(() => this.#evaluate(which)).catch((err: unknown) => this.#o.log.error({ err }, 'alert rules failed'));
    return this.#running;
  }

  #onEvent(): void {
    // A burst of events needs one look once it has been published.
    if (this.#quickPending) return;
    this.#quickPending = true;
    setImmediate(() => {
      this.#quickPending = false;
      void this.evaluate('quick');
    });
  }

  async #evaluate(which: 'quick' | 'all'): Promise<void> {
    if (this.#closed) return;
    const rules = which === 'all' ? this.#rules : this.#rules.filter(quickRule);
    const evaluated = new Set(rules.map((r) => r.name));
    const found = new Map<string, Breach>();
    for (const rule of rules) {
      try {
        for (const b of await breaches(rule, this.#o.readings)) found.set(b.key, b);
      } catch (err) {
        // A rule that cannot be read (its service stopped) neither raises nor clears.
        this.#o.log.warn({ err, rule: rule.name }, 'alert rule could not be evaluated');
        evaluated.delete(rule.name);
      }
    }
    if (this.#closed) return;
    for (const [key, alert] of this.#active) {
      if (evaluated.has(alert.rule) && !found.has(key)) this.#clear(key, alert);
    }
    for (const [key, breach] of found) {
      const alert = this.#active.get(key);
      if (alert) {
        alert.value = breach.value;
        alert.message = breach.message;
      } else this.#raise(key, breach);
    }
  }

  #raise(key: string, b: Breach): void {
    const now = this.#now();
    const last = this.#announcedAt.get(key);
    const announced = last === undefined || now - last >= (this.#o.settings.cooldownSeconds ?? 900) * 1000;
    const event: AlertRaisedEvent = {
      id: randomUUID(), rule: b.rule.name, severity: b.rule.severity ?? 'warning',
      ...(b.queue !== undefined ? { queue: b.queue } : {}), ...(b.trunk !== undefined ? { trunk: b.trunk } : {}), ...(b.campaign !== undefined ? { campaign: b.campaign } : {}),
      message: b.message, value: b.value, threshold: b.threshold, at: new Date(now).toISOString(),
    };
    this.#active.set(key, { ...event, clearedAt: null, announced });
    this.#o.log.warn({ alert: event.id, rule: event.rule, queue: b.queue, trunk: b.trunk, campaign: b.campaign, value: b.value, threshold: b.threshold, announced }, 'alert raised');
    if (!announced) return;
    this.#announcedAt.set(key, now);
    this.#o.bus.publish('alert_raised', event);
    void this.#mail(b.rule, event);
  }

  #clear(key: string, alert: AlertView): void {
    this.#active.delete(key);
    const at = new Date(this.#now()).toISOString();
    const ended = { ...alert, clearedAt: at };
    this.#recent.unshift(ended);
    this.#recent.length = Math.min(this.#recent.length, RECENT);
    this.#o.log.info({ alert: alert.id, rule: alert.rule, queue: alert.queue, announced: alert.announced }, 'alert cleared');
    if (!alert.announced) return;
    this.#o.bus.publish('alert_cleared', {
      id: alert.id, rule: alert.rule,
      ...(alert.queue !== undefined ? { queue: alert.queue } : {}), ...(alert.trunk !== undefined ? { trunk: alert.trunk } : {}),
      ...(alert.campaign !== undefined ? { campaign: alert.campaign } : {}), at,
    });
  }

  async #mail(rule: AlertRule, event: AlertRaisedEvent): Promise<void> {
    const to = rule.recipients ?? this.#o.settings.recipients ?? [];
    if (to.length === 0 || !this.#o.mail.configured) return;
    try {
      await this.#o.mail.send({
        to,
        subject: `[Tenor ${event.severity}] ${event.message}`,
        text: [event.message, '', `Rule: ${event.rule}`, `Value: ${event.value}`, `Threshold: ${event.threshold}`, `Raised: ${event.at}`, `Alert id: ${event.id}`].join('\n'),
      });
    } catch (err) {
      this.#o.log.warn({ err, alert: event.id, rule: event.rule }, 'alert e-mail not sent');
    }
  }
}
