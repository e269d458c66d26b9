import type { Strategy } from './strategy.js';

/**
 * Round-robin with memory: starts after the member offered last time and wraps
 * around the member list, so each agent gets a turn even when some were busy.
 */
export function roundRobin(): Strategy {
  let last = -1;
  return {
    name: 'round-robin',
    ringsAll: false,
    rank(candidates) {
      // Distance after the last offered position, in member-list order.
      const after = (p: number): number => (p > last ? p - last : p - last + Number.MAX_SAFE_INTEGER / 2);
      return [...candidates].sort((a, b) => after(a.position) - after(b.position));
    },
    offered(candidates) {
      const first = candidates[0];
      if (first) last = first.position;
    },
  };
}
