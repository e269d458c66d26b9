// `tenor simulate-dialer`: runs the pacing simulator for one or every dial mode
// and prints a table (or JSON). Times on the command line are in seconds.

import { CommandLineError, flagOption, parseCommandLine, stringOption, type OptionSpecs } from '../../../core/command-line.js';
import { TenorError } from '../../../core/errors.js';
import type { AbandonWindowName } from '../pacing/abandon-tracker.js';
import type { DialMode } from '../pacing/types.js';
import { defaultSimulationOptions, type SimulationOptions } from './options.js';
import { describeRun, formatTable, optionsForJson } from './report.js';
import { simulate, type SimulationResult } from './simulate.js';
import type { Duration } from './prng.js';

export const simulateDialerUsage =
  'tenor simulate-dialer [--seed N] [--agents N] [--answer-rate R] [--machine-rate R] [--busy-rate R] [--ring MEAN,SD] ' +
  '[--ring-timeout S] [--talk MEAN,SD] [--wrap MEAN,SD] [--days N | --hours H] [--mode all|preview|progressive|predictive] ' +
  '[--cap R] [--window 30d|24h] [--json]';

export const simulateDialerSummary = 'simulate campaign pacing (seeded): abandon %, agent occupancy and contacts per hour for each dial mode';

const MODES: readonly DialMode[] = ['preview', 'progressive', 'predictive'];

export interface SimulateDialerRequest {
  options: SimulationOptions;
  modes: DialMode[];
  json: boolean;
}

function invalid(option: string, value: string, expected: string): TenorError {
  return new TenorError('TENOR_ERR_VALIDATION', [`${option} ${expected}, got '${value}'`]);
}

function number(option: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw invalid(option, value, 'needs a number');
  return n;
}

function whole(option: string, value: string, min: number): number {
  const n = number(option, value);
  if (!Number.isInteger(n) || n < min) throw invalid(option, value, `needs a whole number ≥ ${min}`);
  return n;
}

function rate(option: string, value: string): number {
  const n = number(option, value);
  if (n < 0 || n > 1) throw invalid(option, value, 'needs a share between 0 and 1 (e.g. 0.3)');
  return n;
}

/** "180,60" → mean 180 s, sd 60 s; "180" → sd 0. */
function duration(option: string, value: string): Duration {
  const parts = value.split(',');
  if (parts.length > 2) throw invalid(option, value, 'needs MEAN[,SD] in seconds');
  const mean = number(option, parts[0] ?? '');
  const sd = parts[1] === undefined ? 0 : number(option, parts[1]);
  if (mean <= 0 || sd < 0) throw invalid(option, value, 'needs MEAN > 0 and SD ≥ 0 in seconds');
  return { meanMs: mean * 1000, sdMs: sd * 1000 };
}

/** "MEAN,SD" in seconds, as the options take it. */
function seconds(d: Duration): string {
  return `${d.meanMs / 1000},${d.sdMs / 1000}`;
}

export const simulateDialerOptions = {
  seed: { type: 'string', value: 'N', help: 'seed of the random numbers; the same seed gives the same run (default 42)' },
  agents: { type: 'string', value: 'N', help: `agents signed in to the campaign (default ${defaultSimulationOptions.agents})` },
  'answer-rate': { type: 'string', value: 'R', help: `share of calls a person answers, 0 to 1 (default ${defaultSimulationOptions.liveAnswerRate})` },
  'machine-rate': { type: 'string', value: 'R', help: `share of calls an answering machine answers, 0 to 1 (default ${defaultSimulationOptions.machineRate})` },
  'busy-rate': { type: 'string', value: 'R', help: `share of calls that are busy, 0 to 1 (default ${defaultSimulationOptions.busyRate})` },
  ring: { type: 'string', value: 'MEAN,SD', help: `time to answer, seconds (default ${seconds(defaultSimulationOptions.ring)})` },
  'ring-timeout': { type: 'string', value: 'S', help: `seconds before an unanswered call is given up (default ${defaultSimulationOptions.ringTimeoutMs / 1000})` },
  talk: { type: 'string', value: 'MEAN,SD', help: `talk time, seconds (default ${seconds(defaultSimulationOptions.talk)})` },
  wrap: { type: 'string', value: 'MEAN,SD', help: `wrap-up time, seconds (default ${seconds(defaultSimulationOptions.wrapUp)})` },
  days: { type: 'string', value: 'N', help: `shifts to simulate (default ${defaultSimulationOptions.days})` },
  hours: { type: 'string', value: 'H', help: `one shift of H hours instead of whole days (a shift is ${defaultSimulationOptions.shiftHours} h)` },
  mode: { type: 'string', value: 'MODE', help: 'all, preview, progressive or predictive (default all)' },
  cap: { type: 'string', value: 'R', help: `abandon cap the predictive mode keeps under, 0 to 1 (default ${defaultSimulationOptions.abandonCap})` },
  window: { type: 'string', value: 'W', help: `window the abandon rate is measured over: 30d or 24h (default ${defaultSimulationOptions.window})` },
  json: { type: 'boolean', help: 'print the options and results as JSON' },
} as const satisfies OptionSpecs;

