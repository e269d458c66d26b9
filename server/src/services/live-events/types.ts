// The wire format of GET /api/events (WebSocket), for the server and the web
// client alike (type-only: the UI imports these). docs/live-events.md
// describes it with examples.
//
// Server → client, one JSON object per WebSocket message:
//   { type: 'snapshot', data: LiveSnapshot }   first, and again after a resync
//   { type: 'events', events: LiveEvent[] }    at most one per 100 ms
//   { type: 'pong' }                           answer to a client { type: 'ping' }
//   { type: 'error', code, message }           a client message was not understood
// Client → server: { type: 'ping' } or { type: 'resync' } (a fresh snapshot).

import type { TenorEvents, TenorEventName } from '../../core/events.js';
// The ACD's index brings its events' declarations (AcdEvents) along with these types.
import type { AgentState, ContactKind, TransferTarget } from '../acd/index.js';
import type { Role } from '../../store/repos/users.js';
import type { LiveDialing } from '../dialing/index.js';
// The recordings' index brings their events' declarations (recording_started, ...) for the web client's types.
import type {} from '../recordings/index.js';

export interface LiveAgent {
  login: string;
  name: string;
  state: AgentState;
  /** Break reason, 'login', 'answered', … */
  reason: string;
  /** When the agent entered this state (ISO). */
  since: string;
  /** Seconds in this state when the snapshot was taken (the UI counts on from `since`). */
  timeInStateSeconds: number;
  /** The call offered to, connected to or being wrapped up by the agent. */
  callId: string | null;
  queues: string[];
  /** Calls answered since the agent logged in. */
  callsAnswered: number;
}

export interface LiveWaitingCall {
  callId: string;
  entryId: string;
  kind: ContactKind;
  priority: number;
  /** 1 = next to be served. */
  position: number | null;
  callerNumber: string;
  customerId: string | null;
  customerName: string | null;
  segment: string | null;
  /** When the contact first entered a queue (ISO). */
  enteredAt: string;
  waitSeconds: number;
}

export interface LiveQueueFigures {
  queue: string;
  waiting: number;
  longestWaitSeconds: number;
  agentsLoggedIn: number;
  agentsReady: number;
  agentsBusy: number;
  agentsOnBreak: number;
}

export interface LiveQueue extends LiveQueueFigures {
  /** The contacts waiting, in order (supervisors and admins; empty for agents, who see the counts only). */
  calls: LiveWaitingCall[];
}

export type LiveCallState = 'arrived' | 'queued' | 'offered' | 'connected';

/** A call in progress, from its call record. */
export interface LiveCall {
  callId: string;
  direction: 'inbound' | 'outbound';
  from: string;
  to: string;
  customerId: string | null;
  queue: string | null;
  agent: string | null;
  state: LiveCallState;
  arrivedAt: string;
  answeredAt: string | null;
  /** The call's recording now (null: not being recorded, or no recording service). */
  recording: LiveCallRecording | null;
}

/** A live call's recording as the snapshot shows it; the recording_* events change it. */
export interface LiveCallRecording {
  recordingId: string;
  state: 'recording' | 'paused';
  /** When it started, was paused or resumed (ISO 8601). */
  since: string;
}

export interface LiveCustomer {
  id: string | null;
  name: string | null;
  segment: string | null;
}

/** What an agent is working on: the offer ringing, the call, or its wrap-up. */
export interface LiveContact {
  callId: string;
  state: 'offered' | 'on-call' | 'wrap-up';
  kind: ContactKind;
  queue: string | null;
  /** The queue's dialogue script, when it names one. */
  script: string | null;
  callerNumber: string | null;
  /** null fields: an unknown caller (show the number). */
  customer: LiveCustomer;
  since: string;
  /** On a call: the customer hears music on hold. */
  held: boolean;
  /** On a call: the agent is consulting someone before a transfer (the customer is on hold). */
  consult: { target: TransferTarget; state: 'dialing' | 'talking' } | null;
  /** The call's recording now: the desk shows it after a reload (null: not recorded). */
  recording: LiveCallRecording | null;
}

export interface LiveSnapshot {
  /** Server time of the snapshot (ISO): the UI measures times in state against it. */
  at: string;
  role: Role;
  username: string;
  /** The user's ACD agent login, if they are an agent. */
  agent: string | null;
  /** Supervisors and admins: every agent. Agents: only themselves. */
  agents: LiveAgent[];
  /** Supervisors and admins: every queue with its waiting calls. Agents: their queues, counts only. */
  queues: LiveQueue[];
  /** Supervisors and admins: every call in progress. Agents: their own call, if any. */
  calls: LiveCall[];
  /** Agents: their current offer or call with the customer (null when free). Null for others. */
  current: LiveContact | null;
  /** Supervisors and admins: the campaigns, active ones (running, paused) first; null for agents or without a campaigns service. */
  campaigns: LiveCampaign[] | null;
  /** Supervisors and admins: outbound legs the dialing policy refused (today's count, the latest 50, this process); null for agents or without a dialing service. */
  dialing: LiveDialing | null;
}

export type { LiveDialing, RecentRefusal as LiveRefusal } from '../dialing/index.js';

/** A campaign as the supervisor's monitor shows it. "Today" starts at midnight in the reports' time zone. */
export interface LiveCampaign {
  name: string;
  mode: 'preview' | 'progressive' | 'predictive';
  /** running, paused, stopped, … */
  status: string;
  queue: string | null;
  /** Agents of the campaign's queue logged in now. */
  agentsAssigned: number;
  agentsReady: number;
  /** Calls being dialed or ringing now (not yet answered). */
  inFlight: number;
  attemptsToday: number;
  connectedToday: number;
  abandonedToday: number;
  /** Abandoned / live-answered over the campaign's cap window, in percent; null before any live answer. */
  abandonRatePercent: number | null;
  /** Records still to dial. */
  remaining: number;
}

/** An event from the bus, as published (see server/src/core/events.ts and services/acd/events.ts). */
export type LiveBusEvent = {
  [K in TenorEventName]: { type: K; at: string; seq: number; payload: TenorEvents[K] };
}[TenorEventName];

/** Derived: a queue's figures changed (after any event touching the queue). Latest wins. */
export interface QueueFiguresEvent {
  type: 'queue_figures';
  at: string;
  payload: LiveQueueFigures;
}

/** Derived, agents only: their current contact changed (offer, answer, wrap-up, free). Latest wins. */
export interface CurrentContactEvent {
  type: 'current_contact';
  at: string;
  payload: { current: LiveContact | null };
}

export type LiveEvent = LiveBusEvent | QueueFiguresEvent | CurrentContactEvent;

export type ServerMessage =
  | { type: 'snapshot'; data: LiveSnapshot }
  | { type: 'events'; events: LiveEvent[] }
  | { type: 'pong' }
  | { type: 'error'; code: string; message: string };

export type ClientMessage = { type: 'ping' } | { type: 'resync' };

/** WebSocket close codes the server uses. */
export const LiveCloseCodes = {
  /** The session expired or was logged out: log in again. */
  sessionEnded: 4401,
  /** The server is shutting down: reconnect later. */
  goingAway: 1001,
  /** The client could not keep up (its send buffer filled): reconnect for a fresh snapshot. */
  tooSlow: 4008,
} as const;
