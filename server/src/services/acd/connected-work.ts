// Connected work: an agent answered. The customer and the agent are
// connected (with the queue's whisper first), the call is followed through
// the agent's controls until it ends or leaves the agent, then the agent's
// wrap-up; a transferred customer is followed on to where they went (another
// agent, a number outside, or a queue) under the same call record.

import type { Call, Prompt } from '@tenor/telephony';
import type { ActiveCall, ActiveCalls, AgentStint, EngineParty } from './active-calls.js';
import type { AcdCore } from './contacts.js';
import { ConnectedCall, type ConnectedEnd, type TransferTarget } from './connected-call.js';
import type { ContactKind, QueueDefinition, WaitingEntry } from './model.js';
import { LINE_LOST_REASON, type Agent } from './agent-state.js';
import { DialedDevice } from './devices.js';
import { bothEnded, isLive, type OfferAttempt, type Session } from './session.js';
import type { QueueEntryHow } from './waiting.js';
import './events.js';

/**
 * Another service's step after the agent answered and the customer's queue music stopped,
 * before the two are connected (the recordings' "this call may be recorded" to the customer).
 * It must not throw for the call's sake: a failing step is logged and the call goes on.
 */
export type ConnectStep = (call: { recordId: string; queue: string; agent: string; customer: Call }) => Promise<void>;

export interface ConnectedWorkDeps {
  core: AcdCore;
  calls: ActiveCalls;
  /** Put a transferred customer in line again. */
  enterQueue(session: Session, queue: QueueDefinition, how: QueueEntryHow): void;
  /** Follow a customer leg that was not the contact's own (hang-up and keys). */
  listen(session: Session, call: Call): void;
  dispatchEntry(entryId: string): void;
  /** acd.lineLost.fallback: a lost line moves the customer to the agent's device.fallback number when there is one. */
  lineLostFallback: boolean;
  /** The registered connect steps, run in turn (ConnectStep). */
  beforeConnect(call: Parameters<ConnectStep>[0]): Promise<void>;
}

export class ConnectedWork {
  readonly #d: ConnectedWorkDeps;

  constructor(deps: ConnectedWorkDeps) {
    this.#d = deps;
  }

  /** The agent answered a caller: whisper, connect, and follow the call to its end and the agent's wrap-up. */
  async connect(session: Session, queue: QueueDefinition, attempt: OfferAttempt, leg: Call): Promise<void> {
    const { clock, bus, roster, recorder, contacts } = this.#d.core;
    const call = session.call;
    const { agent } = attempt;
    if (!call) return;
    const now = clock.now();
    contacts.leave(session, 'connected');
    // A caller transferred into this queue waited here since the transfer; the record keeps its first wait.
    const waitMs = now - (session.connected ? session.entry.queueEnteredAt : session.entry.enteredAt);
    roster.apply(agent, agent.answered(now));
    contacts.endQueueSegment(session, now, 'answered');
    recorder.updateSegment(session.recordId, attempt.seg, { answeredAt: now });
    if (!session.connected) {
      session.connected = { answeredAt: now, agent: agent.login, talkMs: 0, holdMs: 0 };
      recorder.update(session.recordId, { answeredAt: now, agent: agent.login, outcome: 'answered', waitMs });
    }
    contacts.queueEvent(queue.name, 'answered', session, agent.login, { waitMs });
    bus.publish('call_answered', { callId: call.id, entryId: session.entry.id, queue: queue.name, kind: 'call', agent: agent.login, waitMs });
    session.log.info({ agent: agent.login, waitMs, ringless: !attempt.line.rings }, 'agent answered');
    const whisper = whisperPrompts(queue, session.entry);
    await this.work(session, queue, 'call', call, { agent, line: attempt.line, leg, seg: attempt.seg }, now, async () => {
      if (whisper.length > 0 && leg.state === 'answered') await leg.play({ prompts: whisper });
      await session.hold?.stop();
      session.hold = undefined;
      if (isLive(call)) {
        await this.#d.beforeConnect({ recordId: session.recordId, queue: queue.name, agent: agent.login, customer: call })
          .catch((err: unknown) => session.log.error({ err, callId: call.id }, 'a step before connecting the customer failed; connecting anyway'));
      }
    });
  }

