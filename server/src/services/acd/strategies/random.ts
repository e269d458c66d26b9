import { byPosition, type Strategy } from './strategy.js';

/** A random order (Fisher–Yates over the member order, from the router's seeded source). */
export function randomOrder(): Strategy {
  return {
    name: 'random',
    ringsAll: false,
    rank(candidates, ctx) {
      const out = [...candidates].sort(byPosition);
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(ctx.random() * (i + 1));
        const a = out[i];
        const b = out[j];
        if (a === undefined || b === undefined) continue;
        out[i] = b;
        out[j] = a;
      }
      return out;
    },
    offered: () => undefined,
  };
}
