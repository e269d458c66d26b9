// REGISTER handling (RFC 3261 §10.3) over already-extracted request fields, so
// the rules (authentication, expiry, removal) are testable without a socket;
// sip-register.ts maps a SipRequest onto these fields.
import type { Logger } from 'pino';
import type { HeaderField, SipEndpoint } from '../sip/message.js';
import type { DigestAlgorithm } from './digest.js';
import { BindingTable, type Binding } from './bindings.js';
import { DigestAuthenticator } from './digest-server.js';
import type { CredentialStore } from './credentials.js';
import { UserAuthThrottle, type UserThrottleConfig } from './user-throttle.js';
import { AlgorithmFallback } from './algorithm-fallback.js';

export interface RegistrarOptions {
  realm: string;
  credentials: CredentialStore;
  /** Shorter requested expiries get 423 Interval Too Brief. Default 60 s. */
  minExpires?: number;
  /** Longer requested expiries are cut down to this. Default 3600 s. */
  maxExpires?: number;
  /** Used when the REGISTER names no expiry. Default 3600 s. */
  defaultExpires?: number;
  nonceTtlMs?: number;
  /** Digest algorithms offered (default MD5 only; see DigestAuthenticatorOptions.algorithms). */
  algorithms?: readonly DigestAlgorithm[];
  /** Told of every failed authentication (a wrong answer, not a first unauthenticated try), for rate limiting. */
  onAuthFailure?: (address: string) => void;
  /** Failed authentications per username before it is refused for a while (see user-throttle.ts). */
  userAuthLimit?: Partial<Omit<UserThrottleConfig, 'now'>>;
  /** Where refusals (replays, locked usernames) are logged. */
  logger?: Logger;
  now?: () => number;
}

export interface RegisterContact {
  uri: string;
  /** The contact's own ";expires=" parameter, seconds. */
  expires?: number;
}

export interface RegisterInput {
  /** The user part of the To URI (the address of record). */
  user: string | undefined;
  /** The listed contacts, '*' for "Contact: *", [] for a query. */
  contacts: RegisterContact[] | '*';
  /** The Expires header, seconds. */
  expires?: number;
  /** Authorization header values. */
  authorization: string[];
  callId: string;
  cseq: number;
  source: SipEndpoint;
  userAgent?: string;
  /**
   * The user the connection already proved to be (a WebSocket behind the web
   * login): the REGISTER needs no digest, and binds only this user's address.
   */
  authenticatedUser?: string;
}

export interface RegisterOutcome {
  status: number;
  reason: string;
  headers: HeaderField[];
  /** The authenticated user when authentication passed. */
  user?: string;
}

export class Registrar {
  readonly bindings: BindingTable;
  readonly #auth: DigestAuthenticator;
  readonly #opts: Required<Pick<RegistrarOptions, 'minExpires' | 'maxExpires' | 'defaultExpires'>>;
  readonly #onAuthFailure: ((address: string) => void) | undefined;
  readonly #throttle: UserAuthThrottle;
  readonly #fallback: AlgorithmFallback;
  readonly #log: Logger | undefined;
  readonly #now: () => number;

