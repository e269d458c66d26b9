// Rules against readings: which rules are broken now, for what (a queue, a
// trunk, a campaign), by how much. Pure apart from the readings it is given;
// alerts.ts turns the answers into raised and cleared alerts.

import type { AlertRule } from './config-schema.js';

export interface QueueReading {
  waiting: number;
  longestWaitSeconds: number;
  agentsReady: number;
}

/** What the rules look at; the service reads them from the ACD, reports, trunks and campaigns. */
export interface Readings {
  queues(): string[];
  queue(name: string): QueueReading | undefined;
  /** Service level in percent over the last `minutes` (null: no call counted). */
  serviceLevel(queue: string, minutes: number): Promise<number | null>;
  /** Trunks that register, with their registration state. */
  trunks(): { name: string; state: string }[];
  /** Campaigns' abandon rates over their windows (null: no live answer yet). */
  campaigns(): Promise<{ name: string; abandonRatePercent: number | null }[]>;
}

/** One rule broken for one subject. */
export interface Breach {
  /** Rule and subject: one alert at a time per key. */
  key: string;
  rule: AlertRule;
  queue?: string;
  trunk?: string;
  campaign?: string;
  value: number;
  threshold: number;
  message: string;
}

/** Rules that only events and the clock change, cheap enough to evaluate on every event. */
export const quickRule = (rule: AlertRule): boolean => rule.type === 'longest-wait' || rule.type === 'agents-ready';

const queuesOf = (rule: { queue?: string | undefined }, r: Readings): string[] => (rule.queue !== undefined ? [rule.queue] : r.queues());

export async function breaches(rule: AlertRule, r: Readings): Promise<Breach[]> {
  const found: Breach[] = [];
  switch (rule.type) {
    case 'longest-wait':
      for (const queue of queuesOf(rule, r)) {
        const q = r.queue(queue);
        if (q && q.waiting > 0 && q.longestWaitSeconds > rule.seconds) {
          found.push({ key: `${rule.name}/queue:${queue}`, rule, queue, value: q.longestWaitSeconds, threshold: rule.seconds,
            message: `A caller in queue ${queue} has waited ${q.longestWaitSeconds} s (limit ${rule.seconds} s)` });
        }
      }
      break;
    case 'agents-ready':
      for (const queue of queuesOf(rule, r)) {
        const q = r.queue(queue);
        if (q && q.agentsReady < rule.fewerThan) {
          found.push({ key: `${rule.name}/queue:${queue}`, rule, queue, value: q.agentsReady, threshold: rule.fewerThan,
            message: `Queue ${queue} has ${q.agentsReady} agent(s) ready (fewer than ${rule.fewerThan})` });
        }
      }
      break;
    case 'service-level': {
      const minutes = rule.minutes ?? 15;
      for (const queue of queuesOf(rule, r)) {
        const level = await r.serviceLevel(queue, minutes);
        if (level !== null && level < rule.belowPercent) {
          found.push({ key: `${rule.name}/queue:${queue}`, rule, queue, value: level, threshold: rule.belowPercent,
            message: `Service level of queue ${queue} is ${level}% over the last ${minutes} min (below ${rule.belowPercent}%)` });
        }
      }
      break;
    }
    case 'trunk-down':
      for (const t of r.trunks()) {
        if ((rule.trunk === undefined || t.name === rule.trunk) && t.state === 'failed') {
          found.push({ key: `${rule.name}/trunk:${t.name}`, rule, trunk: t.name, value: 0, threshold: 1, message: `Trunk ${t.name} is down (registration failed)` });
        }
      }
      break;
    case 'dialer-abandon-rate':
      for (const c of await r.campaigns()) {
        if ((rule.campaign === undefined || c.name === rule.campaign) && c.abandonRatePercent !== null && c.abandonRatePercent > rule.abovePercent) {
          found.push({ key: `${rule.name}/campaign:${c.name}`, rule, campaign: c.name, value: c.abandonRatePercent, threshold: rule.abovePercent,
            message: `Campaign ${c.name} abandons ${c.abandonRatePercent}% of live answers (above ${rule.abovePercent}%)` });
        }
      }
      break;
  }
  return found;
}
