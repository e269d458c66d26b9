// Queue and agent administration: the configuration file's queues and agents
// made current, and queues and agents saved or removed through the API. Each
// change is stored, applied to the router and roster, published, and may let
// a waiting contact be routed at once.

import type { Logger } from 'pino';
import type { EventBus } from '../../core/events.js';
import { TenorError } from '../../core/errors.js';
import type { Agent } from './agent-state.js';
import type { AgentRoster } from './agents.js';
import type { Clock } from './clock.js';
import type { AgentProfile, QueueDefinition } from './model.js';
import type { QueueFigures, Router } from './router.js';
import type { AgentsRepository } from './store/agents-repo.js';
import type { Origin, QueuesRepository } from './store/queues-repo.js';
import './events.js';

export interface AcdAdminDeps {
  router: Router;
  roster: AgentRoster;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  queuesRepo: QueuesRepository;
  agentsRepo: AgentsRepository;
  /** Log out an agent the configuration no longer has. */
  logout(login: string, reason: string): Promise<Agent>;
  dispatchAll(): void;
  dispatchAgent(login: string): void;
}

export class AcdAdmin {
  readonly #d: AcdAdminDeps;

  constructor(deps: AcdAdminDeps) {
    this.#d = deps;
  }

  /** Make the configuration file's queues and agents current: add or update them, drop the ones the file no longer has. */
  async applyConfig(queues: readonly QueueDefinition[], agents: readonly AgentProfile[]): Promise<void> {
    const { router, roster, log, queuesRepo, agentsRepo } = this.#d;
    const queueNames = new Set(queues.map((q) => q.name));
    for (const q of queues) await this.saveQueue(q, 'config');
    for (const a of agents) await this.saveAgent(a, 'config');
    const agentLogins = new Set(agents.map((a) => a.login));
    for (const stored of await agentsRepo.list()) {
      const login = stored.profile.login;
      if (stored.origin !== 'config' || agentLogins.has(login)) continue;
      const agent = roster.get(login);
      if (agent?.state === 'offered' || agent?.state === 'on-call') {
        log.warn({ agent: login }, 'agent removed from the configuration is on a call; removed at the next reload');
        continue;
      }
      if (agent?.loggedIn) await this.#d.logout(login, 'removed from the configuration');
      await this.removeAgent(login);
    }
    for (const stored of await queuesRepo.list()) {
      const name = stored.definition.name;
      if (stored.origin !== 'config' || queueNames.has(name)) continue;
      if (router.waiting(name).length > 0) {
        log.warn({ queue: name }, 'queue removed from the configuration has callers waiting; removed at the next reload');
        continue;
      }
      await this.removeQueue(name);
    }
  }

  async saveQueue(def: QueueDefinition, origin: Origin = 'api'): Promise<void> {
    await this.#d.queuesRepo.save(def, origin, this.#d.clock.now());
    this.#d.router.setQueue(def);
    this.#d.bus.publish('acd_queue_changed', { queue: def.name, change: 'saved' });
    this.#d.dispatchAll();
  }

  /** Remove a queue; refused while contacts wait in it. */
  async removeQueue(name: string): Promise<boolean> {
    if (this.#d.router.waiting(name).length > 0) throw new TenorError('TENOR_ERR_VALIDATION', [`queue '${name}' has callers waiting`]);
    this.#d.router.removeQueue(name);
    const removed = await this.#d.queuesRepo.delete(name);
    if (removed) this.#d.bus.publish('acd_queue_changed', { queue: name, change: 'removed' });
    return removed;
  }

  queue(name: string): QueueDefinition | undefined {
    return this.#d.router.queue(name);
  }

  queues(): QueueDefinition[] {
    const { router } = this.#d;
    return router.queueNames().sort().flatMap((n) => router.queue(n) ?? []);
  }

  figures(queue: string): QueueFigures | undefined {
    return this.#d.router.figures(queue);
  }

  async saveAgent(profile: AgentProfile, origin: Origin = 'api'): Promise<Agent> {
    await this.#d.agentsRepo.saveProfile(profile, origin, this.#d.clock.now());
    const agent = this.#d.roster.put(profile);
    this.#d.bus.publish('acd_agent_changed', { login: profile.login, change: 'saved' });
    if (agent.state === 'ready') this.#d.dispatchAgent(agent.login);
    return agent;
  }

  /** Remove an agent; refused unless logged out. */
  async removeAgent(login: string): Promise<boolean> {
    const agent = this.#d.roster.get(login);
    if (agent?.loggedIn) throw new TenorError('TENOR_ERR_VALIDATION', [`agent '${login}' is logged in`]);
    this.#d.roster.delete(login);
    const removed = await this.#d.agentsRepo.delete(login);
    if (removed) this.#d.bus.publish('acd_agent_changed', { login, change: 'removed' });
    return removed;
  }

  agent(login: string): Agent | undefined {
    return this.#d.roster.get(login);
  }

  agents(): Agent[] {
    return this.#d.roster.all().sort((a, b) => a.login.localeCompare(b.login));
  }

  /** Agents of a queue by state now (a campaign's pacing counts the ready and busy ones). */
  queueAgents(queue: string): Agent[] {
    return this.#d.roster.all().filter((a) => a.loggedIn && a.profile.queues.some((m) => m.queue === queue));
  }
}
