// The agents the ACD knows, with the bookkeeping around every state change:
// the router re-indexes the agent, the change is appended to the agent state
// log and saved as the agent's current state (in order, off the routing path),
// and agent_state_changed is published. Wrap-up timers live here too.

import type { Logger } from 'pino';
import type { EventBus } from '../../core/events.js';
import { TenorError } from '../../core/errors.js';
import { Agent, type AgentStateChange } from './agent-state.js';
import type { Clock, TimerHandle } from './clock.js';
import type { AgentProfile } from './model.js';
import type { Router } from './router.js';
import type { AgentStateLog } from './store/agent-state-log.js';
import type { AgentsRepository } from './store/agents-repo.js';
import type { WriteQueue } from './write-queue.js';
import './events.js';

export interface AgentRosterDeps {
  router: Router;
  clock: Clock;
  bus: EventBus;
  writes: WriteQueue;
  agentsRepo: AgentsRepository;
  stateLog: AgentStateLog;
  logger: Logger;
  /** An agent became ready (to route a waiting contact to it). */
  onReady(login: string): void;
  /** The agent was logged out (asked now, or pending and taken when a call's work ended). */
  onLoggedOut(agent: Agent): void;
  /** A wrap-up ended, with the wrap-up time of the call it followed (for the call record). */
  onWrapUpEnded(agent: Agent, callId: string | undefined, wrapUpMs: number): void;
}

export class AgentRoster {
  readonly #deps: AgentRosterDeps;
  readonly #agents = new Map<string, Agent>();
  readonly #wrapUpTimers = new Map<string, TimerHandle>();

  constructor(deps: AgentRosterDeps) {
    this.#deps = deps;
  }

  get(login: string): Agent | undefined {
    return this.#agents.get(login);
  }

  require(login: string): Agent {
    const agent = this.#agents.get(login);
    if (!agent) throw new TenorError('TENOR_ERR_NOT_FOUND', [`agent '${login}'`]);
    return agent;
  }

  all(): Agent[] {
    return [...this.#agents.values()];
  }

  /** Add or update an agent's profile; its state is kept. */
  put(profile: AgentProfile): Agent {
    let agent = this.#agents.get(profile.login);
    if (agent) agent.profile = profile;
    else this.#agents.set(profile.login, (agent = new Agent(profile, this.#deps.clock.now())));
    this.#deps.router.setAgent(agent);
    return agent;
  }

  delete(login: string): void {
    this.#wrapUpTimers.get(login)?.cancel();
    this.#wrapUpTimers.delete(login);
    this.#agents.delete(login);
    this.#deps.router.removeAgent(login);
  }

  /** Record a change made on an agent (by an Agent method) everywhere it must be seen. */
  apply(agent: Agent, change: AgentStateChange | undefined): AgentStateChange | undefined {
    if (!change) return undefined;
    const { router, bus, writes, agentsRepo, stateLog, logger } = this.#deps;
    router.agentChanged(agent.login);
    (change.callId ? logger.child({ callId: change.callId }) : logger).info(
      { agent: change.login, from: change.from, to: change.to, reason: change.reason }, 'agent state changed',
    );
    // The pending change as it is now (a change taken clears it), saved with the state.
    const pending = agent.pending && { ...agent.pending };
    writes.push(async () => {
      await stateLog.append(change);
      await agentsRepo.saveState(change.login, change.to, change.reason, change.at, pending);
    });
    bus.publish('agent_state_changed', { ...change, at: new Date(change.at).toISOString() });
    if (change.to === 'wrap-up' && agent.wrapUpUntil !== undefined) this.#startWrapUp(agent, agent.wrapUpUntil - change.at);
    if (change.from === 'wrap-up') {
      this.#wrapUpTimers.get(agent.login)?.cancel();
      this.#wrapUpTimers.delete(agent.login);
    }
    // Routed after the current step has finished its own bookkeeping (e.g. putting a missed contact back).
    if (change.to === 'ready') queueMicrotask(() => this.#deps.onReady(agent.login));
    if (change.to === 'logged-out') this.#deps.onLoggedOut(agent);
    return change;
  }

  /** Save the change a busy agent has pending (agent.defer), so a restart before the call's work ends takes it. */
  savePending(agent: Agent): void {
    const { writes, agentsRepo } = this.#deps;
    const pending = agent.pending && { ...agent.pending };
    writes.push(() => agentsRepo.savePending(agent.login, pending));
  }

  endWrapUp(agent: Agent, reason: string): void {
    if (agent.state !== 'wrap-up') throw new TenorError('TENOR_ERR_VALIDATION', [`agent '${agent.login}' is not in wrap-up`]);
    const callId = agent.callId;
    const started = agent.stateSince;
    const now = this.#deps.clock.now();
    this.apply(agent, agent.endWrapUp(reason, now));
    this.#deps.onWrapUpEnded(agent, callId, now - started);
  }

  #startWrapUp(agent: Agent, ms: number): void {
    this.#wrapUpTimers.get(agent.login)?.cancel();
    this.#wrapUpTimers.set(
      agent.login,
      this.#deps.clock.setTimer(ms, () => {
        this.#wrapUpTimers.delete(agent.login);
        if (agent.state === 'wrap-up') this.endWrapUp(agent, 'wrap-up time over');
      }),
    );
  }

  stop(): void {
    for (const t of this.#wrapUpTimers.values()) t.cancel();
    this.#wrapUpTimers.clear();
  }
}
