import { byLongestIdle, type Strategy } from './strategy.js';

/** The agent free for the longest time first: spreads work evenly over time. */
export function longestIdle(): Strategy {
  return {
    name: 'longest-idle',
    ringsAll: false,
    rank: (candidates) => [...candidates].sort(byLongestIdle),
    offered: () => undefined,
  };
}
