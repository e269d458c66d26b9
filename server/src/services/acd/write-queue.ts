// Writes to the store in the order they were asked for, without making the
// routing wait for them: routing decisions stay in memory and synchronous,
// their records follow. flush() waits until everything asked so far is written.

export class WriteQueue {
  #tail: Promise<void> = Promise.resolve();
  readonly #onError: (err: unknown) => void;

  constructor(onError: (err: unknown) => void) {
    this.#onError = onError;
  }

  push(write: () => Promise<unknown>): void {
    this.#tail = this.#tail.then(async () => {
      try {
        await write();
      } catch (err) {
        this.#onError(err);
      }
    });
  }

  flush(): Promise<void> {
    return this.#tail;
  }
}
