// The service manager: every Tenor component is a service with a name, the
// services it depends on, a start and a stop function and a health check.
//
// Callers never hold a service instance directly. `get(name)` returns a stable
// handle that forwards to whichever version is current, so `replace(name, next)`
// can start a new version, switch every holder to it at once, let the old one
// finish what it was doing (its in-flight calls are counted) and only then stop it.

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Logger } from './logger.js';
import { TenorError, isTenorError } from './errors.js';
import { errorText, loadServiceModule } from './service-module.js';
import { createHandle, type CountedVersion } from './service-handle.js';
import { dependencyOrder, settleWithin } from './service-order.js';

/**
 * Service names and their types. Each service module augments this map:
 * `declare module '../core/service-manager.js' { interface ServiceMap { store: Store } }`
 * so `get('store')` is typed without casts.
 */
export interface ServiceMap {}

export type ServiceStatus = 'registered' | 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';

export interface ServiceHealth {
  status: 'ok' | 'degraded' | 'down';
  detail?: string;
}

export interface ServiceContext {
  readonly name: string;
  readonly logger: Logger;
  /** A handle on another service; declare it in dependsOn so it is started first. */
  get<K extends keyof ServiceMap>(name: K): ServiceMap[K];
  get<T extends object>(name: string): T;
  /**
   * Run `rewire` each time `dependency` (a service it uses, normally one of dependsOn) is replaced, once every handle
   * reaches the new version and before the old one stops. A handle forwards method calls,
   * but what start() gave the old version (a listener, a subscription, settings pushed
   * into it) stays with the old version: `rewire` gives it to the new one.
   */
  whenReplaced(dependency: string, rewire: () => Promise<void> | void): void;
}

/** What the HTTP shell gives a service's routes. */
export interface ServiceHttpContext {
  readonly services: ServiceManager;
  /** The web client's folder when the server serves one (pages that answer with its index.html). */
  readonly uiRoot: string | undefined;
}

/**
 * A service's HTTP routes: a fastify plugin the HTTP shell registers with its
 * error handling and access guards (routes guard themselves with requireRole).
 */
export interface ServiceRoutes {
  /** URL prefix the plugin's routes are registered under (none: the plugin's paths are absolute). */
  prefix?: string;
  plugin(http: ServiceHttpContext): FastifyPluginAsyncTypebox;
}

export interface ServiceDefinition<T extends object = object> {
  name: string;
  version?: string;
  description?: string;
  dependsOn?: readonly string[];
  /** How long start may take before boot fails (default: the registry's). */
  startTimeoutMs?: number;
  start(ctx: ServiceContext): Promise<T> | T;
  stop?(instance: T): Promise<void> | void;
  /**
   * Graceful shutdown, before stop: refuse new work (new calls) and resolve once
   * in-flight work has ended or `graceMs` has passed.
   */
  drain?(instance: T, graceMs: number): Promise<void> | void;
  health?(instance: T): Promise<ServiceHealth> | ServiceHealth;
  /**
   * Prepares a new version given through the services API before it replaces
   * this one (the telephony engine puts its successor behind the dialing policy).
   */
  prepareReplacement?(next: ServiceDefinition<object>): ServiceDefinition<object>;
  /** Its HTTP routes; a service added or replaced at run time serves them too. */
  routes?: ServiceRoutes;
  /**
   * It holds what two versions cannot share (the SIP port): a replacement drains and stops
   * this version first, then starts the next; if the next fails to start, this one starts again.
   */
  stopBeforeReplace?: boolean;
}

/** Identity helper that keeps the instance type inferred. */
export function defineService<T extends object>(def: ServiceDefinition<T>): ServiceDefinition<T> {
  return def;
}

export interface ServiceInfo {
  name: string;
  version: string;
  description: string;
  status: ServiceStatus;
  health: ServiceHealth;
  dependsOn: string[];
  startedAt: string | null;
  /** Where the definition came from: 'builtin' or the module path. */
  origin: string;
}

