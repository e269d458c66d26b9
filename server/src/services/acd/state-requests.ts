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
//  wrap-up             │ now      now       now       │ pending   pending   now
//
// "refused" is TENOR_ERR_AGENT_BUSY naming the state that blocks it; "pending" is
// taken when the call and its wrap-up end (a forced change never cuts the agent's
// work on a call short: wrap-up is bounded by the queue's wrapUpSeconds).

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
  const forcedAway = asker === 'forced' && wanted !== 'ready';
  if (BUSY_STATES.includes(state)) {
    if (forcedAway) return 'pending';
    throw new TenorError('TENOR_ERR_AGENT_BUSY', [login, state, `${wanted} is refused until the call ends`], { details: { state, requested: wanted } });
  }
  if (state === 'wrap-up' && forcedAway) return 'pending';
  return 'now';
}
