// The command line every side-by-side benchmark shares:
//   <positional args of the script> [--engines embedded,freeswitch] [--rounds N] [--json FILE]
// Each round runs every engine once, in the order given, so the engines share
// the machine's load of the same minutes; the summary takes medians over rounds.
// --json writes every figure of every run to FILE (lib/compare.ts, FigureReport).
import { parseArgs } from 'node:util';
import { BENCH_ENGINES, type BenchEngine } from './protocol.js';

export interface EngineArgs {
  engines: BenchEngine[];
  rounds: number;
  json: string | undefined;
  positionals: string[];
}

export function parseEngineArgs(argv: string[]): EngineArgs {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { engines: { type: 'string', default: 'embedded' }, rounds: { type: 'string', default: '1' }, json: { type: 'string' } },
  });
  const engines = values.engines.split(',').map((e) => e.trim()).filter((e) => e !== '');
  const unknown = engines.filter((e) => !(BENCH_ENGINES as readonly string[]).includes(e));
  if (unknown.length > 0 || engines.length === 0) {
    throw new Error(`--engines: ${unknown.join(', ') || 'none given'}; choose from ${BENCH_ENGINES.join(', ')}`);
  }
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds: a whole number ≥ 1, not ${values.rounds}`);
  return { engines: engines as BenchEngine[], rounds, json: values.json, positionals };
}
