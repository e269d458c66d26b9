// Calls an agent takes outside the queues (a campaign's preview call, placed by
// the campaign itself): the ACD still has to know the agent is busy, so that it
// offers them no second call and their own ready or break is refused as on any
// call. The agent is `offered` while their phone rings, `on-call` once it is
// answered, and after the call goes through the queue's wrap-up to ready, back
// to the break they dialed from, or to a break or logout forced meanwhile.

import { TenorError } from '../../core/errors.js';
import type { Agent } from './agent-state.js';
import type { AcdCore } from './contacts.js';
import type { QueueDefinition } from './model.js';
import { BUSY_STATES } from './state-requests.js';

/** The ACD's side of one outside call: tell it when the agent's leg answers and when the call ends. */
export interface OutsideCall {
  /** The agent's phone answered: the agent is on-call (`callId`: their leg). */
  answered(callId: string): void;
  /** The call is over, answered or not (idempotent). */
  ended(): void;
}

export interface OutsideCallsDeps {
  core: AcdCore;
  queue(name: string): QueueDefinition | undefined;
}

export class OutsideCalls {
  readonly #d: OutsideCallsDeps;

  constructor(deps: OutsideCallsDeps) {
    this.#d = deps;
  }

  /**
   * Take the agent for a call placed for them (`ref` names it until their leg
   * answers; `queue` gives the wrap-up). Undefined when `login` is no ACD agent;
   * refused while they have a call in hand or are logged out.
   */
  begin(login: string, ref: string, queue: string | undefined): OutsideCall | undefined {
    const { roster, clock, log } = this.#d.core;
    const agent = roster.get(login);
    if (!agent) return undefined;
    if (BUSY_STATES.includes(agent.state)) {
      throw new TenorError('TENOR_ERR_AGENT_BUSY', [login, agent.state, 'no other call until this one ends'], { details: { state: agent.state, requested: 'call' } });
    }
    // After-call work of the last call ends when the agent dials the next one (a forced change pending is taken then).
    if (agent.state === 'wrap-up') roster.endWrapUp(agent, 'next call dialed');
    if (!agent.loggedIn) throw new TenorError('TENOR_ERR_AGENT_NOT_AVAILABLE', [login, 'logged out: log in first']);
    roster.apply(agent, agent.outsideCall(ref, clock.now()));
    log.child({ callId: ref }).info({ agent: login, queue }, 'agent taken for an outside call');
    return this.#call(agent, ref, queue);
  }

  #call(agent: Agent, ref: string, queue: string | undefined): OutsideCall {
    const { roster, clock } = this.#d.core;
    let callId = ref;
    let over = false;
    const ours = (): boolean => !over && agent.callId === callId && BUSY_STATES.includes(agent.state);
    return {
      answered: (legId) => {
        if (!ours() || agent.state !== 'offered') return;
        agent.callId = callId = legId;
        roster.apply(agent, agent.answered(clock.now()));
      },
      ended: () => {
        if (!ours()) return;
        over = true;
        const now = clock.now();
        if (agent.state === 'offered') roster.apply(agent, agent.withdrawn(now));
        else roster.apply(agent, agent.callEnded((this.#d.queue(queue ?? '')?.wrapUpSeconds ?? 0) * 1000, now));
      },
    };
  }
}
