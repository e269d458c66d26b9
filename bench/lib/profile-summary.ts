// Sums a V8 CPU profile (`node --cpu-prof`, a .cpuprofile file) into self time
// per function and per file, most expensive first: what the flame chart says,
// as a table to diff before and after a change. Self time is a node's own
// samples (not its callees'), so the rows add up to the profile's length.
//
//   node --import=tsx bench/lib/profile-summary.ts FILE.cpuprofile [--top 30] [--match telephony/src]
//
// --match keeps the rows whose file contains the text (the totals stay the
// whole profile's). Node's own code shows as node:…, V8's as (program), (garbage
// collector), (idle).

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}

/** The parts of the .cpuprofile JSON this reads. */
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  /** µs since the previous sample, one per sample. */
  timeDeltas: number[];
}

export interface SelfTimeRow {
  name: string;
  selfMs: number;
  /** Share of the busy time (idle left out), 0..1. */
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** Time not idle: the process was running JavaScript, GC or native code. */
  busyMs: number;
  byFunction: SelfTimeRow[];
  byFile: SelfTimeRow[];
}

/** A file's path as worth reading: relative to the checkout, node_modules/<pkg>/… or node:…. */
function shortFile(url: string): string {
  if (url === '') return '(native)';
  let path = url;
  if (path.startsWith('file://')) {
    try {
      path = fileURLToPath(path);
    } catch {
      return url;
    }
  }
  const modules = path.lastIndexOf('node_modules/');
  if (modules >= 0) return path.slice(modules);
  for (const root of ['/telephony/', '/server/', '/bench/', '/scripts-dsl/', '/agent-ui/']) {
    const at = path.indexOf(root);
    if (at >= 0) return path.slice(at + 1);
  }
  return path;
}

function rows(times: Map<string, number>, totalUs: number): SelfTimeRow[] {
  return [...times]
    .map(([name, us]) => ({ name, selfMs: us / 1000, share: totalUs > 0 ? us / totalUs : 0 }))
    .sort((a, b) => b.selfMs - a.selfMs);
}

export function summarizeProfile(profile: CpuProfile): ProfileSummary {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = nodes.get(profile.samples[i] ?? -1);
    // A sample's time is the delta to the next sample (the last one has none).
    const us = profile.timeDeltas[i + 1] ?? 0;
    if (!node || us <= 0) continue;
    totalUs += us;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') idleUs += us;
    const file = shortFile(url);
    // Code loaded through tsx is transpiled onto one line: its line numbers say nothing, the name and file do.
    const where = lineNumber > 0 ? `${file}:${lineNumber + 1}` : file;
    const fn = url === '' ? functionName : `${functionName || '(anonymous)'} ${where}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
    byFile.set(file === '(native)' ? functionName : file, (byFile.get(file === '(native)' ? functionName : file) ?? 0) + us);
  }
  const busyUs = totalUs - idleUs;
  return { totalMs: totalUs / 1000, busyMs: busyUs / 1000, byFunction: rows(byFunction, busyUs), byFile: rows(byFile, busyUs) };
}

function printRows(title: string, list: SelfTimeRow[], top: number, match: string | undefined): void {
  console.log(`\n${title}`);
  console.log('self ms    % of busy');
  const shown = list.filter((r) => r.name !== '(idle)' && (match === undefined || r.name.includes(match)));
  for (const row of shown.slice(0, top)) {
    console.log(`${row.selfMs.toFixed(1).padStart(9)}  ${(row.share * 100).toFixed(1).padStart(5)}%  ${row.name}`);
  }
}

function main(argv: string[]): void {
  // Piped into head: stop quietly when the reader has had enough.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  const file = argv.find((a, i) => !a.startsWith('--') && !(argv[i - 1] ?? '').startsWith('--'));
  if (file === undefined) {
    console.error('usage: profile-summary.ts FILE.cpuprofile [--top N] [--match TEXT]');
    process.exit(2);
  }
  const option = (name: string): string | undefined => {
    const at = argv.indexOf(name);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const top = Number(option('--top') ?? 30);
  const match = option('--match');
  const summary = summarizeProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
  console.log(`${file}: ${summary.totalMs.toFixed(0)} ms profiled, ${summary.busyMs.toFixed(0)} ms busy (not idle)`);
  printRows('self time by file', summary.byFile, top, match);
  printRows('self time by function', summary.byFunction, top, match);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) main(process.argv.slice(2));
