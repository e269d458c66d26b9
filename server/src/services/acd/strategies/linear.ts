import { byPosition, type Strategy } from './strategy.js';

/** Top-down: always the first free member in list order (the first agent gets the most calls). */
export function linear(): Strategy {
  return {
    name: 'linear',
    ringsAll: false,
    rank: (candidates) => [...candidates].sort(byPosition),
    offered: () => undefined,
  };
}
