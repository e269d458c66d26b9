// CPU time of another process, read from /proc/<pid>/stat: utime + stime,
// summed over all its threads by the kernel, in clock ticks (CLK_TCK, read
// once from getconf; 100 on Linux, so the figure moves in 10 ms steps and a
// benchmark window must be long enough for that not to matter).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  return ticksPerSecond;
}

/** Fields 14 (utime) and 15 (stime) of a /proc/<pid>/stat line, in µs. */
export function parseProcStatCpuUs(stat: string, ticks: number): number {
  // Field 2, the command name, is in parentheses and may hold spaces: count from the last ')'.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state), so field n is rest[n - 3].
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`unreadable /proc stat line: ${stat.slice(0, 120)}`);
  return ((utime + stime) / ticks) * 1_000_000;
}

/** User + system CPU the process has used so far, in µs. */
export function processCpuUs(pid: number): number {
  return parseProcStatCpuUs(readFileSync(`/proc/${pid}/stat`, 'utf8'), clockTicks());
}
