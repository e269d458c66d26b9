// The ACD at work: callers put into queues wait with music and announcements,
// are offered to agents through their devices, connected, recorded; agents
// log in, take breaks, wrap up. Decisions come from the Router (pure, in
// memory); everything that touches a call goes through the telephony driver
// contract only; records and logs are written in order, off the routing path.

import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { OriginateError, type Call, type CallParty, type DialTarget, type HangupCause, type Prompt, type TelephonyDriver } from '@tenor/telephony';
import type { EventBus } from '../../core/events.js';
import { TenorError } from '../../core/errors.js';
import type { Database } from '../../store/database.js';
import type { DialingService } from '../dialing/service.js';
import { Agent, NO_ANSWER_REASON, SUPERVISOR_REASON, type AgentStateChange } from './agent-state.js';
import { AgentRoster } from './agents.js';
import type { Clock } from './clock.js';
import { DialedDevice, PersistentLine, dialTarget, type AgentDeviceLine } from './devices.js';
import { HandleTimes, estimatedWaitMs } from './estimate.js';
import { ConnectedCall, type CallControlAction, type ConnectedCallView, type ConnectedEnd, type PartyDrop, type TransferParty, type TransferTarget } from './connected-call.js';
import { HoldExperience } from './hold.js';
import { CallRecorder } from './recorder.js';
import { AcdReportReader } from './report-reader.js';
import type { AgentProfile, ContactKind, ExitDestination, ExitReason, QueueDefinition, SkillLevels, WaitingEntry } from './model.js';
import type { RandomSource } from './random.js';
import { Router, type Decision, type QueueFigures } from './router.js';
import { nextEscalationAfterMs } from './skills.js';
import { announcementPrompts } from './spoken.js';
import { AgentStateLog } from './store/agent-state-log.js';
import { AgentsRepository } from './store/agents-repo.js';
import { CallbacksRepository } from './store/callbacks-repo.js';
import { CallRecordsRepository, type CallOutcome, type CallRecord, type CallRecordFilter } from './store/call-records.js';
import { QueueEventLog, type QueueEvent, type QueueEventType } from './store/queue-events.js';
import { QueuesRepository, type Origin } from './store/queues-repo.js';
import { reconcileAfterRestart } from './store/reconcile.js';
import { bothEnded, causeOf, isLive, type EnqueueResult, type OfferAttempt, type Session, type SessionState } from './session.js';
import { WriteQueue } from './write-queue.js';
import './events.js';

export interface AcdEngineOptions {
  driver: TelephonyDriver;
  db: Database;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  /** The site's dialing policy: callbacks a caller or a service asks for are checked when asked for. */
  dialing: Pick<DialingService, 'decide' | 'authorize'>;
  random?: RandomSource;
  /** Unanswered offers in a row before an agent is put on break "no answer" (0: never). */
  maxMissedOffers?: number;
  /** Break reasons agents may give ("no answer" is always known). */
  breakReasons?: readonly string[];
  /** How long the agent's phone may ring when a persistent line is set up at login. */
  persistentLineTimeoutMs?: number;
  /** Handle time assumed before a queue has any (for the estimated wait). */
  defaultHandleTimeMs?: number;
  /** The number shown to agents' external phones and persistent lines. */
  callerId?: CallParty;
  /** How long a number the agent transfers or consults to may ring. */
  transferRingTimeoutMs?: number;
}

export interface EnqueueOptions {
  queue: string;
  /** Higher is served first (e.g. from the customer's segment). */
  priority?: number;
  customerId?: string;
  customerName?: string;
  segment?: string;
  requiredSkills?: SkillLevels;
  /** Trunk to call the customer back through. */
  trunk?: string;
}

export const DEFAULT_BREAK_REASONS = ['lunch', 'coffee', 'meeting', 'training', 'other'] as const;

type OfferEnd = 'ring-timeout' | 'answered-elsewhere' | 'caller-gone';

/** An agent on a contact: how they were reached, their answered leg and their record segment. */
interface AgentStint {
  agent: Agent;
  line: AgentDeviceLine;
  leg: Call;
  seg: Promise<number>;
}

/** A transfer or consult party as the engine dials it; `stint` is set for an agent once they answered. */
interface EngineParty extends TransferParty {
  stint: AgentStint | undefined;
}

/** An agent's connected call: what the call controls act on. */
interface ActiveCall {
  session: Session;
  queue: QueueDefinition;
  kind: ContactKind;
  stint: AgentStint;
  call: ConnectedCall<EngineParty>;
  answeredAt: number;
}

export class AcdEngine {
  readonly router: Router;
  /** What the reports read of the stored history. */
  readonly reportReader: AcdReportReader;
  readonly #o: Required<Omit<AcdEngineOptions, 'random' | 'callerId'>> & Pick<AcdEngineOptions, 'random' | 'callerId'>;
  readonly #writes: WriteQueue;
  readonly #records: CallRecordsRepository;
  readonly #queueEvents: QueueEventLog;
  readonly #recorder: CallRecorder;
  readonly #callbacks: CallbacksRepository;
  readonly #queuesRepo: QueuesRepository;
  readonly #agentsRepo: AgentsRepository;
  readonly #stateLog: AgentStateLog;
  readonly #roster: AgentRoster;
  readonly #sessions = new Map<string, Session>();
  readonly #lines = new Map<string, PersistentLine>();
  readonly #handleTimes = new Map<string, HandleTimes>();
  readonly #log: Logger;
  #stopped = false;
  /** Calls connected to an agent and not yet ended (no longer in #sessions). */
  #connected = 0;
  /** Agents' connected calls, by agent login. */
  readonly #calls = new Map<string, ActiveCall>();

