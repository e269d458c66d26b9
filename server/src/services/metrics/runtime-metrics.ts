// The Node process itself: event-loop delay (a call's media and SIP timers run
// on this loop, so a blocked loop is heard as choppy audio), database write
// latency, memory and open files.

import { readdirSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Gauge, Histogram, type Registry } from 'prom-client';
import type { Database } from '../../store/database.js';

/** What start took and stop gives back. */
export interface RuntimeMetrics {
  stop(): void;
}

/** Seconds; a committed SQLite write with synchronous=FULL is one or two fsyncs. */
const WRITE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export function registerRuntimeMetrics(registry: Registry, store: Database): RuntimeMetrics {
  const registers = [registry];
  // A native histogram sampled every 10 ms (no JavaScript timer); reset at each scrape so its
  // figures cover the time since the previous one.
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  new Gauge({
    name: 'tenor_event_loop_delay_seconds', help: 'How late the event loop ran since the previous scrape: p50, p99, max and mean',
    labelNames: ['stat'] as const, registers,
    collect() {
      const seconds = (ns: number): number => (Number.isFinite(ns) && loop.count > 0 ? ns / 1e9 : 0);
      this.set({ stat: 'p50' }, seconds(loop.percentile(50)));
      this.set({ stat: 'p99' }, seconds(loop.percentile(99)));
      this.set({ stat: 'max' }, seconds(loop.max));
      this.set({ stat: 'mean' }, seconds(loop.mean));
      loop.reset();
    },
  });

  const writes = new Histogram({
    name: 'tenor_db_write_duration_seconds',
    help: 'Database writes: a statement on its own (committed when it returns), or a transaction from BEGIN to COMMIT',
    labelNames: ['kind'] as const, buckets: WRITE_BUCKETS, registers,
  });
  const unobserve = store.observeWrites?.((kind, seconds) => writes.observe({ kind }, seconds));

  new Gauge({
    name: 'process_resident_memory_bytes', help: 'Resident memory size in bytes', registers,
    collect() {
      this.set(process.memoryUsage.rss());
    },
  });
  new Gauge({
    name: 'nodejs_heap_size_used_bytes', help: 'JavaScript heap in use, in bytes', registers,
    collect() {
      this.set(process.memoryUsage().heapUsed);
    },
  });
  // Timers, sockets, file handles... that keep the loop alive, by type: a count that only grows is a leak.
  new Gauge({
    name: 'nodejs_active_resources', help: 'Resources keeping the event loop alive now, by type (Timeout, UDPWRAP, TCPSocketWrap, FSReqCallback ...)',
    labelNames: ['type'] as const, registers,
    collect() {
      this.reset();
      const byType = new Map<string, number>();
      for (const type of process.getActiveResourcesInfo()) byType.set(type, (byType.get(type) ?? 0) + 1);
      for (const [type, n] of byType) this.set({ type }, n);
    },
  });
  // Only with `node --expose-gc`: a full collection at each scrape, so the figure is live
  // objects only (what a leak hunt compares); too costly to do on a production scrape.
  const collectGarbage = (globalThis as { gc?: () => void }).gc;
  if (collectGarbage !== undefined) {
    new Gauge({
      name: 'nodejs_heap_used_after_gc_bytes', help: 'JavaScript heap in use right after a full garbage collection (published only when node runs with --expose-gc)', registers,
      collect() {
        collectGarbage();
        this.set(process.memoryUsage().heapUsed);
      },
    });
  }
  if (process.platform === 'linux') {
    new Gauge({
      name: 'process_open_fds', help: 'Open file descriptors (sockets included)', registers,
      collect() {
        this.set(readdirSync('/proc/self/fd').length);
      },
    });
  }

  return {
    stop() {
      loop.disable();
      unobserve?.();
    },
  };
}
