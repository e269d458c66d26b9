// Callbacks: a caller who pressed the callback key keeps their place in line
// as a callback request (their number checked by the dialing policy first);
// services ask for callbacks without a caller waiting. The agent who takes
// one is connected to a call placed to the customer, retried on no answer.
// Requests are stored, so they survive a restart.

import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Call } from '@tenor/telephony';
import { TenorError } from '../../core/errors.js';
import type { DialingService } from '../dialing/index.js';
import type { AgentStint } from './active-calls.js';
import type { AcdCore } from './contacts.js';
import type { ContactKind, QueueDefinition, WaitingEntry } from './model.js';
import { causeOf, isLive, type OfferAttempt, type Session } from './session.js';
import type { CallbacksRepository } from './store/callbacks-repo.js';
import type { QueueEntryHow } from './waiting.js';
import type { WriteQueue } from './write-queue.js';
import './events.js';

export interface CallbackRequest {
  queue: string;
  number: string;
  customerId?: string;
  customerName?: string;
  priority?: number;
  trunk?: string;
  reason?: string;
}

export interface CallbacksDeps {
  core: AcdCore;
  /** The site's dialing policy: callbacks a caller or a service asks for are checked when asked for. */
  dialing: Pick<DialingService, 'decide' | 'authorize'>;
  repo: CallbacksRepository;
  writes: WriteQueue;
  enterQueue(session: Session, queue: QueueDefinition, how: QueueEntryHow): void;
  dispatchEntry(entryId: string): void;
  /** Follow the connected customer and agent to the call's end. */
  work(session: Session, queue: QueueDefinition, kind: ContactKind, customer: Call, stint: AgentStint, answeredAt: number): Promise<void>;
}

export class Callbacks {
  readonly #d: CallbacksDeps;

  constructor(deps: CallbacksDeps) {
    this.#d = deps;
  }

  /**
   * The caller asked to be called back: take their number (digits, or caller
   * ID when they enter none), say goodbye, and keep their place in line with a
   * callback request that has the same entry time.
   */
  async fromCaller(session: Session, queue: QueueDefinition): Promise<void> {
    const { clock, bus, recorder, contacts } = this.#d.core;
    const call = session.call;
    if (!call) return;
    const original = session.entry;
    contacts.leave(session, 'leaving');
    const now = clock.now();
    await session.hold?.stop();
    let entered: Awaited<ReturnType<Call['collectDigits']>>;
    try {
      entered = await call.collectDigits({ maxDigits: 15, firstDigitTimeoutMs: 5000, interDigitTimeoutMs: 3000, terminators: '#' });
    } catch (err) {
      contacts.endQueueSegment(session, now, 'callback');
      throw err;
    }
    const number = entered.digits.length >= 3 ? entered.digits : call.from.number;
    const trunk = session.callback?.trunk;
    // The number typed (or the caller ID, which a caller can forge) goes through the dialing policy before anything is promised.
    const decision = this.#d.dialing.decide(number, { purpose: 'caller-callback', ownNumber: call.from.number, callId: call.id, ...(trunk !== undefined ? { trunk } : {}) });
    // The queue stint ends at the key press, as a callback or as a refused one (the caller then waits on).
    contacts.endQueueSegment(session, now, decision.allowed ? 'callback' : 'callback-refused');
    if (!decision.allowed) {
      await this.#refused(session, queue, call);
      return;
    }
    const waitMs = clock.now() - original.enteredAt;
    session.leftAs = 'callback';
    contacts.leftUnanswered(session, 'callback', waitMs);
    const entry: WaitingEntry = { ...original, id: `${original.id}:callback`, kind: 'callback', callerNumber: number, queue: queue.name, queueEnteredAt: clock.now() };
    recorder.open({ id: entry.id, direction: 'outbound', from: queue.name, to: number, ...(entry.customerId ? { customerId: entry.customerId } : {}), arrivedAt: clock.now() });
    contacts.queueEvent(queue.name, 'callback-requested', session, undefined, { number });
    // Saved before it is announced: the event waits for this write (committedBus).
    this.#d.writes.push(() => this.#d.repo.save(entry, trunk, 0));
    bus.publish('callback_requested', { callId: call.id, entryId: entry.id, queue: queue.name, number });
    session.log.info({ number }, 'callback requested; place in line kept');
    this.put(entry, trunk, 0, session.log);
    this.#d.dispatchEntry(entry.id);
    if (call.state !== 'ended') {
      await call.play({ prompts: ['will-call-back', 'goodbye'] });
      if (isLive(call)) await call.hangup('normal');
    }
    session.finish({ result: 'callback', number });
  }

