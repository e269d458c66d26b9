// NAT keep-alives for devices registered over UDP from behind a NAT (their
// Contact names another address or port than the REGISTER came from): an
// OPTIONS every interval keeps the NAT's mapping open, and a device that
// answers none of `maxMissed` in a row loses its binding, so calls are not
// offered to a phone that is gone. TCP/TLS devices ping us instead (CRLFCRLF,
// answered by the stream transport, RFC 5626 §4.4.1).
import type { Logger } from 'pino';
import type { Binding, BindingTable } from '../registrar/bindings.js';
import { getHeader, parseNameAddr } from '../sip/headers.js';
import type { SipStack } from '../sip/stack.js';
import { tryParseUri } from '../sip/uri.js';
import { newCallId, newRequest, newTag } from './outbound.js';

export interface NatKeepAliveOptions {
  intervalMs: number;
  maxMissed: number;
  bindings: BindingTable;
  stack(): SipStack | undefined;
  /** Host for our From and Call-ID. */
  host: string;
  log: Logger;
}

/** A binding is behind NAT when the address it registered from is not the one its Contact names. */
export function behindNat(binding: Binding): boolean {
  const uri = tryParseUri(binding.contact);
  if (!uri) return true;
  const host = uri.host.replace(/^\[|\]$/g, '');
  return host !== binding.source.address || (uri.port ?? 5060) !== binding.source.port;
}

export class NatKeepAlive {
  readonly #options: NatKeepAliveOptions;
  /** Unanswered pings in a row, per binding; a binding with a ping in flight is not pinged again. */
  readonly #missed = new Map<Binding, number>();
  readonly #inFlight = new Set<Binding>();
  #timer: NodeJS.Timeout | undefined;

  constructor(options: NatKeepAliveOptions) {
    this.#options = options;
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.#round(), this.#options.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#missed.clear();
    this.#inFlight.clear();
  }

  #round(): void {
    const stack = this.#options.stack();
    if (!stack) return;
    const live = new Set(this.#options.bindings.live().map((b) => key(b)));
    for (const tracked of this.#missed.keys()) if (!live.has(key(tracked))) this.#missed.delete(tracked);
    for (const binding of this.#options.bindings.live()) {
      if (binding.source.transport !== 'udp' || !behindNat(binding)) continue;
      const current = this.#options.bindings.get(binding.user, binding.contact);
      if (!current || this.#inFlight.has(current)) continue;
      this.#ping(stack, current);
    }
  }

  #ping(stack: SipStack, binding: Binding): void {
    const { host, log } = this.#options;
    const request = newRequest({
      method: 'OPTIONS', uri: binding.contact,
      from: `<sip:tenor@${host}>;tag=${newTag()}`, to: `<${binding.contact}>`,
      callId: newCallId(host), cseq: 1,
    });
    this.#inFlight.add(binding);
    const tx = stack.sendRequest(request, binding.source);
    tx.response.then((response) => {
      this.#inFlight.delete(binding);
      // A response the far end really sent carries a To tag (RFC 3261 §8.2.6.2); the
      // transaction's own 408 (timeout) and 503 (transport failure) do not.
      const answered = hasToTag(getHeader(response, 'To'));
      if (answered) {
        this.#missed.delete(binding);
        return;
      }
      const missed = (this.#missed.get(binding) ?? 0) + 1;
      this.#missed.set(binding, missed);
      log.info({ user: binding.user, peer: `${binding.source.address}:${binding.source.port}`, missed, callId: getHeader(request, 'Call-ID') }, 'keep-alive OPTIONS not answered');
      if (missed < this.#options.maxMissed) return;
      this.#missed.delete(binding);
      if (this.#options.bindings.get(binding.user, binding.contact) !== binding) return;
      log.warn({ user: binding.user, peer: `${binding.source.address}:${binding.source.port}`, missed }, 'device stopped answering keep-alives: binding removed');
      this.#options.bindings.remove(binding.user, binding.contact);
    }, (err: unknown) => {
      this.#inFlight.delete(binding);
      log.debug({ err, user: binding.user }, 'keep-alive OPTIONS failed');
    });
  }
}

function key(binding: Binding): string {
  return `${binding.user}\n${binding.contact}`;
}

function hasToTag(to: string | undefined): boolean {
  if (to === undefined) return false;
  try {
    return typeof parseNameAddr(to).params['tag'] === 'string';
  } catch {
    // An unreadable To is no proof that the device answered.
    return false;
  }
}
