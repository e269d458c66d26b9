// The agent state machine: which state may follow which, and the bookkeeping
// strategies rank agents by (idle since, calls answered, talk time) and the
// consecutive-miss counter that sends an agent on break with "no answer".
// Pure: no timers, no I/O. Every change returns the line to append to the
// agent state log.

import { TenorError } from '../../core/errors.js';
import type { AgentProfile } from './model.js';

export type AgentState = 'logged-out' | 'ready' | 'break' | 'offered' | 'on-call' | 'wrap-up';

export const agentStates: readonly AgentState[] = ['logged-out', 'ready', 'break', 'offered', 'on-call', 'wrap-up'];

/** The break reason given when an agent misses too many offers in a row. */
export const NO_ANSWER_REASON = 'no answer';
/** The reason of a break a supervisor forced on an agent (not one agents choose). */
export const SUPERVISOR_REASON = 'supervisor';
/** The break reason given when an agent's line drops: a persistent line, or a browser phone's connection (cause line-lost). */
export const LINE_LOST_REASON = 'line lost';

// What the ACD itself may do. What users may ask for is a smaller table (state-requests.ts).
const legal: Readonly<Record<AgentState, readonly AgentState[]>> = {
  'logged-out': ['ready', 'break'],
  ready: ['offered', 'break', 'logged-out'],
  break: ['ready', 'logged-out'],
  // An offer ends answered (on-call), missed or withdrawn (ready), missed once too often (break),
  // or missed or withdrawn with a forced break or logout pending (break, logged-out).
  offered: ['on-call', 'ready', 'break', 'logged-out'],
  'on-call': ['wrap-up', 'ready', 'break', 'logged-out'],
  'wrap-up': ['ready', 'break', 'logged-out'],
};

export function canTransition(from: AgentState, to: AgentState): boolean {
  return legal[from].includes(to);
}

/** A state a supervisor forced during a call, or Tenor set (line lost): taken when the call's work ends. */
export interface PendingChange {
  state: 'break' | 'logged-out';
  reason: string;
}

export interface AgentStateChange {
  login: string;
  from: AgentState;
  to: AgentState;
  reason: string;
  at: number;
  callId: string | undefined;
}

export class Agent {
  profile: AgentProfile;
  #state: AgentState = 'logged-out';
  #since: number;
  #reason = '';
  /** Since when the agent has been free; longest-idle ranks by it. Not reset by a missed offer. */
  idleSince = 0;
  callsAnswered = 0;
  talkTimeMs = 0;
  consecutiveMisses = 0;
  /** The call the agent is offered, on, or wrapping up. */
  callId: string | undefined;
  /** A break or logout asked for while busy: taken when the call (and wrap-up) ends. */
  pending: PendingChange | undefined;
  /** When wrap-up ends on its own. */
  wrapUpUntil: number | undefined;
  #answeredAt: number | undefined;
  #changes = 0;

  constructor(profile: AgentProfile, now: number) {
    this.profile = profile;
    this.#since = now;
  }

  get login(): string {
    return this.profile.login;
  }
  get state(): AgentState {
    return this.#state;
  }
  get stateSince(): number {
    return this.#since;
  }
  get reason(): string {
    return this.#reason;
  }
  /** Increases with every state change: lets the router tell whether a reservation is stale. */
  get changeCount(): number {
    return this.#changes;
  }
  get loggedIn(): boolean {
    return this.#state !== 'logged-out';
  }

  /** Put back a state read from storage after a restart, without logging it again. */
  restore(state: AgentState, reason: string, since: number): void {
    this.#state = state;
    this.#changes++;
    this.#reason = reason;
    this.#since = since;
    if (state === 'ready') this.idleSince = since;
  }

  logIn(ready: boolean, reason: string, now: number): AgentStateChange {
    this.callsAnswered = 0;
    this.talkTimeMs = 0;
    this.consecutiveMisses = 0;
    this.idleSince = now;
    return this.#to(ready ? 'ready' : 'break', reason, now);
  }

  ready(reason: string, now: number): AgentStateChange {
    const change = this.#to('ready', reason, now);
    this.idleSince = now;
    this.pending = undefined;
    return change;
  }

  takeBreak(reason: string, now: number): AgentStateChange {
    const change = this.#to('break', reason, now);
    this.pending = undefined;
    return change;
  }

  logOut(reason: string, now: number): AgentStateChange {
    const change = this.#to('logged-out', reason, now);
    this.pending = undefined;
    return change;
  }

