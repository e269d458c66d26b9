// The secrets FreeSWITCH checks a browser phone's registration against. The
// browser never holds a SIP secret: Tenor's /sip relay (sip-ws-relay.ts)
// answers FreeSWITCH's digest challenge for the signed-in user. The secret it
// answers with is one Tenor derives from a key made at random for this start
// (HMAC of the user name), served to FreeSWITCH's directory only while that
// user has a /sip connection open; a user who also has a device secret in
// Tenor's store is served that one, as before, and the relay answers with it.
// So FreeSWITCH still authenticates every registration and call, and nothing
// outside Tenor's process can compute what it expects.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { CredentialStore, StoredCredential } from '../embedded/registrar/credentials.js';
import { md5Ha1 } from './directory-xml.js';

export class RelayDirectory implements CredentialStore {
  readonly #store: CredentialStore;
  readonly #realm: string;
  readonly #key = randomBytes(32);
  /** Users with a relay connection open, and how many. */
  readonly #open = new Map<string, number>();

  /** `realm`: Tenor's domain, FreeSWITCH's digest realm. */
  constructor(store: CredentialStore, realm: string) {
    this.#store = store;
    this.#realm = realm;
  }

  get realm(): string {
    return this.#realm;
  }

  /** A relay connection for `user` opened: its derived secret is served until the last one closes. */
  opened(user: string): void {
    this.#open.set(user, (this.#open.get(user) ?? 0) + 1);
  }

  closed(user: string): void {
    const left = (this.#open.get(user) ?? 1) - 1;
    if (left <= 0) this.#open.delete(user);
    else this.#open.set(user, left);
  }

  /** What FreeSWITCH's directory (xml-curl-server.ts) is served for `user`. */
  async lookup(user: string): Promise<StoredCredential | undefined> {
    const stored = await this.#store.lookup(user);
    if (stored && md5Ha1(user, this.#realm, stored) !== undefined) return stored;
    if (this.#open.has(user)) return { passwordHash: { MD5: this.#derivedHa1(user) } };
    return stored;
  }

  /** H(user:realm:secret) the relay answers a challenge with; undefined when the directory serves nothing for `user`. */
  async ha1(user: string): Promise<string | undefined> {
    const credential = await this.lookup(user);
    return credential && md5Ha1(user, this.#realm, credential);
  }

  #derivedHa1(user: string): string {
    const secret = createHmac('sha256', this.#key).update(user, 'utf8').digest('base64url');
    return createHash('md5').update(`${user}:${this.#realm}:${secret}`, 'utf8').digest('hex');
  }
}
