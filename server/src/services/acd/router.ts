// The router: which contact goes to which agent. It holds, in memory, the
// contacts waiting in every queue and the agents that may take them, and
// answers two questions in microseconds:
//   - a contact arrived (or its offer failed): which agents to offer it to now?
//   - an agent became free: which waiting contact should it be offered?
// Pure and synchronous (no I/O, no timers): the ACD service applies the
// decisions through the telephony driver. A decision reserves its agents until
// their state next changes, so decisions made back to back never share an agent.

import { TenorError } from '../../core/errors.js';
import type { Agent } from './agent-state.js';
import type { Clock } from './clock.js';
import type { QueueDefinition, SkillLevels, WaitingEntry } from './model.js';
import { seededRandom, type RandomSource } from './random.js';
import { combineRequirements, escalatedRequirements, meetsRequirements } from './skills.js';
import { createStrategy, type Candidate, type Strategy } from './strategies/index.js';
import { WaitingList, type Waiting } from './waiting-list.js';

export interface Decision {
  entry: WaitingEntry;
  queue: QueueDefinition;
  /** Agents to offer the contact to now: one, or several at once for ring-all. */
  agents: Agent[];
  ringsAll: boolean;
}

export interface QueueFigures {
  waiting: number;
  longestWaitMs: number;
  agentsLoggedIn: number;
  agentsReady: number;
  agentsBusy: number;
  agentsOnBreak: number;
}

interface Member extends Candidate {
  readonly agent: Agent;
  readonly position: number;
  readonly penalty: number;
  readonly queue: QueueSlot;
}

interface QueueSlot {
  def: QueueDefinition;
  strategy: Strategy;
  list: WaitingList;
  members: Map<string, Member>;
  /** Members that are ready and not reserved by a decision. */
  available: Set<Member>;
  nextPosition: number;
}

interface EntrySlot extends Waiting {
  readonly entry: WaitingEntry;
  readonly seq: number;
  /** The queue's and the contact's minimums, before escalation. */
  baseSkills: SkillLevels;
  offering: boolean;
  /** Agents that already missed this contact: others are offered first. */
  tried: Set<string>;
}

export interface RouterOptions {
  clock: Clock;
  /** Source for the random strategy; seeded for reproducible tests. */
  random?: RandomSource;
}

export class Router {
  readonly #clock: Clock;
  readonly #random: RandomSource;
  readonly #queues = new Map<string, QueueSlot>();
  readonly #agents = new Map<string, { agent: Agent; memberships: Member[] }>();
  readonly #entries = new Map<string, EntrySlot>();
  /** Agents a decision chose, with their change count then: the reservation lapses once their state changes. */
  readonly #reserved = new Map<string, number>();
  #seq = 0;

  constructor(opts: RouterOptions) {
    this.#clock = opts.clock;
    this.#random = opts.random ?? seededRandom(Date.now());
  }

  // ---- queues and agents ----

