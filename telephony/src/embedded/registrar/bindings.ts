// Registered contacts per user, each with its own expiry. One timer per
// binding (unref'd) removes it when it lapses, so lookups never see the dead.
import { EventEmitter } from 'node:events';
import type { SipEndpoint } from '../sip/message.js';

export interface Binding {
  user: string;
  /** The Contact URI as the device gave it (where to send INVITEs). */
  contact: string;
  /** Where the REGISTER came from: used instead of the Contact when the device is behind NAT. */
  source: SipEndpoint;
  expiresAt: number;
  callId: string;
  cseq: number;
  userAgent?: string;
}

export interface BindingEvents {
  /** A device registered a contact that was not bound before. */
  registered: [binding: Binding];
  /** A contact went away: removed by the device, expired, or cleared at shutdown. */
  unregistered: [binding: Binding, reason: 'removed' | 'expired' | 'cleared'];
}

export class BindingTable extends EventEmitter<BindingEvents> {
  readonly #byUser = new Map<string, Map<string, Binding>>();
  readonly #timers = new Map<Binding, NodeJS.Timeout>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    super();
    this.#now = now;
  }

  /** Add or refresh a binding. Returns whether it was new. */
  upsert(binding: Binding): boolean {
    let contacts = this.#byUser.get(binding.user);
    if (!contacts) {
      contacts = new Map();
      this.#byUser.set(binding.user, contacts);
    }
    const previous = contacts.get(binding.contact);
    if (previous) this.#clearTimer(previous);
    contacts.set(binding.contact, binding);
    this.#arm(binding);
    if (!previous) this.emit('registered', binding);
    return !previous;
  }

  remove(user: string, contact: string): void {
    const binding = this.#byUser.get(user)?.get(contact);
    if (binding) this.#drop(binding, 'removed');
  }

  removeAll(user: string): void {
    for (const binding of [...(this.#byUser.get(user)?.values() ?? [])]) this.#drop(binding, 'removed');
  }

  /** Removes every binding registered over one connection (a WebSocket that closed); returns them. */
  removeBySource(source: SipEndpoint): Binding[] {
    const gone = [...this.#byUser.values()].flatMap((contacts) => [...contacts.values()])
      .filter((b) => b.source.transport === source.transport && b.source.address === source.address && b.source.port === source.port);
    for (const binding of gone) this.#drop(binding, 'removed');
    return gone;
  }

    get(user: string, contact: string): Binding | undefined {
    return this.#byUser.get(user)?.get(contact);
  }

  /** Live bindings of a user, most recently refreshed first. */
  lookup(user: string): Binding[] {
    const now = this.#now();
    return [...(this.#byUser.get(user)?.values() ?? [])]
      .filter((b) => b.expiresAt > now)
      .sort((a, b) => b.expiresAt - a.expiresAt);
  }

  /** Every live binding (all users): what a successor engine takes over (restore). */
  live(): Binding[] {
    const now = this.#now();
    return [...this.#byUser.values()].flatMap((contacts) => [...contacts.values()]).filter((b) => b.expiresAt > now).map((b) => ({ ...b, source: { ...b.source } }));
  }

  get size(): number {
    let n = 0;
    for (const contacts of this.#byUser.values()) n += contacts.size;
    return n;
  }

  get timerCount(): number {
    return this.#timers.size;
  }

  clear(): void {
    for (const contacts of [...this.#byUser.values()]) {
      for (const binding of [...contacts.values()]) this.#drop(binding, 'cleared');
    }
  }

  #arm(binding: Binding): void {
    const delay = Math.max(0, binding.expiresAt - this.#now());
    const timer = setTimeout(() => this.#drop(binding, 'expired'), delay);
    timer.unref();
    this.#timers.set(binding, timer);
  }

  #clearTimer(binding: Binding): void {
    const timer = this.#timers.get(binding);
    if (timer) clearTimeout(timer);
    this.#timers.delete(binding);
  }

  #drop(binding: Binding, reason: 'removed' | 'expired' | 'cleared'): void {
    const contacts = this.#byUser.get(binding.user);
    if (!contacts || contacts.get(binding.contact) !== binding) return;
    this.#clearTimer(binding);
    contacts.delete(binding.contact);
    if (contacts.size === 0) this.#byUser.delete(binding.user);
    this.emit('unregistered', binding, reason);
  }
}
