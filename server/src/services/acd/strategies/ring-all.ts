import { byPosition, type Candidate, type Strategy } from './strategy.js';

/** Every candidate rings at once; the first to answer takes the contact. */
export function ringAll(): Strategy {
  return {
    name: 'ring-all',
    ringsAll: true,
    rank: (candidates) => [...candidates].sort(byPosition),
    offered: (_: readonly Candidate[]) => undefined,
  };
}
