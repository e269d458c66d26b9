// The flow registry: which version of each flow is live. Flows come from the
// site file (`flows: [{ name, file }]`, watched for changes) and from the admin
// API; every version is stored. A new version goes live only when it parses and
// passes the checker against the site as it is now (queues, boxes, agents,
// flows, prompts); otherwise it is refused with the checker's problems and the
// live version stays. A call holds the CompiledFlow it started with, so a swap
// never changes a call already in a flow: only the next call sees the new one.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { TenorError } from '../../core/errors.js';
import { checkFlow, compileFlow, flowsCalledBy, parseFlow, type CompiledFlow, type FlowCheckContext, type FlowDefinition, type FlowProblem } from './flow/index.js';
import { FlowStore, type FlowOrigin, type StoredFlowVersion } from './store.js';

/** A live flow: its registry version and the machine calls run. */
export interface LiveFlow {
  name: string;
  /** The registry's version number (1, 2, …), counted per flow name. */
  version: number;
  origin: FlowOrigin;
  file: string | undefined;
  source: string;
  savedAt: number;
  savedBy: string | undefined;
  compiled: CompiledFlow;
}

export interface SaveResult {
  flow: LiveFlow;
  /** False when the source was the same as the live version's (nothing stored). */
  changed: boolean;
}

export interface RegistryDeps {
  store: FlowStore;
  log: Logger;
  /** Names the checker compares against, read fresh for every check (queues and boxes change at run time). */
  checkContext(): Omit<FlowCheckContext, 'flows'>;
}

/** Thrown when a flow cannot go live; `details.problems` lists each with node and line. */
export function flowRefused(name: string, problems: readonly FlowProblem[]): TenorError {
  const summary = problems.map(describeProblem).join('; ');
  return new TenorError('TENOR_ERR_FLOW_INVALID', [name, summary], { details: { problems } });
}

export function describeProblem(p: FlowProblem): string {
  const where = [p.line !== undefined ? `line ${p.line}${p.column !== undefined ? `:${p.column}` : ''}` : undefined, p.node !== undefined ? `node '${p.node}'` : undefined]
    .filter((x) => x !== undefined)
    .join(', ');
  return where ? `${where}: ${p.message}` : p.message;
}

export class FlowRegistry {
  readonly #live = new Map<string, LiveFlow>();
  /** Flows the site file declares (name → absolute file); they cannot be deleted through the API. */
  readonly #siteFiles = new Map<string, string>();
  readonly #d: RegistryDeps;
  /** Saves run one at a time, so two saves of one flow never race for a version number. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(deps: RegistryDeps) {
    this.#d = deps;
  }

  /** Restore what was live before a restart (API versions included), then bring the site's files up to date. */
  async load(siteFlows: readonly { name: string; file: string }[], baseDir: string): Promise<void> {
    for (const f of siteFlows) this.#siteFiles.set(f.name, path.resolve(baseDir, f.file));
    const stored = await this.#d.store.currentAll();
    for (const v of stored) {
      // Stored versions passed the checker when saved; they go live again as they were.
      const parsed = parseFlow(v.source, v.file);
      if (!parsed.flow || parsed.problems.length) {
        this.#d.log.error({ flow: v.name, version: v.version, problems: parsed.problems }, 'stored flow version no longer parses; not live');
        continue;
      }
      try {
        this.#live.set(v.name, toLive(v, compileFlow(parsed.flow, {})));
      } catch (err) {
        this.#d.log.error({ flow: v.name, version: v.version, err }, 'stored flow version no longer compiles; not live');
      }
    }
    for (const name of this.#siteFiles.keys()) {
      const result = await this.reloadFile(name);
      if (!(result instanceof TenorError)) continue;
      // Not fatal: calls to its entry numbers are refused until the file is fixed (the watcher picks it up),
      // and with an earlier good version, that one keeps serving.
      const live = this.#live.get(name);
      this.#d.log.error({ flow: name, file: this.#siteFiles.get(name), liveVersion: live?.version, problems: (result.details as { problems?: unknown } | undefined)?.problems }, live ? 'site flow file refused; the stored version stays live' : 'site flow file refused; the flow is not live');
    }
  }