export interface ServiceManagerOptions {
  logger: Logger;
  startTimeoutMs?: number;
  stopTimeoutMs?: number;
  /** How long a replaced version may take to finish its in-flight calls. */
  drainTimeoutMs?: number;
  healthTimeoutMs?: number;
}

/** One running version of a service. */
interface Generation extends CountedVersion {
  def: ServiceDefinition<object>;
  /** What this version asked to redo when one of its dependencies is replaced (ServiceContext.whenReplaced). */
  rewires: Map<string, (() => Promise<void> | void)[]>;
  startedAt: Date;
}

interface Entry {
  def: ServiceDefinition<object>;
  origin: string;
  status: ServiceStatus;
  current: Generation | undefined;
  handle: object;
}

// Generous: on a busy host the users service alone spends seconds hashing the first admin password.
const DEFAULT_START_TIMEOUT_MS = 30_000;

export class ServiceManager {
  readonly #entries = new Map<string, Entry>();
  readonly #logger: Logger;
  readonly #startTimeoutMs: number;
  readonly #stopTimeoutMs: number;
  readonly #drainTimeoutMs: number;
  readonly #healthTimeoutMs: number;
  #startOrder: string[] = [];
  #running = false;
  /** Holders outside the services (HTTP routes) that redo something when a service is replaced. */
  readonly #outsideRewires = new Set<{ name: string; rewire: () => Promise<void> | void }>();
  #signature: { parts: [Entry, ServiceStatus, Generation | undefined][]; text: string } | undefined;

  constructor(opts: ServiceManagerOptions) {
    this.#logger = opts.logger.child({ component: 'service-manager' });
    this.#startTimeoutMs = opts.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
    this.#stopTimeoutMs = opts.stopTimeoutMs ?? 10_000;
    this.#drainTimeoutMs = opts.drainTimeoutMs ?? 30_000;
    this.#healthTimeoutMs = opts.healthTimeoutMs ?? 2_000;
  }

  get running(): boolean {
    return this.#running;
  }

