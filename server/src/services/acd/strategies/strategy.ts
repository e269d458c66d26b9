// The contract every routing strategy implements. The router hands a strategy
// only agents that may take the contact (ready, serving the queue, skilled
// enough, at the best penalty available); the strategy decides their order.
// One instance per queue, so strategies with memory (round-robin) remember per
// queue. All strategies pass test/acd/strategy-contract.test.ts.

import type { RandomSource } from '../random.js';
import type { SkillLevels, StrategyName } from '../model.js';

/** What a strategy may read about an agent. */
export interface RankedAgent {
  readonly login: string;
  readonly idleSince: number;
  readonly callsAnswered: number;
  readonly talkTimeMs: number;
  readonly profile: { readonly skills: SkillLevels };
}

export interface Candidate {
  readonly agent: RankedAgent;
  /** Place in the queue's member list, from 0 (linear and round-robin follow it). */
  readonly position: number;
}

export interface StrategyContext {
  /** The contact's requirements at this moment (after escalation). */
  readonly requiredSkills: SkillLevels;
  readonly random: RandomSource;
}

export interface Strategy {
  readonly name: StrategyName;
  /** Offer to every ranked agent at once (the first to answer takes the call), not one after another. */
  readonly ringsAll: boolean;
  /** The candidates in the order they should be offered the contact: a new array holding exactly them. */
  rank(candidates: readonly Candidate[], ctx: StrategyContext): Candidate[];
  /** The contact was offered to these agents (strategies with memory remember). */
  offered(candidates: readonly Candidate[]): void;
}

/** Longest idle first; the member list decides ties so the order never depends on input order. */
export function byLongestIdle(a: Candidate, b: Candidate): number {
  return a.agent.idleSince - b.agent.idleSince || a.position - b.position;
}

export function byPosition(a: Candidate, b: Candidate): number {
  return a.position - b.position;
}
