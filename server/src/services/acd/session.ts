// A contact's life in the ACD (the state the ACD keeps per waiting or
// connected contact), and small helpers about call legs.

import type { CallOutcome } from './store/call-records.js';
import type { Logger } from 'pino';
import type { Call, HangupCause } from '@tenor/telephony';
import type { Agent } from './agent-state.js';
import type { TimerHandle } from './clock.js';
import type { AgentDeviceLine } from './devices.js';
import type { HoldExperience } from './hold.js';
import type { ExitDestination, ExitReason, WaitingEntry } from './model.js';

/** How a caller left the ACD. For 'exit' to voicemail or a flow, the call is still up and the caller of enqueueCall continues with it. */
export type EnqueueResult =
  | { result: 'connected'; agent: string }
  | { result: 'abandoned'; waitMs: number }
  | { result: 'callback'; number: string }
  | { result: 'exit'; reason: ExitReason; destination: ExitDestination };

export type SessionState = 'waiting' | 'offering' | 'connected' | 'leaving' | 'gone';

/** A contact in the ACD, from queue entry until it leaves. */
export interface Session {
  entry: WaitingEntry;
  /** The caller's leg; undefined for a callback request (the caller hung up). */
  call: Call | undefined;
  log: Logger;
  recordId: string;
  /** The record segment of the queue it waits in (its number, once written). */
  queueSegPromise: Promise<number> | undefined;
  hold: HoldExperience | undefined;
  timers: TimerHandle[];
  offer: AbortController | undefined;
  state: SessionState;
  /** A timed action (overflow, max wait) that fell due during an offer: run if the offer fails. */
  pending: (() => void) | undefined;
  callback: { number: string; trunk: string | undefined; attempts: number } | undefined;
  /** How the caller left the queue (exit, voicemail, callback request), for the call's end. */
  leftAs?: CallOutcome;
  /**
   * Set once an agent answered: the record stays answered by that first agent
   * through transfers; talk and hold add up over every agent who had the call.
   */
  connected?: { answeredAt: number; agent: string; talkMs: number; holdMs: number };
  finish: (result: EnqueueResult) => void;
}

export interface OfferAttempt {
  agent: Agent;
  line: AgentDeviceLine;
  seg: Promise<number>;
}

/** Read afresh: a call's state changes while we await (TypeScript would keep an earlier narrowing). */
export function isLive(call: Call): boolean {
  return call.state !== 'ended';
}

export function causeOf(err: unknown): HangupCause | undefined {
  if (typeof err === 'object' && err !== null && 'hangupCause' in err) return (err as { hangupCause: HangupCause }).hangupCause;
  return undefined;
}

/** Which leg of a connected pair hangs up first. */
export function bothEnded(caller: Call, agent: Call): { first: Promise<'caller' | 'agent'> } {
  return {
    first: new Promise((resolve) => {
      if (caller.state === 'ended') return resolve('caller');
      if (agent.state === 'ended') return resolve('agent');
      caller.once('hangup', () => resolve('caller'));
      agent.once('hangup', () => resolve('agent'));
    }),
  };
}

