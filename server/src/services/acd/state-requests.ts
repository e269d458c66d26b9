// What a person may ask of an agent's state: a smaller table than the ACD's own
// (agent-state.ts), which lets the ACD itself end a call into ready. Every path
// that sets a state on someone's behalf (the API, the web client through it,
// campaigns' preview calls) asks here first. Pure: no I/O.
//
//                      │ the agent's own              │ forced by a supervisor or admin
//  state now           │ ready    break     logout    │ break     logout    ready (admin)
//  ────────────────────┼──────────────────────────────┼─────────────────────────────────
//  logged-out          │ login    login     —         │ login     —         login
//  ready, break        │ now      now       now       │ now       now       now
//  offered, on-call    │ refused  refused   refused   │ pending   pending   refused
//  wrap-up             │ now      now       now       │ now       now       now
//
// "refused" is TENOR_ERR_AGENT_BUSY naming the state that blocks it. "pending" is
// taken when the call and its wrap-up end: forced during the call, it leaves the
// agent their after-call work (bounded by the queue's wrapUpSeconds). "now" in
// wrap-up ends the wrap-up (its time is recorded), as a supervisor asking then means.

import { TenorError } from '../../core/errors.js';
import type { AgentState } from './agent-state.js';

export type RequestedState = 'ready' | 'break' | 'logged-out';

/** Who asks: the agent for themselves, or a supervisor or admin for another agent. */
export type Asker = 'self' | 'forced';

/** Taken now, or kept and taken when the call's work ends. */
export type RequestOutcome = 'now' | 'pending';

/** States in which the agent has a call in hand (ringing or talking). */
export const BUSY_STATES: readonly AgentState[] = ['offered', 'on-call'];

export function decideRequest(login: string, state: AgentState, wanted: RequestedState, asker: Asker): RequestOutcome {
  if (!BUSY_STATES.includes(state)) return 'now';
  if (asker === 'forced' && wanted !== 'ready') return 'pending';
  throw new TenorError('TENOR_ERR_AGENT_BUSY', [login, state, `${wanted} is refused until the call ends`], { details: { state, requested: wanted } });
}
