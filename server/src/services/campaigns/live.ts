// The campaigns as the supervisor's live monitor shows them (LiveSnapshot.campaigns):
// who can take calls, what is dialing now, today's attempts and the abandon rate
// over each campaign's compliance window. Active campaigns (running, paused) first.

import type { LiveCampaign } from '../live-events/index.js';
import type { Database } from '../../store/database.js';
import type { AcdService } from '../acd/index.js';
import { instantOf, wallOf } from '../reports/index.js';
import { abandonWindowMs } from './model.js';
import type { AttemptsRepository } from './store/attempts.js';
import type { StoredCampaign } from './store/campaigns.js';

const DAY_MS = 24 * 3_600_000;
const ACTIVE = new Set(['running', 'paused']);

/** Local midnight before `now` in the time zone, as an instant. */
export function startOfDay(timeZone: string, now: number): number {
  const wall = wallOf(timeZone, now);
  return instantOf(timeZone, wall - (wall % DAY_MS));
}

interface Counts {
  campaign: string;
  n: number;
}

interface TodayRow {
  campaign: string;
  attempts: number;
  connected: number;
  abandoned: number;
}

export async function liveCampaigns(deps: {
  db: Database; attempts: AttemptsRepository; acd: AcdService; campaigns: readonly StoredCampaign[]; now: number; timeZone: string;
}): Promise<LiveCampaign[]> {
  const { db, now } = deps;
  const since = startOfDay(deps.timeZone, now);
  const byCampaign = <T extends { campaign: string }>(rows: T[]): Map<string, T> => new Map(rows.map((r) => [r.campaign, r]));
  // Not-yet-answered attempts still open: the INVITE is out (trying or ringing).
  const inFlight = byCampaign(await db.all<Counts>(
    `SELECT campaign, COUNT(*) AS n FROM campaign_attempts WHERE status = 'dialing' AND answered_at IS NULL GROUP BY campaign`,
  ));
  const today = byCampaign(await db.all<TodayRow>(
    `SELECT campaign,
            SUM(CASE WHEN outcome IS NULL OR outcome NOT IN ('dnc-blocked', 'skipped') THEN 1 ELSE 0 END) AS attempts,
            SUM(CASE WHEN outcome = 'answered-human' THEN 1 ELSE 0 END) AS connected,
            SUM(CASE WHEN outcome = 'abandoned' THEN 1 ELSE 0 END) AS abandoned
     FROM campaign_attempts WHERE started_at >= ? GROUP BY campaign`,
    [since],
  ));
  const remaining = byCampaign(await db.all<Counts>(`SELECT campaign, COUNT(*) AS n FROM campaign_records WHERE state <> 'done' GROUP BY campaign`));

  const result: LiveCampaign[] = [];
  for (const c of deps.campaigns) {
    const def = c.definition;
    const agents = deps.acd.queueAgents(def.queue);
    const window = await deps.attempts.abandonWindow(def.name, now - abandonWindowMs(def.abandonWindow));
    const day = today.get(def.name);
    result.push({
      name: def.name, mode: def.mode, status: c.status, queue: def.queue,
      agentsAssigned: agents.length, agentsReady: agents.filter((a) => a.state === 'ready').length,
      inFlight: inFlight.get(def.name)?.n ?? 0,
      attemptsToday: day?.attempts ?? 0, connectedToday: day?.connected ?? 0, abandonedToday: day?.abandoned ?? 0,
      abandonRatePercent: window.liveAnswered > 0 ? Math.round((window.abandoned / window.liveAnswered) * 10_000) / 100 : null,
      remaining: remaining.get(def.name)?.n ?? 0,
    });
  }
  return result.sort((a, b) => Number(ACTIVE.has(b.status)) - Number(ACTIVE.has(a.status)) || a.name.localeCompare(b.name));
}
