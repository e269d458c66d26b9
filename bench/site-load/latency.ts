// ACD offer latency from the server's own timestamps: a caller entered a queue
// ('contact queued'), the ACD chose an agent ('offering contact'), the engine
// sent the INVITE to the agent's phone ('placing call', logged just before the
// request is written). When no agent was free at the caller's arrival the
// caller waits for one, which is staffing, not the ACD's speed: the dispatch
// latency counts from the later of the caller's queueing and the offered
// agent's last turn to ready (the state log in the database).

import type { OfferTimeline } from './server.js';

export interface OfferLatency {
  /** Offers whose INVITE was found. */
  offers: number;
  /** Offers made to an agent who was not yet ready when the caller was queued (the caller waited for an agent). */
  waitedForAgent: number;
  /** From the later of (caller queued, agent ready) to the INVITE sent, ms. */
  dispatchMs: { p50: number; p99: number; max: number };
  /** From the caller queued to the INVITE sent, waiting for a free agent included, ms. */
  queuedToInviteMs: { p50: number; p99: number; max: number };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

const summary = (values: number[]): { p50: number; p99: number; max: number } => {
  const s = [...values].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p99: percentile(s, 99), max: s[s.length - 1] ?? Number.NaN };
};

/** The last time at or before `at` that the agent turned ready, from ascending times. */
function readySince(times: number[] | undefined, at: number): number | undefined {
  if (!times) return undefined;
  let found: number | undefined;
  for (const t of times) {
    if (t > at) break;
    found = t;
  }
  return found;
}

/**
 * `readyAt`: login → ascending times the agent turned ready; `loginOf`: number
 * dialed → agent. Only offers made at or after `from` count (the steady window).
 */
export function offerLatency(timeline: OfferTimeline, loginOf: Map<string, string>, readyAt: Map<string, number[]>, from: number, to: number): OfferLatency {
  // INVITEs per agent, in order; each offer takes the first INVITE to its agent at or after it.
  const invites = new Map<string, number[]>();
  for (const i of timeline.invites) {
    const login = loginOf.get(i.number);
    if (login) invites.set(login, [...(invites.get(login) ?? []), i.at]);
  }
  const taken = new Map<string, number>();
  const dispatch: number[] = [];
  const queuedToInvite: number[] = [];
  let waited = 0;
  for (const offer of timeline.offers) {
    const queuedAt = timeline.queued.get(offer.callId);
    for (const login of offer.agents) {
      const list = invites.get(login) ?? [];
      let k = taken.get(login) ?? 0;
      while (k < list.length && (list[k] ?? 0) < offer.at) k++;
      const inviteAt = list[k];
      taken.set(login, k + 1);
      if (inviteAt === undefined || queuedAt === undefined || offer.at < from || offer.at > to) continue;
      const ready = readySince(readyAt.get(login), offer.at) ?? queuedAt;
      if (ready > queuedAt) waited++;
      dispatch.push(inviteAt - Math.max(queuedAt, ready));
      queuedToInvite.push(inviteAt - queuedAt);
    }
  }
  return { offers: dispatch.length, waitedForAgent: waited, dispatchMs: summary(dispatch), queuedToInviteMs: summary(queuedToInvite) };
}
