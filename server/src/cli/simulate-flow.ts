// `tenor simulate-flow FILE --caller NUM ...`: runs an IVR flow without a phone.

import { SIMULATE_FLOW_USAGE, simulateFlowFile, simulateFlowOptions } from '../services/ivr/flow/cli.js';
import type { Command } from './command.js';

export const simulateFlowCommand: Command = {
  name: 'simulate-flow',
  usage: SIMULATE_FLOW_USAGE,
  summary: 'run an IVR flow without a phone: prints the nodes taken, the prompts and the outcome',
  details: 'Exits 0 when the flow reaches an outcome, 1 when it has problems or stops part-way (the path so far is printed).',
  options: simulateFlowOptions,
  positionals: true,
  run: (_line, args) => simulateFlowFile(args),
};
