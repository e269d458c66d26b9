// Strategy names to implementations: one new instance per queue.

import type { StrategyName } from '../model.js';
import { fewestCalls } from './fewest-calls.js';
import { leastTalkTime } from './least-talk-time.js';
import { linear } from './linear.js';
import { longestIdle } from './longest-idle.js';
import { randomOrder } from './random.js';
import { ringAll } from './ring-all.js';
import { roundRobin } from './round-robin.js';
import { skillsBased } from './skills-based.js';
import type { Strategy } from './strategy.js';

export type { Candidate, RankedAgent, Strategy, StrategyContext } from './strategy.js';

export const strategyFactories: Readonly<Record<StrategyName, () => Strategy>> = {
  'ring-all': ringAll,
  'longest-idle': longestIdle,
  'round-robin': roundRobin,
  'fewest-calls': fewestCalls,
  'least-talk-time': leastTalkTime,
  random: randomOrder,
  linear,
  'skills-based': skillsBased,
};

export function createStrategy(name: StrategyName): Strategy {
  return strategyFactories[name]();
}
