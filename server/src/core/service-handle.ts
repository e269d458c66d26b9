// A service's handle: a proxy that forwards each call to the service's current
// version and counts the calls in flight per version, so the service manager can
// replace a version and stop the old one once its calls have finished.

/** What a handle needs of a version: its instance and its count of calls in flight. */
export interface CountedVersion {
  instance: object;
  inflight: number;
  /** Set while the manager waits for the count to reach zero. */
  drained: (() => void) | undefined;
}

/** A proxy forwarding to whatever `current()` returns (it throws when the service is not running). */
export function createHandle(current: () => CountedVersion): object {
  const wrappers = new WeakMap<CountedVersion, Map<PropertyKey, unknown>>();
  return new Proxy(
    {},
    {
      get: (_target, prop) => {
        if (prop === 'then') return undefined; // a handle is not a promise
        const gen = current();
        const value: unknown = Reflect.get(gen.instance, prop, gen.instance);
        if (typeof value !== 'function') return value;
        let cache = wrappers.get(gen);
        if (!cache) wrappers.set(gen, (cache = new Map()));
        let wrapped = cache.get(prop);
        if (!wrapped) {
          const fn = value as (...args: unknown[]) => unknown;
          wrapped = (...args: unknown[]): unknown => track(gen, () => fn.apply(gen.instance, args));
          cache.set(prop, wrapped);
        }
        return wrapped;
      },
      has: (_target, prop) => Reflect.has(current().instance, prop),
    },
  );
}

/** Run fn, counting it as in flight on gen until its result settles. */
function track(gen: CountedVersion, fn: () => unknown): unknown {
  gen.inflight++;
  const done = (): void => {
    gen.inflight--;
    if (gen.inflight === 0 && gen.drained) gen.drained();
  };
  let result: unknown;
  try {
    result = fn();
  } catch (err) {
    done();
    throw err;
  }
  if (result instanceof Promise) {
    return result.finally(done);
  }
  done();
  return result;
}
