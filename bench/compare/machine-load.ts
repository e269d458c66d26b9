// Who else used the machine while a server was measured. The comparison is only
// fair when the server under test and its load generators had the two cores to
// themselves, so every run is bracketed by two readings of
//  - /proc/stat: the CPU time every core spent busy (user, nice, system), and
//  - this benchmark's own process tree: its CPU, its live descendants' (the
//    server, the engine, SIPp, Kamailio, rtpengine) and what its reaped children
//    left in cutime/cstime (a SIPp step that has exited still counts),
// and the difference is the CPU of everybody else. Interrupt and softirq time
// are left out of "busy" on both sides: on loopback the kernel's packet work is
// the benchmark's own traffic, charged to no process.
import { readFileSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  return ticksPerSecond;
}
const ticksToUs = (ticks: number): number => (ticks / clockTicks()) * 1_000_000;

/** Busy CPU of the whole machine so far (user + nice + system, every core), in µs. */
export function machineBusyUs(procStat = readFileSync('/proc/stat', 'utf8')): number {
  const line = procStat.split('\n').find((l) => l.startsWith('cpu '));
  if (line === undefined) throw new Error('no aggregate cpu line in /proc/stat');
  const [user, nice, system] = line.trim().split(/\s+/).slice(1, 4).map(Number);
  if (user === undefined || nice === undefined || system === undefined) throw new Error(`unreadable /proc/stat line: ${line}`);
  return ticksToUs(user + nice + system);
}

export interface ProcEntry { pid: number; ppid: number; ownTicks: number; reapedChildrenTicks: number }

/** Fields of /proc/<pid>/stat after the command name: ppid (4), utime (14), stime (15), cutime (16), cstime (17). */
export function parseProcStat(stat: string): ProcEntry {
  const pid = Number(stat.slice(0, stat.indexOf(' ')));
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const field = (n: number): number => Number(rest[n - 3]);
  return { pid, ppid: field(4), ownTicks: field(14) + field(15), reapedChildrenTicks: field(16) + field(17) };
}

/** Every process's stat line, read in one pass: parts of one tree compared from the same snapshot. */
export function allProcesses(): ProcEntry[] {
  const entries: ProcEntry[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      entries.push(parseProcStat(readFileSync(`/proc/${name}/stat`, 'utf8')));
    } catch {
      // the process ended between the listing and the read
    }
  }
  return entries;
}

/**
 * CPU of a process and all its descendants, live or reaped, in µs: every live
 * member's own time plus what its reaped children left it.
 */
export function treeCpuUs(rootPid: number, processes: readonly ProcEntry[] = allProcesses()): number {
  const children = new Map<number, ProcEntry[]>();
  let root: ProcEntry | undefined;
  for (const p of processes) {
    if (p.pid === rootPid) root = p;
    const list = children.get(p.ppid) ?? [];
    list.push(p);
    children.set(p.ppid, list);
  }
  if (root === undefined) return NaN;
  let ticks = 0;
  const stack = [root];
  while (stack.length > 0) {
    const p = stack.pop() as ProcEntry;
    ticks += p.ownTicks + p.reapedChildrenTicks;
    stack.push(...(children.get(p.pid) ?? []));
  }
  return ticksToUs(ticks);
}

export interface LoadReading {
  wallMs: number;
  machineBusyUs: number;
  ownTreeUs: number;
  loadAverage1m: number;
}

export function readLoad(): LoadReading {
  const processes = allProcesses();
  return { wallMs: performance.now(), machineBusyUs: machineBusyUs(), ownTreeUs: treeCpuUs(process.pid, processes), loadAverage1m: loadavg()[0] ?? NaN };
}

export interface OthersShare {
  /** CPU of processes outside this benchmark, as a share of one core over the interval (0.05 = 5 %). */
  othersCores: number;
  /** This benchmark's own tree over the interval, in cores. */
  ownCores: number;
  seconds: number;
  loadAverageBefore: number;
  loadAverageAfter: number;
}

export function othersBetween(a: LoadReading, b: LoadReading): OthersShare {
  const wallUs = (b.wallMs - a.wallMs) * 1000;
  const own = b.ownTreeUs - a.ownTreeUs;
  const others = Math.max(0, (b.machineBusyUs - a.machineBusyUs) - own);
  return { othersCores: others / wallUs, ownCores: own / wallUs, seconds: wallUs / 1e6, loadAverageBefore: a.loadAverage1m, loadAverageAfter: b.loadAverage1m };
}

/** How busy the others keep the machine right now: a quiet reading over `ms` before a run. */
export async function othersNow(ms = 2000): Promise<OthersShare> {
  const a = readLoad();
  await new Promise((r) => setTimeout(r, ms));
  return othersBetween(a, readLoad());
}

export function describeShare(s: OthersShare): string {
  return `others ${(s.othersCores * 100).toFixed(1)}% of a core over ${s.seconds.toFixed(1)} s, load average ${s.loadAverageBefore.toFixed(2)}→${s.loadAverageAfter.toFixed(2)}`;
}
