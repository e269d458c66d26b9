// Which past calls have a recording this user may play: what lets the call
// lists (the customer's history, the agent's day) link to the player. The
// rule is the recordings API's own (routes.ts): supervisors and admins, every
// recording; an agent, only where the site sets recording.agentsMayListen and
// only calls they were connected to. Nothing is said about the others, so a
// list never reveals a recording its reader could not open.

import type { ServiceManager } from '../../core/service-manager.js';
import { seesEverything, type AuthUser } from '../../http/auth.js';
import './service.js';

/** Call record id → the id of its newest stored recording this user may play (calls without one are absent). */
export async function playableRecordings(services: ServiceManager, user: AuthUser, callIds: readonly string[]): Promise<Map<string, string>> {
  const playable = new Map<string, string>();
  if (callIds.length === 0 || !services.has('recordings')) return playable;
  const service = services.get('recordings');
  const everything = seesEverything(user);
  if (!everything && (!service.agentsMayListen || user.agent === undefined)) return playable;
  const byCall = await service.repo.forCalls([...new Set(callIds)]);
  for (const [callId, rows] of byCall) {
    // forCalls gives them oldest first: the newest one stored is the one to play.
    for (const r of [...rows].reverse()) {
      if (r.state !== 'stored') continue;
      if (!everything && !(await service.repo.agentWasOn(r.id, user.agent as string))) continue;
      playable.set(callId, r.id);
      break;
    }
  }
  return playable;
}
