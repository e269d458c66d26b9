// The ACD's public entry point: what other services and the HTTP API get
// (`services.get('acd')` is an AcdService), the model and wire types they use,
// and the few helpers they share. Other services import the ACD from here only.

import type { Call } from '@tenor/telephony';
import type { Agent, AgentStateChange } from './agent-state.js';
import type { OutsideCall } from './outside-calls.js';
import type { PlaceCallRequest, PlacedCall } from './agent-calls.js';
import type { ScheduledCallbacks } from './scheduled-callbacks.js';
import type { Asker } from './state-requests.js';
import type { ConnectedCallView, TransferTarget } from './connected-call.js';
import type { ConnectStep } from './connected-work.js';
import type { CallbackRequest } from './callbacks.js';
import type { AgentProfile, QueueDefinition } from './model.js';
import type { AgentStateLogFilter, CallRecordExtension, CallRecordFields, QueueEventFilter } from './records.js';
import type { AcdReportReader } from './report-reader.js';
import type { QueueFigures, Router } from './router.js';
import type { EnqueueResult } from './session.js';
import type { CallRecord, CallRecordFilter } from './store/call-records.js';
import type { QueueEvent } from './store/queue-events.js';
import type { Origin } from './store/queues-repo.js';
import type { EnqueueOptions } from './waiting.js';

declare module '../../core/service-manager.js' {
  interface ServiceMap {
    acd: AcdService;
  }
}

/** The waiting lists as the live view reads them. */
export type AcdWaitingView = Pick<Router, 'waiting' | 'position' | 'entry'>;

export interface AcdService {
  /** Who waits where, in order (read only). */
  readonly router: AcdWaitingView;
  /** What the reports read of the stored history. */
  readonly reportReader: AcdReportReader;
  /** The agents' scheduled callbacks: their list on the desktop (docs/acd.md, "Calls the agent places"). */
  readonly scheduledCallbacks: ScheduledCallbacks;

  // ---- queues and agents (docs/acd.md, "Queues" and "Agents") ----
  /** Make the configuration file's queues and agents current: add or update them, drop the ones the file no longer has. */
  applyConfig(queues: readonly QueueDefinition[], agents: readonly AgentProfile[]): Promise<void>;
  saveQueue(def: QueueDefinition, origin?: Origin): Promise<void>;
  /** Remove a queue; refused while contacts wait in it. */
  removeQueue(name: string): Promise<boolean>;
  queue(name: string): QueueDefinition | undefined;
  queues(): QueueDefinition[];
  figures(queue: string): QueueFigures | undefined;
  saveAgent(profile: AgentProfile, origin?: Origin): Promise<Agent>;
  /** Remove an agent; refused unless logged out. */
  removeAgent(login: string): Promise<boolean>;
  agent(login: string): Agent | undefined;
  agents(): Agent[];
  /** Agents of a queue by state now (a campaign's pacing counts the ready and busy ones). */
  queueAgents(queue: string): Agent[];

  // ---- agent sessions ----
  /** The break reasons agents choose from (the site's, or the defaults). */
  breakReasons(): readonly string[];
  /** Log in (ready, or on break with `breakReason`). A persistent-line agent's phone is called first. */
  login(login: string, opts?: { breakReason?: string }): Promise<Agent>;
  // What a person may ask (state-requests.ts): `asker` 'self' is the agent's own request,
  // 'forced' a supervisor's or admin's for them. While the agent is offered or on a call,
  // these throw TENOR_ERR_AGENT_BUSY, except a forced break or logout: kept in
  // `agent.pending` (event agent_state_pending) and taken when the call and its wrap-up end.
  /** Ready again: from a break, or ending wrap-up early. */
  ready(login: string, asker?: Asker): Agent;
  /** Take a break now (ending wrap-up early), or a forced one pending until the call's work ends. */
  takeBreak(login: string, reason: string, asker?: Asker): Agent;
  logout(login: string, reason?: string, asker?: Asker): Promise<Agent>;
  /**
   * Take the agent for a call placed for them outside the queues (a preview call): busy
   * (offered, then on-call once `answered`) until `ended`. Undefined when `login` is no
   * ACD agent; TENOR_ERR_AGENT_BUSY on a call, TENOR_ERR_AGENT_NOT_AVAILABLE logged out.
   */
  outsideCall(login: string, ref: string, queue: string | undefined): OutsideCall | undefined;
  /**
   * A call the agent places from the desktop: the number passes the dialing policy, the
   * agent's phone rings, then the customer's; resolves once the customer answered (the call
   * goes on as an ACD call). TENOR_ERR_DIALING_REFUSED, TENOR_ERR_AGENT_BUSY,
   * TENOR_ERR_AGENT_NOT_AVAILABLE (logged out, their phone did not answer),
   * TENOR_ERR_CUSTOMER_NOT_REACHED.
   */
  placeCall(login: string, req: PlaceCallRequest): Promise<PlacedCall>;

