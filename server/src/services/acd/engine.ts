// The ACD at work: callers put into queues wait with music and announcements,
// are offered to agents through their devices, connected, recorded; agents
// log in, take breaks, wrap up. Decisions come from the Router (pure, in
// memory); everything that touches a call goes through the telephony driver
// contract only; records and logs are written in order, off the routing path.
//
// The engine builds the parts and hands each its collaborators; the work is
// theirs: admin (queues and agents), agent sessions, waiting, offers,
// connected work, call controls, callbacks, records (docs/acd.md).

import type { Logger } from 'pino';
import type { Call, CallParty, TelephonyDriver } from '@tenor/telephony';
import type { EventBus } from '../../core/events.js';
import type { Database } from '../../store/database.js';
import type { DialingService } from '../dialing/index.js';
import { ActiveCalls } from './active-calls.js';
import { AcdAdmin } from './admin.js';
import type { Agent, AgentStateChange } from './agent-state.js';
import { AgentSessions } from './agent-sessions.js';
import { AgentCalls, type PlaceCallRequest, type PlacedCall } from './agent-calls.js';
import type { DeskOutboundSettings } from './desk-config.js';
import { ScheduledCallbacks } from './scheduled-callbacks.js';
import { ScheduledCallbacksRepository } from './store/scheduled-callbacks-repo.js';
import { AgentRoster } from './agents.js';
import { CallControls } from './call-controls.js';
import { Callbacks, type CallbackRequest } from './callbacks.js';
import type { Clock } from './clock.js';
import type { ConnectedCallView, TransferTarget } from './connected-call.js';
import { ConnectedWork, type ConnectStep } from './connected-work.js';
import { Contacts, type AcdCore } from './contacts.js';
import type { AcdService } from './index.js';
import type { AgentProfile, QueueDefinition } from './model.js';
import { Offers } from './offering.js';
import { OutsideCalls, type OutsideCall } from './outside-calls.js';
import { AcdReportReader } from './report-reader.js';
import type { RandomSource } from './random.js';
import { AcdRecords, type AgentStateLogFilter, type CallRecordExtension, type CallRecordFields, type QueueEventFilter } from './records.js';
import { CallRecorder } from './recorder.js';
import { restoreAfterRestart, type RestoreDeps } from './restart.js';
import { Router, type QueueFigures } from './router.js';
import type { Asker } from './state-requests.js';
import type { EnqueueResult } from './session.js';
import { AgentStateLog } from './store/agent-state-log.js';
import { AgentsRepository } from './store/agents-repo.js';
import { CallbacksRepository } from './store/callbacks-repo.js';
import { CallRecordsRepository, type CallOutcome, type CallRecord, type CallRecordFilter } from './store/call-records.js';
import { QueueEventLog, type QueueEvent } from './store/queue-events.js';
import { QueuesRepository, type Origin } from './store/queues-repo.js';
import { WaitingRoom, type EnqueueOptions } from './waiting.js';
import { WriteQueue } from './write-queue.js';
import { committedBus } from './committed-bus.js';

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
  /** acd.lineLost.fallback: a customer whose agent's browser line was lost goes to the agent's device.fallback number (default false). */
  lineLostFallback?: boolean;
  /** desk.outbound: caller ID, trunk and ring time of the calls agents place from the desktop. */
  deskOutbound?: DeskOutboundSettings;
}

export const DEFAULT_BREAK_REASONS = ['lunch', 'coffee', 'meeting', 'training', 'other'] as const;

export class AcdEngine implements AcdService {
  readonly router: Router;
  /** What the reports read of the stored history. */
  readonly reportReader: AcdReportReader;
  /** The agents' scheduled callbacks (their list on the desktop). */
  readonly scheduledCallbacks: ScheduledCallbacks;
  readonly #unsubscribe: () => void;
  readonly #connectSteps = new Set<ConnectStep>();
  readonly #writes: WriteQueue;
  readonly #roster: AgentRoster;
  readonly #contacts: Contacts;
  readonly #admin: AcdAdmin;
  readonly #agentSessions: AgentSessions;
  readonly #waiting: WaitingRoom;
  readonly #offers: Offers;
  readonly #controls: CallControls;
  readonly #callbacks: Callbacks;
  readonly #records: AcdRecords;
  readonly #outside: OutsideCalls;
  readonly #agentCalls: AgentCalls;
  /** What start() needs to put back what the previous run left. */
  readonly #restore: Omit<RestoreDeps, 'now' | 'log'>;

