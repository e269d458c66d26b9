// The agent's call controls (docs/acd.md, "Call controls"): hold, hang up,
// blind transfer, consult and attended transfer, and the parties a transfer
// or a consult reaches (an agent offered the call at once, or a number).

import { OriginateError, type Call, type CallParty, type DialTarget } from '@tenor/telephony';
import { TenorError } from '../../core/errors.js';
import type { Agent } from './agent-state.js';
import type { ActiveCall, ActiveCalls, EngineParty } from './active-calls.js';
import type { AcdCore } from './contacts.js';
import type { ConnectedCallView, PartyDrop, TransferTarget } from './connected-call.js';
import type { AgentDeviceLine } from './devices.js';
import { isLive } from './session.js';
import './events.js';

export interface CallControlsDeps {
  core: AcdCore;
  calls: ActiveCalls;
  /** Unanswered offers in a row before an agent is put on break "no answer" (0: never). */
  maxMissedOffers: number;
  /** How long a number the agent transfers or consults to may ring. */
  transferRingTimeoutMs: number;
  lineOf(agent: Agent): AgentDeviceLine;
}

export class CallControls {
  readonly #d: CallControlsDeps;

  constructor(deps: CallControlsDeps) {
    this.#d = deps;
  }

  /**
   * The two legs of the agent's connected call while they are bridged
   * (supervisor monitoring joins these); undefined otherwise.
   */
  connectedLegs(agentLogin: string): { callId: string; customer: Call; agent: Call } | undefined {
    const legs = this.#d.calls.find(agentLogin)?.call.bridgedLegs;
    return legs ? { callId: legs.customer.id, ...legs } : undefined;
  }

  /** The customer's leg of the agent's connected call, bridged or not (on hold, in a consult); undefined without one. */
  connectedCustomer(agentLogin: string): Call | undefined {
    return this.#d.calls.find(agentLogin)?.call.customer;
  }

  /** The agent's connected call; TENOR_ERR_NO_CALL when they have none. */
  connectedCall(login: string): ConnectedCallView {
    return this.#d.calls.view(this.#d.calls.require(login));
  }

  /** The agent's connected call, or undefined (for the live view). */
  findConnectedCall(login: string): ConnectedCallView | undefined {
    const active = this.#d.calls.find(login);
    return active ? this.#d.calls.view(active) : undefined;
  }

  /** The customer hears the queue's music; the time counts into the record's holdMs. */
  async holdCall(login: string): Promise<ConnectedCallView> {
    const { calls } = this.#d;
    const active = calls.require(login);
    await active.call.hold();
    calls.controlEvent(active, 'hold');
    return calls.view(active);
  }

  async unholdCall(login: string): Promise<ConnectedCallView> {
    const { calls } = this.#d;
    const active = calls.require(login);
    await active.call.unhold();
    calls.controlEvent(active, 'unhold');
    return calls.view(active);
  }

  /** The agent ends the call: the customer's leg is hung up, the agent goes to wrap-up. */
  async hangupCall(login: string): Promise<void> {
    const active = this.#d.calls.require(login);
    await active.call.hangup();
    this.#d.calls.controlEvent(active, 'hangup');
  }