  /**
   * A callback asked for without a caller waiting (from a voicemail, an agent,
   * a campaign): it waits in `queue` like a caller, and the agent who takes it
   * is connected to a call placed to `number`. Kept across restarts.
   */
  request(opts: CallbackRequest): { entryId: string } {
    const { router, clock, log, bus, recorder } = this.#d.core;
    const queue = router.queue(opts.queue);
    if (!queue) throw new TenorError('TENOR_ERR_NOT_FOUND', [`queue '${opts.queue}'`]);
    // Refused now, to whoever asks, rather than attempt after attempt when an agent takes it.
    this.#d.dialing.authorize(opts.number, { purpose: 'callback', ...(opts.trunk !== undefined ? { trunk: opts.trunk } : {}) });
    const now = clock.now();
    const id = `callback-${randomUUID()}`;
    const entry: WaitingEntry = {
      id, kind: 'callback', queue: queue.name, priority: opts.priority ?? 0, enteredAt: now, queueEnteredAt: now, requiredSkills: {},
      callId: id, callerNumber: opts.number, customerId: opts.customerId, customerName: opts.customerName, segment: undefined,
    };
    const callbackLog = log.child({ callback: id, queue: queue.name });
    recorder.open({ id, direction: 'outbound', from: queue.name, to: opts.number, ...(opts.customerId ? { customerId: opts.customerId } : {}), arrivedAt: now });
    recorder.queueEvent({ at: now, queue: queue.name, type: 'callback-requested', callId: id, entryId: id, agent: undefined, detail: { number: opts.number, reason: opts.reason } });
    this.#d.writes.push(() => this.#d.repo.save(entry, opts.trunk, 0));
    bus.publish('callback_requested', { callId: id, entryId: id, queue: queue.name, number: opts.number });
    callbackLog.info({ number: opts.number, reason: opts.reason }, 'callback requested');
    this.put(entry, opts.trunk, 0, callbackLog);
    this.#d.dispatchEntry(id);
    return { entryId: id };
  }

  /** Put a callback request in line (new, or read back after a restart) as a contact without a caller leg. */
  put(entry: WaitingEntry, trunk: string | undefined, attempts: number, log: Logger): void {
    const { router, clock, recorder, contacts } = this.#d.core;
    const session: Session = {
      entry, call: undefined, log: log.child({ callback: entry.id }), recordId: entry.id, queueSegPromise: undefined, hold: undefined, timers: [],
      offer: undefined, state: 'waiting', pending: undefined, callback: { number: entry.callerNumber, trunk, attempts }, finish: () => undefined,
    };
    const now = clock.now();
    router.enqueue(entry);
    contacts.sessions.set(entry.id, session);
    recorder.update(entry.id, { queue: entry.queue, queuedAt: now });
    contacts.newQueueSegment(session, entry.queue, now);
  }