export function parseSimulateDialerArgs(args: readonly string[]): SimulateDialerRequest {
  const line = parseCommandLine('simulate-dialer', args, simulateDialerOptions, false);
  const o: SimulationOptions = { ...defaultSimulationOptions, seed: 42 };
  let modes: DialMode[] = [...MODES];
  let days: number | undefined;
  let hours: number | undefined;
  const given = (name: keyof typeof simulateDialerOptions, use: (option: string, value: string) => void): void => {
    const value = stringOption(line, name);
    if (value !== undefined) use(`--${name}`, value);
  };
  given('seed', (name, value) => (o.seed = whole(name, value, 0)));
  given('agents', (name, value) => (o.agents = whole(name, value, 1)));
  given('answer-rate', (name, value) => (o.liveAnswerRate = rate(name, value)));
  given('machine-rate', (name, value) => (o.machineRate = rate(name, value)));
  given('busy-rate', (name, value) => (o.busyRate = rate(name, value)));
  given('ring', (name, value) => (o.ring = duration(name, value)));
  given('ring-timeout', (name, value) => (o.ringTimeoutMs = number(name, value) * 1000));
  given('talk', (name, value) => (o.talk = duration(name, value)));
  given('wrap', (name, value) => (o.wrapUp = duration(name, value)));
  given('days', (name, value) => (days = whole(name, value, 1)));
  given('hours', (name, value) => {
    hours = number(name, value);
    if (hours <= 0) throw invalid(name, value, 'needs a number of hours > 0');
  });
  given('mode', (name, value) => {
    if (value === 'all') modes = [...MODES];
    else if ((MODES as readonly string[]).includes(value)) modes = [value as DialMode];
    else throw invalid(name, value, 'needs all, preview, progressive or predictive');
  });
  given('cap', (name, value) => {
    const cap = number(name, value);
    if (cap <= 0 || cap >= 1) throw invalid(name, value, 'needs a share between 0 and 1 (e.g. 0.03)');
    o.abandonCap = cap;
  });
  given('window', (name, value) => {
    if (value !== '30d' && value !== '24h') throw invalid(name, value, 'needs 30d or 24h');
    o.window = value satisfies AbandonWindowName;
  });
  if (days !== undefined && hours !== undefined) throw new CommandLineError('give --days or --hours, not both', 'simulate-dialer');
  if (hours !== undefined) {
    o.days = 1;
    o.shiftHours = hours;
  } else if (days !== undefined) o.days = days;
  return { options: o, modes, json: flagOption(line, 'json') };
}

export function runSimulations(request: SimulateDialerRequest): SimulationResult[] {
  return request.modes.map((mode) => simulate({ ...request.options, mode }));
}

export async function simulateDialerCommand(args: readonly string[]): Promise<number> {
  const request = parseSimulateDialerArgs(args);
  const results = runSimulations(request);
  if (request.json) {
    process.stdout.write(`${JSON.stringify({ options: optionsForJson(request.options), results }, null, 2)}\n`);
  } else {
    process.stdout.write(`${describeRun(request.options)}\n\n${formatTable(results)}\n`);
  }
  return 0;
}