  constructor(opts: RegistrarOptions) {
    this.#now = opts.now ?? Date.now;
    this.bindings = new BindingTable(this.#now);
    this.#auth = new DigestAuthenticator({
      realm: opts.realm,
      credentials: opts.credentials,
      ...(opts.nonceTtlMs !== undefined ? { nonceTtlMs: opts.nonceTtlMs } : {}),
      ...(opts.algorithms !== undefined ? { algorithms: opts.algorithms } : {}),
      now: this.#now,
    });
    this.#opts = {
      minExpires: opts.minExpires ?? 60,
      maxExpires: opts.maxExpires ?? 3600,
      defaultExpires: opts.defaultExpires ?? 3600,
    };
    this.#onAuthFailure = opts.onAuthFailure;
    this.#throttle = new UserAuthThrottle({ ...opts.userAuthLimit, now: this.#now });
    this.#fallback = new AlgorithmFallback({ pendingMs: opts.nonceTtlMs ?? 300_000, now: this.#now });
    this.#log = opts.logger;
  }

  get realm(): string {
    return this.#auth.realm;
  }

  /** The authenticator, for other requests that need the same realm and users (e.g. INVITE from a device). */
  get authenticator(): DigestAuthenticator {
    return this.#auth;
  }

  lookup(user: string): Binding[] {
    return this.bindings.lookup(user);
  }

  async handle(input: RegisterInput): Promise<RegisterOutcome> {
    if (!input.user) return { status: 400, reason: 'Bad Request', headers: [] };
    if (input.authenticatedUser !== undefined) {
      if (input.user !== input.authenticatedUser) {
        this.#log?.warn({ user: input.user, signedIn: input.authenticatedUser, address: input.source.address, callId: input.callId },
          'REGISTER refused: a websocket may register only its own login');
        return { status: 403, reason: 'Forbidden', headers: [] };
      }
      return this.#bind(input.user, input);
    }
    const claimed = this.#auth.claimedUser(input.authorization);
    const locked = claimed === undefined ? 0 : this.#lockFor(claimed, input.source);
    if (claimed !== undefined && locked > 0) {
      this.#log?.info({ user: claimed, address: input.source.address, callId: input.callId, retryAfterS: Math.ceil(locked / 1000) },
        'REGISTER refused: too many failed authentications for this user');
      return {
        status: 503, reason: 'Service Unavailable',
        headers: [
          { name: 'Retry-After', value: String(Math.ceil(locked / 1000)) },
          { name: 'Warning', value: '399 tenor "too many failed authentications for this user; retry later"' },
        ],
      };
    }
    const auth = await this.#auth.verify(input.authorization, 'REGISTER');
    if (!auth.ok) {
      if (auth.reason === 'missing') this.#noteUnanswered(input.user, input.source.address);
      if (auth.reason !== 'missing') this.#onAuthFailure?.(input.source.address);
      if (auth.reason === 'replayed') {
        this.#log?.warn({ user: auth.user, address: input.source.address, callId: input.callId }, 'REGISTER refused: digest answer replayed');
      }
      if (auth.user !== undefined && (auth.reason === 'bad-credentials' || auth.reason === 'replayed' || auth.reason === 'malformed')) {
        const lockMs = this.#throttle.recordFailure(auth.user);
        if (lockMs !== undefined) {
          this.#log?.warn({ user: auth.user, address: input.source.address, callId: input.callId, lockMs },
            'SIP authentication failures for this user: refused for a while');
        }
      }
      return this.#challenge(auth.stale, claimed ?? input.user, input.user, input.source.address);
    }
    this.#throttle.recordSuccess(auth.user);
    this.#fallback.answered(input.user, input.source.address, auth.algorithm);
    // A user may only bind their own address of record.
    if (auth.user !== input.user) {
      this.#onAuthFailure?.(input.source.address);
      return { status: 403, reason: 'Forbidden', headers: [] };
    }
    return this.#bind(input.user, input);
  }

  /** Applies an authenticated REGISTER's contacts (§10.3 steps 6-8). */
  #bind(user: string, input: RegisterInput): RegisterOutcome {
    if (input.contacts === '*') {
      if (input.expires !== 0) return { status: 400, reason: 'Bad Request', headers: [] };
      this.bindings.removeAll(user);
      return this.#ok(user);
    }

    const plan: Array<{ uri: string; expires: number }> = [];
    for (const contact of input.contacts) {
      const requested = contact.expires ?? input.expires ?? this.#opts.defaultExpires;
      if (requested > 0 && requested < this.#opts.minExpires) {
        return {
          status: 423, reason: 'Interval Too Brief',
          headers: [{ name: 'Min-Expires', value: String(this.#opts.minExpires) }],
        };
      }
      const existing = this.bindings.get(user, contact.uri);
      // A retransmitted or reordered REGISTER must not undo a newer one (RFC 3261 §10.3 step 7).
      if (existing && existing.callId === input.callId && existing.cseq >= input.cseq) {
        return { status: 500, reason: 'Server Internal Error', headers: [] };
      }
      plan.push({ uri: contact.uri, expires: Math.min(requested, this.#opts.maxExpires) });
    }
    for (const { uri, expires } of plan) {
      if (expires === 0) {
        this.bindings.remove(user, uri);
        continue;
      }
      this.bindings.upsert({
        user, contact: uri, source: input.source,
        expiresAt: this.#now() + expires * 1000,
        callId: input.callId, cseq: input.cseq,
        ...(input.userAgent !== undefined ? { userAgent: input.userAgent } : {}),
      });
    }
    return this.#ok(user);
  }

  /**
   * How long a username is still refused; 0 for an address the user is
   * registered from now (their own phone re-registering during an attack).
   */
  #lockFor(user: string, source: SipEndpoint): number {
    const lockedMs = this.#throttle.lockedFor(user);
    if (lockedMs === 0) return 0;
    return this.bindings.lookup(user).some((b) => b.source.address === source.address) ? 0 : lockedMs;
  }

  /** The 401 for any failed or missing authentication: identical for known and unknown users apart from the nonce. */
  async #challenge(stale: boolean, authUser: string, user: string, address: string): Promise<RegisterOutcome> {
    // The device's own algorithms (an older phone marked MD5 only) first; the fallback is the safety net for the rest.
    const offered = this.#fallback.offerFor(user, address, await this.#auth.offeredTo(authUser));
    this.#fallback.challenged(user, address, offered);
    return {
      status: 401, reason: 'Unauthorized',
      headers: this.#auth.challenges(stale, offered).map((value) => ({ name: 'WWW-Authenticate', value })),
    };
  }

  /** A REGISTER without an answer: maybe a phone that could not answer SHA-256 (see algorithm-fallback.ts). */
  #noteUnanswered(user: string, address: string): void {
    const before = this.#fallback.needsMd5(user, address);
    this.#fallback.unanswered(user, address);
    if (!before && this.#fallback.needsMd5(user, address)) {
      this.#log?.info({ user, address }, 'phone did not answer the SHA-256 challenge: offering it MD5 only');
    }
  }

  #ok(user: string): RegisterOutcome {
    const now = this.#now();
    const headers: HeaderField[] = this.bindings.lookup(user).map((b) => ({
      name: 'Contact',
      value: `<${b.contact}>;expires=${Math.max(0, Math.round((b.expiresAt - now) / 1000))}`,
    }));
    headers.push({ name: 'Date', value: new Date(now).toUTCString() });
    return { status: 200, reason: 'OK', headers, user };
  }

  close(): void {
    this.bindings.clear();
  }
}
