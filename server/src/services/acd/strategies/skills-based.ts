import { matchScore } from '../skills.js';
import { byLongestIdle, type Strategy } from './strategy.js';

/**
 * Best match first: the highest levels in the skills the contact needs (the
 * router has already left out agents below the minimums); longest idle breaks ties.
 */
export function skillsBased(): Strategy {
  return {
    name: 'skills-based',
    ringsAll: false,
    rank(candidates, ctx) {
      const scored = candidates.map((c) => ({ c, score: matchScore(c.agent.profile.skills, ctx.requiredSkills) }));
      scored.sort((a, b) => b.score - a.score || byLongestIdle(a.c, b.c));
      return scored.map((s) => s.c);
    },
    offered: () => undefined,
  };
}
