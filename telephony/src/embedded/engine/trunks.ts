// SIP trunks: where calls to numbers go, and how calls from a carrier are
// recognised (by the address they come from).
import { isIP } from 'node:net';

export interface TrunkConfig {
  name: string;
  host: string;
  port: number;
  transport: 'udp' | 'tcp' | 'tls';
  /**
   * TLS only: the CA certificate(s), PEM, the carrier's certificate must chain to;
   * without it the system's CAs are used. The name checked is the trunk's host.
   */
  ca?: string;
  username?: string;
  password?: string;
  /** Register to the trunk (for carriers that want a registration before they route to us). */
  register?: boolean;
  /** Domain for our From URI (default: the trunk host). */
  fromDomain?: string;
  /** Source addresses INVITEs from this trunk come from (default: the host, when it is an IP address). */
  inboundAddresses?: string[];
  /** Registration interval, seconds (default 3600). */
  registerExpires?: number;
  /**
   * Calls on this trunk may take direct media (the carrier's media gateway and the other leg's
   * device send to each other) when the bridge needs no media work. Default false.
   */
  directMedia?: boolean;
}

/** Where Tenor's registration to a trunk stands (trunks with `register: true`). */
export interface TrunkRegistrationState {
  state: 'registering' | 'registered' | 'failed' | 'stopped';
  /** Why it failed, or the granted expiry; null while registering or stopped. */
  detail: string | null;
}

/** Source addresses calls from this trunk come from: those configured, else its host when that is an IP address. */
export function trunkInboundAddresses(trunk: TrunkConfig): string[] {
  return trunk.inboundAddresses ?? (isIP(trunk.host) ? [trunk.host] : []);
}

/** Two trunk definitions that would behave the same (a registration is restarted only when this is false). */
export function sameTrunk(a: TrunkConfig, b: TrunkConfig): boolean {
  return JSON.stringify(trunkKey(a)) === JSON.stringify(trunkKey(b));
}

function trunkKey(t: TrunkConfig): unknown[] {
  return [t.name, t.host, t.port, t.transport, t.username ?? null, t.password ?? null, t.register ?? false, t.fromDomain ?? null,
    trunkInboundAddresses(t), t.registerExpires ?? null, t.ca ?? null];
}

export class TrunkTable {
  readonly #byName = new Map<string, TrunkConfig>();
  readonly #byAddress = new Map<string, TrunkConfig>();

  constructor(trunks: TrunkConfig[]) {
    for (const trunk of trunks) {
      if (this.#byName.has(trunk.name)) throw new Error(`duplicate trunk name ${trunk.name}`);
      this.#byName.set(trunk.name, trunk);
      for (const address of trunkInboundAddresses(trunk)) this.#byAddress.set(address, trunk);
    }
  }

  get all(): TrunkConfig[] {
    return [...this.#byName.values()];
  }

  get(name: string): TrunkConfig | undefined {
    return this.#byName.get(name);
  }

  /** The trunk a request came from, by its source address. */
  fromAddress(address: string): TrunkConfig | undefined {
    return this.#byAddress.get(address);
  }

  /** The trunk for an outbound number: the one named, or the first configured. */
  forNumber(name?: string): TrunkConfig | undefined {
    if (name !== undefined) return this.#byName.get(name);
    return this.#byName.values().next().value;
  }
}

export function trunkRequestUri(trunk: TrunkConfig, number: string): string {
  return `sip:${number}@${trunk.host}:${trunk.port}`;
}

export function trunkFromUri(trunk: TrunkConfig, user: string): string {
  return `sip:${user}@${trunk.fromDomain ?? trunk.host}`;
}
