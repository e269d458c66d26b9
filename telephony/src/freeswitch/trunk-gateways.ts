// Tenor's trunks on FreeSWITCH: which trunk a call comes from (by its source
// address), and, when Tenor serves FreeSWITCH's directory (xml-curl-server.ts),
// the trunks as the profile's gateways, changed while running. A change kills
// the gateways of removed or changed trunks (`killgw`, which also unregisters),
// rescans the profile (FreeSWITCH asks the directory for its gateways again
// and adds the new ones) and reloads the ACL (the addresses let in without a
// digest challenge). Registration states come from sofia's gateway_state events.
import type { Logger } from 'pino';
import { sameTrunk, trunkInboundAddresses, type TrunkConfig, type TrunkRegistrationState } from '../embedded/engine/trunks.js';
import type { EslConnection, FsEvent } from './esl-connection.js';
import { GATEWAY_NAME } from './directory-xml.js';

/** A trunk: a whole one (a gateway when Tenor serves the directory), or only the addresses its calls come from. */
export type FsTrunk = TrunkConfig | { name: string; inboundAddresses?: string[] };

export const GATEWAY_EVENTS = ['CUSTOM', 'sofia::gateway_state'];

function isGateway(t: FsTrunk): t is TrunkConfig {
  return 'host' in t;
}

/** Only such names go into a command on the event socket (no space or line break can add arguments or commands). */
function sofiaName(t: TrunkConfig): boolean {
  return GATEWAY_NAME.test(t.name);
}

function addressesOf(t: FsTrunk): string[] {
  return isGateway(t) ? trunkInboundAddresses(t) : (t.inboundAddresses ?? []);
}

/** sofia's gateway states in the terms of TrunkRegistrationState; undefined: not about the current registration. */
function stateOf(state: string, detail: string): TrunkRegistrationState | undefined {
  switch (state) {
    case 'REGED': return { state: 'registered', detail: 'registered' };
    case 'TRYING': case 'REGISTER': case 'UNREGED': return { state: 'registering', detail: null };
    case 'FAILED': case 'FAIL_WAIT': case 'EXPIRED': case 'TIMEOUT': return { state: 'failed', detail: detail || state.toLowerCase() };
    // UNREGISTER, DOWN, NOREG: a gateway being removed (perhaps the old version of one just changed).
    default: return undefined;
  }
}

export class TrunkGateways {
  #trunks: FsTrunk[];
  readonly #states = new Map<string, TrunkRegistrationState>();
  readonly #profile: string;
  /** Tenor serves the directory: the trunks are gateways it manages. */
  readonly #managed: boolean;
  readonly #logger: Logger;
  /** Gateways of trunks removed or changed while the event socket was down: killed once it is back. */
  readonly #toKill = new Set<string>();

  constructor(trunks: FsTrunk[], profile: string, managed: boolean, logger: Logger) {
    this.#trunks = [...trunks];
    this.#profile = profile;
    this.#managed = managed;
    this.#logger = logger;
    for (const t of this.all.filter((g) => g.register)) this.#states.set(t.name, { state: 'registering', detail: null });
  }

  /** The whole trunks (those Tenor can dial through). */
  get all(): TrunkConfig[] {
    return this.#trunks.filter(isGateway);
  }

  /** The trunk a number without one goes through. */
  get first(): string | undefined {
    return this.#trunks[0]?.name;
  }

  fromAddress(address: string | undefined): FsTrunk | undefined {
    return address === undefined ? undefined : this.#trunks.find((t) => addressesOf(t).includes(address));
  }