  register<T extends object>(def: ServiceDefinition<T>, origin = 'builtin'): void {
    if (this.#entries.has(def.name)) throw new TenorError('TENOR_ERR_SERVICE_DUPLICATE', [def.name]);
    const entry: Entry = { def: def as unknown as ServiceDefinition<object>, origin, status: 'registered', current: undefined, handle: {} };
    entry.handle = this.#createHandle(entry);
    this.#entries.set(def.name, entry);
  }

  /** Register a service while the others run, and start it (its dependencies must be running). */
  async add<T extends object>(def: ServiceDefinition<T>, origin = 'builtin'): Promise<void> {
    this.register(def, origin);
    const entry = this.#entry(def.name);
    for (const dep of def.dependsOn ?? []) {
      const depEntry = this.#entries.get(dep);
      if (!depEntry) {
        this.#entries.delete(def.name);
        throw new TenorError('TENOR_ERR_SERVICE_MISSING_DEPENDENCY', [def.name, dep]);
      }
    }
    try {
      await this.#startEntry(entry);
    } catch (err) {
      this.#entries.delete(def.name);
      throw err;
    }
    this.#startOrder.push(def.name);
  }

  /** The current definition of every registered service, in registration order. */
  definitions(): ServiceDefinition<object>[] {
    return [...this.#entries.values()].map((entry) => entry.def);
  }

  has(name: string): boolean {
    return this.#entries.has(name);
  }

  get<K extends keyof ServiceMap>(name: K): ServiceMap[K];
  get<T extends object>(name: string): T;
  get(name: string): object {
    return this.#entry(name).handle;
  }

  /** Start every registered service in dependency order. */
  async startAll(): Promise<void> {
    const order = this.#dependencyOrder();
    const started: string[] = [];
    for (const name of order) {
      try {
        await this.#startEntry(this.#entry(name));
      } catch (err) {
        this.#logger.error({ service: name, err }, 'service failed to start; stopping the ones already started');
        for (const done of started.reverse()) await this.#stopEntry(this.#entry(done));
        throw err;
      }
      started.push(name);
    }
    this.#startOrder = started;
    this.#running = true;
  }

  /** Stop every running service, in the reverse of the order they started. */
  async stopAll(): Promise<void> {
    this.#running = false;
    for (const name of [...this.#startOrder].reverse()) {
      const entry = this.#entries.get(name);
      if (entry) await this.#stopEntry(entry);
    }
    this.#startOrder = [];
  }

  /** Ask every running service to finish its work (see ServiceDefinition.drain), all at once, for at most graceMs. */
  async drainAll(graceMs: number): Promise<void> {
    const draining = [...this.#entries.values()].map(async (entry) => {
      const gen = entry.current;
      if (!gen || entry.status !== 'running') return;
      await this.#drainGracefully(gen, entry.def.name, graceMs);
    });
    await Promise.all(draining);
  }

  /** The order services started in (dependencies first). */
  startOrder(): string[] {
    return [...this.#startOrder];
  }

  /** Changes whenever a service is added, starts, stops, fails or is replaced; runs no health check (http/health-cache.ts).
   * GET /health asks on every request: the text is rebuilt only when an entry's status or running version changed. */
  lifecycleSignature(): string {
    const last = this.#signature;
    if (last?.parts.length === this.#entries.size && last.parts.every(([e, status, current]) => this.#entries.get(e.def.name) === e && e.status === status && e.current === current)) return last.text;
    const parts = [...this.#entries.values()].map((e): [Entry, ServiceStatus, Generation | undefined] => [e, e.status, e.current]);
    this.#signature = { parts, text: parts.map(([e, status, current]) => `${e.def.name}:${status}:${current?.startedAt.getTime() ?? 0}`).join(';') };
    return this.#signature.text;
  }
  async list(): Promise<ServiceInfo[]> {
    const infos = [...this.#entries.values()].map(async (entry): Promise<ServiceInfo> => ({
      name: entry.def.name,
      version: entry.current?.def.version ?? entry.def.version ?? '0.0.0',
      description: entry.current?.def.description ?? entry.def.description ?? '',
      status: entry.status,
      health: await this.#health(entry),
      dependsOn: [...(entry.def.dependsOn ?? [])],
      startedAt: entry.current?.startedAt.toISOString() ?? null,
      origin: entry.origin,
    }));
    return Promise.all(infos);
  }

  /**
   * Replace a running service by a new version: start it, point every handle at
   * it, wait for the old version's in-flight calls to finish, then stop the old
   * one. If the new version fails to start, the old one keeps serving.
   */
  async replace<T extends object>(name: string, next: ServiceDefinition<T>, origin?: string): Promise<void> {
    const entry = this.#entry(name);
    if (next.name !== name) {
      throw new TenorError('TENOR_ERR_SERVICE_REPLACE_FAILED', [name, `the new definition is named '${next.name}'`]);
    }
    for (const dep of next.dependsOn ?? []) {
      if (!this.#entries.has(dep)) throw new TenorError('TENOR_ERR_SERVICE_MISSING_DEPENDENCY', [name, dep]);
      if (dep === name) throw new TenorError('TENOR_ERR_SERVICE_CYCLE', [`${name} -> ${name}`]);
    }
    const old = entry.current;
    if (old && (old.def.stopBeforeReplace || next.stopBeforeReplace)) {
      return this.#replaceStoppingFirst(entry, old, next as unknown as ServiceDefinition<object>, origin);
    }
    let generation: Generation;
    try {
      generation = await this.#startGeneration(next as unknown as ServiceDefinition<object>);
    } catch (err) {
      throw new TenorError('TENOR_ERR_SERVICE_REPLACE_FAILED', [name, errorText(err)], { cause: err });
    }
    entry.current = generation;
    entry.def = next as unknown as ServiceDefinition<object>;
    if (origin !== undefined) entry.origin = origin;
    entry.status = 'running';
    this.#logger.info({ service: name, from: old?.def.version, to: next.version }, 'service replaced; draining the old version');
    await this.#rewireDependents(name);
    if (old) {
      await this.#drain(old, name);
      await this.#stopGeneration(old, name);
    }
  }

  /**
   * For code that is not a service (an HTTP route holding a subscription): run `rewire`
   * each time `name` is replaced, after the services' own (ServiceContext.whenReplaced).
   * Returns a function that cancels it.
   */
  whenReplaced(name: string, rewire: () => Promise<void> | void): () => void {
    const hook = { name, rewire };
    this.#outsideRewires.add(hook);
    return () => void this.#outsideRewires.delete(hook);
  }

  /** Restart a service from its current definition (a fresh instance, same code). */
  async reload(name: string): Promise<void> {
    const entry = this.#entry(name);
    await this.replace(name, entry.def, entry.origin);
  }

  /** Load a service definition from a module path (default export: a definition, or a factory taking options). */
  static loadDefinition(modulePath: string, options: unknown, baseDir = process.cwd()): Promise<ServiceDefinition<object>> {
    return loadServiceModule(modulePath, options, baseDir);
  }

  // ---- internals ----

  #entry(name: string): Entry {
    const entry = this.#entries.get(name);
    if (!entry) throw new TenorError('TENOR_ERR_SERVICE_NOT_FOUND', [name]);
    return entry;
  }

  #dependencyOrder(): string[] {
    return dependencyOrder(new Map([...this.#entries].map(([name, entry]) => [name, entry.def.dependsOn ?? []])));
  }

  /** Replace a version that cannot run beside its successor: drain it, stop it, start the next (or the old again). */
  async #replaceStoppingFirst(entry: Entry, old: Generation, next: ServiceDefinition<object>, origin: string | undefined): Promise<void> {
    const name = entry.def.name;
    this.#logger.info({ service: name, from: old.def.version, to: next.version }, 'service to be replaced; draining and stopping the old version first');
    await this.#drainGracefully(old, name, this.#drainTimeoutMs);
    await this.#drain(old, name);
    entry.status = 'stopping';
    await this.#stopGeneration(old, name);
    entry.status = 'starting';
    try {
      entry.current = await this.#startGeneration(next);
      entry.def = next;
      if (origin !== undefined) entry.origin = origin;
      entry.status = 'running';
    } catch (err) {
      this.#logger.error({ service: name, err }, 'the new version failed to start; starting the old one again');
      try {
        entry.current = await this.#startGeneration(old.def);
        entry.status = 'running';
      } catch (restartErr) {
        entry.current = undefined;
        entry.status = 'failed';
        this.#logger.error({ service: name, err: restartErr }, 'the old version failed to start again');
      }
      if (entry.status === 'running') await this.#rewireDependents(name);
      throw new TenorError('TENOR_ERR_SERVICE_REPLACE_FAILED', [name, errorText(err)], { cause: err });
    }
    this.#logger.info({ service: name, from: old.def.version, to: next.version }, 'service replaced');
    await this.#rewireDependents(name);
  }

  /** The definition's own drain (refuse new work, let work in progress end), for at most graceMs. */
  async #drainGracefully(gen: Generation, name: string, graceMs: number): Promise<void> {
    if (!gen.def.drain) return;
    try {
      await settleWithin(() => gen.def.drain?.(gen.instance, graceMs), graceMs + 1000, () => undefined);
    } catch (err) {
      this.#logger.error({ service: name, err }, 'service failed to drain');
    }
  }

  /** Run what the running dependents of `name` asked to redo when it is replaced, in start order. */
  async #rewireDependents(name: string): Promise<void> {
    const order = [...this.#startOrder, ...[...this.#entries.keys()].filter((n) => !this.#startOrder.includes(n))];
    const rewires: { holder: string; rewire: () => Promise<void> | void }[] = [];
    for (const dependent of order) {
      const entry = this.#entries.get(dependent);
      if (!entry || entry.status !== 'running') continue;
      for (const rewire of entry.current?.rewires.get(name) ?? []) rewires.push({ holder: dependent, rewire });
    }
    for (const hook of this.#outsideRewires) if (hook.name === name) rewires.push({ holder: 'http', rewire: hook.rewire });
    for (const { holder, rewire } of rewires) {
      try {
        await rewire();
        this.#logger.info({ holder, dependency: name }, 'rewired to the new version of a replaced service');
      } catch (err) {
        this.#logger.error({ holder, dependency: name, err }, 'could not rewire to the new version of a replaced service');
      }
    }
  }

  async #startEntry(entry: Entry): Promise<void> {
    entry.status = 'starting';
    try {
      entry.current = await this.#startGeneration(entry.def);
      entry.status = 'running';
    } catch (err) {
      entry.status = 'failed';
      throw err;
    }
  }

  async #startGeneration(def: ServiceDefinition<object>): Promise<Generation> {
    const timeoutMs = def.startTimeoutMs ?? this.#startTimeoutMs;
    const rewires = new Map<string, (() => Promise<void> | void)[]>();
    const ctx: ServiceContext = {
      name: def.name,
      logger: this.#logger.child({ service: def.name }),
      get: (dep: string) => this.get(dep),
      whenReplaced: (dependency: string, rewire: () => Promise<void> | void) => {
        rewires.set(dependency, [...(rewires.get(dependency) ?? []), rewire]);
      },
    } as ServiceContext;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TenorError('TENOR_ERR_SERVICE_START_TIMEOUT', [def.name, timeoutMs])), timeoutMs);
    });
    try {
      const instance = await Promise.race([Promise.resolve().then(() => def.start(ctx)), timeout]);
      if (typeof instance !== 'object' || instance === null) {
        throw new TenorError('TENOR_ERR_SERVICE_START_FAILED', [def.name, 'start() must return the service object']);
      }
      this.#logger.info({ service: def.name, version: def.version }, 'service started');
      return { def, instance, rewires, inflight: 0, drained: undefined, startedAt: new Date() };
    } catch (err) {
      if (isTenorError(err)) throw err;
      throw new TenorError('TENOR_ERR_SERVICE_START_FAILED', [def.name, errorText(err)], { cause: err });
    } finally {
      clearTimeout(timer);
    }
  }

  async #stopEntry(entry: Entry): Promise<void> {
    const gen = entry.current;
    if (!gen || entry.status !== 'running') return;
    entry.status = 'stopping';
    await this.#stopGeneration(gen, entry.def.name);
    entry.current = undefined;
    entry.status = 'stopped';
  }

  async #stopGeneration(gen: Generation, name: string): Promise<void> {
    if (!gen.def.stop) return;
    try {
      await settleWithin(() => gen.def.stop?.(gen.instance), this.#stopTimeoutMs, () => {
        this.#logger.warn({ service: name, timeoutMs: this.#stopTimeoutMs }, 'service did not stop in time; moving on');
      });
      this.#logger.info({ service: name, version: gen.def.version }, 'service stopped');
    } catch (err) {
      this.#logger.error({ service: name, err }, 'service failed to stop cleanly');
    }
  }

  async #drain(gen: Generation, name: string): Promise<void> {
    if (gen.inflight === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      gen.drained = resolve;
      timer = setTimeout(() => {
        this.#logger.warn({ service: name, inflight: gen.inflight }, 'old version still busy after the drain timeout; stopping it');
        resolve();
      }, this.#drainTimeoutMs);
    });
    clearTimeout(timer);
  }

  async #health(entry: Entry): Promise<ServiceHealth> {
    const gen = entry.current;
    if (entry.status !== 'running' || !gen) return { status: 'down', detail: `service is ${entry.status}` };
    if (!gen.def.health) return { status: 'ok' };
    try {
      return await settleWithin(
        () => gen.def.health?.(gen.instance) ?? { status: 'ok' as const },
        this.#healthTimeoutMs,
        (): ServiceHealth => ({ status: 'down', detail: 'health check timed out' }),
      );
    } catch (err) {
      return { status: 'down', detail: errorText(err) };
    }
  }

  /** A proxy that forwards to the entry's current generation and counts calls in flight. */
  #createHandle(entry: Entry): object {
    return createHandle(() => {
      const gen = entry.current;
      if (!gen || (entry.status !== 'running' && entry.status !== 'stopping')) {
        throw new TenorError('TENOR_ERR_SERVICE_NOT_RUNNING', [entry.def.name]);
      }
      return gen;
    });
  }
}
