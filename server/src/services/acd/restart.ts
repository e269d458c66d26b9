// Starting the ACD on a database a previous run used: close what a crash left
// open, then load queues and agents (logged-in agents stay logged in;
// persistent lines are called again) and put stored callback requests back in
// line.

import type { Logger } from 'pino';
import type { Database } from '../../store/database.js';
import type { Agent } from './agent-state.js';
import type { AgentRoster } from './agents.js';
import type { CallRecorder } from './recorder.js';
import type { Router } from './router.js';
import type { CallbacksRepository } from './store/callbacks-repo.js';
import type { AgentsRepository } from './store/agents-repo.js';
import type { QueuesRepository } from './store/queues-repo.js';
import { reconcileAfterRestart } from './store/reconcile.js';
import type { WaitingEntry } from './model.js';
import type { WriteQueue } from './write-queue.js';

export interface RestoreDeps {
  db: Database;
  now: number;
  log: Logger;
  router: Router;
  roster: AgentRoster;
  recorder: CallRecorder;
  writes: WriteQueue;
  queuesRepo: QueuesRepository;
  agentsRepo: AgentsRepository;
  callbacksRepo: CallbacksRepository;
  /** Call a logged-in persistent-line agent's phone again (puts them on break when it fails). */
  reconnectLine(agent: Agent): Promise<void>;
  /** Put a stored callback request back in line. */
  putCallback(entry: WaitingEntry, trunk: string | undefined, attempts: number, log: Logger): void;
}

export async function restoreAfterRestart(d: RestoreDeps): Promise<void> {
  const reconciled = await reconcileAfterRestart(d.db, d.now);
  if (reconciled.closedCalls.length > 0 || reconciled.agentChanges.length > 0) {
    d.log.warn({ closedCalls: reconciled.closedCalls.length, agentsReset: reconciled.agentChanges.length }, 'closed calls and reset agents left by the previous run');
  }
  for (const q of await d.queuesRepo.list()) d.router.setQueue(q.definition);
  for (const stored of await d.agentsRepo.list()) {
    const agent = d.roster.put(stored.profile);
    agent.restore(stored.state, stored.stateReason, stored.stateSince);
    d.router.agentChanged(agent.login);
    if (agent.loggedIn && stored.profile.device.type === 'persistent') void d.reconnectLine(agent);
  }
  // Callback requests go back to their place in line (their records stayed open).
  for (const cb of await d.callbacksRepo.list()) {
    if (!d.router.queue(cb.entry.queue)) {
      d.log.warn({ callback: cb.entry.id, queue: cb.entry.queue }, 'callback request for a queue that no longer exists; dropped');
      d.writes.push(() => d.callbacksRepo.delete(cb.entry.id));
      d.recorder.update(cb.entry.id, { outcome: 'failed', endedAt: d.now, endCause: 'queue-removed', live: false });
      continue;
    }
    d.putCallback(cb.entry, cb.trunk, cb.attempts, d.log);
  }
}
