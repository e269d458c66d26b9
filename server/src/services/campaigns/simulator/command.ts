// `tenor simulate-dialer`: runs the pacing simulator for one or every dial mode
// and prints a table (or JSON). Times on the command line are in seconds.

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

function usageError(message: string): Error {
  // cli.ts prints the message and the help for errors marked as usage errors.
  return Object.assign(new Error(message), { usage: true });
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

export function parseSimulateDialerArgs(args: readonly string[]): SimulateDialerRequest {
  const o: SimulationOptions = { ...defaultSimulationOptions, seed: 42 };
  let modes: DialMode[] = [...MODES];
  let json = false;
  let days: number | undefined;
  let hours: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--json') {
      json = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    let value: string;
    if (eq > 0) value = arg.slice(eq + 1);
    else {
      const next = args[i + 1];
      if (next === undefined) throw usageError(`${name} needs a value`);
      value = next;
      i++;
    }
    switch (name) {
      case '--seed':
        o.seed = whole(name, value, 0);
        break;
      case '--agents':
        o.agents = whole(name, value, 1);
        break;
      case '--answer-rate':
        o.liveAnswerRate = rate(name, value);
        break;
      case '--machine-rate':
        o.machineRate = rate(name, value);
        break;
      case '--busy-rate':
        o.busyRate = rate(name, value);
        break;
      case '--ring':
        o.ring = duration(name, value);
        break;
      case '--ring-timeout':
        o.ringTimeoutMs = number(name, value) * 1000;
        break;
      case '--talk':
        o.talk = duration(name, value);
        break;
      case '--wrap':
        o.wrapUp = duration(name, value);
        break;
      case '--days':
        days = whole(name, value, 1);
        break;
      case '--hours': {
        hours = number(name, value);
        if (hours <= 0) throw invalid(name, value, 'needs a number of hours > 0');
        break;
      }
      case '--mode':
        if (value === 'all') modes = [...MODES];
        else if ((MODES as readonly string[]).includes(value)) modes = [value as DialMode];
        else throw invalid(name, value, 'needs all, preview, progressive or predictive');
        break;
      case '--cap': {
        const cap = number(name, value);
        if (cap <= 0 || cap >= 1) throw invalid(name, value, 'needs a share between 0 and 1 (e.g. 0.03)');
        o.abandonCap = cap;
        break;
      }
      case '--window':
        if (value !== '30d' && value !== '24h') throw invalid(name, value, 'needs 30d or 24h');
        o.window = value satisfies AbandonWindowName;
        break;
      default:
        throw usageError(`unknown option ${name} for simulate-dialer`);
    }
  }
  if (days !== undefined && hours !== undefined) throw usageError('give --days or --hours, not both');
  if (hours !== undefined) {
    o.days = 1;
    o.shiftHours = hours;
  } else if (days !== undefined) o.days = days;
  return { options: o, modes, json };
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
