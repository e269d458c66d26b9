// What a restart (even after `kill -9`) puts right before the ACD takes calls
// again: calls that were live are gone, so their records are closed with cause
// "server-restart" (callback requests still waiting keep their record open:
// they go back in line), and no agent stays offered, on a call or in wrap-up for a
// call that no longer exists: they go ready, or take the break or logout a
// supervisor forced during that call (kept in acd_agents.pending_state). Logged-in
// agents stay logged in (ready or on their break); logged-out agents stay logged
// out. One transaction: all or nothing.

import type { Database } from '../../../store/database.js';
import type { AgentStateChange } from '../agent-state.js';
import { AgentStateLog } from './agent-state-log.js';
import { AgentsRepository } from './agents-repo.js';
import { CallRecordsRepository } from './call-records.js';
import { CallbacksRepository } from './callbacks-repo.js';

export const RESTART_CAUSE = 'server-restart';

export interface ReconcileResult {
  closedCalls: string[];
  agentChanges: AgentStateChange[];
}

export async function reconcileAfterRestart(db: Database, now: number): Promise<ReconcileResult> {
  return db.transaction(async (tx) => {
    const pendingCallbacks = new Set((await new CallbacksRepository(tx).list()).map((c) => c.entry.id));
    const closedCalls = await new CallRecordsRepository(tx).closeLive(RESTART_CAUSE, now, pendingCallbacks);
    const agents = new AgentsRepository(tx);
    const log = new AgentStateLog(tx);
    const agentChanges: AgentStateChange[] = [];
    for (const stored of await agents.list()) {
      if (stored.state !== 'offered' && stored.state !== 'on-call' && stored.state !== 'wrap-up') continue;
      // A break or logout forced during the call is taken now, as the call's end would have.
      const to = stored.pending?.state ?? 'ready';
      const reason = stored.pending?.reason ?? RESTART_CAUSE;
      const change: AgentStateChange = { login: stored.profile.login, from: stored.state, to, reason, at: now, callId: undefined };
      await agents.saveState(change.login, to, reason, now);
      await log.append(change);
      agentChanges.push(change);
    }
    return { closedCalls, agentChanges };
  });
}