  /** Blind transfer: the agent leaves at once (wrap-up); the customer goes to the queue, the agent or the number. */
  async transferCall(login: string, target: TransferTarget): Promise<void> {
    const active = this.#d.calls.require(login);
    if (target.type === 'queue' && !this.#d.core.router.queue(target.queue)) throw new TenorError('TENOR_ERR_NOT_FOUND', [`queue '${target.queue}'`]);
    const party = target.type === 'queue' ? undefined : this.#party(active, target);
    try {
      await active.call.blindTransfer(target, party);
    } catch (err) {
      await party?.drop(undefined, 'cancelled');
      throw err;
    }
    this.#d.calls.controlEvent(active, 'transfer', target);
  }

  /** Attended transfer, first step: the customer on hold, the agent talks to an agent or a number. */
  async consultCall(login: string, target: TransferTarget): Promise<ConnectedCallView> {
    const { calls } = this.#d;
    const active = calls.require(login);
    if (target.type === 'queue') throw new TenorError('TENOR_ERR_VALIDATION', ['a consult calls an agent or a number; a transfer to a queue is blind']);
    const party = this.#party(active, target);
    try {
      await active.call.startConsult(party);
    } catch (err) {
      await party.drop(undefined, 'cancelled');
      throw err;
    }
    calls.controlEvent(active, 'consult', target);
    return calls.view(active);
  }

  /** The consulted party takes the customer; the agent goes to wrap-up. */
  async completeConsult(login: string): Promise<void> {
    const active = this.#d.calls.require(login);
    const target = active.call.consult?.target;
    await active.call.completeConsult();
    this.#d.calls.controlEvent(active, 'consult-complete', target);
  }

  /** The consult leg ends; the agent is back with the customer, off hold. */
  async cancelConsult(login: string): Promise<ConnectedCallView> {
    const { calls } = this.#d;
    const active = calls.require(login);
    const target = active.call.consult?.target;
    await active.call.cancelConsult();
    calls.controlEvent(active, 'consult-cancel', target);
    return calls.view(active);
  }

  /**
   * Who a transfer or consult reaches. An agent must be ready: they are
   * offered the call at once (so the ACD offers them nothing else), rung on
   * their device, on-call once they answer, and wrap up after it like after
   * any call. A number is dialed through a trunk.
   */
  #party(active: ActiveCall, target: TransferTarget): EngineParty {
    const { driver, clock, bus, roster, recorder } = this.#d.core;
    const { session, queue } = active;
    const callerId: CallParty = { number: session.entry.callerNumber, ...(session.entry.customerName ? { displayName: session.entry.customerName } : {}) };
    if (target.type === 'number') {
      const dial: DialTarget = { kind: 'number', number: target.number, ...(target.trunk !== undefined ? { trunk: target.trunk } : {}) };
      return {
        target, stint: undefined,
        dial: (signal) => driver.originate(dial, { timeoutMs: this.#d.transferRingTimeoutMs, callerId, signal }),
        drop: async (leg) => {
          if (leg && isLive(leg)) await leg.hangup('normal');
        },
      };
    }
    if (target.type !== 'agent') throw new TenorError('TENOR_ERR_VALIDATION', ['a queue is not dialed']);
    const agent = roster.get(target.agent);
    if (!agent) throw new TenorError('TENOR_ERR_NOT_FOUND', [`agent '${target.agent}'`]);
    if (agent === active.stint.agent) throw new TenorError('TENOR_ERR_AGENT_NOT_AVAILABLE', [agent.login, 'it is the agent on the call']);
    if (agent.state !== 'ready') throw new TenorError('TENOR_ERR_AGENT_NOT_AVAILABLE', [agent.login, agent.state]);
    const callId = session.entry.callId;
    const now = clock.now();
    roster.apply(agent, agent.offer(callId, now));
    const line = this.#d.lineOf(agent);
    const seg = recorder.addSegment(session.recordId, { kind: 'agent', queue: queue.name, agent: agent.login, startedAt: now, detail: { from: active.stint.agent.login } }, { offeredAt: now });
    bus.publish('call_offered', { callId, entryId: session.entry.id, queue: queue.name, kind: active.kind, agents: [agent.login] });
    const party: EngineParty = {
      target, stint: undefined,
      dial: async (signal) => {
        const leg = await line.offer({ timeoutMs: queue.ringTimeoutSeconds * 1000, callerId, signal });
        const at = clock.now();
        if (agent.state !== 'offered' || agent.callId !== callId) {
          await line.finish(leg);
          throw new OriginateError('failed', `agent '${agent.login}' is no longer offered the call`);
        }
        roster.apply(agent, agent.answered(at));
        recorder.updateSegment(session.recordId, seg, { answeredAt: at });
        party.stint = { agent, line, leg, seg };
        return leg;
      },
      drop: async (leg, why) => {
        if (leg) await line.finish(leg);
        const at = clock.now();
        if (agent.callId === callId && agent.state === 'offered') {
          roster.apply(agent, why === 'failed' ? agent.missed(this.#d.maxMissedOffers, at) : agent.withdrawn(at));
        } else if (agent.callId === callId && agent.state === 'on-call') {
          // Only consulted, never given the customer: no wrap-up.
          roster.apply(agent, agent.callEnded(0, at));
        }
        recorder.updateSegment(session.recordId, seg, { endedAt: at, outcome: dropOutcome(why) });
      },
    };
    return party;
  }
}

/** How a transfer party's agent segment ends when they do not take the customer. */
function dropOutcome(why: PartyDrop): string {
  return why === 'failed' ? 'no-answer' : why === 'call-ended' ? 'withdrawn' : `consult-${why}`;
}
