// `tenor simulate-dialer [options]`: the campaign pacing simulator.

import { simulateDialerCommand, simulateDialerOptions, simulateDialerSummary, simulateDialerUsage } from '../services/campaigns/simulator/command.js';
import type { Command } from './command.js';

export const simulateDialerCliCommand: Command = {
  name: 'simulate-dialer',
  usage: simulateDialerUsage,
  summary: simulateDialerSummary,
  details: 'Runs the live dialer\'s pacing algorithm in a seeded simulation (docs/campaigns-pacing.md). Times are in seconds; MEAN,SD is a mean and a standard deviation, or a mean alone.',
  options: simulateDialerOptions,
  positionals: false,
  run: (_line, args) => simulateDialerCommand(args),
};
