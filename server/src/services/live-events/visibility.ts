// Which bus events a client may see. Supervisors and admins see every event.
// An agent sees only events about themselves: those naming them (`login`,
// `agent`, or among the `agents` a call is offered to), and events about a
// call that was offered to them (e.g. the caller hanging up while it rang).
// A ring-all offer is shown to an agent as offered to them alone.

import type { TenorEvent } from '../../core/events.js';
import type { LiveBusEvent } from './types.js';

interface AgentNaming {
  login?: unknown;
  agent?: unknown;
  agents?: unknown;
  callId?: unknown;
  entryId?: unknown;
}

/** The calls an agent has been offered and that have not ended: their later events are the agent's too. */
export class OwnCalls {
  readonly #ids = new Set<string>();

  /** Bound the set: an agent handles one call at a time; old ids that never saw call_ended are dropped. */
  static readonly MAX = 50;

  add(id: string): void {
    this.#ids.add(id);
    if (this.#ids.size > OwnCalls.MAX) {
      const oldest = this.#ids.values().next().value;
      if (oldest !== undefined) this.#ids.delete(oldest);
    }
  }
  has(id: unknown): boolean {
    return typeof id === 'string' && this.#ids.has(id);
  }
  delete(id: unknown): void {
    if (typeof id === 'string') this.#ids.delete(id);
  }
}

/**
 * The event as the agent may see it, or undefined when it is not theirs.
 * Tracks the calls offered to the agent in `own`.
 */
export function eventForAgent(event: TenorEvent, login: string, own: OwnCalls): LiveBusEvent | undefined {
  const p = (typeof event.payload === 'object' && event.payload !== null ? event.payload : {}) as AgentNaming;
  const offeredToMe = Array.isArray(p.agents) && p.agents.includes(login);
  const mine = p.login === login || p.agent === login || offeredToMe || own.has(p.callId) || own.has(p.entryId);
  if (!mine) return undefined;
  if (offeredToMe && typeof p.callId === 'string') own.add(p.callId);
  if (event.type === 'call_ended') own.delete(p.callId);
  const shown = offeredToMe ? { ...event, payload: { ...(event.payload as object), agents: [login] } } : event;
  return shown as LiveBusEvent;
}

/** Queues an event is about, for the derived queue_figures events. */
export function queuesTouched(event: TenorEvent, queuesOfAgent: (login: string) => string[]): string[] {
  const p = (typeof event.payload === 'object' && event.payload !== null ? event.payload : {}) as Record<string, unknown>;
  const queues = new Set<string>();
  if (typeof p.queue === 'string') queues.add(p.queue);
  if (event.type === 'call_overflowed') {
    if (typeof p.from === 'string') queues.add(p.from);
    if (typeof p.to === 'string') queues.add(p.to);
  }
  if (event.type === 'agent_state_changed' && typeof p.login === 'string') for (const q of queuesOfAgent(p.login)) queues.add(q);
  return [...queues];
}
