// The trunks in use and Tenor's registrations to those that ask for one. The
// table is replaced whole when an administrator edits the trunks: a call
// routed before the swap keeps the trunk it got.
import type { Logger } from 'pino';
import type { SipStack } from '../sip/stack.js';
import type { EngineState } from './engine-state.js';
import { TrunkRegistration } from './trunk-registration.js';
import { TrunkTable, sameTrunk, type TrunkConfig, type TrunkRegistrationState } from './trunks.js';

export class TrunkSet {
  readonly #engine: EngineState;
  readonly #log: Logger;
  #table: TrunkTable;
  /** Registrations to trunks with `register: true`, by trunk name. */
  readonly #registrations = new Map<string, TrunkRegistration>();

  constructor(trunks: TrunkConfig[], engine: EngineState, log: Logger) {
    this.#table = new TrunkTable(trunks);
    this.#engine = engine;
    this.#log = log;
  }

  get table(): TrunkTable {
    return this.#table;
  }

  /** The addresses the trunks' calls come from, for the SIP rate limiter. */
  sourceAddresses(): string[] {
    return trunkAddresses(this.#table.all);
  }

  /**
   * Replaces the table: the next call uses the new one, calls in progress keep
   * their trunk. Registrations of removed or changed trunks are ended
   * (unregistered) and those of new or changed trunks started; unchanged ones
   * go on untouched. Throws, changing nothing, when two trunks share a name.
   */
  async replace(trunks: TrunkConfig[]): Promise<void> {
    const next = new TrunkTable(trunks);
    const before = new Map(this.#table.all.map((t) => [t.name, t]));
    this.#table = next;
    this.#engine.stack?.rateLimiter?.setTrunkSources(trunkAddresses(next.all));
    const stopping: Promise<void>[] = [];
    for (const [name, reg] of this.#registrations) {
      const now = next.get(name);
      const previous = before.get(name);
      if (now?.register && previous && sameTrunk(previous, now)) continue;
      this.#registrations.delete(name);
      stopping.push(reg.stop());
    }
    // Unregister first: a changed trunk may be the same registrar under the same user.
    await Promise.all(stopping);
    const stack = this.#engine.stack;
    if (stack && !this.#engine.stopping) {
      for (const trunk of next.all) {
        if (trunk.register && !this.#registrations.has(trunk.name)) this.#startRegistration(stack, trunk);
      }
    }
    this.#log.info({ trunks: next.all.map((t) => t.name), registering: [...this.#registrations.keys()] }, 'trunks replaced');
  }

  /** Where the registration to a trunk stands; undefined for a trunk without `register: true` (or unknown). */
  registration(name: string): TrunkRegistrationState | undefined {
    return this.#registrations.get(name)?.state;
  }

  /** Registers to every trunk that asks for it (the engine has just started). */
  registerAll(stack: SipStack): void {
    for (const trunk of this.#table.all.filter((t) => t.register)) this.#startRegistration(stack, trunk);
  }

  /** Unregisters from every trunk (the engine is stopping). */
  async unregisterAll(): Promise<void> {
    await Promise.all([...this.#registrations.values()].map((r) => r.stop()));
    this.#registrations.clear();
  }

  #startRegistration(stack: SipStack, trunk: TrunkConfig): void {
    const reg = new TrunkRegistration(stack, trunk, this.#log.child({ trunk: trunk.name }));
    this.#registrations.set(trunk.name, reg);
    reg.start();
  }
}

/** The addresses a trunk's calls come from (its host unless it lists them). */
function trunkAddresses(trunks: readonly TrunkConfig[]): string[] {
  return trunks.flatMap((t) => t.inboundAddresses ?? [t.host]);
}
