// Prints simulation results: a fixed-width table (one row per mode) or JSON.

import type { SimulationOptions } from './options.js';
import type { SimulationResult } from './simulate.js';

interface Column {
  title: string;
  value(r: SimulationResult): string;
}

const pct = (x: number): string => (x * 100).toFixed(2);

const columns: readonly Column[] = [
  { title: 'mode', value: (r) => r.mode },
  { title: 'dialed', value: (r) => String(r.dialed) },
  { title: 'live', value: (r) => String(r.liveAnswers) },
  { title: 'abandoned', value: (r) => String(r.abandoned) },
  { title: 'abandon %', value: (r) => pct(r.abandonRate) },
  { title: 'worst window %', value: (r) => pct(r.worstWindowRate) },
  { title: 'occupancy min/h', value: (r) => r.occupancyMinPerHour.toFixed(1) },
  { title: 'contacts/h', value: (r) => r.contactsPerHour.toFixed(1) },
  { title: 'per agent/h', value: (r) => r.contactsPerAgentHour.toFixed(2) },
  { title: 'agent wait s', value: (r) => r.meanAgentWaitS.toFixed(1) },
];

export function describeRun(o: SimulationOptions): string {
  const s = (ms: number): string => String(Math.round(ms / 100) / 10);
  const duration = o.days > 1 ? `${o.days} days × ${o.shiftHours} h` : `${o.shiftHours} h`;
  return (
    `Pacing simulation: seed ${o.seed}, ${o.agents} agents, ${duration}; ` +
    `live ${pct(o.liveAnswerRate)}%, machine ${pct(o.machineRate)}%, busy ${pct(o.busyRate)}%; ` +
    `ring ${s(o.ring.meanMs)}±${s(o.ring.sdMs)} s (timeout ${s(o.ringTimeoutMs)} s), talk ${s(o.talk.meanMs)}±${s(o.talk.sdMs)} s, ` +
    `wrap-up ${s(o.wrapUp.meanMs)}±${s(o.wrapUp.sdMs)} s; abandon cap ${pct(o.abandonCap)}% over ${o.window}`
  );
}

/** One row per result; `labels` replace the mode in the first column (for benchmarks with variants). */
export function formatTable(results: readonly SimulationResult[], labels?: readonly string[]): string {
  const cells = results.map((r, i) => columns.map((c, j) => (j === 0 && labels?.[i] !== undefined ? labels[i] : c.value(r))));
  const widths = columns.map((c, i) => Math.max(c.title.length, ...cells.map((row) => (row[i] ?? '').length)));
  const line = (row: readonly string[]): string =>
    row
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.title)), ...cells.map(line)].join('\n');
}

/** The options worth echoing in JSON output (no callbacks). */
export function optionsForJson(o: SimulationOptions): Omit<SimulationOptions, 'observe'> {
  const { observe: _observe, ...rest } = o;
  return rest;
}