  setQueue(def: QueueDefinition): void {
    const slot = this.#queues.get(def.name);
    if (!slot) {
      this.#queues.set(def.name, {
        def, strategy: createStrategy(def.strategy), list: new WaitingList(), members: new Map(), available: new Set(), nextPosition: 0,
      });
      for (const { agent } of this.#agents.values()) this.setAgent(agent);
      return;
    }
    if (slot.def.strategy !== def.strategy) slot.strategy = createStrategy(def.strategy);
    slot.def = def;
    for (const item of slot.list.items) (item as EntrySlot).baseSkills = combineRequirements(def.requiredSkills, item.entry.requiredSkills);
  }

  /** Forget a queue; returns the contacts that were waiting in it (the caller decides where they go). */
  removeQueue(name: string): WaitingEntry[] {
    const slot = this.#queues.get(name);
    if (!slot) return [];
    const stranded = slot.list.items.map((i) => i.entry);
    for (const entry of stranded) this.#entries.delete(entry.id);
    for (const member of slot.members.values()) {
      const a = this.#agents.get(member.agent.login);
      if (a) a.memberships = a.memberships.filter((m) => m.queue !== slot);
    }
    this.#queues.delete(name);
    return stranded;
  }

  queue(name: string): QueueDefinition | undefined {
    return this.#queues.get(name)?.def;
  }

  queueNames(): string[] {
    return [...this.#queues.keys()];
  }

  /** Add an agent or re-read its profile (skills, queues, penalties). Memberships of unknown queues wait for the queue. */
  setAgent(agent: Agent): void {
    const previous = this.#agents.get(agent.login);
    const keep = new Map<string, number>();
    if (previous) {
      for (const m of previous.memberships) {
        keep.set(m.queue.def.name, m.position);
        m.queue.members.delete(agent.login);
        m.queue.available.delete(m);
      }
    }
    const memberships: Member[] = [];
    for (const q of agent.profile.queues) {
      const slot = this.#queues.get(q.queue);
      if (!slot) continue;
      const member: Member = { agent, position: keep.get(q.queue) ?? slot.nextPosition++, penalty: q.penalty, queue: slot };
      slot.members.set(agent.login, member);
      memberships.push(member);
    }
    memberships.sort((a, b) => a.penalty - b.penalty);
    this.#agents.set(agent.login, { agent, memberships });
    this.agentChanged(agent.login);
  }

  removeAgent(login: string): void {
    const a = this.#agents.get(login);
    if (!a) return;
    for (const m of a.memberships) {
      m.queue.members.delete(login);
      m.queue.available.delete(m);
    }
    this.#agents.delete(login);
    this.#reserved.delete(login);
  }

  /** Re-read an agent's state after it changed: a ready agent becomes available to decisions. */
  agentChanged(login: string): void {
    const a = this.#agents.get(login);
    if (!a) return;
    const available = a.agent.state === 'ready' && !this.#isReserved(a.agent);
    for (const m of a.memberships) {
      if (available) m.queue.available.add(m);
      else m.queue.available.delete(m);
    }
  }

  /** Undo a decision's reservation of an agent that was not offered after all. */
  release(login: string): void {
    this.#reserved.delete(login);
    this.agentChanged(login);
  }

  // ---- contacts ----

  enqueue(entry: WaitingEntry): void {
    const slot = this.#requireQueue(entry.queue);
    const item: EntrySlot = {
      entry, seq: ++this.#seq, baseSkills: combineRequirements(slot.def.requiredSkills, entry.requiredSkills), offering: false, tried: new Set(),
    };
    this.#entries.set(entry.id, item);
    slot.list.insert(item);
  }

  /** Take a contact out of its queue (answered, abandoned, exited). */
  remove(entryId: string): WaitingEntry | undefined {
    const item = this.#entries.get(entryId);
    if (!item) return undefined;
    this.#queues.get(item.entry.queue)?.list.remove(item);
    this.#entries.delete(entryId);
    return item.entry;
  }

  /** Move a waiting contact to another queue (overflow), keeping its original entry time. */
  move(entryId: string, toQueue: string): void {
    const item = this.#entries.get(entryId);
    if (!item) return;
    const to = this.#requireQueue(toQueue);
    this.#queues.get(item.entry.queue)?.list.remove(item);
    item.entry.queue = toQueue;
    item.entry.queueEnteredAt = this.#clock.now();
    item.baseSkills = combineRequirements(to.def.requiredSkills, item.entry.requiredSkills);
    item.tried.clear();
    to.list.insert(item);
  }

  /** An offer ended without the contact being taken: it waits again; `missedBy` are offered last. */
  offerEnded(entryId: string, missedBy: readonly string[]): void {
    const item = this.#entries.get(entryId);
    if (!item) return;
    item.offering = false;
    for (const login of missedBy) item.tried.add(login);
  }

  entry(entryId: string): WaitingEntry | undefined {
    return this.#entries.get(entryId)?.entry;
  }

  isOffering(entryId: string): boolean {
    return this.#entries.get(entryId)?.offering ?? false;
  }

  /** 1-based place in line of a waiting contact. */
  position(entryId: string): number | undefined {
    const item = this.#entries.get(entryId);
    if (!item) return undefined;
    return this.#queues.get(item.entry.queue)?.list.positionOf(item);
  }

  waiting(queue: string): WaitingEntry[] {
    return (this.#queues.get(queue)?.list.items ?? []).map((i) => i.entry);
  }

  /** The requirements a contact must meet right now (queue + contact, relaxed by escalation). */
  requirements(entryId: string): SkillLevels | undefined {
    const item = this.#entries.get(entryId);
    const slot = item && this.#queues.get(item.entry.queue);
    return item && slot ? this.#requirementsOf(item, slot) : undefined;
  }

  // ---- decisions ----

  /** Which agents should be offered this contact now (none free: undefined, it keeps waiting). */
  decideForEntry(entryId: string): Decision | undefined {
    const item = this.#entries.get(entryId);
    if (!item || item.offering) return undefined;
    const slot = this.#queues.get(item.entry.queue);
    if (!slot || slot.available.size === 0) return undefined;
    const required = this.#requirementsOf(item, slot);
    let candidates = this.#candidates(slot, required, item.tried);
    if (candidates.length === 0 && item.tried.size > 0) {
      // Everyone able to take it has missed it once: start another round.
      item.tried.clear();
      candidates = this.#candidates(slot, required, item.tried);
    }
    if (candidates.length === 0) return undefined;
    let best = Infinity;
    for (const c of candidates) best = Math.min(best, c.penalty);
    const atBest = candidates.filter((c) => c.penalty === best);
    const ranked = slot.strategy.rank(atBest, { requiredSkills: required, random: this.#random }) as Member[];
    const chosen = slot.strategy.ringsAll ? ranked : ranked.slice(0, 1);
    return this.#decide(item, slot, chosen);
  }

  /**
   * Which waiting contact this free agent should be offered: from its
   * lowest-penalty queues first, the highest-priority, longest-waiting contact
   * it is able to take.
   */
  decideForAgent(login: string): Decision | undefined {
    const a = this.#agents.get(login);
    if (!a || a.agent.state !== 'ready' || this.#isReserved(a.agent)) return undefined;
    let found: { item: EntrySlot; member: Member } | undefined;
    let penalty = -1;
    for (const member of a.memberships) {
      if (found && member.penalty !== penalty) break;
      penalty = member.penalty;
      const item = this.#firstTakeable(member);
      if (item && (!found || servedBefore(item, found.item))) found = { item, member };
    }
    if (!found) return undefined;
    return this.#decide(found.item, found.member.queue, [found.member]);
  }

  /** Every decision possible right now (after escalation relaxed requirements, or a queue or agent changed). */
  decideAll(): Decision[] {
    const decisions: Decision[] = [];
    const slots = [...this.#queues.values()].filter((s) => s.available.size > 0 && s.list.size > 0);
    for (const slot of slots) {
      for (const item of [...slot.list.items] as EntrySlot[]) {
        if (slot.available.size === 0) break;
        const d = this.decideForEntry(item.entry.id);
        if (d) decisions.push(d);
      }
    }
    return decisions;
  }

  // ---- figures ----

  figures(queue: string): QueueFigures | undefined {
    const slot = this.#queues.get(queue);
    if (!slot) return undefined;
    const now = this.#clock.now();
    let oldest = now;
    for (const item of slot.list.items) oldest = Math.min(oldest, item.entry.enteredAt);
    const figures: QueueFigures = {
      waiting: slot.list.size, longestWaitMs: now - oldest, agentsLoggedIn: 0, agentsReady: 0, agentsBusy: 0, agentsOnBreak: 0,
    };
    for (const m of slot.members.values()) {
      const s = m.agent.state;
      if (s === 'logged-out') continue;
      figures.agentsLoggedIn++;
      if (s === 'ready') figures.agentsReady++;
      else if (s === 'break') figures.agentsOnBreak++;
      else figures.agentsBusy++;
    }
    return figures;
  }

  // ---- internals ----

  #isReserved(agent: Agent): boolean {
    const at = this.#reserved.get(agent.login);
    if (at === undefined) return false;
    if (at === agent.changeCount) return true;
    this.#reserved.delete(agent.login);
    return false;
  }

  #requireQueue(name: string): QueueSlot {
    const slot = this.#queues.get(name);
    if (!slot) throw new TenorError('TENOR_ERR_NOT_FOUND', [`queue '${name}'`]);
    return slot;
  }

  #requirementsOf(item: EntrySlot, slot: QueueSlot): SkillLevels {
    return escalatedRequirements(item.baseSkills, slot.def.escalation, this.#clock.now() - item.entry.enteredAt);
  }

  #candidates(slot: QueueSlot, required: SkillLevels, tried: ReadonlySet<string>): Member[] {
    const out: Member[] = [];
    for (const m of slot.available) {
      if (tried.has(m.agent.login)) continue;
      if (!meetsRequirements(m.agent.profile.skills, required)) continue;
      out.push(m);
    }
    return out;
  }

  /** The first contact in this member's queue that is not being offered, not missed by it, and within its skills. */
  #firstTakeable(member: Member): EntrySlot | undefined {
    const slot = member.queue;
    const skills = member.agent.profile.skills;
    const now = this.#clock.now();
    for (const waiting of slot.list.items) {
      const item = waiting as EntrySlot;
      if (item.offering || item.tried.has(member.agent.login)) continue;
      const required = escalatedRequirements(item.baseSkills, slot.def.escalation, now - item.entry.enteredAt);
      if (meetsRequirements(skills, required)) return item;
    }
    return undefined;
  }

  #decide(item: EntrySlot, slot: QueueSlot, chosen: Member[]): Decision {
    item.offering = true;
    for (const m of chosen) {
      this.#reserved.set(m.agent.login, m.agent.changeCount);
      this.agentChanged(m.agent.login);
    }
    slot.strategy.offered(chosen);
    return { entry: item.entry, queue: slot.def, agents: chosen.map((m) => m.agent), ringsAll: slot.strategy.ringsAll };
  }
}

function servedBefore(a: EntrySlot, b: EntrySlot): boolean {
  if ((a.entry.returnedFirst === true) !== (b.entry.returnedFirst === true)) return a.entry.returnedFirst === true;
  if (a.entry.priority !== b.entry.priority) return a.entry.priority > b.entry.priority;
  if (a.entry.enteredAt !== b.entry.enteredAt) return a.entry.enteredAt < b.entry.enteredAt;
  return a.seq < b.seq;
}
