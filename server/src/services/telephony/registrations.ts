// Phones' registrations carried from one telephony version to the next. A replaced
// engine's registrar would otherwise start empty, and every phone would be out of
// reach until its next REGISTER (up to its expiry, an hour by default). The engines
// with Tenor's own registrar (embedded, drachtio) hand their live bindings over when
// they stop; the next version takes them when it starts, with their own expiries.
// FreeSWITCH keeps its registrations in its own process (sofia), not here.

import type { Logger } from 'pino';
import type { Binding, BindingTable } from '@tenor/telephony';

/** An engine that has Tenor's registrar (EmbeddedDriver, DrachtioDriver). */
interface WithRegistrar {
  registrar: { bindings: BindingTable } | undefined;
}

function bindingsOf(engine: object): BindingTable | undefined {
  return 'registrar' in engine ? (engine as WithRegistrar).registrar?.bindings : undefined;
}

export class CarriedRegistrations {
  #bindings: Binding[] = [];

  /** The engine stops: keep its live bindings for the next version. */
  keep(engine: object, log: Logger): void {
    const table = bindingsOf(engine);
    if (!table) return;
    this.#bindings = table.live();
    log.info({ registrations: this.#bindings.length }, 'registrations kept for the next telephony version');
  }

  /** The next engine started: it takes the bindings that have not expired meanwhile. */
  handTo(engine: object, log: Logger): void {
    const table = bindingsOf(engine);
    const carried = this.#bindings;
    this.#bindings = [];
    if (!table || carried.length === 0) return;
    const now = Date.now();
    const live = carried.filter((b) => b.expiresAt > now);
    for (const binding of live) table.upsert(binding);
    log.info({ registrations: live.length, expired: carried.length - live.length }, 'registrations taken over from the previous telephony version');
  }
}
