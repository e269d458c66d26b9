// Queues, agents and campaigns, read from the ACD and the campaigns service
// when Prometheus scrapes (no timer of ours polls them).

import { Gauge, type Registry } from 'prom-client';
import { agentStates, type AcdService } from '../acd/index.js';
import type { CampaignsService } from '../campaigns/index.js';

export function registerContactCenterMetrics(registry: Registry, deps: {
  acd: () => AcdService;
  /** The campaigns service, or undefined when it is not installed or not running. */
  campaigns: () => CampaignsService | undefined;
}): void {
  const registers = [registry];

  new Gauge({
    name: 'tenor_queue_waiting', help: 'Contacts waiting in the queue now (callers and callback requests)', labelNames: ['queue'] as const, registers,
    collect() {
      this.reset();
      const acd = deps.acd();
      for (const q of acd.queues()) this.set({ queue: q.name }, acd.figures(q.name)?.waiting ?? 0);
    },
  });
  new Gauge({
    name: 'tenor_queue_longest_wait_seconds', help: 'How long the contact waiting longest in the queue has waited (0 when nobody waits)', labelNames: ['queue'] as const, registers,
    collect() {
      this.reset();
      const acd = deps.acd();
      for (const q of acd.queues()) this.set({ queue: q.name }, (acd.figures(q.name)?.longestWaitMs ?? 0) / 1000);
    },
  });
  new Gauge({
    name: 'tenor_agents', help: 'Agents by state now (every state listed, 0 included)', labelNames: ['state'] as const, registers,
    collect() {
      const counts = new Map<string, number>(agentStates.map((s) => [s, 0]));
      for (const a of deps.acd().agents()) counts.set(a.state, (counts.get(a.state) ?? 0) + 1);
      for (const [state, n] of counts) this.set({ state }, n);
    },
  });
  new Gauge({
    name: 'tenor_campaign_abandon_ratio',
    help: "Abandoned / live-answered calls of the campaign over its compliance window (the dialer's cap is on this); absent before any live answer",
    labelNames: ['campaign'] as const, registers,
    async collect() {
      this.reset();
      const campaigns = deps.campaigns();
      if (!campaigns) return;
      for (const c of await campaigns.live()) {
        if (c.abandonRatePercent !== null) this.set({ campaign: c.name }, c.abandonRatePercent / 100);
      }
    },
  });
}
