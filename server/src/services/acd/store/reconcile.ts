// What a restart (even after `kill -9`) puts right before the ACD takes calls
// again: calls that were live are gone, so their records are closed with cause
// "server-restart" (callback requests still waiting keep their record open:
// they go back in line), and no agent stays offered, on a call or in wrap-up for a
// call that no longer exists. Logged-in agents stay logged in (ready or on
// their break); logged-out agents stay logged out. One transaction: all or nothing.

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
      const change: AgentStateChange = { login: stored.profile.login, from: stored.state, to: 'ready', reason: RESTART_CAUSE, at: now, callId: undefined };
      await agents.saveState(change.login, 'ready', RESTART_CAUSE, now);
      await log.append(change);
      agentChanges.push(change);
    }
    return { closedCalls, agentChanges };
  });
}
