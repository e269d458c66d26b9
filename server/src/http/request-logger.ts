// The logger fastify hands each request (`request.log`). Fastify makes a pino
// child per request to bind its request id; that cost a few percent of a
// session read's CPU (the child's bindings are serialised at creation) for a
// logger most requests never write to (request logging is off; errors and
// mutating routes log). This child is made on first use instead: a line
// logged through `request.log` is the same, with the same `reqId`.

import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions, LevelWithSilentOrString, LogFn } from 'pino';

export class LazyRequestLogger implements FastifyBaseLogger {
  readonly #parent: FastifyBaseLogger;
  readonly #bindings: Bindings;
  readonly #options: ChildLoggerOptions;
  #real: FastifyBaseLogger | undefined;

  constructor(parent: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions) {
    this.#parent = parent;
    this.#bindings = bindings;
    this.#options = options;
  }

  #child(): FastifyBaseLogger {
    this.#real ??= this.#parent.child(this.#bindings, this.#options);
    return this.#real;
  }

  get level(): LevelWithSilentOrString {
    return this.#real?.level ?? this.#options.level ?? this.#parent.level;
  }

  set level(level: LevelWithSilentOrString) {
    this.#child().level = level;
  }

  readonly fatal: LogFn = (...args: unknown[]) => (this.#child().fatal as (...a: unknown[]) => void)(...args);
  readonly error: LogFn = (...args: unknown[]) => (this.#child().error as (...a: unknown[]) => void)(...args);
  readonly warn: LogFn = (...args: unknown[]) => (this.#child().warn as (...a: unknown[]) => void)(...args);
  readonly info: LogFn = (...args: unknown[]) => (this.#child().info as (...a: unknown[]) => void)(...args);
  readonly debug: LogFn = (...args: unknown[]) => (this.#child().debug as (...a: unknown[]) => void)(...args);
  readonly trace: LogFn = (...args: unknown[]) => (this.#child().trace as (...a: unknown[]) => void)(...args);
  readonly silent: LogFn = () => undefined;

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.#child().child(bindings, options);
  }
}

/** Fastify's `childLoggerFactory`: a request logger whose pino child is made when it first logs. */
export function lazyRequestLogger(logger: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  return new LazyRequestLogger(logger, bindings, options);
}
