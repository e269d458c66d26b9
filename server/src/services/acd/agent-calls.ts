// Calls an agent places from the desktop (dial pad, click-to-call, a
// callback of their list): the number passes the dialing policy first; the
// agent's own device rings (however they are reached: softphone, browser
// phone, home number, persistent line), and once they answer the customer is
// dialed with the caller ID the queue (or the site) presents. Connected, it
// is an ACD call like any other: the agent on-call, the record (direction
// outbound, the agent, the number), call controls, wrap-up and disposition.

import { randomUUID } from 'node:crypto';
import type { Call, CallParty, DialTarget } from '@tenor/telephony';
import { TenorError } from '../../core/errors.js';
import type { DialingService } from '../dialing/index.js';
import type { AgentStint } from './active-calls.js';
import type { Agent } from './agent-state.js';
import type { AcdCore } from './contacts.js';
import type { DeskOutboundSettings } from './desk-config.js';
import type { AgentDeviceLine } from './devices.js';
import type { ContactKind, QueueDefinition, WaitingEntry } from './model.js';
import type { OutsideCalls } from './outside-calls.js';
import { causeOf, isLive, type Session } from './session.js';
import './events.js';

export interface PlaceCallRequest {
  /** The number as typed or pasted (any format): normalised to E.164 by the dialing policy. */
  number: string;
  customerId?: string;
  customerName?: string;
  /** The queue the call counts for (caller ID, wrap-up, script); default: the agent's first queue. */
  queue?: string;
  /** Who asks, for the dialing policy's rights. */
  role?: 'agent' | 'supervisor' | 'admin';
}

/** A placed call once the customer answered. */
export interface PlacedCall {
  /** The call record (GET /api/calls/:id). */
  recordId: string;
  /** The customer's leg. */
  callId: string;
  /** The number dialed, in E.164. */
  number: string;
  queue: string;
}

export interface AgentCallsDeps {
  core: AcdCore;
  dialing: Pick<DialingService, 'authorize'>;
  outside: OutsideCalls;
  settings: DeskOutboundSettings;
  /** The caller ID shown when neither the queue nor desk.outbound name one (acd.callerId). */
  siteCallerId: CallParty | undefined;
  queue(name: string): QueueDefinition | undefined;
  lineOf(agent: Agent): AgentDeviceLine;
  /** Follow the connected customer and agent to the call's end and the agent's wrap-up. */
  work(session: Session, queue: QueueDefinition, kind: ContactKind, customer: Call, stint: AgentStint, answeredAt: number): Promise<void>;
}

/** How long the customer's phone may ring when desk.outbound does not say. */
const DEFAULT_CUSTOMER_RING_SECONDS = 30;

export class AgentCalls {
  readonly #d: AgentCallsDeps;

  constructor(deps: AgentCallsDeps) {
    this.#d = deps;
  }

  /** The caller ID the customer sees for a call of this queue. */
  callerIdFor(queue: string): CallParty | undefined {
    const number = this.#d.settings.queues?.[queue] ?? this.#d.settings.callerId;
    return number !== undefined ? { number } : this.#d.siteCallerId;
  }

  /**
   * Ring the agent, then the customer, and connect them. Resolves once the
   * customer answered (the call goes on, followed like any ACD call); throws
   * TENOR_ERR_DIALING_REFUSED before anything rings, TENOR_ERR_AGENT_BUSY /
   * TENOR_ERR_AGENT_NOT_AVAILABLE when the agent cannot take it or does not
   * answer, TENOR_ERR_CUSTOMER_NOT_REACHED when the customer does not answer.
   */
  async place(login: string, req: PlaceCallRequest): Promise<PlacedCall> {
    const { core, outside } = this.#d;
    const { clock, bus, recorder, roster } = core;
    const agent = roster.get(login);
    if (!agent) throw new TenorError('TENOR_ERR_NOT_FOUND', [`agent '${login}'`]);
    const queue = this.#queueFor(agent, req.queue);
    const id = `agent-call-${randomUUID()}`;
    // The policy decides before the agent's phone rings: a refused number is never dialed.
    const number = this.#d.dialing.authorize(req.number, {
      purpose: 'agent-call', agent: login, callId: id, ...(req.role !== undefined ? { role: req.role } : {}), ...(this.#d.settings.trunk !== undefined ? { trunk: this.#d.settings.trunk } : {}),
    }).e164;
    // Busy or logged out: refused here, before any record is opened.
    const taken = outside.begin(login, id, queue.name);
    if (!taken) throw new TenorError('TENOR_ERR_NOT_FOUND', [`agent '${login}'`]);
    const now = clock.now();
    const entry: WaitingEntry = {
      id, kind: 'call', queue: queue.name, priority: 0, enteredAt: now, queueEnteredAt: now, requiredSkills: {},
      callId: id, callerNumber: number, customerId: req.customerId, customerName: req.customerName, segment: undefined,
    };
    const callerId = this.callerIdFor(queue.name);
    recorder.open({ id, direction: 'outbound', from: callerId?.number ?? queue.name, to: number, ...(req.customerId ? { customerId: req.customerId } : {}), arrivedAt: now });
    recorder.update(id, { queue: queue.name, offeredAt: now });
    const seg = recorder.addSegment(id, { kind: 'agent', queue: queue.name, agent: login, startedAt: now, detail: { placedBy: 'agent', number } }, { offeredAt: now });
    const log = core.log.child({ callId: id, agent: login, queue: queue.name });
    const session: Session = {
      entry, call: undefined, log, recordId: id, queueSegPromise: undefined, hold: undefined, timers: [], offer: undefined,
      state: 'connected', pending: undefined, callback: undefined, finish: () => undefined,
    };
    bus.publish('call_offered', { callId: id, entryId: id, queue: queue.name, kind: 'call', agents: [login], direction: 'outbound', number });
    log.info({ number }, "agent's call: ringing the agent");