  registration(name: string): TrunkRegistrationState | undefined {
    const trunk = this.all.find((t) => t.name === name);
    return trunk?.register ? { ...(this.#states.get(name) ?? { state: 'registering', detail: null }) } : undefined;
  }

  /**
   * Brings FreeSWITCH in line after a (re)connection: gateways it lacks added
   * (a FreeSWITCH that outlived a previous Tenor, whose stop killed them), the
   * ACL read again from the directory, the registrations as they stand.
   */
  async sync(esl: EslConnection): Promise<void> {
    if (this.#managed) {
      await this.#kill(esl, [...this.#toKill]);
      this.#toKill.clear();
      if (this.#gateways().length > 0) await this.#api(esl, `sofia profile ${this.#profile} rescan`);
      await this.#api(esl, 'reloadacl');
    }
    await this.#readStates(esl, this.#gateways());
  }

  /** Registration states as FreeSWITCH has them now (events bring the changes after). */
  async #readStates(esl: EslConnection, trunks: readonly TrunkConfig[]): Promise<void> {
    for (const t of trunks.filter((g) => g.register && sofiaName(g))) {
      const status = await esl.api(`sofia xmlstatus gateway ${t.name}`);
      const state = /<state>([A-Z_]+)<\/state>/.exec(status.text)?.[1];
      const now = state === undefined ? undefined : stateOf(state, '');
      if (now && this.#states.has(t.name)) this.#states.set(t.name, now);
    }
  }

  /** Replaces the trunks; throws, changing nothing, when two share a name or a gateway's name is not one sofia takes. */
  async replace(esl: EslConnection | undefined, trunks: FsTrunk[]): Promise<void> {
    const names = new Set<string>();
    for (const t of trunks) {
      if (names.has(t.name)) throw new Error(`duplicate trunk name ${t.name}`);
      names.add(t.name);
      if (this.#managed && isGateway(t) && !GATEWAY_NAME.test(t.name)) throw new Error(`trunk name ${t.name} cannot name a FreeSWITCH gateway (letters, digits, . _ -)`);
    }
    const before = new Map(this.all.map((t) => [t.name, t]));
    this.#trunks = [...trunks];
    const after = new Map(this.all.map((t) => [t.name, t]));
    const gone = [...before.values()].filter((t) => { const now = after.get(t.name); return !now || !sameTrunk(t, now); });
    const added = [...after.values()].filter((t) => { const was = before.get(t.name); return !was || !sameTrunk(was, t); });
    for (const t of gone) this.#states.delete(t.name);
    for (const t of added.filter((g) => g.register)) this.#states.set(t.name, { state: 'registering', detail: null });
    if (!esl) {
      if (this.#managed) for (const t of gone.filter(sofiaName)) this.#toKill.add(t.name);
      return;
    }
    if (!this.#managed) {
      // FreeSWITCH's own gateways (startFreeSwitch's `gateways`): only their states are read.
      await this.#readStates(esl, added);
      return;
    }
    await this.#kill(esl, gone.filter(sofiaName).map((t) => t.name));
    if (added.length > 0) await this.#api(esl, `sofia profile ${this.#profile} rescan`);
    await this.#api(esl, 'reloadacl');
    await this.#readStates(esl, added);
    this.#logger.info({ trunks: this.all.map((t) => t.name), removed: gone.map((t) => t.name), added: added.map((t) => t.name) }, 'trunks replaced');
  }

  /** A sofia::gateway_state event: the registration of a current trunk moved on. */
  onEvent(e: FsEvent): void {
    if (e.name !== 'CUSTOM' || e.header('Event-Subclass') !== 'sofia::gateway_state') return;
    const name = e.header('Gateway') ?? '';
    if (!this.#states.has(name)) return;
    const status = [e.header('Status'), e.header('Phrase')].filter((v) => v !== undefined).join(' ');
    const now = stateOf(e.header('State') ?? '', status ? `refused: ${status}` : '');
    if (!now) return;
    const was = this.#states.get(name);
    // FAIL_WAIT follows FAILED without the reason: keep the reason.
    if (now.state === 'failed' && was?.state === 'failed' && !status) return;
    this.#states.set(name, now);
    if (was?.state !== now.state) this.#logger.info({ trunk: name, state: now.state, detail: now.detail }, 'trunk registration');
  }

  /**
   * The driver stops: Tenor's gateways are killed (registered ones unregister,
   * as the embedded engine does at stop), so a FreeSWITCH that runs on takes no
   * carrier calls for a Tenor that is gone; the next start adds them again.
   */
  async stop(esl: EslConnection | undefined): Promise<void> {
    for (const name of this.#states.keys()) this.#states.set(name, { state: 'stopped', detail: null });
    if (!this.#managed || !esl || esl.closed) return;
    for (const t of this.#gateways()) {
      const r = await esl.api(`sofia profile ${this.#profile} killgw ${t.name}`);
      if (!r.ok) this.#logger.debug({ trunk: t.name, reply: r.text }, 'gateway not killed at stop');
    }
  }

  async #kill(esl: EslConnection, names: readonly string[]): Promise<void> {
    for (const name of names) {
      // A gateway FreeSWITCH does not have (e.g. it restarted meanwhile) is as good as killed.
      const r = await esl.api(`sofia profile ${this.#profile} killgw ${name}`);
      if (!r.ok) this.#logger.warn({ trunk: name, reply: r.text }, 'gateway of a removed trunk not killed');
    }
  }

  /** The trunks FreeSWITCH has as gateways (the directory leaves out names sofia would not take). */
  #gateways(): TrunkConfig[] {
    return this.all.filter(sofiaName);
  }

  async #api(esl: EslConnection, command: string): Promise<void> {
    const r = await esl.api(command);
    if (!r.ok) throw new Error(`FreeSWITCH refused "${command}": ${r.text}`);
  }
}
