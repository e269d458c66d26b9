// Callers waiting in queues: entering a queue (music and announcements), the
// timers of the wait (maximum wait, overflow, skill escalation), the keys a
// caller may press (exit, callback), leaving by an exit, and hanging up.

import type { Call, HangupCause, Prompt } from '@tenor/telephony';
import { TenorError } from '../../core/errors.js';
import type { Agent } from './agent-state.js';
import type { AcdCore, OfferEnd } from './contacts.js';
import { estimatedWaitMs } from './estimate.js';
import { HoldExperience } from './hold.js';
import type { ExitDestination, ExitReason, QueueDefinition, SkillLevels, WaitingEntry } from './model.js';
import type { EnqueueResult, Session } from './session.js';
import { nextEscalationAfterMs } from './skills.js';
import { announcementPrompts } from './spoken.js';
import './events.js';

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

export interface WaitingRoomDeps {
  core: AcdCore;
  /** Handle time assumed before a queue has any (for the estimated wait). */
  defaultHandleTimeMs: number;
  /** Route the contact now if an agent is free for it. */
  dispatchEntry(entryId: string): void;
  /** The caller pressed the callback key. */
  requestCallback(session: Session, queue: QueueDefinition): Promise<void>;
  /** An answered call (transferred back to a queue) ended while waiting. */
  closeAnswered(session: Session, queue: QueueDefinition, customer: Call, agent: string | undefined): void;
}

/** How a contact comes into line: new, moved from another queue, sent by an agent, or back after a refused callback. */
export type QueueEntryHow = 'queued' | 'overflowed' | 'transferred' | 'returned' | 'line-lost';

export class WaitingRoom {
  readonly #d: WaitingRoomDeps;

  constructor(deps: WaitingRoomDeps) {
    this.#d = deps;
  }

  /**
   * Put an answered call into a queue. Resolves when the caller leaves the
   * ACD: connected to an agent and the call ended, abandoned, asked for a
   * callback, or exited (to voicemail or a flow: the call is still up).
   */
  enqueueCall(call: Call, opts: EnqueueOptions): Promise<EnqueueResult> {
    const { router, clock, log, recorder, contacts } = this.#d.core;
    const queue = router.queue(opts.queue);
    if (!queue) throw new TenorError('TENOR_ERR_NOT_FOUND', [`queue '${opts.queue}'`]);
    const now = clock.now();
    const entry: WaitingEntry = {
      id: call.id, kind: 'call', queue: queue.name, priority: opts.priority ?? 0, enteredAt: now, queueEnteredAt: now,
      requiredSkills: opts.requiredSkills ?? {}, callId: call.id, callerNumber: call.from.number,
      customerId: opts.customerId, customerName: opts.customerName ?? call.from.displayName, segment: opts.segment,
    };
    const callLog = log.child({ callId: call.id, queue: queue.name });
    return new Promise<EnqueueResult>((resolve) => {
      const session: Session = {
        entry, call, log: callLog, recordId: call.id, queueSegPromise: undefined, hold: undefined, timers: [], offer: undefined, state: 'waiting',
        pending: undefined, callback: opts.trunk !== undefined ? { number: call.from.number, trunk: opts.trunk, attempts: 0 } : undefined,
        finish: resolve,
      };
      recorder.open({ id: call.id, direction: call.direction, from: call.from.number, to: call.to.number, ...(opts.customerId ? { customerId: opts.customerId } : {}), arrivedAt: now });
      this.listen(session, call);
      const figures = router.figures(queue.name);
      if (queue.maxWaiting > 0 && (figures?.waiting ?? 0) >= queue.maxWaiting) {
        contacts.sessions.set(entry.id, session);
        this.exit(session, queue, 'full');
        return;
      }
      if (!queue.joinEmpty && (figures?.agentsLoggedIn ?? 0) === 0) {
        contacts.sessions.set(entry.id, session);
        this.exit(session, queue, 'empty');
        return;
      }
      this.enterQueue(session, queue, 'queued');
      this.#d.dispatchEntry(entry.id);
    });
  }

