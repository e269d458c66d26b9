// What the site load reads while it runs: the server's Prometheus figures
// (GET /metrics, as a supervisor's token) and the whole machine's CPU from
// /proc/stat.

import { readFileSync } from 'node:fs';

/** One scrape: `name` or `name{labels as printed}` → value. */
export type Scrape = Map<string, number>;

export function parseMetrics(text: string): Scrape {
  const out: Scrape = new Map();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const cut = line.lastIndexOf(' ');
    const value = Number(line.slice(cut + 1));
    if (Number.isFinite(value)) out.set(line.slice(0, cut), value);
  }
  return out;
}

export async function scrape(base: string, headers: Record<string, string>): Promise<Scrape> {
  const res = await fetch(`${base}/metrics`, { headers });
  if (res.status !== 200) throw new Error(`GET /metrics answered ${res.status}`);
  return parseMetrics(await res.text());
}

export const metric = (s: Scrape, key: string): number => s.get(key) ?? 0;

/** Busy and total jiffies of all CPUs together (the first line of /proc/stat). */
export interface MachineCpu { busy: number; total: number }

export function machineCpu(): MachineCpu {
  const first = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const f = first.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is inside user already)
  const total = f.slice(0, 8).reduce((a, b) => a + (b || 0), 0);
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  return { busy: total - idle, total };
}

/** Share of all cores busy between two readings, in % (100 = every core busy). */
export function machineBusyPct(a: MachineCpu, b: MachineCpu): number {
  const total = b.total - a.total;
  return total > 0 ? (100 * (b.busy - a.busy)) / total : 0;
}

/**
 * Time the process's main thread (the event loop) has spent runnable but
 * waiting for a core, in ns: the second field of /proc/<pid>/schedstat. A
 * stall while this grows is the machine's doing (other processes on the
 * cores), not the server's work.
 */
export function runQueueWaitNs(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1] ?? 0);
}