  private constructor(opts: AcdEngineOptions) {
    this.#o = {
      maxMissedOffers: 3,
      breakReasons: DEFAULT_BREAK_REASONS,
      persistentLineTimeoutMs: 30_000,
      defaultHandleTimeMs: 180_000,
      transferRingTimeoutMs: 30_000,
      ...opts,
    };
    this.#log = opts.logger;
    this.router = new Router({ clock: opts.clock, ...(opts.random ? { random: opts.random } : {}) });
    this.#writes = new WriteQueue((err) => this.#log.error({ err }, 'ACD record write failed'));
    this.#records = new CallRecordsRepository(opts.db);
    this.#queueEvents = new QueueEventLog(opts.db);
    this.#callbacks = new CallbacksRepository(opts.db);
    this.#recorder = new CallRecorder(this.#writes, this.#records, this.#queueEvents);
    this.#queuesRepo = new QueuesRepository(opts.db);
    this.#agentsRepo = new AgentsRepository(opts.db);
    this.#stateLog = new AgentStateLog(opts.db);
    this.reportReader = new AcdReportReader(opts.db);
    this.#roster = new AgentRoster({
      router: this.router, clock: opts.clock, bus: opts.bus, writes: this.#writes, agentsRepo: this.#agentsRepo, stateLog: this.#stateLog, logger: this.#log,
    });
    this.#roster.onReady = (login) => this.#dispatchAgent(login);
    this.#roster.onWrapUpEnded = (_agent, callId, ms) => {
      if (callId) this.#recorder.update(callId, { wrapUpMs: ms });
    };
  }

  /**
   * Start the ACD on a migrated database: close what a crash left open, then
   * load queues and agents (logged-in agents stay logged in; persistent lines
   * are called again).
   */
  static async start(opts: AcdEngineOptions): Promise<AcdEngine> {
    const engine = new AcdEngine(opts);
    const now = opts.clock.now();
    const reconciled = await reconcileAfterRestart(opts.db, now);
    if (reconciled.closedCalls.length > 0 || reconciled.agentChanges.length > 0) {
      opts.logger.warn({ closedCalls: reconciled.closedCalls.length, agentsReset: reconciled.agentChanges.length }, 'closed calls and reset agents left by the previous run');
    }
    for (const q of await engine.#queuesRepo.list()) engine.router.setQueue(q.definition);
    for (const stored of await engine.#agentsRepo.list()) {
      const agent = engine.#roster.put(stored.profile);
      agent.restore(stored.state, stored.stateReason, stored.stateSince);
      engine.router.agentChanged(agent.login);
      if (agent.loggedIn && stored.profile.device.type === 'persistent') void engine.#reconnectLine(agent);
    }
    // Callback requests go back to their place in line (their records stayed open).
    for (const cb of await engine.#callbacks.list()) {
      if (!engine.router.queue(cb.entry.queue)) {
        opts.logger.warn({ callback: cb.entry.id, queue: cb.entry.queue }, 'callback request for a queue that no longer exists; dropped');
        engine.#writes.push(() => engine.#callbacks.delete(cb.entry.id));
        engine.#recorder.update(cb.entry.id, { outcome: 'failed', endedAt: now, endCause: 'queue-removed', live: false });
        continue;
      }
      engine.#queueCallback(cb.entry, cb.trunk, cb.attempts, opts.logger);
    }
    engine.#dispatchAll();
    return engine;
  }

  // ---- configuration: queues and agents ----

  /** Make the configuration file's queues and agents current: add or update them, drop the ones the file no longer has. */
  async applyConfig(queues: readonly QueueDefinition[], agents: readonly AgentProfile[]): Promise<void> {
    const queueNames = new Set(queues.map((q) => q.name));
    for (const q of queues) await this.saveQueue(q, 'config');
    for (const a of agents) await this.saveAgent(a, 'config');
    const agentLogins = new Set(agents.map((a) => a.login));
    for (const stored of await this.#agentsRepo.list()) {
      const login = stored.profile.login;
      if (stored.origin !== 'config' || agentLogins.has(login)) continue;
      const agent = this.#roster.get(login);
      if (agent?.state === 'offered' || agent?.state === 'on-call') {
        this.#log.warn({ agent: login }, 'agent removed from the configuration is on a call; removed at the next reload');
        continue;
      }
      if (agent?.loggedIn) await this.logout(login, 'removed from the configuration');
      await this.removeAgent(login);
    }
    for (const stored of await this.#queuesRepo.list()) {
      const name = stored.definition.name;
      if (stored.origin !== 'config' || queueNames.has(name)) continue;
      if (this.router.waiting(name).length > 0) {
        this.#log.warn({ queue: name }, 'queue removed from the configuration has callers waiting; removed at the next reload');
        continue;
      }
      await this.removeQueue(name);
    }
  }

  async saveQueue(def: QueueDefinition, origin: Origin = 'api'): Promise<void> {
    await this.#queuesRepo.save(def, origin, this.#o.clock.now());
    this.router.setQueue(def);
    this.#o.bus.publish('acd_queue_changed', { queue: def.name, change: 'saved' });
    this.#dispatchAll();
  }

  /** Remove a queue; refused while contacts wait in it. */
  async removeQueue(name: string): Promise<boolean> {
    if (this.router.waiting(name).length > 0) throw new TenorError('TENOR_ERR_VALIDATION', [`queue '${name}' has callers waiting`]);
    this.router.removeQueue(name);
    const removed = await this.#queuesRepo.delete(name);
    if (removed) this.#o.bus.publish('acd_queue_changed', { queue: name, change: 'removed' });
    return removed;
  }

  /** The break reasons agents choose from (the site's, or the defaults). */
  breakReasons(): readonly string[] {
    return this.#o.breakReasons;
  }

  queue(name: string): QueueDefinition | undefined {
    return this.router.queue(name);
  }

  queues(): QueueDefinition[] {
    return this.router.queueNames().sort().flatMap((n) => this.router.queue(n) ?? []);
  }

  figures(queue: string): QueueFigures | undefined {
    return this.router.figures(queue);
  }

  async saveAgent(profile: AgentProfile, origin: Origin = 'api'): Promise<Agent> {
    await this.#agentsRepo.saveProfile(profile, origin, this.#o.clock.now());
    const agent = this.#roster.put(profile);
    this.#o.bus.publish('acd_agent_changed', { login: profile.login, change: 'saved' });
    if (agent.state === 'ready') this.#dispatchAgent(agent.login);
    return agent;
  }

  /** Remove an agent; refused unless logged out. */
  async removeAgent(login: string): Promise<boolean> {
    const agent = this.#roster.get(login);
    if (agent?.loggedIn) throw new TenorError('TENOR_ERR_VALIDATION', [`agent '${login}' is logged in`]);
    this.#roster.delete(login);
    const removed = await this.#agentsRepo.delete(login);
    if (removed) this.#o.bus.publish('acd_agent_changed', { login, change: 'removed' });
    return removed;
  }

  agent(login: string): Agent | undefined {
    return this.#roster.get(login);
  }

  agents(): Agent[] {
    return this.#roster.all().sort((a, b) => a.login.localeCompare(b.login));
  }

  // ---- agent states ----

  /** Log in (ready, or on break with `breakReason`). A persistent-line agent's phone is called first. */
  async login(login: string, opts: { breakReason?: string } = {}): Promise<Agent> {
    const agent = this.#roster.require(login);
    if (agent.loggedIn) throw new TenorError('TENOR_ERR_VALIDATION', [`agent '${login}' is already logged in`]);
    if (opts.breakReason !== undefined) this.#checkBreakReason(opts.breakReason);
    if (agent.profile.device.type === 'persistent') await this.#connectLine(agent);
    const now = this.#o.clock.now();
    this.#roster.apply(agent, agent.logIn(opts.breakReason === undefined, opts.breakReason ?? 'login', now));
    return agent;
  }

  /** Ready again: from a break, or ending wrap-up early. */
  ready(login: string): Agent {
    const agent = this.#roster.require(login);
    if (agent.state === 'wrap-up') this.#roster.endWrapUp(agent, 'wrap-up ended by agent');
    else this.#roster.apply(agent, agent.ready('ready', this.#o.clock.now()));
    return agent;
  }

  /** Take a break now, or after the current call and wrap-up. */
  takeBreak(login: string, reason: string): Agent {
    this.#checkBreakReason(reason);
    const agent = this.#roster.require(login);
    if (agent.state === 'wrap-up') {
      agent.pendingBreak = reason;
      this.#roster.endWrapUp(agent, reason);
    } else {
      this.#roster.apply(agent, agent.takeBreak(reason, this.#o.clock.now()));
    }
    return agent;
  }

  async logout(login: string, reason = 'logout'): Promise<Agent> {
    const agent = this.#roster.require(login);
    if (agent.state === 'offered' || agent.state === 'on-call') {
      throw new TenorError('TENOR_ERR_VALIDATION', [`agent '${login}' is on a call; log out after it ends`]);
    }
    this.#roster.apply(agent, agent.logOut(reason, this.#o.clock.now()));
    const line = this.#lines.get(login);
    this.#lines.delete(login);
    await line?.disconnect();
    this.#leaveEmptyQueues(agent);
    return agent;
  }

  // ---- callers ----

  /**
   * Put an answered call into a queue. Resolves when the caller leaves the
   * ACD: connected to an agent and the call ended, abandoned, asked for a
   * callback, or exited (to voicemail or a flow: the call is still up).
   */
  enqueueCall(call: Call, opts: EnqueueOptions): Promise<EnqueueResult> {
    const queue = this.router.queue(opts.queue);
    if (!queue) throw new TenorError('TENOR_ERR_NOT_FOUND', [`queue '${opts.queue}'`]);
    const now = this.#o.clock.now();
    const entry: WaitingEntry = {
      id: call.id, kind: 'call', queue: queue.name, priority: opts.priority ?? 0, enteredAt: now, queueEnteredAt: now,
      requiredSkills: opts.requiredSkills ?? {}, callId: call.id, callerNumber: call.from.number,
      customerId: opts.customerId, customerName: opts.customerName ?? call.from.displayName, segment: opts.segment,
    };
    const log = this.#log.child({ callId: call.id, queue: queue.name });
    return new Promise<EnqueueResult>((resolve) => {
      const session: Session = {
        entry, call, log, recordId: call.id, queueSegPromise: undefined, hold: undefined, timers: [], offer: undefined, state: 'waiting',
        pending: undefined, callback: opts.trunk !== undefined ? { number: call.from.number, trunk: opts.trunk, attempts: 0 } : undefined,
        finish: resolve,
      };
      this.#recorder.open({ id: call.id, direction: call.direction, from: call.from.number, to: call.to.number, ...(opts.customerId ? { customerId: opts.customerId } : {}), arrivedAt: now });
      call.once('hangup', (cause) => this.#callerHungUp(session, cause));
      call.on('dtmf', (digit) => this.#callerPressed(session, digit));
      const figures = this.router.figures(queue.name);
      if (queue.maxWaiting > 0 && (figures?.waiting ?? 0) >= queue.maxWaiting) {
        this.#sessions.set(entry.id, session);
        this.#exit(session, queue, 'full');
        return;
      }
      if (!queue.joinEmpty && (figures?.agentsLoggedIn ?? 0) === 0) {
        this.#sessions.set(entry.id, session);
        this.#exit(session, queue, 'empty');
        return;
      }
      this.#enterQueue(session, queue, 'queued');
      this.#dispatchEntry(entry.id);
    });
  }

  /**
   * The two legs of the agent's connected call while they are bridged
   * (supervisor monitoring joins these); undefined otherwise.
   */
  connectedLegs(agentLogin: string): { callId: string; customer: Call; agent: Call } | undefined {
    const legs = this.#calls.get(agentLogin)?.call.bridgedLegs;
    return legs ? { callId: legs.customer.id, ...legs } : undefined;
  }

  // ---- call controls (docs/acd.md, "Call controls") ----

  /** The agent's connected call; TENOR_ERR_NO_CALL when they have none. */
  connectedCall(login: string): ConnectedCallView {
    return this.#view(this.#active(login));
  }

  /** The agent's connected call, or undefined (for the live view). */
  findConnectedCall(login: string): ConnectedCallView | undefined {
    const active = this.#calls.get(login);
    return active ? this.#view(active) : undefined;
  }

  /** The customer hears the queue's music; the time counts into the record's holdMs. */
  async holdCall(login: string): Promise<ConnectedCallView> {
    const active = this.#active(login);
    await active.call.hold();
    this.#controlEvent(active, 'hold');
    return this.#view(active);
  }

  async unholdCall(login: string): Promise<ConnectedCallView> {
    const active = this.#active(login);
    await active.call.unhold();
    this.#controlEvent(active, 'unhold');
    return this.#view(active);
  }

  /** The agent ends the call: the customer's leg is hung up, the agent goes to wrap-up. */
  async hangupCall(login: string): Promise<void> {
    const active = this.#active(login);
    await active.call.hangup();
    this.#controlEvent(active, 'hangup');
  }

  /** Blind transfer: the agent leaves at once (wrap-up); the customer goes to the queue, the agent or the number. */
  async transferCall(login: string, target: TransferTarget): Promise<void> {
    const active = this.#active(login);
    if (target.type === 'queue' && !this.router.queue(target.queue)) throw new TenorError('TENOR_ERR_NOT_FOUND', [`queue '${target.queue}'`]);
    const party = target.type === 'queue' ? undefined : this.#party(active, target);
    try {
      await active.call.blindTransfer(target, party);
    } catch (err) {
      await party?.drop(undefined, 'cancelled');
      throw err;
    }
    this.#controlEvent(active, 'transfer', target);
  }

  /** Attended transfer, first step: the customer on hold, the agent talks to an agent or a number. */
  async consultCall(login: string, target: TransferTarget): Promise<ConnectedCallView> {
    const active = this.#active(login);
    if (target.type === 'queue') throw new TenorError('TENOR_ERR_VALIDATION', ['a consult calls an agent or a number; a transfer to a queue is blind']);
    const party = this.#party(active, target);
    try {
      await active.call.startConsult(party);
    } catch (err) {
      await party.drop(undefined, 'cancelled');
      throw err;
    }
    this.#controlEvent(active, 'consult', target);
    return this.#view(active);
  }

  /** The consulted party takes the customer; the agent goes to wrap-up. */
  async completeConsult(login: string): Promise<void> {
    const active = this.#active(login);
    const target = active.call.consult?.target;
    await active.call.completeConsult();
    this.#controlEvent(active, 'consult-complete', target);
  }

  /** The consult leg ends; the agent is back with the customer, off hold. */
  async cancelConsult(login: string): Promise<ConnectedCallView> {
    const active = this.#active(login);
    const target = active.call.consult?.target;
    await active.call.cancelConsult();
    this.#controlEvent(active, 'consult-cancel', target);
    return this.#view(active);
  }

  #active(login: string): ActiveCall {
    this.#roster.require(login);
    const active = this.#calls.get(login);
    if (!active) throw new TenorError('TENOR_ERR_NO_CALL', [login]);
    return active;
  }

  #view(active: ActiveCall): ConnectedCallView {
    const { entry } = active.session;
    return {
      callId: active.call.customer.id, recordId: active.session.recordId, queue: active.queue.name, kind: active.kind,
      caller: { number: entry.callerNumber, customerId: entry.customerId ?? null, customerName: entry.customerName ?? null },
      answeredAt: new Date(active.answeredAt).toISOString(), held: active.call.held, consult: active.call.consult,
    };
  }

  #controlEvent(active: ActiveCall, action: CallControlAction, target?: TransferTarget): void {
    const callId = active.call.customer.id;
    const agent = active.stint.agent.login;
    active.session.log.info({ callId, agent, action, target }, 'call control');
    this.#o.bus.publish('call_control', { callId, agent, action, ...(target ? { target } : {}) });
  }

  /**
   * Who a transfer or consult reaches. An agent must be ready: they are
   * offered the call at once (so the ACD offers them nothing else), rung on
   * their device, on-call once they answer, and wrap up after it like after
   * any call. A number is dialed through a trunk.
   */
  #party(active: ActiveCall, target: TransferTarget): EngineParty {
    const { session, queue } = active;
    const callerId: CallParty = { number: session.entry.callerNumber, ...(session.entry.customerName ? { displayName: session.entry.customerName } : {}) };
    if (target.type === 'number') {
      const dial: DialTarget = { kind: 'number', number: target.number, ...(target.trunk !== undefined ? { trunk: target.trunk } : {}) };
      return {
        target, stint: undefined,
        dial: (signal) => this.#o.driver.originate(dial, { timeoutMs: this.#o.transferRingTimeoutMs, callerId, signal }),
        drop: async (leg) => {
          if (leg && isLive(leg)) await leg.hangup('normal');
        },
      };
    }
    if (target.type !== 'agent') throw new TenorError('TENOR_ERR_VALIDATION', ['a queue is not dialed']);
    const agent = this.#roster.get(target.agent);
    if (!agent) throw new TenorError('TENOR_ERR_NOT_FOUND', [`agent '${target.agent}'`]);
    if (agent === active.stint.agent) throw new TenorError('TENOR_ERR_AGENT_NOT_AVAILABLE', [agent.login, 'it is the agent on the call']);
    if (agent.state !== 'ready') throw new TenorError('TENOR_ERR_AGENT_NOT_AVAILABLE', [agent.login, agent.state]);
    const callId = session.entry.callId;
    const now = this.#o.clock.now();
    this.#roster.apply(agent, agent.offer(callId, now));
    const line = this.#lineOf(agent);
    const seg = this.#recorder.addSegment(session.recordId, { kind: 'agent', queue: queue.name, agent: agent.login, startedAt: now, detail: { from: active.stint.agent.login } }, { offeredAt: now });
    this.#o.bus.publish('call_offered', { callId, entryId: session.entry.id, queue: queue.name, kind: active.kind, agents: [agent.login] });
    const party: EngineParty = {
      target, stint: undefined,
      dial: async (signal) => {
        const leg = await line.offer({ timeoutMs: queue.ringTimeoutSeconds * 1000, callerId, signal });
        const at = this.#o.clock.now();
        if (agent.state !== 'offered' || agent.callId !== callId) {
          await line.finish(leg);
          throw new OriginateError('failed', `agent '${agent.login}' is no longer offered the call`);
        }
        this.#roster.apply(agent, agent.answered(at));
        this.#recorder.updateSegment(session.recordId, seg, { answeredAt: at });
        party.stint = { agent, line, leg, seg };
        return leg;
      },
      drop: async (leg, why) => {
        if (leg) await line.finish(leg);
        const at = this.#o.clock.now();
        if (agent.callId === callId && agent.state === 'offered') {
          this.#roster.apply(agent, why === 'failed' ? agent.missed(this.#o.maxMissedOffers, at) : agent.withdrawn(at));
        } else if (agent.callId === callId && agent.state === 'on-call') {
          // Only consulted, never given the customer: no wrap-up.
          this.#roster.apply(agent, agent.callEnded(0, at));
        }
        this.#recorder.updateSegment(session.recordId, seg, { endedAt: at, outcome: dropOutcome(why) });
      },
    };
    return party;
  }

  /** Contacts in the ACD now: waiting, being offered, or connected through it. */
  activeContacts(): number {
    return this.#sessions.size + this.#connected;
  }

  /** Wait until every record and log line asked for so far is written. */
  flush(): Promise<void> {
    return this.#writes.flush();
  }

  callRecords(filter: CallRecordFilter = {}): Promise<CallRecord[]> {
    return this.#records.list(filter);
  }

  callRecord(id: string): Promise<CallRecord | undefined> {
    return this.#records.get(id);
  }

  agentStateLog(filter: Parameters<AgentStateLog['list']>[0] = {}): Promise<AgentStateChange[]> {
    return this.#stateLog.list(filter);
  }

  queueEvents(filter: Parameters<QueueEventLog['list']>[0] = {}): Promise<QueueEvent[]> {
    return this.#queueEvents.list(filter);
  }

  /** Stop timers and persistent lines; calls in progress are the telephony service's to end. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const s of this.#sessions.values()) {
      for (const t of s.timers) t.cancel();
      s.offer?.abort('caller-gone' satisfies OfferEnd);
      await s.hold?.stop();
    }
    this.#roster.stop();
    for (const line of this.#lines.values()) await line.disconnect();
    this.#lines.clear();
    await this.flush();
  }

  // ---- queue entry, timers, exits ----

  /**
   * Put a contact in line: new ('queued'), moved from another queue ('overflowed'), sent there by an agent
   * ('transferred'), or back at its place after a callback it asked for was refused ('returned').
   */
  #enterQueue(session: Session, queue: QueueDefinition, how: 'queued' | 'overflowed' | 'transferred' | 'returned'): void {
    const { entry } = session;
    const now = this.#o.clock.now();
    this.#sessions.set(entry.id, session);
    if (how !== 'overflowed') this.router.enqueue(entry);
    const position = this.router.position(entry.id) ?? 0;
    const what = { queued: 'contact queued', overflowed: 'contact moved to queue', transferred: 'contact transferred to queue', returned: 'contact back in line' }[how];
    session.log.info({ position, priority: entry.priority, kind: entry.kind }, what);
    // A transferred call's record keeps the queue it was answered from.
    if (how !== 'transferred') this.#recorder.update(session.recordId, { queue: queue.name, ...(how === 'queued' ? { queuedAt: now } : {}) });
    this.#newQueueSegment(session, queue.name, now);
    this.#queueEvent(queue.name, 'queued', session, undefined, { kind: entry.kind, priority: entry.priority, position });
    this.#o.bus.publish('call_queued', {
      callId: entry.callId, entryId: entry.id, queue: queue.name, kind: entry.kind, priority: entry.priority, position,
      enteredAt: new Date(entry.enteredAt).toISOString(), customerId: entry.customerId,
    });
    if (session.call && !session.hold) {
      session.hold = new HoldExperience(session.call, {
        music: queue.musicOnHold ?? 'music-on-hold',
        announcements: queue.announcements && {
          intervalMs: queue.announcements.intervalSeconds * 1000,
          prompts: () => this.#announcement(session),
        },
        clock: this.#o.clock,
        onError: (err) => session.log.error({ err }, 'music on hold failed'),
      });
      session.hold.start();
    }
    this.#startQueueTimers(session, queue);
  }

  #announcement(session: Session): Prompt[] {
    const queue = this.router.queue(session.entry.queue);
    const policy = queue?.announcements;
    if (!queue || !policy) return [];
    const position = this.router.position(session.entry.id);
    if (position === undefined) return [];
    const figures = this.router.figures(queue.name);
    const staffed = figures ? figures.agentsReady + figures.agentsBusy : 0;
    const aht = this.#handleTimes.get(queue.name)?.average(this.#o.defaultHandleTimeMs) ?? this.#o.defaultHandleTimeMs;
    const prompts: Prompt[] = announcementPrompts(
      policy.position ? position : undefined,
      policy.estimatedWait ? estimatedWaitMs(position, aht, staffed) : undefined,
    );
    if (queue.callbackKey === '*') prompts.push('press-star-callback');
    return prompts;
  }

  #startQueueTimers(session: Session, queue: QueueDefinition): void {
    for (const t of session.timers) t.cancel();
    session.timers = [];
    const { clock } = this.#o;
    const { entry } = session;
    if (queue.maxWaitSeconds > 0) {
      session.timers.push(clock.setTimer(queue.maxWaitSeconds * 1000, () => this.#whenWaiting(session, () => this.#exit(session, queue, 'max-wait'))));
    }
    if (queue.overflow) {
      const to = queue.overflow.queue;
      session.timers.push(clock.setTimer(queue.overflow.afterSeconds * 1000, () => this.#whenWaiting(session, () => this.#overflow(session, to))));
    }
    // Each escalation step may make more agents eligible: route again at that moment.
    let waited = clock.now() - entry.enteredAt;
    for (let next = nextEscalationAfterMs(queue.escalation, waited); next !== undefined; next = nextEscalationAfterMs(queue.escalation, waited)) {
      waited = next;
      session.timers.push(clock.setTimer(next - (clock.now() - entry.enteredAt), () => this.#dispatchEntry(entry.id)));
    }
  }

  /** Run a timed action now if the contact is waiting, or once its current offer has failed. */
  #whenWaiting(session: Session, action: () => void): void {
    if (session.state === 'waiting') action();
    else if (session.state === 'offering') session.pending = action;
  }

  #overflow(session: Session, to: string): void {
    const target = this.router.queue(to);
    if (!target) {
      session.log.error({ to }, 'overflow queue does not exist; the caller stays');
      return;
    }
    const from = session.entry.queue;
    const now = this.#o.clock.now();
    this.#endQueueSegment(session, now, 'overflow');
    this.router.move(session.entry.id, to);
    this.#queueEvent(from, 'overflowed', session, undefined, { to });
    this.#o.bus.publish('call_overflowed', { callId: session.entry.callId, entryId: session.entry.id, from, to });
    session.log = session.log.child({ queue: to });
    this.#enterQueue(session, target, 'overflowed');
    this.#dispatchEntry(session.entry.id);
  }

  #exit(session: Session, queue: QueueDefinition, reason: ExitReason): void {
    const destination: ExitDestination = queue.exits[reason] ?? { type: 'hangup', message: reason === 'empty' || reason === 'full' ? 'agents-busy' : undefined };
    const now = this.#o.clock.now();
    session.log.info({ reason, destination }, 'caller leaves the queue');
    this.#queueEvent(queue.name, 'exited', session, undefined, { reason, destination });
    this.#o.bus.publish('call_exited', { callId: session.entry.callId, entryId: session.entry.id, queue: queue.name, reason, destination });
    const target = destination.type === 'queue' ? this.router.queue(destination.queue) : undefined;
    if (target) {
      // Another queue: the caller keeps their original entry time there.
      if (this.router.entry(session.entry.id)) {
        this.#endQueueSegment(session, now, `exit:${reason}`);
        this.router.move(session.entry.id, target.name);
        this.#enterQueue(session, target, 'overflowed');
      } else {
        // Turned away on arrival (full, empty): joins the other queue instead.
        session.entry.queue = target.name;
        this.#enterQueue(session, target, 'queued');
      }
      this.#dispatchEntry(session.entry.id);
      return;
    }
    this.#leave(session, 'leaving');
    this.#endQueueSegment(session, now, `exit:${reason}`);
    const call = session.call;
    if (!call) return;
    const waitMs = now - session.entry.enteredAt;
    if (destination.type === 'hangup') {
      session.leftAs = 'exited';
      this.#leftUnanswered(session, 'exited', waitMs);
      void (async () => {
        await session.hold?.stop();
        const prompts: Prompt[] = [...(destination.message ? [destination.message] : []), 'goodbye'];
        if (call.state !== 'ended') await call.play({ prompts });
        if (call.state !== 'ended') await call.hangup('normal');
        session.finish({ result: 'exit', reason, destination });
      })().catch((err: unknown) => session.log.error({ err }, 'exit message failed'));
      return;
    }
    // Voicemail or a flow: the call lives on under another service; its record closes when it ends.
    session.leftAs = destination.type === 'voicemail' ? 'voicemail' : 'exited';
    this.#leftUnanswered(session, session.leftAs, waitMs);
    void (session.hold?.stop() ?? Promise.resolve()).then(() => session.finish({ result: 'exit', reason, destination }));
  }

  /** How a caller left the queue, on the record; a call an agent answered before a transfer stays 'answered'. */
  #leftUnanswered(session: Session, outcome: CallOutcome, waitMs: number): void {
    if (!session.connected) this.#recorder.update(session.recordId, { outcome, waitMs });
  }

  /** The last agent of a queue logged out: callers of queues that say so leave. */
  #leaveEmptyQueues(agent: Agent): void {
    for (const m of agent.profile.queues) {
      const queue = this.router.queue(m.queue);
      if (!queue?.leaveWhenEmpty || (this.router.figures(m.queue)?.agentsLoggedIn ?? 0) > 0) continue;
      for (const entry of this.router.waiting(m.queue)) {
        const session = this.#sessions.get(entry.id);
        if (session?.state === 'waiting' && session.call) this.#exit(session, queue, 'empty');
      }
    }
  }

  /** Take the contact out of routing: timers, offer and the waiting list. */
  #leave(session: Session, state: SessionState): void {
    session.state = state;
    for (const t of session.timers) t.cancel();
    session.timers = [];
    session.pending = undefined;
    this.router.remove(session.entry.id);
    // Only waiting contacts are looked up by id; the call's own listeners keep the session they need.
    this.#sessions.delete(session.entry.id);
  }

  /**
   * Take a waiting (or being offered) call out of the ACD without hanging it
   * up: the campaign dialer's rule that a live answer not connected to an
   * agent within 2 s is abandoned and hears the identification message. Ends
   * the call record as 'abandoned' (end cause 'withdrawn') and resolves the
   * enqueueCall promise with 'abandoned'. False when the call is no longer
   * waiting (an agent already answered it, or it is gone).
   */
  withdrawCall(callId: string): boolean {
    const session = this.#sessions.get(callId);
    if (!session || (session.state !== 'waiting' && session.state !== 'offering')) return false;
    this.#callerHungUp(session, 'withdrawn');
    return true;
  }

  /** Agents of a queue by state now (a campaign's pacing counts the ready and busy ones). */
  queueAgents(queue: string): Agent[] {
    return this.#roster.all().filter((a) => a.loggedIn && a.profile.queues.some((m) => m.queue === queue));
  }

  #callerHungUp(session: Session, cause: HangupCause | 'withdrawn'): void {
    const call = session.call;
    if (session.state === 'connected' || session.state === 'gone') return;
    const now = this.#o.clock.now();
    if (session.state === 'leaving') {
      // Left to voicemail, a flow or a callback request: the record ends here, and so does the call.
      this.#recorder.update(session.recordId, { endedAt: now, endCause: cause, live: false });
      this.#o.bus.publish('call_ended', {
        recordId: session.recordId, customerId: session.entry.customerId, callId: call?.id ?? session.entry.callId,
        queue: session.entry.queue, agent: undefined, outcome: session.leftAs ?? 'exited', cause,
      });
      return;
    }
    const wasOffering = session.state === 'offering';
    this.#leave(session, 'gone');
    session.offer?.abort('caller-gone' satisfies OfferEnd);
    void session.hold?.stop();
    const waitMs = now - session.entry.enteredAt;
    session.log.info({ waitMs, wasOffering }, 'caller abandoned');
    this.#endQueueSegment(session, now, 'abandoned');
    if (session.connected) {
      // Transferred to a queue and gone before the next agent: the call was answered, it just ended there.
      this.#queueEvent(session.entry.queue, 'abandoned', session, undefined, { waitMs: now - session.entry.queueEnteredAt });
      const queue = this.router.queue(session.entry.queue);
      if (call && queue) this.#closeAnswered(session, queue, call, undefined);
      return;
    }
    this.#recorder.update(session.recordId, { outcome: 'abandoned', waitMs, endedAt: now, endCause: cause, live: false });
    this.#queueEvent(session.entry.queue, 'abandoned', session, undefined, { waitMs });
    this.#o.bus.publish('call_abandoned', { callId: session.entry.callId, entryId: session.entry.id, queue: session.entry.queue, waitMs });
    this.#o.bus.publish('call_ended', { recordId: session.recordId, customerId: session.entry.customerId, callId: call?.id ?? session.entry.callId, queue: session.entry.queue, agent: undefined, outcome: 'abandoned', cause });
    session.finish({ result: 'abandoned', waitMs });
  }

  #callerPressed(session: Session, digit: string): void {
    if (session.state !== 'waiting' && session.state !== 'offering') return;
    const queue = this.router.queue(session.entry.queue);
    if (!queue) return;
    if (queue.exitKey !== undefined && digit === queue.exitKey) {
      if (session.state === 'offering') return; // an agent is being reached: the key no longer applies
      this.#exit(session, queue, 'exit-key');
    } else if (queue.callbackKey !== undefined && digit === queue.callbackKey && session.state === 'waiting') {
      void this.#requestCallback(session, queue).catch((err: unknown) => session.log.error({ err }, 'callback request failed'));
    }
  }

  // ---- callbacks ----

  /**
   * The caller asked to be called back: take their number (digits, or caller
   * ID when they enter none), say goodbye, and keep their place in line with a
   * callback request that has the same entry time.
   */
  async #requestCallback(session: Session, queue: QueueDefinition): Promise<void> {
    const call = session.call;
    if (!call) return;
    const original = session.entry;
    this.#leave(session, 'leaving');
    const now = this.#o.clock.now();
    await session.hold?.stop();
    let entered: Awaited<ReturnType<Call['collectDigits']>>;
    try {
      entered = await call.collectDigits({ maxDigits: 15, firstDigitTimeoutMs: 5000, interDigitTimeoutMs: 3000, terminators: '#' });
    } catch (err) {
      this.#endQueueSegment(session, now, 'callback');
      throw err;
    }
    const number = entered.digits.length >= 3 ? entered.digits : call.from.number;
    const trunk = session.callback?.trunk;
    // The number typed (or the caller ID, which a caller can forge) goes through the dialing policy before anything is promised.
    const decision = this.#o.dialing.decide(number, { purpose: 'caller-callback', ownNumber: call.from.number, callId: call.id, ...(trunk !== undefined ? { trunk } : {}) });
    // The queue stint ends at the key press, as a callback or as a refused one (the caller then waits on).
    this.#endQueueSegment(session, now, decision.allowed ? 'callback' : 'callback-refused');
    if (!decision.allowed) {
      await this.#callbackRefused(session, queue, call);
      return;
    }
    const waitMs = this.#o.clock.now() - original.enteredAt;
    session.leftAs = 'callback';
    this.#leftUnanswered(session, 'callback', waitMs);
    const entry: WaitingEntry = { ...original, id: `${original.id}:callback`, kind: 'callback', callerNumber: number, queue: queue.name, queueEnteredAt: this.#o.clock.now() };
    this.#recorder.open({ id: entry.id, direction: 'outbound', from: queue.name, to: number, ...(entry.customerId ? { customerId: entry.customerId } : {}), arrivedAt: this.#o.clock.now() });
    this.#queueEvent(queue.name, 'callback-requested', session, undefined, { number });
    this.#o.bus.publish('callback_requested', { callId: call.id, entryId: entry.id, queue: queue.name, number });
    session.log.info({ number }, 'callback requested; place in line kept');
    this.#writes.push(() => this.#callbacks.save(entry, trunk, 0));
    this.#queueCallback(entry, trunk, 0, session.log);
    this.#dispatchEntry(entry.id);
    if (call.state !== 'ended') {
      await call.play({ prompts: ['will-call-back', 'goodbye'] });
      if (isLive(call)) await call.hangup('normal');
    }
    session.finish({ result: 'callback', number });
  }

  /** The callback the caller asked for may not be placed: they are told so and are back at their place in line. */
  async #callbackRefused(session: Session, queue: QueueDefinition, call: Call): Promise<void> {
    session.log.warn('callback refused by the dialing policy; the caller is told and stays in line');
    if (call.state !== 'ended') await call.play({ prompts: ['callback-not-possible'] });
    if (call.state === 'ended' || session.state !== 'leaving') return; // gone meanwhile: the hangup closed the record
    session.state = 'waiting';
    session.hold = undefined;
    this.#enterQueue(session, queue, 'returned');
    this.#dispatchEntry(session.entry.id);
  }

  /**
   * A callback asked for without a caller waiting (from a voicemail, an agent,
   * a campaign): it waits in `queue` like a caller, and the agent who takes it
   * is connected to a call placed to `number`. Kept across restarts.
   */
  requestCallback(opts: { queue: string; number: string; customerId?: string; customerName?: string; priority?: number; trunk?: string; reason?: string }): { entryId: string } {
    const queue = this.router.queue(opts.queue);
    if (!queue) throw new TenorError('TENOR_ERR_NOT_FOUND', [`queue '${opts.queue}'`]);
    // Refused now, to whoever asks, rather than attempt after attempt when an agent takes it.
    this.#o.dialing.authorize(opts.number, { purpose: 'callback', ...(opts.trunk !== undefined ? { trunk: opts.trunk } : {}) });
    const now = this.#o.clock.now();
    const id = `callback-${randomUUID()}`;
    const entry: WaitingEntry = {
      id, kind: 'callback', queue: queue.name, priority: opts.priority ?? 0, enteredAt: now, queueEnteredAt: now, requiredSkills: {},
      callId: id, callerNumber: opts.number, customerId: opts.customerId, customerName: opts.customerName, segment: undefined,
    };
    const log = this.#log.child({ callback: id, queue: queue.name });
    this.#recorder.open({ id, direction: 'outbound', from: queue.name, to: opts.number, ...(opts.customerId ? { customerId: opts.customerId } : {}), arrivedAt: now });
    this.#recorder.queueEvent({ at: now, queue: queue.name, type: 'callback-requested', callId: id, entryId: id, agent: undefined, detail: { number: opts.number, reason: opts.reason } });
    this.#o.bus.publish('callback_requested', { callId: id, entryId: id, queue: queue.name, number: opts.number });
    log.info({ number: opts.number, reason: opts.reason }, 'callback requested');
    this.#writes.push(() => this.#callbacks.save(entry, opts.trunk, 0));
    this.#queueCallback(entry, opts.trunk, 0, log);
    this.#dispatchEntry(id);
    return { entryId: id };
  }

  /** Put a callback request in line (new, or read back after a restart) as a contact without a caller leg. */
  #queueCallback(entry: WaitingEntry, trunk: string | undefined, attempts: number, log: Logger): void {
    const session: Session = {
      entry, call: undefined, log: log.child({ callback: entry.id }), recordId: entry.id, queueSegPromise: undefined, hold: undefined, timers: [],
      offer: undefined, state: 'waiting', pending: undefined, callback: { number: entry.callerNumber, trunk, attempts }, finish: () => undefined,
    };
    const now = this.#o.clock.now();
    this.router.enqueue(entry);
    this.#sessions.set(entry.id, session);
    this.#recorder.update(entry.id, { queue: entry.queue, queuedAt: now });
    this.#newQueueSegment(session, entry.queue, now);
  }

  // ---- offers ----

  #dispatchEntry(entryId: string): void {
    if (this.#stopped) return;
    const d = this.router.decideForEntry(entryId);
    if (d) this.#startOffer(d);
  }

  #dispatchAgent(login: string): void {
    if (this.#stopped) return;
    const d = this.router.decideForAgent(login);
    if (d) this.#startOffer(d);
  }

  #dispatchAll(): void {
    if (this.#stopped) return;
    for (const d of this.router.decideAll()) this.#startOffer(d);
  }

  #lineOf(agent: Agent): AgentDeviceLine {
    return this.#lines.get(agent.login) ?? new DialedDevice(this.#o.driver, dialTarget(agent.profile.device, agent.login));
  }

  #startOffer(d: Decision): void {
    const session = this.#sessions.get(d.entry.id);
    if (!session || (session.state !== 'waiting' && session.state !== 'offering')) {
      this.router.remove(d.entry.id);
      for (const a of d.agents) this.router.release(a.login);
      return;
    }
    session.state = 'offering';
    session.hold?.agentFree();
    const now = this.#o.clock.now();
    const attempts: OfferAttempt[] = d.agents.map((agent) => {
      this.#roster.apply(agent, agent.offer(d.entry.callId, now));
      this.#queueEvent(d.queue.name, 'offered', session, agent.login, undefined);
      return { agent, line: this.#lineOf(agent), seg: this.#recorder.addSegment(session.recordId, { kind: 'agent', queue: d.queue.name, agent: agent.login, startedAt: now }, { offeredAt: now }) };
    });
    this.#recorder.update(session.recordId, { offeredAt: now });
    this.#o.bus.publish('call_offered', { callId: d.entry.callId, entryId: d.entry.id, queue: d.queue.name, kind: d.entry.kind, agents: d.agents.map((a) => a.login) });
    session.log.info({ agents: d.agents.map((a) => a.login), kind: d.entry.kind }, 'offering contact');
    void this.#runOffer(session, d, attempts).catch((err: unknown) => session.log.error({ err }, 'offer failed'));
  }

  async #runOffer(session: Session, d: Decision, attempts: OfferAttempt[]): Promise<void> {
    const ac = new AbortController();
    session.offer = ac;
    const { clock } = this.#o;
    const ringMs = d.queue.ringTimeoutSeconds * 1000;
    const timer = clock.setTimer(ringMs, () => ac.abort('ring-timeout' satisfies OfferEnd));
    const callerId: CallParty = d.entry.kind === 'callback'
      ? { number: d.entry.callerNumber, displayName: `Callback ${d.queue.name}` }
      : { number: d.entry.callerNumber, ...(d.entry.customerName ? { displayName: d.entry.customerName } : {}) };
    let winner: { attempt: OfferAttempt; leg: Call } | undefined;
    const missed: string[] = [];
    await new Promise<void>((resolve) => {
      let pending = attempts.length;
      const settled = (): void => {
        if (--pending === 0) resolve();
      };
      for (const attempt of attempts) {
        attempt.line.offer({ timeoutMs: ringMs, callerId, signal: ac.signal }).then(
          (leg) => {
            if (!winner && !ac.signal.aborted) {
              winner = { attempt, leg };
              ac.abort('answered-elsewhere' satisfies OfferEnd);
              resolve();
            } else {
              // Answered too late (another agent won, the caller left, or the ring timer fired).
              void attempt.line.finish(leg);
              this.#offerLost(session, attempt, ac.signal.reason === 'ring-timeout' ? 'no-answer' : 'withdrawn', missed);
            }
            settled();
          },
          (err: unknown) => {
            const reason = ac.signal.aborted && ac.signal.reason !== 'ring-timeout' ? 'withdrawn' : causeOf(err) === 'unreachable' ? 'unreachable' : 'no-answer';
            this.#offerLost(session, attempt, reason, missed);
            settled();
          },
        );
      }
    });
    timer.cancel();
    session.offer = undefined;
    if (winner) {
      if (session.state !== 'offering') {
        // The caller hung up just as the agent answered.
        await winner.attempt.line.finish(winner.leg);
        this.#offerLost(session, winner.attempt, 'withdrawn', missed);
        return;
      }
      if (d.entry.kind === 'callback') await this.#connectCallback(session, d.queue, winner.attempt, winner.leg);
      else await this.#connect(session, d.queue, winner.attempt, winner.leg);
      return;
    }
    if (session.state !== 'offering') return;
    // Nobody answered: the contact waits again, the next agent is tried first.
    session.state = 'waiting';
    this.router.offerEnded(d.entry.id, missed);
    session.hold?.resume();
    const pending = session.pending;
    session.pending = undefined;
    if (pending) pending();
    if (session.state === 'waiting') this.#dispatchEntry(d.entry.id);
  }

  /** An agent's part of an offer ended without a connection. */
  #offerLost(session: Session, attempt: OfferAttempt, reason: 'no-answer' | 'unreachable' | 'withdrawn', missed: string[]): void {
    const { agent } = attempt;
    if (agent.state !== 'offered' || agent.callId !== session.entry.callId) return;
    const now = this.#o.clock.now();
    if (reason === 'withdrawn') {
      this.#roster.apply(agent, agent.withdrawn(now));
    } else {
      missed.push(agent.login);
      const change = this.#roster.apply(agent, agent.missed(this.#o.maxMissedOffers, now));
      if (change?.reason === NO_ANSWER_REASON) session.log.warn({ agent: agent.login }, 'agent missed too many offers; on break');
      this.#queueEvent(session.entry.queue, 'offer-missed', session, agent.login, { reason });
    }
    this.#recorder.updateSegment(session.recordId, attempt.seg, { endedAt: now, outcome: reason === 'withdrawn' ? 'withdrawn' : reason });
    this.#o.bus.publish('call_offer_missed', { callId: session.entry.callId, entryId: session.entry.id, queue: session.entry.queue, agent: agent.login, reason });
  }

  /** The agent answered a caller: whisper, connect, and follow the call to its end and the agent's wrap-up. */
  async #connect(session: Session, queue: QueueDefinition, attempt: OfferAttempt, leg: Call): Promise<void> {
    const call = session.call;
    const { agent } = attempt;
    if (!call) return;
    const now = this.#o.clock.now();
    this.#leave(session, 'connected');
    // A caller transferred into this queue waited here since the transfer; the record keeps its first wait.
    const waitMs = now - (session.connected ? session.entry.queueEnteredAt : session.entry.enteredAt);
    this.#roster.apply(agent, agent.answered(now));
    this.#endQueueSegment(session, now, 'answered');
    this.#recorder.updateSegment(session.recordId, attempt.seg, { answeredAt: now });
    if (!session.connected) {
      session.connected = { answeredAt: now, agent: agent.login, talkMs: 0, holdMs: 0 };
      this.#recorder.update(session.recordId, { answeredAt: now, agent: agent.login, outcome: 'answered', waitMs });
    }
    this.#queueEvent(queue.name, 'answered', session, agent.login, { waitMs });
    this.#o.bus.publish('call_answered', { callId: call.id, entryId: session.entry.id, queue: queue.name, kind: 'call', agent: agent.login, waitMs });
    session.log.info({ agent: agent.login, waitMs, ringless: !attempt.line.rings }, 'agent answered');
    const whisper = this.#whisperPrompts(queue, session.entry);
    await this.#work(session, queue, 'call', call, { agent, line: attempt.line, leg, seg: attempt.seg }, now, async () => {
      if (whisper.length > 0 && leg.state === 'answered') await leg.play({ prompts: whisper });
      await session.hold?.stop();
      session.hold = undefined;
    });
  }

  /**
   * The agent and the customer are connected: follow the call through the
   * agent's controls until it ends or leaves the agent (transfer), then the
   * agent's wrap-up; a transferred customer is followed on to where they went.
   */
  async #work(
    session: Session, queue: QueueDefinition, kind: ContactKind, customer: Call, stint: AgentStint, answeredAt: number, prepare?: () => Promise<void>,
  ): Promise<void> {
    const { agent } = stint;
    const call: ConnectedCall<EngineParty> = new ConnectedCall<EngineParty>({
      driver: this.#o.driver, clock: this.#o.clock, log: session.log, customer, agentLeg: stint.leg, music: queue.musicOnHold ?? 'music-on-hold',
      releaseAgentLeg: (leg) => stint.line.finish(leg),
      onChange: (change, target) => this.#controlEvent(active, change, target),
    });
    const active: ActiveCall = { session, queue, kind, stint, call, answeredAt };
    this.#calls.set(agent.login, active);
    this.#connected++;
    let end: ConnectedEnd<EngineParty>;
    try {
      try {
        await call.start(prepare);
      } catch (err) {
        session.log.error({ err, agent: agent.login }, 'could not connect the customer and the agent');
        await call.hangup().catch(() => undefined);
      }
      end = await call.ended;
    } finally {
      if (this.#calls.get(agent.login) === active) this.#calls.delete(agent.login);
      this.#connected--;
    }
    const at = this.#o.clock.now();
    const holdMs = call.holdMs;
    const c = session.connected ?? (session.connected = { answeredAt, agent: agent.login, talkMs: 0, holdMs: 0 });
    c.talkMs += at - answeredAt - holdMs;
    c.holdMs += holdMs;
    this.#addHandleTime(queue, at - answeredAt);
    this.#roster.apply(agent, agent.callEnded(queue.wrapUpSeconds * 1000, at));
    if (end.how === 'customer-hung-up' || end.how === 'agent-hung-up') {
      this.#recorder.updateSegment(session.recordId, stint.seg, { endedAt: at, outcome: 'answered' });
      if (queue.wrapUpSeconds === 0) this.#recorder.update(session.recordId, { wrapUpMs: 0 });
      session.log.info({ agent: agent.login, talkMs: at - answeredAt - holdMs, holdMs }, 'call ended');
      this.#closeAnswered(session, queue, customer, agent.login);
      return;
    }
    this.#recorder.updateSegment(session.recordId, stint.seg, { endedAt: at, outcome: 'transferred' });
    const target = end.how === 'blind' ? end.target : end.party.target;
    const mode = end.how === 'blind' ? 'blind' : 'attended';
    const seg = this.#recorder.addSegment(session.recordId, { kind: 'transfer', queue: queue.name, agent: agent.login, startedAt: at, detail: { mode, target } });
    session.log.info({ agent: agent.login, mode, target }, 'call transferred');
    if (end.how === 'attended') {
      this.#recorder.updateSegment(session.recordId, seg, { answeredAt: at, endedAt: at, outcome: 'connected' });
      await this.#handTo(session, queue, kind, customer, end.party, end.leg);
      return;
    }
    await this.#blindTransfer(session, queue, kind, customer, end.target, end.party, seg);
  }

  #addHandleTime(queue: QueueDefinition, handledMs: number): void {
    this.#handleTimesOf(queue.name).add(handledMs + queue.wrapUpSeconds * 1000);
  }

  /** The customer goes on with a transfer party that answered: an agent (with the controls) or a number. */
  async #handTo(session: Session, queue: QueueDefinition, kind: ContactKind, customer: Call, party: EngineParty, leg: Call): Promise<void> {
    if (party.stint) {
      // Published as the agent gets the customer (with the controls registered in the same step), not when a consult rang them.
      this.#o.bus.publish('call_answered', { callId: session.entry.callId, entryId: session.entry.id, queue: queue.name, kind, agent: party.stint.agent.login, waitMs: 0 });
      await this.#work(session, queue, kind, customer, { ...party.stint, leg }, this.#o.clock.now());
    } else {
      await this.#followExternal(session, queue, customer, leg);
    }
  }

  /**
   * After a blind transfer: a queue takes the customer in at once; an agent
   * or a number is dialed while the customer hears music. When they do not
   * answer, the customer goes back to the queue the call came through,
   * ahead of the callers who arrived after them (the entry time is kept).
   */
  async #blindTransfer(
    session: Session, queue: QueueDefinition, kind: ContactKind, customer: Call, target: TransferTarget, party: EngineParty | undefined, seg: Promise<number>,
  ): Promise<void> {
    if (!party) {
      const to = target.type === 'queue' ? this.router.queue(target.queue) : undefined;
      if (!isLive(customer)) return this.#closeAnswered(session, queue, customer, undefined);
      this.#recorder.updateSegment(session.recordId, seg, { endedAt: this.#o.clock.now(), outcome: to ? 'queued' : 'failed' });
      this.#requeue(session, to ?? queue, customer);
      return;
    }
    this.#connected++;
    const ac = new AbortController();
    const gone = (): void => ac.abort();
    customer.once('hangup', gone);
    const music = new AbortController();
    const playing = customer.play({ prompts: [queue.musicOnHold ?? 'music-on-hold'], loop: true, signal: music.signal })
      .catch((err: unknown) => session.log.error({ err }, 'music on hold failed'));
    let leg: Call | undefined;
    try {
      leg = await party.dial(ac.signal);
    } catch (err) {
      session.log.info({ err, target }, 'transfer target not reached');
    } finally {
      customer.off('hangup', gone);
      music.abort();
      await playing;
      this.#connected--;
    }
    const at = this.#o.clock.now();
    if (leg && isLive(customer)) {
      this.#recorder.updateSegment(session.recordId, seg, { answeredAt: at, endedAt: at, outcome: 'connected' });
      await this.#handTo(session, queue, kind, customer, party, leg);
      return;
    }
    await party.drop(leg, isLive(customer) ? 'failed' : 'call-ended');
    this.#recorder.updateSegment(session.recordId, seg, { endedAt: at, outcome: 'failed' });
    if (!isLive(customer)) return this.#closeAnswered(session, queue, customer, undefined);
    session.log.warn({ target }, 'transfer failed; the customer goes back to the queue');
    this.#requeue(session, queue, customer);
  }

  /** The customer talks to a number outside (transferred there) until either hangs up. */
  async #followExternal(session: Session, queue: QueueDefinition, customer: Call, leg: Call): Promise<void> {
    const started = this.#o.clock.now();
    this.#connected++;
    try {
      const ended = bothEnded(customer, leg);
      if (isLive(customer) && isLive(leg)) {
        const bridge = await this.#o.driver.bridge(customer, leg);
        await ended.first;
        await bridge.unbridge();
      }
    } finally {
      if (isLive(customer)) await customer.hangup('normal');
      if (isLive(leg)) await leg.hangup('normal');
      this.#connected--;
    }
    if (session.connected) session.connected.talkMs += this.#o.clock.now() - started;
    this.#closeAnswered(session, queue, customer, undefined);
  }

  /** A transferred customer waits again, in `queue`, under the same call record. */
  #requeue(session: Session, queue: QueueDefinition, customer: Call): void {
    // A callback's customer is a call now: a new offer connects it rather than calling them again.
    session.entry = { ...session.entry, kind: 'call', queue: queue.name, queueEnteredAt: this.#o.clock.now() };
    session.hold = undefined;
    session.offer = undefined;
    session.pending = undefined;
    session.log = session.log.child({ queue: queue.name });
    if (session.call !== customer) {
      session.call = customer;
      customer.once('hangup', (cause) => this.#callerHungUp(session, cause));
      customer.on('dtmf', (digit) => this.#callerPressed(session, digit));
    }
    session.state = 'waiting';
    this.#enterQueue(session, queue, 'transferred');
    this.#dispatchEntry(session.entry.id);
  }

  /** The end of an answered call: the record closes with the talk and hold time of every agent who had it. */
  #closeAnswered(session: Session, queue: QueueDefinition, customer: Call, agent: string | undefined): void {
    const end = this.#o.clock.now();
    const cause = customer.hangupCause ?? 'normal';
    const c = session.connected;
    this.#recorder.update(session.recordId, { endedAt: end, talkMs: c?.talkMs ?? 0, holdMs: c?.holdMs ?? 0, endCause: cause, live: false });
    this.#o.bus.publish('call_ended', { recordId: session.recordId, customerId: session.entry.customerId, callId: customer.id, queue: queue.name, agent, outcome: 'answered', cause });
    session.finish({ result: 'connected', agent: c?.agent ?? agent ?? '' });
  }

  /** The agent took a callback: call the customer and connect them; retry later on no answer. */
  async #connectCallback(session: Session, queue: QueueDefinition, attempt: OfferAttempt, leg: Call): Promise<void> {
    const { agent } = attempt;
    const cb = session.callback;
    if (!cb) return;
    const now = this.#o.clock.now();
    this.#leave(session, 'connected');
    this.#roster.apply(agent, agent.answered(now));
    this.#recorder.updateSegment(session.recordId, attempt.seg, { answeredAt: now });
    cb.attempts++;
    const attemptsSoFar = cb.attempts;
    this.#writes.push(() => this.#callbacks.save(session.entry, cb.trunk, attemptsSoFar));
    const number = cb.number;
    const seg = this.#recorder.addSegment(session.recordId, { kind: 'callback', queue: queue.name, agent: agent.login, startedAt: now, detail: { attempt: cb.attempts, number } }, {});
    session.log.info({ agent: agent.login, attempt: cb.attempts, number }, 'calling the customer back');
    let customer: Call | undefined;
    try {
      customer = await this.#o.driver.originate(
        { kind: 'number', number, ...(cb.trunk !== undefined ? { trunk: cb.trunk } : {}) },
        { timeoutMs: queue.callback.ringTimeoutSeconds * 1000, callerId: { number: queue.name } },
      );
    } catch (err) {
      const result = causeOf(err) === 'no-answer' || causeOf(err) === 'busy' ? 'no-answer' : 'failed';
      const at = this.#o.clock.now();
      this.#recorder.updateSegment(session.recordId, seg, { endedAt: at, outcome: result });
      this.#queueEvent(queue.name, 'callback-failed', session, agent.login, { attempt: cb.attempts, result });
      this.#o.bus.publish('callback_attempted', { entryId: session.entry.id, queue: queue.name, agent: agent.login, number, attempt: cb.attempts, result });
      await attempt.line.finish(leg);
      this.#recorder.updateSegment(session.recordId, attempt.seg, { endedAt: at, outcome: `callback-${result}` });
      this.#roster.apply(agent, agent.callEnded(0, at));
      if (cb.attempts < queue.callback.attempts) {
        session.log.info({ attempt: cb.attempts, retryInSeconds: queue.callback.retryDelaySeconds }, 'customer not reached; will retry');
        const timer = this.#o.clock.setTimer(queue.callback.retryDelaySeconds * 1000, () => {
          if (this.#stopped) return;
          // Back in line at its original place.
          session.state = 'waiting';
          this.#sessions.set(session.entry.id, session);
          this.router.enqueue(session.entry);
          this.#dispatchEntry(session.entry.id);
        });
        session.timers = [timer];
        this.#sessions.set(session.entry.id, session);
      } else {
        session.log.warn({ attempts: cb.attempts }, 'customer not reached; callback given up');
        this.#writes.push(() => this.#callbacks.delete(session.entry.id));
        this.#sessions.delete(session.entry.id);
        this.#recorder.update(session.recordId, { outcome: 'failed', endedAt: at, endCause: 'no-answer', live: false });
        this.#o.bus.publish('call_ended', { recordId: session.recordId, customerId: session.entry.customerId, callId: session.entry.id, queue: queue.name, agent: agent.login, outcome: 'failed', cause: 'no-answer' });
      }
      return;
    }
    const answeredAt = this.#o.clock.now();
    this.#writes.push(() => this.#callbacks.delete(session.entry.id));
    this.#recorder.updateSegment(session.recordId, seg, { answeredAt });
    this.#queueEvent(queue.name, 'callback-attempted', session, agent.login, { attempt: cb.attempts, result: 'answered' });
    this.#o.bus.publish('callback_attempted', { entryId: session.entry.id, queue: queue.name, agent: agent.login, number, attempt: cb.attempts, result: 'answered' });
    this.#recorder.update(session.recordId, { answeredAt, agent: agent.login, outcome: 'answered', waitMs: answeredAt - session.entry.enteredAt });
    this.#o.bus.publish('call_answered', { callId: customer.id, entryId: session.entry.id, queue: queue.name, kind: 'callback', agent: agent.login, waitMs: answeredAt - session.entry.enteredAt });
    session.connected = { answeredAt, agent: agent.login, talkMs: 0, holdMs: 0 };
    await this.#work(session, queue, 'callback', customer, { agent, line: attempt.line, leg, seg: attempt.seg }, answeredAt);
    this.#recorder.updateSegment(session.recordId, seg, { endedAt: this.#o.clock.now(), outcome: 'answered' });
  }

  #whisperPrompts(queue: QueueDefinition, entry: WaitingEntry): Prompt[] {
    if (!queue.whisper) return [];
    const segment = entry.segment !== undefined ? queue.whisper.segments[entry.segment] : undefined;
    return [...queue.whisper.prompts, ...(segment ? [segment] : [])];
  }

  // ---- persistent lines ----

  async #connectLine(agent: Agent): Promise<void> {
    const line = new PersistentLine(this.#o.driver, dialTarget(agent.profile.device, agent.login));
    const leg = await line.connect({ timeoutMs: this.#o.persistentLineTimeoutMs, callerId: this.#o.callerId ?? { number: 'tenor', displayName: 'Tenor ACD' } });
    this.#lines.set(agent.login, line);
    this.#log.info({ agent: agent.login, callId: leg.id }, 'persistent line connected');
    leg.once('hangup', () => {
      if (this.#lines.get(agent.login) !== line) return;
      this.#lines.delete(agent.login);
      this.#log.warn({ agent: agent.login, callId: leg.id }, 'persistent line dropped');
      // The agent can no longer be reached: on break until they log in again.
      if (agent.state === 'ready') this.#roster.apply(agent, agent.takeBreak('line lost', this.#o.clock.now()));
      else if (agent.state === 'wrap-up') {
        agent.pendingBreak = 'line lost';
        this.#roster.endWrapUp(agent, 'line lost');
      } else if (agent.state === 'offered' || agent.state === 'on-call') agent.pendingBreak = 'line lost';
    });
  }

  async #reconnectLine(agent: Agent): Promise<void> {
    try {
      await this.#connectLine(agent);
    } catch (err) {
      this.#log.warn({ err, agent: agent.login }, 'persistent line could not be set up again after restart; agent on break');
      if (agent.state === 'ready') this.#roster.apply(agent, agent.takeBreak('line lost', this.#o.clock.now()));
    }
  }

  #checkBreakReason(reason: string): void {
    if (reason !== NO_ANSWER_REASON && reason !== SUPERVISOR_REASON && !this.#o.breakReasons.includes(reason)) {
      throw new TenorError('TENOR_ERR_VALIDATION', [`unknown break reason '${reason}' (known: ${this.#o.breakReasons.join(', ')})`]);
    }
  }

  #handleTimesOf(queue: string): HandleTimes {
    let h = this.#handleTimes.get(queue);
    if (!h) this.#handleTimes.set(queue, (h = new HandleTimes()));
    return h;
  }

  // ---- records ----

  #newQueueSegment(session: Session, queue: string, at: number): void {
    session.queueSegPromise = this.#recorder.addSegment(session.recordId, { kind: 'queue', queue, startedAt: at });
  }

  #endQueueSegment(session: Session, at: number, outcome: string): void {
    this.#recorder.updateSegment(session.recordId, session.queueSegPromise, { endedAt: at, outcome });
    session.queueSegPromise = undefined;
  }

  #queueEvent(queue: string, type: QueueEventType, session: Session, agent: string | undefined, detail: Record<string, unknown> | undefined): void {
    this.#recorder.queueEvent({ at: this.#o.clock.now(), queue, type, callId: session.entry.callId, entryId: session.entry.id, agent, detail });
  }
}

/** How a transfer party's agent segment ends when they do not take the customer. */
function dropOutcome(why: PartyDrop): string {
  return why === 'failed' ? 'no-answer' : why === 'call-ended' ? 'withdrawn' : `consult-${why}`;
}

export type { CallOutcome, EnqueueResult };
