// Where a process stood still: its garbage-collector pauses (from V8's 'gc'
// performance entries) and its event loop's stalls (a 10 ms interval timer
// that fired late), each with its wall-clock start, so a gap a benchmark saw
// in a packet stream can be laid beside them (bench/rtp-jitter.ts). Both the
// benchmark server (lib/server.ts) and the benchmark's receiving thread record.
import { PerformanceObserver, constants, type PerformanceEntry } from 'node:perf_hooks';

export interface Pause {
  kind: 'scavenge' | 'mark-compact' | 'incremental' | 'weak' | 'gc' | 'stall';
  /** Wall clock (ms since the epoch, performance.timeOrigin based) when it started. */
  atMs: number;
  durationMs: number;
  /**
   * A stall: CPU the process used over the late tick (ms, all its threads).
   * Close to the tick's length: the loop was busy (a long task, GC); far
   * below: it was waiting for a core (the machine's doing, not the code's).
   */
  cpuMs?: number;
}

export interface PauseRecorder {
  /** Pauses of at least `minMs` that started at or after `sinceMs` (wall clock). */
  since(sinceMs: number): Pause[];
  stop(): void;
}

const TICK_MS = 10;

function gcKind(kind: number | undefined): Pause['kind'] {
  switch (kind) {
    case constants.NODE_PERFORMANCE_GC_MINOR: return 'scavenge';
    case constants.NODE_PERFORMANCE_GC_MAJOR: return 'mark-compact';
    case constants.NODE_PERFORMANCE_GC_INCREMENTAL: return 'incremental';
    case constants.NODE_PERFORMANCE_GC_WEAKCB: return 'weak';
    default: return 'gc';
  }
}

/** The wall clock now, on performance.now()'s monotonic timeline. */
export function wallNowMs(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * Records GC pauses of at least `minMs` and event-loop stalls (a timer more
 * than `minMs` late). Costs one timer callback per 10 ms and an observer
 * callback per GC.
 */
export function recordPauses(minMs: number): PauseRecorder {
  const pauses: Pause[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.duration < minMs) continue;
      // A 'gc' entry carries its kind in `detail` (node ≥ 16); @types/node types it on the subclass only.
      const detail = (e as PerformanceEntry & { detail?: { kind?: number } | null }).detail;
      pauses.push({ kind: gcKind(detail?.kind), atMs: performance.timeOrigin + e.startTime, durationMs: e.duration });
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  let last = performance.now();
  let lastCpu = process.cpuUsage();
  const timer = setInterval(() => {
    const now = performance.now();
    const cpu = process.cpuUsage();
    const lateMs = now - last - TICK_MS;
    if (lateMs >= minMs) {
      const cpuMs = (cpu.user - lastCpu.user + cpu.system - lastCpu.system) / 1000;
      pauses.push({ kind: 'stall', atMs: performance.timeOrigin + last + TICK_MS, durationMs: lateMs, cpuMs });
    }
    last = now;
    lastCpu = cpu;
  }, TICK_MS);
  timer.unref();
  return {
    since: (sinceMs) => pauses.filter((p) => p.atMs >= sinceMs),
    stop: () => {
      clearInterval(timer);
      observer.disconnect();
    },
  };
}

/** Pauses that overlap the interval [fromMs, toMs] (wall clock). */
export function overlapping(pauses: readonly Pause[], fromMs: number, toMs: number): Pause[] {
  return pauses.filter((p) => p.atMs <= toMs && p.atMs + p.durationMs >= fromMs);
}

/** "12 (max 3.1 ms): 10 scavenge, 2 stall" — counts per kind and the longest. */
export function describePauses(pauses: readonly Pause[]): string {
  if (pauses.length === 0) return 'none';
  const kinds = new Map<string, number>();
  for (const p of pauses) kinds.set(p.kind, (kinds.get(p.kind) ?? 0) + 1);
  const longest = Math.max(...pauses.map((p) => p.durationMs));
  const stalls = pauses.filter((p) => p.cpuMs !== undefined);
  // Of the stalled ticks' wall time, the share the process spent on a core.
  const busy = stalls.reduce((n, p) => n + (p.cpuMs ?? 0), 0) / Math.max(1e-9, stalls.reduce((n, p) => n + p.durationMs + TICK_MS, 0));
  const onCore = stalls.length > 0 ? `; stalled ticks on a core ${(100 * busy).toFixed(0)} % of their time` : '';
  return `${pauses.length} (longest ${longest.toFixed(1)} ms): ${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ')}${onCore}`;
}

/** Converts process.hrtime.bigint() readings to the wall clock pauses use. */
export function hrtimeToWallMs(): (ns: bigint) => number {
  const offsetMs = wallNowMs() - Number(process.hrtime.bigint()) / 1e6;
  return (ns) => Number(ns) / 1e6 + offsetMs;
}
