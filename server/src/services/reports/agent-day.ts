// The agent's day: one agent's figures for today (in the reports' time zone),
// computed by the reports' own code over the same stored records, so the desk
// and the reports never disagree: time in each state and calls handled are the
// agent report's total; average talk and wrap-up are the inbound report's
// figures over the calls this agent answered (inbound and outbound alike).

import type { AgentFigures } from './agents.js';
import { inboundFigures } from './inbound.js';
import type { AgentsReport } from './reports.js';
import type { CallFacts } from './source.js';

export interface AgentDayFigures {
  callsHandled: number;
  avgTalkSeconds: number | null;
  avgWrapUpSeconds: number | null;
  /** Seconds in each state today, break split by reason. */
  states: Omit<AgentFigures, 'callsHandled'>;
}

export interface AgentDay {
  agent: string;
  period: AgentsReport['period'];
  figures: AgentDayFigures;
}

/** The agent's figures from today's agent report and the calls of today. */
export function agentDayFigures(input: {
  agent: string;
  report: AgentsReport;
  calls: readonly CallFacts[];
  wrapUps: ReadonlyMap<string, number>;
}): AgentDayFigures {
  const own = input.report.byAgent.find((a) => a.agent === input.agent);
  const { callsHandled, agent: _agent, ...states } = own ?? { ...input.report.total, agent: input.agent };
  const answered = input.calls.filter((c) => c.agent === input.agent && c.answeredAt !== undefined);
  // Thresholds do not enter talk or wrap-up: any value serves.
  const calls = inboundFigures(answered, { wrapUps: input.wrapUps, shortAbandonMs: 0, serviceLevelMsOf: () => 0 });
  return { callsHandled, avgTalkSeconds: calls.avgTalkSeconds, avgWrapUpSeconds: calls.avgWrapUpSeconds, states };
}
