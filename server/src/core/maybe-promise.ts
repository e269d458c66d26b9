// A result that is there at once when nothing had to wait, else a promise of it.
// The session read path uses it from cookie to handler: a session and user found
// in memory answer synchronously, so a request makes no promise (and takes no
// microtask turn) between its guard and its handler; a lookup that needs the
// database still returns a promise, and every step after it waits for it.

export type MaybePromise<T> = T | Promise<T>;

/** `next(value)` now when value is there, else once its promise resolves (a rejection passes through). */
export function andThen<T, R>(value: MaybePromise<T>, next: (value: T) => MaybePromise<R>): MaybePromise<R> {
  return value instanceof Promise ? value.then(next) : next(value);
}
