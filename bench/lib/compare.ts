// The side-by-side summary of a benchmark run on several engines: per figure
// the median over the rounds for each engine (with the lowest and highest
// round when there are several), and how each engine compares with the first
// one: a ratio (×1.13) for costs, a difference (+0.20) for figures that may be
// zero or negative (added jitter, loss).
import { writeFile } from 'node:fs/promises';
import type { EngineArgs } from './engine-args.js';
import type { BenchEngine } from './protocol.js';

export function median(values: readonly number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] ?? NaN : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

export interface ComparedFigure {
  label: string;
  /** One value per round, per engine. */
  byEngine: ReadonlyMap<BenchEngine, readonly number[]>;
  digits: number;
  /** How other engines are set against the first: 'ratio' (default) or 'difference'. */
  compare: 'ratio' | 'difference';
}

function cell(values: readonly number[], digits: number): string {
  const m = median(values);
  if (!Number.isFinite(m)) return '-';
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length < 2) return m.toFixed(digits);
  return `${m.toFixed(digits)} [${Math.min(...finite).toFixed(digits)}–${Math.max(...finite).toFixed(digits)}]`;
}

/** The summary as lines of text (the scripts print them; the suite's smoke test reads them). */
export function comparisonLines(engines: readonly BenchEngine[], rounds: number, figures: readonly ComparedFigure[]): string[] {
  const [first, ...others] = engines;
  if (first === undefined) return [];
  const versus = others.map((e) => `${e} vs ${first}`);
  const lines = [
    `== ${engines.join(' vs ')}: median of ${rounds} round${rounds === 1 ? '' : 's'}${rounds > 1 ? ' [lowest–highest]' : ''}`,
    ['figure'.padEnd(40), ...engines.map((e) => e.padEnd(24)), ...versus].join(''),
  ];
  for (const f of figures) {
    const base = median(f.byEngine.get(first) ?? []);
    const against = others.map((e) => {
      const value = median(f.byEngine.get(e) ?? []);
      if (f.compare === 'difference') {
        const d = value - base;
        return Number.isFinite(d) ? `${d >= 0 ? '+' : ''}${d.toFixed(f.digits)}` : '-';
      }
      const r = value / base;
      return Number.isFinite(r) ? `×${r.toFixed(2)}` : '-';
    });
    lines.push([f.label.padEnd(40), ...engines.map((e) => cell(f.byEngine.get(e) ?? [], f.digits).padEnd(24)), ...against.map((r) => r.padEnd(24))].join('').trimEnd());
  }
  return lines;
}

/** Collects one value per engine and round under a figure's label, in the order labels first appear. */
export class FigureTable {
  readonly #figures = new Map<string, { digits: number; compare: ComparedFigure['compare']; byEngine: Map<BenchEngine, number[]> }>();

  add(label: string, engine: BenchEngine, value: number, digits: number, compare: ComparedFigure['compare'] = 'ratio'): void {
    let f = this.#figures.get(label);
    if (!f) {
      f = { digits, compare, byEngine: new Map() };
      this.#figures.set(label, f);
    }
    const list = f.byEngine.get(engine) ?? [];
    list.push(value);
    f.byEngine.set(engine, list);
  }

  figures(): ComparedFigure[] {
    return [...this.#figures].map(([label, f]) => ({ label, digits: f.digits, compare: f.compare, byEngine: f.byEngine }));
  }
}

/** What --json writes: every figure's value per engine, one per round, in the order of the rounds. */
export interface FigureReport {
  script: string;
  engines: BenchEngine[];
  rounds: number;
  figures: Array<{ label: string; compare: ComparedFigure['compare']; values: Partial<Record<BenchEngine, Array<number | null>>> }>;
}

/** Prints the side-by-side summary (with several engines or rounds) and writes --json when asked. */
export async function reportFigures(script: string, args: EngineArgs, table: FigureTable): Promise<void> {
  const figures = table.figures();
  if (args.engines.length > 1 || args.rounds > 1) {
    for (const line of comparisonLines(args.engines, args.rounds, figures)) console.log(line);
  }
  if (args.json === undefined) return;
  const report: FigureReport = {
    script, engines: args.engines, rounds: args.rounds,
    // NaN (no successful call, no packet) becomes null: JSON has no NaN.
    figures: figures.map((f) => ({
      label: f.label, compare: f.compare,
      values: Object.fromEntries([...f.byEngine].map(([e, vs]) => [e, vs.map((v) => (Number.isFinite(v) ? v : null))])),
    })),
  };
  await writeFile(args.json, `${JSON.stringify(report, null, 2)}\n`);
}
