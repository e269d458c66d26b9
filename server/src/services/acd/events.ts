// The ACD's events on the one event bus (noun + past tense). The live monitor
// and the web client subscribe; every payload is plain JSON so a NATS or Redis
// bus can carry it unchanged. Times are ISO strings like the bus's own `at`.

import type { AgentState } from './agent-state.js';
import type { CallControlAction, TransferTarget } from './connected-call.js';
import type { ContactKind, ExitDestination, ExitReason } from './model.js';
import type { CallOutcome } from './store/call-records.js';

export interface CallQueuedEvent {
  callId: string;
  entryId: string;
  queue: string;
  kind: ContactKind;
  priority: number;
  position: number;
  /** When the contact first entered a queue. */
  enteredAt: string;
  customerId: string | undefined;
}

export interface AcdEvents {
  call_queued: CallQueuedEvent;
  /** `direction: 'outbound'` and `number` mark a call the agent placed (agent-calls.ts): their phone rings first. */
  call_offered: { callId: string; entryId: string; queue: string; kind: ContactKind; agents: string[]; direction?: 'outbound'; number?: string };
  call_offer_missed: { callId: string; entryId: string; queue: string; agent: string; reason: 'no-answer' | 'unreachable' | 'withdrawn' | 'line-lost' };
  call_answered: { callId: string; entryId: string; queue: string; kind: ContactKind; agent: string; waitMs: number; direction?: 'outbound' };
  call_abandoned: { callId: string; entryId: string; queue: string; waitMs: number };
  call_overflowed: { callId: string; entryId: string; from: string; to: string };
  call_exited: { callId: string; entryId: string; queue: string; reason: ExitReason; destination: ExitDestination };
  /** recordId names the call record (acd.callRecord); customerId is set when the caller was identified. */
  call_ended: { callId: string; recordId: string; customerId: string | undefined; queue: string | undefined; agent: string | undefined; outcome: CallOutcome; cause: string };
  callback_requested: { callId: string; entryId: string; queue: string; number: string };
  callback_attempted: { entryId: string; queue: string; agent: string; number: string; attempt: number; result: 'answered' | 'no-answer' | 'failed' };
  agent_state_changed: { login: string; from: AgentState; to: AgentState; reason: string; callId: string | undefined; at: string };
  /** A forced break or logout accepted during a call's work (`during`): taken when it ends (then agent_state_changed). */
  agent_state_pending: { login: string; state: 'break' | 'logged-out'; reason: string; during: AgentState; callId: string | undefined; at: string };
  acd_queue_changed: { queue: string; change: 'saved' | 'removed' };
  acd_agent_changed: { login: string; change: 'saved' | 'removed' };
  /** An agent's call control, or a consult that changed on its own (answered, ended); callId is the customer's leg. */
  call_control: { callId: string; agent: string; action: CallControlAction; target?: TransferTarget };
}

declare module '../../core/events.js' {
  interface TenorEvents extends AcdEvents {}
}