  private constructor(opts: AcdEngineOptions) {
    const { driver, db, clock, logger: log } = opts;
    const maxMissedOffers = opts.maxMissedOffers ?? 3;
    this.router = new Router({ clock, ...(opts.random ? { random: opts.random } : {}) });
    const router = this.router;
    this.#writes = new WriteQueue((err) => log.error({ err }, 'ACD record write failed'));
    const writes = this.#writes;
    // Every ACD event waits for the writes asked before it: what a client hears of is on disk.
    const bus = committedBus(opts.bus, writes);
    const records = new CallRecordsRepository(db);
    const queueEvents = new QueueEventLog(db);
    const stateLog = new AgentStateLog(db);
    const recorder = new CallRecorder(writes, records, queueEvents);
    const agentsRepo = new AgentsRepository(db);
    const queuesRepo = new QueuesRepository(db);
    const callbacksRepo = new CallbacksRepository(db);
    this.reportReader = new AcdReportReader(db);
    this.#roster = new AgentRoster({
      router, clock, bus, writes, agentsRepo, stateLog, logger: log,
      onReady: (login) => this.#offers.dispatchAgent(login),
      onLoggedOut: (agent) => this.#agentSessions.loggedOut(agent),
      onWrapUpEnded: (_agent, callId, ms) => {
        if (callId) recorder.update(callId, { wrapUpMs: ms });
      },
    });
    this.#contacts = new Contacts({ router, recorder, clock });
    const core: AcdCore = { driver, bus, clock, log, router, roster: this.#roster, recorder, contacts: this.#contacts };
    const calls = new ActiveCalls({ roster: this.#roster, bus });
    const dispatchEntry = (entryId: string): void => this.#offers.dispatchEntry(entryId);
    this.#agentSessions = new AgentSessions({
      core, breakReasons: opts.breakReasons ?? DEFAULT_BREAK_REASONS, persistentLineTimeoutMs: opts.persistentLineTimeoutMs ?? 30_000,
      callerId: opts.callerId, leaveEmptyQueues: (agent) => this.#waiting.leaveEmptyQueues(agent),
    });
    const connected: ConnectedWork = new ConnectedWork({
      core, calls, dispatchEntry, lineLostFallback: opts.lineLostFallback ?? false,
      beforeConnect: async (call) => {
        for (const step of [...this.#connectSteps]) await step(call);
      },
      enterQueue: (session, queue, how) => this.#waiting.enterQueue(session, queue, how),
      listen: (session, call) => this.#waiting.listen(session, call),
    });
    this.#callbacks = new Callbacks({
      core, dialing: opts.dialing, repo: callbacksRepo, writes, dispatchEntry,
      enterQueue: (session, queue, how) => this.#waiting.enterQueue(session, queue, how),
      work: (session, queue, kind, customer, stint, answeredAt) => connected.work(session, queue, kind, customer, stint, answeredAt),
    });
    this.#waiting = new WaitingRoom({
      core, defaultHandleTimeMs: opts.defaultHandleTimeMs ?? 180_000, dispatchEntry,
      requestCallback: (session, queue) => this.#callbacks.fromCaller(session, queue),
      closeAnswered: (session, queue, customer, agent) => connected.closeAnswered(session, queue, customer, agent),
    });
    this.#offers = new Offers({
      core, maxMissedOffers, lineOf: (agent) => this.#agentSessions.lineOf(agent),
      connect: (session, queue, attempt, leg) => connected.connect(session, queue, attempt, leg),
      connectCallback: (session, queue, attempt, leg) => this.#callbacks.connect(session, queue, attempt, leg),
    });
    this.#controls = new CallControls({
      core, calls, maxMissedOffers, transferRingTimeoutMs: opts.transferRingTimeoutMs ?? 30_000, lineOf: (agent) => this.#agentSessions.lineOf(agent),
    });
    this.#admin = new AcdAdmin({
      router, roster: this.#roster, bus, clock, log, queuesRepo, agentsRepo,
      logout: (login, reason) => this.#agentSessions.logout(login, reason),
      dispatchAll: () => this.#offers.dispatchAll(), dispatchAgent: (login) => this.#offers.dispatchAgent(login),
    });
    this.#records = new AcdRecords({ records, stateLog, queueEvents, writes });
    this.#outside = new OutsideCalls({ core, queue: (name) => this.#admin.queue(name) });
    this.#agentCalls = new AgentCalls({
      core, dialing: opts.dialing, outside: this.#outside, settings: opts.deskOutbound ?? {}, siteCallerId: opts.callerId,
      queue: (name) => this.#admin.queue(name), lineOf: (agent) => this.#agentSessions.lineOf(agent),
      work: (session, queue, kind, customer, stint, answeredAt) => connected.work(session, queue, kind, customer, stint, answeredAt),
    });
    this.scheduledCallbacks = new ScheduledCallbacks({
      repo: new ScheduledCallbacksRepository(db), clock, dialing: opts.dialing, log, isAgent: (login) => this.#roster.get(login) !== undefined,
    });
    // A script run by an agent asked for a callback: it goes on that agent's list (self-service runs have no agent).
    this.#unsubscribe = opts.bus.subscribe('callback_scheduled', (e) => {
      const { agent, number, at, customerId, source } = e.payload;
      if (agent === undefined || !this.#roster.get(agent)) return;
      this.scheduledCallbacks.schedule({ agent, number, dueAt: Date.parse(at), source, ...(customerId !== null ? { customerId: String(customerId) } : {}) })
        .catch((err: unknown) => log.warn({ err, agent, number }, 'scheduled callback not kept'));
    });
    this.#restore = {
      db, router, roster: this.#roster, recorder, writes, queuesRepo, agentsRepo, callbacksRepo,
      reconnectLine: (agent) => this.#agentSessions.reconnectLine(agent),
      putCallback: (entry, trunk, attempts, callbackLog) => this.#callbacks.put(entry, trunk, attempts, callbackLog),
    };
  }

  /**
   * Start the ACD on a migrated database: close what a crash left open, then
   * load queues and agents (logged-in agents stay logged in; persistent lines
   * are called again).
   */
  static async start(opts: AcdEngineOptions): Promise<AcdEngine> {
    const engine = new AcdEngine(opts);
    await restoreAfterRestart({ ...engine.#restore, now: opts.clock.now(), log: opts.logger });
    engine.#offers.dispatchAll();
    return engine;
  }

  // ---- configuration: queues and agents ----

  applyConfig(queues: readonly QueueDefinition[], agents: readonly AgentProfile[]): Promise<void> {
    return this.#admin.applyConfig(queues, agents);
  }

  saveQueue(def: QueueDefinition, origin: Origin = 'api'): Promise<void> {
    return this.#admin.saveQueue(def, origin);
  }

  removeQueue(name: string): Promise<boolean> {
    return this.#admin.removeQueue(name);
  }

  breakReasons(): readonly string[] {
    return this.#agentSessions.breakReasons;
  }

  queue(name: string): QueueDefinition | undefined {
    return this.#admin.queue(name);
  }

  queues(): QueueDefinition[] {
    return this.#admin.queues();
  }

  figures(queue: string): QueueFigures | undefined {
    return this.#admin.figures(queue);
  }

  saveAgent(profile: AgentProfile, origin: Origin = 'api'): Promise<Agent> {
    return this.#admin.saveAgent(profile, origin);
  }

  removeAgent(login: string): Promise<boolean> {
    return this.#admin.removeAgent(login);
  }

  agent(login: string): Agent | undefined {
    return this.#admin.agent(login);
  }

  agents(): Agent[] {
    return this.#admin.agents();
  }

  queueAgents(queue: string): Agent[] {
    return this.#admin.queueAgents(queue);
  }

  // ---- agent sessions ----

  login(login: string, opts: { breakReason?: string } = {}): Promise<Agent> {
    return this.#agentSessions.login(login, opts);
  }

  ready(login: string, asker: Asker = 'self'): Agent {
    return this.#agentSessions.ready(login, asker);
  }

  takeBreak(login: string, reason: string, asker: Asker = 'self'): Agent {
    return this.#agentSessions.takeBreak(login, reason, asker);
  }

  logout(login: string, reason = 'logout', asker: Asker = 'self'): Promise<Agent> {
    return this.#agentSessions.logout(login, reason, asker);
  }

  outsideCall(login: string, ref: string, queue: string | undefined): OutsideCall | undefined {
    return this.#outside.begin(login, ref, queue);
  }

  placeCall(login: string, req: PlaceCallRequest): Promise<PlacedCall> {
    return this.#agentCalls.place(login, req);
  }

  // ---- callers and callbacks ----

  enqueueCall(call: Call, opts: EnqueueOptions): Promise<EnqueueResult> {
    return this.#waiting.enqueueCall(call, opts);
  }

  withdrawCall(callId: string): boolean {
    return this.#waiting.withdrawCall(callId);
  }

  requestCallback(opts: CallbackRequest): { entryId: string } {
    return this.#callbacks.request(opts);
  }

  activeContacts(): number {
    return this.#contacts.active;
  }

  // ---- call controls ----

  connectedLegs(agentLogin: string): { callId: string; customer: Call; agent: Call } | undefined {
    return this.#controls.connectedLegs(agentLogin);
  }

  connectedCustomer(agentLogin: string): Call | undefined {
    return this.#controls.connectedCustomer(agentLogin);
  }

  connectedCall(login: string): ConnectedCallView {
    return this.#controls.connectedCall(login);
  }

  findConnectedCall(login: string): ConnectedCallView | undefined {
    return this.#controls.findConnectedCall(login);
  }

  holdCall(login: string): Promise<ConnectedCallView> {
    return this.#controls.holdCall(login);
  }

  unholdCall(login: string): Promise<ConnectedCallView> {
    return this.#controls.unholdCall(login);
  }

  hangupCall(login: string): Promise<void> {
    return this.#controls.hangupCall(login);
  }

  transferCall(login: string, target: TransferTarget): Promise<void> {
    return this.#controls.transferCall(login, target);
  }

  consultCall(login: string, target: TransferTarget): Promise<ConnectedCallView> {
    return this.#controls.consultCall(login, target);
  }

  completeConsult(login: string): Promise<void> {
    return this.#controls.completeConsult(login);
  }

  cancelConsult(login: string): Promise<ConnectedCallView> {
    return this.#controls.cancelConsult(login);
  }

  // ---- records ----

  flush(): Promise<void> {
    return this.#records.flush();
  }

  callRecords(filter: CallRecordFilter = {}): Promise<CallRecord[]> {
    return this.#records.callRecords(filter);
  }

  callRecord(id: string): Promise<CallRecord | undefined> {
    return this.#records.callRecord(id);
  }

  agentStateLog(filter: AgentStateLogFilter = {}): Promise<AgentStateChange[]> {
    return this.#records.agentStateLog(filter);
  }

  queueEvents(filter: QueueEventFilter = {}): Promise<QueueEvent[]> {
    return this.#records.queueEvents(filter);
  }

  addConnectStep(step: ConnectStep): () => void {
    this.#connectSteps.add(step);
    return () => {
      this.#connectSteps.delete(step);
    };
  }

  addCallRecordExtension(extension: CallRecordExtension): () => void {
    return this.#records.addCallRecordExtension(extension);
  }

  callRecordFields(recordIds: readonly string[]): Promise<Map<string, CallRecordFields>> {
    return this.#records.callRecordFields(recordIds);
  }

  /** Stop timers and persistent lines; calls in progress are the telephony service's to end. */
  async stop(): Promise<void> {
    this.#unsubscribe();
    await this.#contacts.stop();
    this.#roster.stop();
    await this.#agentSessions.stop();
    await this.flush();
  }
}

export type { CallOutcome, EnqueueOptions, EnqueueResult };