  /** Keep a break or logout for when the current call's work ends; a logout is not replaced by a break. */
  defer(change: PendingChange): void {
    if (this.pending?.state === 'logged-out' && change.state === 'break') return;
    this.pending = { ...change };
  }

  offer(callId: string, now: number): AgentStateChange {
    const change = this.#to('offered', 'offer', now, callId);
    this.callId = callId;
    return change;
  }

  /**
   * A call placed for the agent outside the queues (a preview call) rings their phone:
   * offered, from ready or from a break (the ACD never offers its own contacts to an agent
   * on a break); the break is kept for after the call.
   */
  outsideCall(ref: string, now: number): AgentStateChange {
    const from = this.#state;
    if (from !== 'ready' && from !== 'break') {
      throw new TenorError('TENOR_ERR_VALIDATION', [`agent '${this.login}' cannot take a call from ${from}`]);
    }
    const breakReason = from === 'break' ? this.#reason : undefined;
    const change = this.#set('offered', 'outside call', now, ref);
    this.callId = ref;
    if (breakReason !== undefined) this.defer({ state: 'break', reason: breakReason });
    return change;
  }

  answered(now: number): AgentStateChange {
    const change = this.#to('on-call', 'answered', now, this.callId);
    this.consecutiveMisses = 0;
    this.callsAnswered++;
    this.#answeredAt = now;
    return change;
  }

  /**
   * The agent did not take the offer (rang out, declined, unreachable). After
   * maxMisses in a row the agent goes on break with "no answer".
   */
  missed(maxMisses: number, now: number): AgentStateChange {
    const callId = this.callId;
    this.callId = undefined;
    this.consecutiveMisses++;
    if (maxMisses > 0 && this.consecutiveMisses >= maxMisses) {
      this.consecutiveMisses = 0;
      const logout = this.pending?.state === 'logged-out' ? this.#takePending(now, callId) : undefined;
      if (logout) return logout;
      this.pending = undefined;
      return this.#to('break', NO_ANSWER_REASON, now, callId);
    }
    return this.#takePending(now, callId) ?? this.#to('ready', 'offer missed', now, callId);
  }

  /** The offer was withdrawn through no fault of the agent (the caller hung up, another agent answered). */
  withdrawn(now: number): AgentStateChange {
    const callId = this.callId;
    this.callId = undefined;
    return this.#takePending(now, callId) ?? this.#to('ready', 'offer withdrawn', now, callId);
  }

  /** The call ended: wrap-up for wrapUpMs (0: none), then ready or the pending break. */
  callEnded(wrapUpMs: number, now: number): AgentStateChange {
    if (this.#answeredAt !== undefined) this.talkTimeMs += now - this.#answeredAt;
    this.#answeredAt = undefined;
    const callId = this.callId;
    if (wrapUpMs > 0) {
      this.wrapUpUntil = now + wrapUpMs;
      return this.#to('wrap-up', 'call ended', now, callId);
    }
    return this.#afterWork(now, callId, 'call ended');
  }

  /** Wrap-up ended: on its timer, or early by the agent. */
  endWrapUp(reason: string, now: number): AgentStateChange {
    return this.#afterWork(now, this.callId, reason);
  }

  #afterWork(now: number, callId: string | undefined, reason: string): AgentStateChange {
    this.callId = undefined;
    this.wrapUpUntil = undefined;
    const pending = this.#takePending(now, callId);
    if (pending) return pending;
    const change = this.#to('ready', reason, now, callId);
    this.idleSince = now;
    return change;
  }

  #takePending(now: number, callId: string | undefined): AgentStateChange | undefined {
    const pending = this.pending;
    if (pending === undefined) return undefined;
    const change = this.#to(pending.state, pending.reason, now, callId);
    this.pending = undefined;
    return change;
  }

  #to(to: AgentState, reason: string, now: number, callId?: string): AgentStateChange {
    if (!canTransition(this.#state, to)) {
      throw new TenorError('TENOR_ERR_VALIDATION', [`agent '${this.login}' cannot go from ${this.#state} to ${to}`]);
    }
    return this.#set(to, reason, now, callId);
  }

  #set(to: AgentState, reason: string, now: number, callId?: string): AgentStateChange {
    const from = this.#state;
    this.#state = to;
    this.#changes++;
    this.#reason = reason;
    this.#since = now;
    if (to !== 'offered' && to !== 'on-call' && to !== 'wrap-up') this.wrapUpUntil = undefined;
    return { login: this.login, from, to, reason, at: now, callId };
  }
}