  /** Follow the caller's leg: hanging up and the keys they press. */
  listen(session: Session, call: Call): void {
    call.once('hangup', (cause) => this.#callerHungUp(session, cause));
    call.on('dtmf', (digit) => this.#callerPressed(session, digit));
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
    const session = this.#d.core.contacts.sessions.get(callId);
    if (!session || (session.state !== 'waiting' && session.state !== 'offering')) return false;
    this.#callerHungUp(session, 'withdrawn');
    return true;
  }

  /**
   * Put a contact in line: new ('queued'), moved from another queue ('overflowed'), sent there by an agent
   * ('transferred'), or back at its place after a callback it asked for was refused ('returned').
   */
  enterQueue(session: Session, queue: QueueDefinition, how: QueueEntryHow): void {
    const { router, clock, bus, recorder, contacts } = this.#d.core;
    const { entry } = session;
    const now = clock.now();
    contacts.sessions.set(entry.id, session);
    if (how !== 'overflowed') router.enqueue(entry);
    const position = router.position(entry.id) ?? 0;
    const what = { queued: 'contact queued', overflowed: 'contact moved to queue', transferred: 'contact transferred to queue', returned: 'contact back in line', 'line-lost': "contact back at the front: the agent's line was lost" }[how];
    session.log.info({ position, priority: entry.priority, kind: entry.kind }, what);
    // A transferred call's record keeps the queue it was answered from.
    if (how !== 'transferred' && how !== 'line-lost') recorder.update(session.recordId, { queue: queue.name, ...(how === 'queued' ? { queuedAt: now } : {}) });
    contacts.newQueueSegment(session, queue.name, now);
    contacts.queueEvent(queue.name, 'queued', session, undefined, { kind: entry.kind, priority: entry.priority, position });
    bus.publish('call_queued', {
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
        clock,
        onError: (err) => session.log.error({ err }, 'music on hold failed'),
      });
      session.hold.start();
    }
    this.#startQueueTimers(session, queue);
  }

  /** The last agent of a queue logged out: callers of queues that say so leave. */
  leaveEmptyQueues(agent: Agent): void {
    const { router, contacts } = this.#d.core;
    for (const m of agent.profile.queues) {
      const queue = router.queue(m.queue);
      if (!queue?.leaveWhenEmpty || (router.figures(m.queue)?.agentsLoggedIn ?? 0) > 0) continue;
      for (const entry of router.waiting(m.queue)) {
        const session = contacts.sessions.get(entry.id);
        if (session?.state === 'waiting' && session.call) this.exit(session, queue, 'empty');
      }
    }
  }

  #announcement(session: Session): Prompt[] {
    const { router, contacts } = this.#d.core;
    const queue = router.queue(session.entry.queue);
    const policy = queue?.announcements;
    if (!queue || !policy) return [];
    const position = router.position(session.entry.id);
    if (position === undefined) return [];
    const figures = router.figures(queue.name);
    const staffed = figures ? figures.agentsReady + figures.agentsBusy : 0;
    const aht = contacts.averageHandleMs(queue.name, this.#d.defaultHandleTimeMs);
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
    const { clock } = this.#d.core;
    const { entry } = session;
    if (queue.maxWaitSeconds > 0) {
      session.timers.push(clock.setTimer(queue.maxWaitSeconds * 1000, () => this.#whenWaiting(session, () => this.exit(session, queue, 'max-wait'))));
    }
    if (queue.overflow) {
      const to = queue.overflow.queue;
      session.timers.push(clock.setTimer(queue.overflow.afterSeconds * 1000, () => this.#whenWaiting(session, () => this.#overflow(session, to))));
    }
    // Each escalation step may make more agents eligible: route again at that moment.
    let waited = clock.now() - entry.enteredAt;
    for (let next = nextEscalationAfterMs(queue.escalation, waited); next !== undefined; next = nextEscalationAfterMs(queue.escalation, waited)) {
      waited = next;
      this.#routeOnceWaited(session, next);
    }
  }

  /**
   * Routes the contact again once it has waited `waitedMs`. A timer can fire a
   * little before the clock says its time has come (libuv counts from the time
   * it cached at the start of a loop turn, which a busy turn makes stale), and
   * routing at 2,999 ms would miss a step at 3 s for good: wait out the rest.
   */
  #routeOnceWaited(session: Session, waitedMs: number): void {
    const { clock } = this.#d.core;
    const { entry } = session;
    session.timers.push(clock.setTimer(Math.max(1, waitedMs - (clock.now() - entry.enteredAt)), () => {
      if (clock.now() - entry.enteredAt < waitedMs) this.#routeOnceWaited(session, waitedMs);
      else this.#d.dispatchEntry(entry.id);
    }));
  }

  /** Run a timed action now if the contact is waiting, or once its current offer has failed. */
  #whenWaiting(session: Session, action: () => void): void {
    if (session.state === 'waiting') action();
    else if (session.state === 'offering') session.pending = action;
  }

  #overflow(session: Session, to: string): void {
    const { router, clock, bus, contacts } = this.#d.core;
    const target = router.queue(to);
    if (!target) {
      session.log.error({ to }, 'overflow queue does not exist; the caller stays');
      return;
    }
    const from = session.entry.queue;
    const now = clock.now();
    contacts.endQueueSegment(session, now, 'overflow');
    router.move(session.entry.id, to);
    contacts.queueEvent(from, 'overflowed', session, undefined, { to });
    bus.publish('call_overflowed', { callId: session.entry.callId, entryId: session.entry.id, from, to });
    session.log = session.log.child({ queue: to });
    this.enterQueue(session, target, 'overflowed');
    this.#d.dispatchEntry(session.entry.id);
  }

  exit(session: Session, queue: QueueDefinition, reason: ExitReason): void {
    const { router, clock, bus, contacts } = this.#d.core;
    const destination: ExitDestination = queue.exits[reason] ?? { type: 'hangup', message: reason === 'empty' || reason === 'full' ? 'agents-busy' : undefined };
    const now = clock.now();
    session.log.info({ reason, destination }, 'caller leaves the queue');
    contacts.queueEvent(queue.name, 'exited', session, undefined, { reason, destination });
    bus.publish('call_exited', { callId: session.entry.callId, entryId: session.entry.id, queue: queue.name, reason, destination });
    const target = destination.type === 'queue' ? router.queue(destination.queue) : undefined;
    if (target) {
      // Another queue: the caller keeps their original entry time there.
      if (router.entry(session.entry.id)) {
        contacts.endQueueSegment(session, now, `exit:${reason}`);
        router.move(session.entry.id, target.name);
        this.enterQueue(session, target, 'overflowed');
      } else {
        // Turned away on arrival (full, empty): joins the other queue instead.
        session.entry.queue = target.name;
        this.enterQueue(session, target, 'queued');
      }
      this.#d.dispatchEntry(session.entry.id);
      return;
    }
    contacts.leave(session, 'leaving');
    contacts.endQueueSegment(session, now, `exit:${reason}`);
    const call = session.call;
    if (!call) return;
    const waitMs = now - session.entry.enteredAt;
    if (destination.type === 'hangup') {
      session.leftAs = 'exited';
      contacts.leftUnanswered(session, 'exited', waitMs);
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
    contacts.leftUnanswered(session, session.leftAs, waitMs);
    void (session.hold?.stop() ?? Promise.resolve()).then(() => session.finish({ result: 'exit', reason, destination }));
  }

  #callerHungUp(session: Session, cause: HangupCause | 'withdrawn'): void {
    const { router, clock, bus, recorder, contacts } = this.#d.core;
    const call = session.call;
    if (session.state === 'connected' || session.state === 'gone') return;
    const now = clock.now();
    if (session.state === 'leaving') {
      // Left to voicemail, a flow or a callback request: the record ends here, and so does the call.
      recorder.update(session.recordId, { endedAt: now, endCause: cause, live: false });
      bus.publish('call_ended', {
        recordId: session.recordId, customerId: session.entry.customerId, callId: call?.id ?? session.entry.callId,
        queue: session.entry.queue, agent: undefined, outcome: session.leftAs ?? 'exited', cause,
      });
      return;
    }
    const wasOffering = session.state === 'offering';
    contacts.leave(session, 'gone');
    session.offer?.abort('caller-gone' satisfies OfferEnd);
    void session.hold?.stop();
    const waitMs = now - session.entry.enteredAt;
    session.log.info({ waitMs, wasOffering }, 'caller abandoned');
    contacts.endQueueSegment(session, now, 'abandoned');
    if (session.connected) {
      // Transferred to a queue and gone before the next agent: the call was answered, it just ended there.
      contacts.queueEvent(session.entry.queue, 'abandoned', session, undefined, { waitMs: now - session.entry.queueEnteredAt });
      const queue = router.queue(session.entry.queue);
      if (call && queue) this.#d.closeAnswered(session, queue, call, undefined);
      return;
    }
    recorder.update(session.recordId, { outcome: 'abandoned', waitMs, endedAt: now, endCause: cause, live: false });
    contacts.queueEvent(session.entry.queue, 'abandoned', session, undefined, { waitMs });
    bus.publish('call_abandoned', { callId: session.entry.callId, entryId: session.entry.id, queue: session.entry.queue, waitMs });
    bus.publish('call_ended', { recordId: session.recordId, customerId: session.entry.customerId, callId: call?.id ?? session.entry.callId, queue: session.entry.queue, agent: undefined, outcome: 'abandoned', cause });
    session.finish({ result: 'abandoned', waitMs });
  }

  #callerPressed(session: Session, digit: string): void {
    if (session.state !== 'waiting' && session.state !== 'offering') return;
    const queue = this.#d.core.router.queue(session.entry.queue);
    if (!queue) return;
    if (queue.exitKey !== undefined && digit === queue.exitKey) {
      if (session.state === 'offering') return; // an agent is being reached: the key no longer applies
      this.exit(session, queue, 'exit-key');
    } else if (queue.callbackKey !== undefined && digit === queue.callbackKey && session.state === 'waiting') {
      void this.#d.requestCallback(session, queue).catch((err: unknown) => session.log.error({ err }, 'callback request failed'));
    }
  }
}
