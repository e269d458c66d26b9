// Trunks with `register: true`: the edge REGISTERs with the carrier (its
// digest challenge answered with the trunk's account) so the carrier sends
// calls to drachtio, refreshes before the granted expiry runs out, retries a
// failed attempt, and unregisters (Expires: 0) when the trunk is removed or
// changed, or the driver stops.
import type Srf from 'drachtio-srf';
import type { Logger } from 'pino';
import { sameTrunk, type TrunkConfig, type TrunkRegistrationState } from '../embedded/engine/trunks.js';
import { outOfDialogRequest } from './srf-requests.js';

/** Wait before trying again after a failed REGISTER. */
const RETRY_MS = 30_000;

/** The expiry the carrier granted: the Contact's own parameter, else the Expires header, else what we asked. */
function grantedSeconds(res: Srf.SrfResponse, asked: number): number {
  const contact = res.has('Contact') ? /;\s*expires\s*=\s*(\d+)/i.exec(res.get('Contact'))?.[1] : undefined;
  const header = res.has('Expires') ? res.get('Expires') : undefined;
  const granted = Number.parseInt(contact ?? header ?? String(asked), 10);
  return Number.isFinite(granted) && granted > 0 ? granted : asked;
}

/** One trunk's registration, kept up until stopped. */
class TrunkRegistration {
  readonly trunk: TrunkConfig;
  readonly #srf: Srf;
  readonly #contactHost: string;
  readonly #log: Logger;
  #timer: NodeJS.Timeout | undefined;
  #state: TrunkRegistrationState = { state: 'registering', detail: null };
  #stopped = false;

  constructor(srf: Srf, trunk: TrunkConfig, contactHost: string, log: Logger) {
    this.#srf = srf;
    this.trunk = trunk;
    this.#contactHost = contactHost;
    this.#log = log.child({ trunk: trunk.name });
  }

  get state(): TrunkRegistrationState {
    return this.#state;
  }

  start(): void {
    void this.#register();
  }

  #send(expires: number): Promise<Srf.SrfResponse> {
    const t = this.trunk;
    const user = t.username ?? 'tenor';
    const transport = t.transport === 'tcp' ? ';transport=tcp' : '';
    const aor = `<sip:${user}@${t.fromDomain ?? t.host}>`;
    return outOfDialogRequest(this.#srf, `sip:${t.host}:${t.port}${transport}`, {
      method: 'REGISTER',
      headers: { From: aor, To: aor, Contact: `<sip:${user}@${this.#contactHost}${transport}>`, Expires: String(expires) },
      ...(t.username !== undefined && t.password !== undefined ? { auth: { username: t.username, password: t.password } } : {}),
    }, 10_000);
  }

  async #register(): Promise<void> {
    const asked = this.trunk.registerExpires ?? 3600;
    let nextMs = RETRY_MS;
    try {
      const res = await this.#send(asked);
      if (this.#stopped) return;
      if (res.status >= 200 && res.status < 300) {
        const granted = grantedSeconds(res, asked);
        this.#state = { state: 'registered', detail: `expires in ${granted} s` };
        // Refresh well before it lapses (at 80 %), as phones do.
        nextMs = Math.max(1000, granted * 800);
        this.#log.info({ expires: granted }, 'registered with the carrier');
      } else {
        this.#state = { state: 'failed', detail: `${res.status} ${res.reason}` };
        this.#log.warn({ status: res.status }, 'carrier refused the REGISTER: trying again later');
      }
    } catch (err) {
      if (this.#stopped) return;
      this.#state = { state: 'failed', detail: err instanceof Error ? err.message : String(err) };
      this.#log.warn({ err }, 'REGISTER to the carrier failed: trying again later');
    }
    if (this.#stopped) return;
    this.#timer = setTimeout(() => void this.#register(), nextMs);
    this.#timer.unref();
  }

  /** Stops refreshing and unregisters when registered. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearTimeout(this.#timer);
    const wasRegistered = this.#state.state === 'registered';
    this.#state = { state: 'stopped', detail: null };
    if (!wasRegistered) return;
    try {
      const res = await this.#send(0);
      this.#log.info({ status: res.status }, 'unregistered from the carrier');
    } catch (err) {
      this.#log.warn({ err }, 'unregistering from the carrier failed');
    }
  }
}

export class TrunkRegistrations {
  readonly #srf: Srf;
  readonly #contactHost: string;
  readonly #log: Logger;
  readonly #byName = new Map<string, TrunkRegistration>();
  #started = false;

  constructor(srf: Srf, edge: { address: string; port: number }, log: Logger) {
    this.#srf = srf;
    this.#contactHost = `${edge.address}:${edge.port}`;
    this.#log = log;
  }

  /** Where the registration to a trunk stands; undefined for a trunk that does not register. */
  state(name: string): TrunkRegistrationState | undefined {
    return this.#byName.get(name)?.state;
  }

  /** Starts registering the trunks that ask for it. */
  start(trunks: readonly TrunkConfig[]): void {
    this.#started = true;
    for (const trunk of trunks) this.#add(trunk);
  }

  #add(trunk: TrunkConfig): void {
    if (trunk.register !== true) return;
    const registration = new TrunkRegistration(this.#srf, trunk, this.#contactHost, this.#log);
    this.#byName.set(trunk.name, registration);
    registration.start();
  }

  /** The trunks changed: registrations of removed or changed trunks end (unregistered), new ones start. */
  async replace(trunks: readonly TrunkConfig[]): Promise<void> {
    if (!this.#started) return;
    const next = new Map(trunks.map((t) => [t.name, t]));
    const ending: Array<Promise<void>> = [];
    for (const [name, registration] of [...this.#byName]) {
      const now = next.get(name);
      if (now && sameTrunk(now, registration.trunk)) continue;
      this.#byName.delete(name);
      ending.push(registration.stop());
    }
    await Promise.all(ending);
    for (const trunk of trunks) if (!this.#byName.has(trunk.name)) this.#add(trunk);
  }

  /** Stops refreshing and unregisters every trunk that is registered. */
  async stop(): Promise<void> {
    this.#started = false;
    const all = [...this.#byName.values()];
    this.#byName.clear();
    await Promise.all(all.map((r) => r.stop()));
  }
}