  /**
   * The agent and the customer are connected: follow the call through the
   * agent's controls until it ends or leaves the agent (transfer), then the
   * agent's wrap-up; a transferred customer is followed on to where they went.
   */
  async work(
    session: Session, queue: QueueDefinition, kind: ContactKind, customer: Call, stint: AgentStint, answeredAt: number, prepare?: () => Promise<void>,
  ): Promise<void> {
    const { driver, clock, roster, recorder, contacts } = this.#d.core;
    const { calls } = this.#d;
    const { agent } = stint;
    const call: ConnectedCall<EngineParty> = new ConnectedCall<EngineParty>({
      driver, clock, log: session.log, customer, agentLeg: stint.leg, music: queue.musicOnHold ?? 'music-on-hold',
      releaseAgentLeg: (leg) => stint.line.finish(leg),
      onChange: (change, target) => calls.controlEvent(active, change, target),
    });
    const active: ActiveCall = { session, queue, kind, stint, call, answeredAt };
    calls.add(active);
    const end: ConnectedEnd<EngineParty> = await contacts.whileConnected(async () => {
      try {
        try {
          await call.start(prepare);
        } catch (err) {
          session.log.error({ err, agent: agent.login }, 'could not connect the customer and the agent');
          await call.hangup().catch((hangupErr: unknown) => session.log.debug({ err: hangupErr, callId: customer.id }, 'hanging up the call that could not be connected failed'));
        }
        return await call.ended;
      } finally {
        calls.delete(active);
      }
    });
    const at = clock.now();
    const holdMs = call.holdMs;
    const c = session.connected ?? (session.connected = { answeredAt, agent: agent.login, talkMs: 0, holdMs: 0 });
    c.talkMs += at - answeredAt - holdMs;
    c.holdMs += holdMs;
    if (end.how === 'line-lost') {
      recorder.updateSegment(session.recordId, stint.seg, { endedAt: at, outcome: 'line-lost' });
      // The browser is gone, whatever happens to this call: on break once its work ends.
      agent.defer({ state: 'break', reason: LINE_LOST_REASON });
      const fallback = this.#d.lineLostFallback ? fallbackOf(agent) : undefined;
      const reached = fallback && isLive(customer) ? await this.#callFallback(session, queue, customer, agent, fallback) : undefined;
      if (reached) {
        roster.savePending(agent);
        await this.work(session, queue, kind, customer, reached, clock.now());
        return;
      }
      // The agent can no longer be reached: on break at once (no wrap-up), the customer first in line again.
      roster.apply(agent, agent.callEnded(0, clock.now()));
      session.log.warn({ agent: agent.login, talkMs: at - answeredAt - holdMs }, "the agent's line was lost; the customer goes back to the front of the queue");
      if (!isLive(customer)) return this.closeAnswered(session, queue, customer, agent.login);
      this.#requeue(session, queue, customer, 'line-lost');
      return;
    }
    contacts.handleTimes(queue.name).add(at - answeredAt + queue.wrapUpSeconds * 1000);
    roster.apply(agent, agent.callEnded(queue.wrapUpSeconds * 1000, at));
    if (end.how === 'customer-hung-up' || end.how === 'agent-hung-up') {
      recorder.updateSegment(session.recordId, stint.seg, { endedAt: at, outcome: 'answered' });
      if (queue.wrapUpSeconds === 0) recorder.update(session.recordId, { wrapUpMs: 0 });
      session.log.info({ agent: agent.login, talkMs: at - answeredAt - holdMs, holdMs }, 'call ended');
      this.closeAnswered(session, queue, customer, agent.login);
      return;
    }
    recorder.updateSegment(session.recordId, stint.seg, { endedAt: at, outcome: 'transferred' });
    const target = end.how === 'blind' ? end.target : end.party.target;
    const mode = end.how === 'blind' ? 'blind' : 'attended';
    const seg = recorder.addSegment(session.recordId, { kind: 'transfer', queue: queue.name, agent: agent.login, startedAt: at, detail: { mode, target } });
    session.log.info({ agent: agent.login, mode, target }, 'call transferred');
    if (end.how === 'attended') {
      recorder.updateSegment(session.recordId, seg, { answeredAt: at, endedAt: at, outcome: 'connected' });
      await this.#handTo(session, queue, kind, customer, end.party, end.leg);
      return;
    }
    await this.#blindTransfer(session, queue, kind, customer, end.target, end.party, seg);
  }

