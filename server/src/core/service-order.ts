// The service manager's pure helpers: the order services start in (each after
// the services it depends on: a topological sort, stable in registration order,
// with a coded error for a missing dependency or a cycle, spelled out as
// a -> b -> a), and a bounded wait on a service's own code.

import { TenorError } from './errors.js';

/** dependsOn: every service's name (in registration order) and the names it depends on. */
export function dependencyOrder(dependsOn: ReadonlyMap<string, readonly string[]>): string[] {
  for (const [name, deps] of dependsOn) {
    for (const dep of deps) {
      if (!dependsOn.has(dep)) throw new TenorError('TENOR_ERR_SERVICE_MISSING_DEPENDENCY', [name, dep]);
    }
  }
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, trail: string[]): void => {
    const seen = state.get(name);
    if (seen === 'done') return;
    if (seen === 'visiting') {
      const loop = [...trail.slice(trail.indexOf(name)), name];
      throw new TenorError('TENOR_ERR_SERVICE_CYCLE', [loop.join(' -> ')]);
    }
    state.set(name, 'visiting');
    for (const dep of dependsOn.get(name) ?? []) visit(dep, [...trail, name]);
    state.set(name, 'done');
    order.push(name);
  };
  for (const name of dependsOn.keys()) visit(name, []);
  return order;
}

/** Run work; if it has not settled within ms, resolve with onTimeout() instead (work's rejection is thrown). */
export async function settleWithin<T>(work: () => Promise<T> | T, ms: number, onTimeout: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      Promise.resolve().then(work),
      new Promise<T>((resolve) => {
        timer = setTimeout(() => resolve(onTimeout()), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