  /** Site flows with no live version (their file is missing or was refused): the health check reports them. */
  notLive(): string[] {
    return [...this.#siteFiles.keys()].filter((name) => !this.#live.has(name));
  }

  /** Every flow name the site file declares, with its absolute path. */
  siteFiles(): ReadonlyMap<string, string> {
    return this.#siteFiles;
  }

  get(name: string): LiveFlow | undefined {
    return this.#live.get(name);
  }

  list(): LiveFlow[] {
    return [...this.#live.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  history(name: string): Promise<StoredFlowVersion[]> {
    return this.#d.store.history(name);
  }

  /** Problems of a flow source against the site as it is now (empty: it may go live). */
  check(source: string, name?: string, file?: string): FlowProblem[] {
    const checked = this.compileSource(source, name, file);
    return 'problems' in checked ? checked.problems : [];
  }

  /** Save a new version from the API. Throws TENOR_ERR_FLOW_INVALID (the live version stays) on any problem. */
  save(name: string, source: string, savedBy: string | undefined): Promise<SaveResult> {
    return this.#serial(() => this.#save(name, source, 'api', undefined, savedBy));
  }

  /**
   * Read a site file again and make it live when it changed and is valid.
   * Resolves with the error (not thrown) when it is refused: a watcher logs it and keeps the old version.
   */
  reloadFile(name: string): Promise<SaveResult | TenorError | undefined> {
    const file = this.#siteFiles.get(name);
    if (!file) return Promise.resolve(undefined);
    return this.#serial(async () => {
      let source: string;
      try {
        source = await readFile(file, 'utf8');
      } catch (err) {
        return flowRefused(name, [{ message: `cannot read ${file}: ${err instanceof Error ? err.message : String(err)}` }]);
      }
      // The file as last read (not the live version, which may have come from the API since): unchanged means nothing to do.
      const last = await this.#d.store.latestFromFile(name);
      if (last && last.source === source && this.#live.has(name)) return undefined;
      try {
        return await this.#save(name, source, 'file', file, undefined);
      } catch (err) {
        if (err instanceof TenorError) return err;
        throw err;
      }
    });
  }

  /** Take an API flow out of service. Site-file flows are refused: remove them from the site file. */
  remove(name: string): Promise<boolean> {
    return this.#serial(async () => {
      if (this.#siteFiles.has(name)) {
        throw new TenorError('TENOR_ERR_FLOW_IN_USE', [name, `it is declared in the site file (${this.#siteFiles.get(name) ?? ''})`]);
      }
      if (!this.#live.has(name)) return false;
      const users = this.list().filter((f) => f.name !== name && refersTo(f.compiled.definition, name));
      if (users.length) throw new TenorError('TENOR_ERR_FLOW_IN_USE', [name, `flows ${users.map((f) => `'${f.name}'`).join(', ')} send calls to it`]);
      await this.#d.store.remove(name);
      this.#live.delete(name);
      this.#d.log.info({ flow: name }, 'flow removed');
      return true;
    });
  }

  async #save(name: string, source: string, origin: FlowOrigin, file: string | undefined, savedBy: string | undefined): Promise<SaveResult> {
    const checked = this.compileSource(source, name, file);
    if ('problems' in checked) {
      const live = this.#live.get(name);
      this.#d.log.warn({ flow: name, origin, file, problems: checked.problems, liveVersion: live?.version }, 'flow refused; the live version stays');
      throw flowRefused(name, checked.problems);
    }
    const live = this.#live.get(name);
    if (live && live.source === source && origin === 'api') return { flow: live, changed: false };
    const savedAt = Date.now();
    const version = await this.#d.store.append({ name, source, origin, file, savedBy, savedAt });
    const next: LiveFlow = { name, version, origin, file, source, savedAt, savedBy, compiled: checked.compiled };
    this.#live.set(name, next);
    this.#d.log.info({ flow: name, version, origin, file, previousVersion: live?.version }, 'flow version live');
    return { flow: next, changed: true };
  }

  /** Parse, check against the site now and compile; the problems when any. */
  compileSource(source: string, name?: string, file?: string): { compiled: CompiledFlow } | { problems: FlowProblem[] } {
    const parsed = parseFlow(source, file);
    if (parsed.problems.length || !parsed.flow) return { problems: parsed.problems.length ? parsed.problems : [{ message: 'the flow could not be read' }] };
    const flow = parsed.flow;
    if (name !== undefined && flow.name !== name) {
      const at = flow.fieldsAt?.['name'];
      return { problems: [{ ...(at ? { line: at.line, column: at.column } : {}), message: `the flow is named '${flow.name}' but is saved as '${name}': the two must match` }] };
    }
    const flows = new Set([...this.#live.keys(), ...this.#siteFiles.keys(), flow.name]);
    const problems = checkFlow(flow, { ...this.#d.checkContext(), flows });
    if (problems.length) return { problems };
    return { compiled: compileFlow(flow, {}) };
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn);
    // The caller gets the failure through `run`; the queue only needs to move on to the next change.
    this.#queue = run.then(
      () => undefined,
      (err: unknown) => this.#d.log.debug({ err }, 'flow registry change failed (reported to its caller)'),
    );
    return run;
  }
}

function toLive(v: StoredFlowVersion, compiled: CompiledFlow): LiveFlow {
  return { name: v.name, version: v.version, origin: v.origin, file: v.file, source: v.source, savedAt: v.savedAt, savedBy: v.savedBy, compiled };
}

/** Whether a flow sends calls to another (transfer to a flow, or a subflow). */
export function refersTo(def: FlowDefinition, other: string): boolean {
  return Object.values(def.nodes).some((n) => flowsCalledBy(n).includes(other));
}
