// The pacing simulator: a seeded discrete-event simulation of a campaign paced
// by the live dialer's own decidePacing (docs/campaigns-pacing.md).

export { simulate, type SimulationResult } from './simulate.js';
export { defaultSimulationOptions, type SimulationOptions } from './options.js';
export { formatTable, describeRun } from './report.js';
export { simulateDialerCommand, parseSimulateDialerArgs, simulateDialerUsage, simulateDialerSummary } from './command.js';
export { Prng, sampleDuration, type Duration } from './prng.js';
