import { byLongestIdle, type Strategy } from './strategy.js';

/** The agent with the least talk time since logging in first; longest idle breaks ties. */
export function leastTalkTime(): Strategy {
  return {
    name: 'least-talk-time',
    ringsAll: false,
    rank: (candidates) => [...candidates].sort((a, b) => a.agent.talkTimeMs - b.agent.talkTimeMs || byLongestIdle(a, b)),
    offered: () => undefined,
  };
}