  // ---- callers and callbacks ----
  /**
   * Put an answered call into a queue. Resolves when the caller leaves the
   * ACD: connected to an agent and the call ended, abandoned, asked for a
   * callback, or exited (to voicemail or a flow: the call is still up).
   */
  enqueueCall(call: Call, opts: EnqueueOptions): Promise<EnqueueResult>;
  /**
   * Take a waiting (or being offered) call out of the ACD without hanging it
   * up (a campaign's abandoned live answer); false when it is no longer waiting.
   */
  withdrawCall(callId: string): boolean;
  /**
   * A callback asked for without a caller waiting (from a voicemail, an agent,
   * a campaign): it waits in its queue like a caller; checked by the dialing policy now.
   */
  requestCallback(opts: CallbackRequest): { entryId: string };
  /** Contacts in the ACD now: waiting, being offered, or connected through it. */
  activeContacts(): number;

  // ---- call controls (docs/acd.md, "Call controls") ----
  /** The two legs of the agent's connected call while they are bridged (supervisor monitoring joins these). */
  connectedLegs(agentLogin: string): { callId: string; customer: Call; agent: Call } | undefined;
  /** The customer's leg of the agent's connected call, bridged or not (call recording starts on it), or undefined. */
  connectedCustomer(agentLogin: string): Call | undefined;
  /** The agent's connected call; TENOR_ERR_NO_CALL when they have none. */
  connectedCall(login: string): ConnectedCallView;
  /** The agent's connected call, or undefined (for the live view). */
  findConnectedCall(login: string): ConnectedCallView | undefined;
  holdCall(login: string): Promise<ConnectedCallView>;
  unholdCall(login: string): Promise<ConnectedCallView>;
  hangupCall(login: string): Promise<void>;
  transferCall(login: string, target: TransferTarget): Promise<void>;
  consultCall(login: string, target: TransferTarget): Promise<ConnectedCallView>;
  completeConsult(login: string): Promise<void>;
  cancelConsult(login: string): Promise<ConnectedCallView>;

  // ---- records ----
  /** Wait until every record and log line asked for so far is written. */
  flush(): Promise<void>;
  callRecords(filter?: CallRecordFilter): Promise<CallRecord[]>;
  callRecord(id: string): Promise<CallRecord | undefined>;
  agentStateLog(filter?: AgentStateLogFilter): Promise<AgentStateChange[]>;
  queueEvents(filter?: QueueEventFilter): Promise<QueueEvent[]>;
  /** Run a step before each queued caller is connected to the agent who answered (ConnectStep); the function returned removes it. */
  addConnectStep(step: ConnectStep): () => void;
  /** Add fields to the call records the API returns; the function returned removes the extension. */
  addCallRecordExtension(extension: CallRecordExtension): () => void;
  /** The fields the registered extensions add to these records, by record id. */
  callRecordFields(recordIds: readonly string[]): Promise<Map<string, CallRecordFields>>;

  /** Stop timers and persistent lines; calls in progress are the telephony service's to end. */
  stop(): Promise<void>;
}

export type { Agent, AgentStateChange, AgentState } from './agent-state.js';
export { agentStates } from './agent-state.js';
export type { Clock, TimerHandle } from './clock.js';
export type { CallbackRequest } from './callbacks.js';
export type { CallControlAction, ConnectedCallView, TransferTarget } from './connected-call.js';
export type { AgentProfile, ContactKind, ExitDestination, ExitReason, QueueDefinition, WaitingEntry } from './model.js';
export type { CallRecordExtension, CallRecordFields } from './records.js';
export type { ConnectStep } from './connected-work.js';
export type { AcdReportReader, AnsweredFacts, CallbackFacts, CallFacts, StateChangeFacts } from './report-reader.js';
export type { QueueFigures } from './router.js';
export type { EnqueueResult } from './session.js';
export type { PendingChange } from './agent-state.js';
export type { OutsideCall } from './outside-calls.js';
export type { PlaceCallRequest, PlacedCall } from './agent-calls.js';
export type { ScheduledCallbacks, ScheduleRequest } from './scheduled-callbacks.js';
export type { ScheduledCallback } from './store/scheduled-callbacks-repo.js';
export { deskConfigSection } from './desk-config.js';
export type { DeskSettings } from './desk-config.js';
export type { Asker, RequestedState } from './state-requests.js';
export type { CallOutcome, CallRecord, CallRecordFilter } from './store/call-records.js';
export type { EnqueueOptions } from './waiting.js';
export type { AcdEvents, CallQueuedEvent } from './events.js';
export type { AcdSettings, QueueThresholds } from './config-schema.js';
// The service definitions and the site-file section, for the catalogue (services/index.ts).
export { acdService } from './service.js';
export { monitoringService } from './monitoring-service.js';
export { acdConfigSection } from './config-schema.js';
export { systemClock } from './clock.js';
export { agentFromConfig, queueFromConfig } from './config.js';
export { dialTarget, sipDeviceUser } from './devices.js';
export { queueWithDefaults } from './model.js';
export { causeOf, isLive } from './session.js';
export { callView } from './call-view.js';
