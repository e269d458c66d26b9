// The contacts the ACD holds now, and the bookkeeping every step of a
// contact's life shares: taking it out of routing, its queue segment and queue
// events on the call record, the handle times its queue's estimate uses.

import type { Logger } from 'pino';
import type { TelephonyDriver } from '@tenor/telephony';
import type { EventBus } from '../../core/events.js';
import type { AgentRoster } from './agents.js';
import type { Clock } from './clock.js';
import { HandleTimes } from './estimate.js';
import type { CallRecorder } from './recorder.js';
import type { Router } from './router.js';
import type { Session, SessionState } from './session.js';
import type { CallOutcome } from './store/call-records.js';
import type { QueueEventType } from './store/queue-events.js';

/** What every part of the ACD works with. */
export interface AcdCore {
  driver: TelephonyDriver;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  router: Router;
  roster: AgentRoster;
  recorder: CallRecorder;
  contacts: Contacts;
}

/** Why an offer stopped ringing (the abort reason of its signal). */
export type OfferEnd = 'ring-timeout' | 'answered-elsewhere' | 'caller-gone';

export class Contacts {
  /** Contacts waiting or being offered, by entry id (a connected call's listeners keep the session they need). */
  readonly sessions = new Map<string, Session>();
  readonly #handleTimes = new Map<string, HandleTimes>();
  readonly #router: Router;
  readonly #recorder: CallRecorder;
  readonly #clock: Clock;
  /** Calls connected to an agent and not yet ended (no longer in `sessions`). */
  #connected = 0;
  #stopped = false;

  constructor(deps: { router: Router; recorder: CallRecorder; clock: Clock }) {
    this.#router = deps.router;
    this.#recorder = deps.recorder;
    this.#clock = deps.clock;
  }

  /** Contacts in the ACD now: waiting, being offered, or connected through it. */
  get active(): number {
    return this.sessions.size + this.#connected;
  }

  /** Set by stop: timers that fall due afterwards route nothing. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** Stop routing: no timer routes anything afterwards; offers stop ringing and music stops. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const s of this.sessions.values()) {
      for (const t of s.timers) t.cancel();
      s.offer?.abort('caller-gone' satisfies OfferEnd);
      await s.hold?.stop();
    }
  }

  /** Count a connected call (or a transfer being dialed) while `work` runs. */
  async whileConnected<T>(work: () => Promise<T>): Promise<T> {
    this.#connected++;
    try {
      return await work();
    } finally {
      this.#connected--;
    }
  }

  /** Take the contact out of routing: timers, offer and the waiting list. */
  leave(session: Session, state: SessionState): void {
    session.state = state;
    for (const t of session.timers) t.cancel();
    session.timers = [];
    session.pending = undefined;
    this.#router.remove(session.entry.id);
    // Only waiting contacts are looked up by id; the call's own listeners keep the session they need.
    this.sessions.delete(session.entry.id);
  }

  /** How a caller left the queue, on the record; a call an agent answered before a transfer stays 'answered'. */
  leftUnanswered(session: Session, outcome: CallOutcome, waitMs: number): void {
    if (!session.connected) this.#recorder.update(session.recordId, { outcome, waitMs });
  }

  newQueueSegment(session: Session, queue: string, at: number): void {
    session.queueSegPromise = this.#recorder.addSegment(session.recordId, { kind: 'queue', queue, startedAt: at });
  }

  endQueueSegment(session: Session, at: number, outcome: string): void {
    this.#recorder.updateSegment(session.recordId, session.queueSegPromise, { endedAt: at, outcome });
    session.queueSegPromise = undefined;
  }

  queueEvent(queue: string, type: QueueEventType, session: Session, agent: string | undefined, detail: Record<string, unknown> | undefined): void {
    this.#recorder.queueEvent({ at: this.#clock.now(), queue, type, callId: session.entry.callId, entryId: session.entry.id, agent, detail });
  }

  /** The recent handle times of a queue (talk and wrap-up), for its estimated wait. */
  handleTimes(queue: string): HandleTimes {
    let h = this.#handleTimes.get(queue);
    if (!h) this.#handleTimes.set(queue, (h = new HandleTimes()));
    return h;
  }

  /** The queue's average handle time, or `fallbackMs` before its first call. */
  averageHandleMs(queue: string, fallbackMs: number): number {
    return this.#handleTimes.get(queue)?.average(fallbackMs) ?? fallbackMs;
  }
}