  /** The agent took a callback: call the customer and connect them; retry later on no answer. */
  async connect(session: Session, queue: QueueDefinition, attempt: OfferAttempt, leg: Call): Promise<void> {
    const { driver, clock, bus, roster, recorder, contacts } = this.#d.core;
    const { agent } = attempt;
    const cb = session.callback;
    if (!cb) return;
    const now = clock.now();
    contacts.leave(session, 'connected');
    roster.apply(agent, agent.answered(now));
    recorder.updateSegment(session.recordId, attempt.seg, { answeredAt: now });
    cb.attempts++;
    const attemptsSoFar = cb.attempts;
    this.#d.writes.push(() => this.#d.repo.save(session.entry, cb.trunk, attemptsSoFar));
    const number = cb.number;
    const seg = recorder.addSegment(session.recordId, { kind: 'callback', queue: queue.name, agent: agent.login, startedAt: now, detail: { attempt: cb.attempts, number } }, {});
    session.log.info({ agent: agent.login, attempt: cb.attempts, number }, 'calling the customer back');
    let customer: Call | undefined;
    try {
      customer = await driver.originate(
        { kind: 'number', number, ...(cb.trunk !== undefined ? { trunk: cb.trunk } : {}) },
        { timeoutMs: queue.callback.ringTimeoutSeconds * 1000, callerId: { number: queue.name } },
      );
    } catch (err) {
      const result = causeOf(err) === 'no-answer' || causeOf(err) === 'busy' ? 'no-answer' : 'failed';
      const at = clock.now();
      recorder.updateSegment(session.recordId, seg, { endedAt: at, outcome: result });
      contacts.queueEvent(queue.name, 'callback-failed', session, agent.login, { attempt: cb.attempts, result });
      bus.publish('callback_attempted', { entryId: session.entry.id, queue: queue.name, agent: agent.login, number, attempt: cb.attempts, result });
      await attempt.line.finish(leg);
      recorder.updateSegment(session.recordId, attempt.seg, { endedAt: at, outcome: `callback-${result}` });
      roster.apply(agent, agent.callEnded(0, at));
      if (cb.attempts < queue.callback.attempts) this.#retryLater(session, queue, cb.attempts);
      else this.#giveUp(session, queue, agent.login, cb.attempts, at);
      return;
    }
    const answeredAt = clock.now();
    this.#d.writes.push(() => this.#d.repo.delete(session.entry.id));
    recorder.updateSegment(session.recordId, seg, { answeredAt });
    contacts.queueEvent(queue.name, 'callback-attempted', session, agent.login, { attempt: cb.attempts, result: 'answered' });
    bus.publish('callback_attempted', { entryId: session.entry.id, queue: queue.name, agent: agent.login, number, attempt: cb.attempts, result: 'answered' });
    recorder.update(session.recordId, { answeredAt, agent: agent.login, outcome: 'answered', waitMs: answeredAt - session.entry.enteredAt });
    bus.publish('call_answered', { callId: customer.id, entryId: session.entry.id, queue: queue.name, kind: 'callback', agent: agent.login, waitMs: answeredAt - session.entry.enteredAt });
    session.connected = { answeredAt, agent: agent.login, talkMs: 0, holdMs: 0 };
    await this.#d.work(session, queue, 'callback', customer, { agent, line: attempt.line, leg, seg: attempt.seg }, answeredAt);
    recorder.updateSegment(session.recordId, seg, { endedAt: clock.now(), outcome: 'answered' });
  }

  #retryLater(session: Session, queue: QueueDefinition, attempts: number): void {
    const { router, clock, contacts } = this.#d.core;
    session.log.info({ attempt: attempts, retryInSeconds: queue.callback.retryDelaySeconds }, 'customer not reached; will retry');
    const timer = clock.setTimer(queue.callback.retryDelaySeconds * 1000, () => {
      if (contacts.stopped) return;
      // Back in line at its original place.
      session.state = 'waiting';
      contacts.sessions.set(session.entry.id, session);
      router.enqueue(session.entry);
      this.#d.dispatchEntry(session.entry.id);
    });
    session.timers = [timer];
    contacts.sessions.set(session.entry.id, session);
  }

  #giveUp(session: Session, queue: QueueDefinition, agent: string, attempts: number, at: number): void {
    const { bus, recorder, contacts } = this.#d.core;
    session.log.warn({ attempts }, 'customer not reached; callback given up');
    this.#d.writes.push(() => this.#d.repo.delete(session.entry.id));
    contacts.sessions.delete(session.entry.id);
    recorder.update(session.recordId, { outcome: 'failed', endedAt: at, endCause: 'no-answer', live: false });
    bus.publish('call_ended', { recordId: session.recordId, customerId: session.entry.customerId, callId: session.entry.id, queue: queue.name, agent, outcome: 'failed', cause: 'no-answer' });
  }

  /** The callback the caller asked for may not be placed: they are told so and are back at their place in line. */
  async #refused(session: Session, queue: QueueDefinition, call: Call): Promise<void> {
    session.log.warn('callback refused by the dialing policy; the caller is told and stays in line');
    if (call.state !== 'ended') await call.play({ prompts: ['callback-not-possible'] });
    if (call.state === 'ended' || session.state !== 'leaving') return; // gone meanwhile: the hangup closed the record
    session.state = 'waiting';
    session.hold = undefined;
    this.#d.enterQueue(session, queue, 'returned');
    this.#d.dispatchEntry(session.entry.id);
  }
}
