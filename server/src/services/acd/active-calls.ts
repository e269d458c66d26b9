// Agents' connected calls, by agent login: what the call controls act on,
// what the agent's call view shows, and the call_control events they publish.

import type { Call } from '@tenor/telephony';
import type { EventBus } from '../../core/events.js';
import { TenorError } from '../../core/errors.js';
import type { Agent } from './agent-state.js';
import type { AgentRoster } from './agents.js';
import type { CallControlAction, ConnectedCall, ConnectedCallView, TransferParty, TransferTarget } from './connected-call.js';
import type { AgentDeviceLine } from './devices.js';
import type { ContactKind, QueueDefinition } from './model.js';
import type { Session } from './session.js';
import './events.js';

/** An agent on a contact: how they were reached, their answered leg and their record segment. */
export interface AgentStint {
  agent: Agent;
  line: AgentDeviceLine;
  leg: Call;
  seg: Promise<number>;
}

/** A transfer or consult party as the ACD dials it; `stint` is set for an agent once they answered. */
export interface EngineParty extends TransferParty {
  stint: AgentStint | undefined;
}

/** An agent's connected call: what the call controls act on. */
export interface ActiveCall {
  session: Session;
  queue: QueueDefinition;
  kind: ContactKind;
  stint: AgentStint;
  call: ConnectedCall<EngineParty>;
  answeredAt: number;
}

export class ActiveCalls {
  readonly #calls = new Map<string, ActiveCall>();
  readonly #roster: AgentRoster;
  readonly #bus: EventBus;

  constructor(deps: { roster: AgentRoster; bus: EventBus }) {
    this.#roster = deps.roster;
    this.#bus = deps.bus;
  }

  add(active: ActiveCall): void {
    this.#calls.set(active.stint.agent.login, active);
  }

  /** The call ended for its agent (unless the agent already has another one). */
  delete(active: ActiveCall): void {
    const login = active.stint.agent.login;
    if (this.#calls.get(login) === active) this.#calls.delete(login);
  }

  find(login: string): ActiveCall | undefined {
    return this.#calls.get(login);
  }

  /** The agent's connected call; TENOR_ERR_NO_CALL when they have none. */
  require(login: string): ActiveCall {
    this.#roster.require(login);
    const active = this.#calls.get(login);
    if (!active) throw new TenorError('TENOR_ERR_NO_CALL', [login]);
    return active;
  }

  view(active: ActiveCall): ConnectedCallView {
    const { entry } = active.session;
    return {
      callId: active.call.customer.id, recordId: active.session.recordId, queue: active.queue.name, kind: active.kind,
      caller: { number: entry.callerNumber, customerId: entry.customerId ?? null, customerName: entry.customerName ?? null },
      answeredAt: new Date(active.answeredAt).toISOString(), held: active.call.held, consult: active.call.consult,
    };
  }

  controlEvent(active: ActiveCall, action: CallControlAction, target?: TransferTarget): void {
    const callId = active.call.customer.id;
    const agent = active.stint.agent.login;
    active.session.log.info({ callId, agent, action, target }, 'call control');
    this.#bus.publish('call_control', { callId, agent, action, ...(target ? { target } : {}) });
  }
}