  /** The end of an answered call: the record closes with the talk and hold time of every agent who had it. */
  closeAnswered(session: Session, queue: QueueDefinition, customer: Call, agent: string | undefined): void {
    const { clock, bus, recorder } = this.#d.core;
    const end = clock.now();
    const cause = customer.hangupCause ?? 'normal';
    const c = session.connected;
    recorder.update(session.recordId, { endedAt: end, talkMs: c?.talkMs ?? 0, holdMs: c?.holdMs ?? 0, endCause: cause, live: false });
    bus.publish('call_ended', { recordId: session.recordId, customerId: session.entry.customerId, callId: customer.id, queue: queue.name, agent, outcome: 'answered', cause });
    session.finish({ result: 'connected', agent: c?.agent ?? agent ?? '' });
  }

  /** The customer goes on with a transfer party that answered: an agent (with the controls) or a number. */
  async #handTo(session: Session, queue: QueueDefinition, kind: ContactKind, customer: Call, party: EngineParty, leg: Call): Promise<void> {
    if (party.stint) {
      // Published as the agent gets the customer (with the controls registered in the same step), not when a consult rang them.
      this.#d.core.bus.publish('call_answered', { callId: session.entry.callId, entryId: session.entry.id, queue: queue.name, kind, agent: party.stint.agent.login, waitMs: 0 });
      await this.work(session, queue, kind, customer, { ...party.stint, leg }, this.#d.core.clock.now());
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
    const { router, clock, recorder } = this.#d.core;
    if (!party) {
      const to = target.type === 'queue' ? router.queue(target.queue) : undefined;
      if (!isLive(customer)) return this.closeAnswered(session, queue, customer, undefined);
      recorder.updateSegment(session.recordId, seg, { endedAt: clock.now(), outcome: to ? 'queued' : 'failed' });
      this.#requeue(session, to ?? queue, customer);
      return;
    }
    const leg = await this.#dialWithMusic(session, queue, customer, (signal) => party.dial(signal), (err) => session.log.info({ err, target }, 'transfer target not reached'));
    const at = clock.now();
    if (leg && isLive(customer)) {
      recorder.updateSegment(session.recordId, seg, { answeredAt: at, endedAt: at, outcome: 'connected' });
      await this.#handTo(session, queue, kind, customer, party, leg);
      return;
    }
    await party.drop(leg, isLive(customer) ? 'failed' : 'call-ended');
    recorder.updateSegment(session.recordId, seg, { endedAt: at, outcome: 'failed' });
    if (!isLive(customer)) return this.closeAnswered(session, queue, customer, undefined);
    session.log.warn({ target }, 'transfer failed; the customer goes back to the queue');
    this.#requeue(session, queue, customer);
  }

  /**
   * Rings someone for the customer, who hears the queue's music meanwhile; the
   * ringing stops when the customer hangs up. Undefined when nobody answered.
   */
  #dialWithMusic(
    session: Session, queue: QueueDefinition, customer: Call, dial: (signal: AbortSignal) => Promise<Call>, notReached: (err: unknown) => void,
  ): Promise<Call | undefined> {
    return this.#d.core.contacts.whileConnected(async () => {
      const ac = new AbortController();
      const gone = (): void => ac.abort();
      customer.once('hangup', gone);
      const music = new AbortController();
      const playing = customer.play({ prompts: [queue.musicOnHold ?? 'music-on-hold'], loop: true, signal: music.signal })
        .catch((err: unknown) => session.log.error({ err }, 'music on hold failed'));
      try {
        return await dial(ac.signal);
      } catch (err) {
        notReached(err);
        return undefined;
      } finally {
        customer.off('hangup', gone);
        music.abort();
        await playing;
      }
    });
  }

  /** The customer talks to a number outside (transferred there) until either hangs up. */
  async #followExternal(session: Session, queue: QueueDefinition, customer: Call, leg: Call): Promise<void> {
    const { driver, clock, contacts } = this.#d.core;
    const started = clock.now();
    await contacts.whileConnected(async () => {
      try {
        const ended = bothEnded(customer, leg);
        if (isLive(customer) && isLive(leg)) {
          const bridge = await driver.bridge(customer, leg);
          await ended.first;
          await bridge.unbridge();
        }
      } finally {
        if (isLive(customer)) await customer.hangup('normal');
        if (isLive(leg)) await leg.hangup('normal');
      }
    });
    if (session.connected) session.connected.talkMs += clock.now() - started;
    this.closeAnswered(session, queue, customer, undefined);
  }

  /**
   * The agent's browser line was lost: call the agent on their fallback number while the
   * customer hears the queue's music. The agent stays on the call; the new stint is theirs.
   */
  async #callFallback(session: Session, queue: QueueDefinition, customer: Call, agent: Agent, fallback: Fallback): Promise<AgentStint | undefined> {
    const { driver, clock, recorder } = this.#d.core;
    const line = new DialedDevice(driver, { kind: 'number', number: fallback.number, ...(fallback.trunk !== undefined ? { trunk: fallback.trunk } : {}) });
    const startedAt = clock.now();
    const seg = recorder.addSegment(session.recordId, { kind: 'agent', queue: queue.name, agent: agent.login, startedAt, detail: { device: 'fallback', number: fallback.number } }, { offeredAt: startedAt });
    session.log.warn({ agent: agent.login, number: fallback.number }, "the agent's line was lost; calling the agent's fallback number");
    const leg = await this.#dialWithMusic(
      session, queue, customer,
      (signal) => line.offer({ timeoutMs: queue.ringTimeoutSeconds * 1000, callerId: { number: session.entry.callerNumber }, signal }),
      (err) => session.log.info({ err, agent: agent.login }, "the agent's fallback number did not answer"),
    );
    const at = clock.now();
    if (leg && isLive(customer)) {
      recorder.updateSegment(session.recordId, seg, { answeredAt: at });
      return { agent, line, leg, seg };
    }
    if (leg) await line.finish(leg);
    recorder.updateSegment(session.recordId, seg, { endedAt: at, outcome: 'no-answer' });
    return undefined;
  }

  /**
   * A transferred customer waits again, in `queue`, under the same call record; one whose
   * agent's line was lost waits first in line, keeping the time they first entered a queue.
   */
  #requeue(session: Session, queue: QueueDefinition, customer: Call, how: 'transferred' | 'line-lost' = 'transferred'): void {
    // A callback's customer is a call now: a new offer connects it rather than calling them again.
    session.entry = {
      ...session.entry, kind: 'call', queue: queue.name, queueEnteredAt: this.#d.core.clock.now(), ...(how === 'line-lost' ? { returnedFirst: true } : {}),
    };
    session.hold = undefined;
    session.offer = undefined;
    session.pending = undefined;
    session.log = session.log.child({ queue: queue.name });
    if (session.call !== customer) {
      session.call = customer;
      this.#d.listen(session, customer);
    }
    session.state = 'waiting';
    this.#d.enterQueue(session, queue, how);
    this.#d.dispatchEntry(session.entry.id);
  }
}

type Fallback = { number: string; trunk?: string };

/** The number a browser-phone agent gave for when their line is lost. */
function fallbackOf(agent: Agent): Fallback | undefined {
  const device = agent.profile.device;
  return device.type === 'webrtc' ? device.fallback : undefined;
}

/** What the agent hears before the customer: the queue's whisper and the customer's segment. */
function whisperPrompts(queue: QueueDefinition, entry: WaitingEntry): Prompt[] {
  if (!queue.whisper) return [];
  const segment = entry.segment !== undefined ? queue.whisper.segments[entry.segment] : undefined;
  return [...queue.whisper.prompts, ...(segment ? [segment] : [])];
}
