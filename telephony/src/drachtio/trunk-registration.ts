// Trunks with `register: true`: the edge REGISTERs with the carrier (its
// digest challenge answered with the trunk's account) so the carrier sends
// calls to drachtio, refreshes before the granted expiry runs out, retries a
// failed attempt, and unregisters (Expires: 0) when the driver stops.
import type Srf from 'drachtio-srf';
import type { Logger } from 'pino';
import type { DrachtioTrunk } from './edge.js';
import { outOfDialogRequest } from './srf-requests.js';

const EXPIRES_S = 600;
/** Wait before trying again after a failed REGISTER. */
const RETRY_MS = 30_000;

/** The expiry the carrier granted: the Contact's own parameter, else the Expires header, else what we asked. */
function grantedSeconds(res: Srf.SrfResponse, asked: number): number {
  const contact = res.has('Contact') ? /;\s*expires\s*=\s*(\d+)/i.exec(res.get('Contact'))?.[1] : undefined;
  const header = res.has('Expires') ? res.get('Expires') : undefined;
  const granted = Number.parseInt(contact ?? header ?? String(asked), 10);
  return Number.isFinite(granted) && granted > 0 ? granted : asked;
}

export class TrunkRegistrations {
  readonly #srf: Srf;
  readonly #trunks: DrachtioTrunk[];
  readonly #contactHost: string;
  readonly #log: Logger;
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #registered = new Set<string>();
  #stopped = false;

  constructor(srf: Srf, trunks: readonly DrachtioTrunk[], edge: { address: string; port: number }, log: Logger) {
    this.#srf = srf;
    this.#trunks = trunks.filter((t) => t.register === true);
    this.#contactHost = `${edge.address}:${edge.port}`;
    this.#log = log;
  }

  /** Trunks the carrier has accepted a REGISTER from (and not yet unregistered). */
  get registered(): readonly string[] {
    return [...this.#registered];
  }

  start(): void {
    for (const trunk of this.#trunks) void this.#register(trunk);
  }

  async #send(trunk: DrachtioTrunk, expires: number): Promise<Srf.SrfResponse> {
    const user = trunk.username ?? 'tenor';
    const transport = trunk.transport === 'tcp' ? ';transport=tcp' : '';
    const aor = `<sip:${user}@${trunk.host}>`;
    return outOfDialogRequest(this.#srf, `sip:${trunk.host}:${trunk.port}${transport}`, {
      method: 'REGISTER',
      headers: { From: aor, To: aor, Contact: `<sip:${user}@${this.#contactHost}${transport}>`, Expires: String(expires) },
      ...(trunk.username !== undefined && trunk.password !== undefined ? { auth: { username: trunk.username, password: trunk.password } } : {}),
    }, 10_000);
  }

  async #register(trunk: DrachtioTrunk): Promise<void> {
    if (this.#stopped) return;
    let nextMs = RETRY_MS;
    try {
      const res = await this.#send(trunk, EXPIRES_S);
      if (res.status >= 200 && res.status < 300) {
        const granted = grantedSeconds(res, EXPIRES_S);
        this.#registered.add(trunk.name);
        // Refresh well before it lapses (at 80 %), as phones do.
        nextMs = Math.max(1000, granted * 800);
        this.#log.info({ trunk: trunk.name, expires: granted }, 'registered with the carrier');
      } else {
        this.#registered.delete(trunk.name);
        this.#log.warn({ trunk: trunk.name, status: res.status }, 'carrier refused the REGISTER: trying again later');
      }
    } catch (err) {
      this.#registered.delete(trunk.name);
      this.#log.warn({ trunk: trunk.name, err }, 'REGISTER to the carrier failed: trying again later');
    }
    if (this.#stopped) return;
    const timer = setTimeout(() => void this.#register(trunk), nextMs);
    timer.unref();
    this.#timers.set(trunk.name, timer);
  }

  /** Stops refreshing and unregisters every trunk that is registered. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    await Promise.all(this.#trunks.filter((t) => this.#registered.has(t.name)).map(async (trunk) => {
      try {
        const res = await this.#send(trunk, 0);
        this.#log.info({ trunk: trunk.name, status: res.status }, 'unregistered from the carrier');
      } catch (err) {
        this.#log.warn({ trunk: trunk.name, err }, 'unregistering from the carrier failed');
      }
      this.#registered.delete(trunk.name);
    }));
  }
}
