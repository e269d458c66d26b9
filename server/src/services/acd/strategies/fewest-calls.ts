import { byLongestIdle, type Strategy } from './strategy.js';

/** The agent who answered the fewest calls since logging in first; longest idle breaks ties. */
export function fewestCalls(): Strategy {
  return {
    name: 'fewest-calls',
    ringsAll: false,
    rank: (candidates) => [...candidates].sort((a, b) => a.agent.callsAnswered - b.agent.callsAnswered || byLongestIdle(a, b)),
    offered: () => undefined,
  };
}