    const line = this.#d.lineOf(agent);
    let leg: Call;
    try {
      leg = await line.offer({ timeoutMs: queue.ringTimeoutSeconds * 1000, callerId: { number, ...(req.customerName ? { displayName: req.customerName } : {}) }, signal: new AbortController().signal });
    } catch (err) {
      const cause = causeOf(err) ?? 'failed';
      recorder.updateSegment(id, seg, { endedAt: clock.now(), outcome: cause === 'no-answer' ? 'no-answer' : 'unreachable' });
      taken.ended();
      this.#failed(session, queue, login, cause);
      throw new TenorError('TENOR_ERR_AGENT_NOT_AVAILABLE', [login, `their phone did not answer (${cause})`]);
    }
    if (agent.state !== 'offered' || agent.callId !== id) {
      // Forced out meanwhile (logout by a supervisor): the call is not placed.
      await line.finish(leg);
      recorder.updateSegment(id, seg, { endedAt: clock.now(), outcome: 'withdrawn' });
      this.#failed(session, queue, login, 'failed');
      throw new TenorError('TENOR_ERR_AGENT_NOT_AVAILABLE', [login, 'no longer taking the call']);
    }
    const agentAnsweredAt = clock.now();
    roster.apply(agent, agent.answered(agentAnsweredAt));
    recorder.updateSegment(id, seg, { answeredAt: agentAnsweredAt });

    const custSeg = recorder.addSegment(id, { kind: 'callback', queue: queue.name, agent: login, startedAt: agentAnsweredAt, detail: { attempt: 1, number, placedBy: 'agent' } });
    log.info({ number, callerId: callerId?.number }, "agent's call: the agent answered; dialing the customer");
    const target: DialTarget = { kind: 'number', number, ...(this.#d.settings.trunk !== undefined ? { trunk: this.#d.settings.trunk } : {}) };
    let customer: Call;
    try {
      customer = await core.driver.originate(target, { timeoutMs: (this.#d.settings.ringTimeoutSeconds ?? DEFAULT_CUSTOMER_RING_SECONDS) * 1000, ...(callerId ? { callerId } : {}) });
    } catch (err) {
      const cause = causeOf(err) ?? 'failed';
      const at = clock.now();
      recorder.updateSegment(id, custSeg, { endedAt: at, outcome: cause === 'no-answer' || cause === 'busy' ? 'no-answer' : 'failed' });
      recorder.updateSegment(id, seg, { endedAt: at, outcome: 'customer-not-reached' });
      if (isLive(leg)) await line.finish(leg);
      roster.apply(agent, agent.callEnded(0, clock.now()));
      this.#failed(session, queue, login, cause);
      throw new TenorError('TENOR_ERR_CUSTOMER_NOT_REACHED', [number, cause], { details: { cause } });
    }
    const answeredAt = clock.now();
    recorder.updateSegment(id, custSeg, { answeredAt });
    recorder.update(id, { answeredAt, agent: login, outcome: 'answered', waitMs: 0 });
    bus.publish('call_answered', { callId: customer.id, entryId: id, queue: queue.name, kind: 'call', agent: login, waitMs: 0, direction: 'outbound' });
    session.connected = { answeredAt, agent: login, talkMs: 0, holdMs: 0 };
    log.info({ number, customerLeg: customer.id }, "agent's call: the customer answered; connected");
    void this.#d.work(session, queue, 'call', customer, { agent, line, leg, seg }, answeredAt)
      .then(() => recorder.updateSegment(id, custSeg, { endedAt: clock.now(), outcome: 'answered' }))
      .catch((err: unknown) => log.error({ err }, "agent's call failed after the customer answered"));
    return { recordId: id, callId: customer.id, number, queue: queue.name };
  }

  /** The queue asked for (one the agent serves), or the agent's first (lowest penalty). */
  #queueFor(agent: Agent, asked: string | undefined): QueueDefinition {
    const serves = [...agent.profile.queues].sort((a, b) => a.penalty - b.penalty).map((q) => q.queue);
    const name = asked ?? serves[0];
    if (name === undefined) throw new TenorError('TENOR_ERR_VALIDATION', [`agent '${agent.login}' serves no queue: the call would have no caller ID nor wrap-up`]);
    if (!serves.includes(name)) throw new TenorError('TENOR_ERR_VALIDATION', [`agent '${agent.login}' does not serve queue '${name}'`]);
    const queue = this.#d.queue(name);
    if (!queue) throw new TenorError('TENOR_ERR_NOT_FOUND', [`queue '${name}'`]);
    return queue;
  }

  /** The call was never connected: the record closes as failed. */
  #failed(session: Session, queue: QueueDefinition, agent: string, cause: string): void {
    const { clock, bus, recorder } = this.#d.core;
    const at = clock.now();
    recorder.update(session.recordId, { outcome: 'failed', endedAt: at, endCause: cause, live: false });
    bus.publish('call_ended', { recordId: session.recordId, customerId: session.entry.customerId, callId: session.entry.id, queue: queue.name, agent, outcome: 'failed', cause });
    session.log.info({ cause }, "agent's call not connected");
  }
}
