// Where the registrar finds a user's secret. The server backs this with its
// database; the in-memory store serves tests and small setups.
import type { DigestAlgorithm } from './digest.js';

/**
 * A user's secret: the clear password, or precomputed HA1 values
 * (H(user:realm:password)) per algorithm for stores that never keep passwords.
 * `algorithms`, when given, are the only ones this user's device is offered
 * (those of the registrar's that it lists), e.g. ['MD5'] for an older phone that
 * gives up when offered SHA-256; without it the device gets the registrar's list.
 */
export type StoredCredential = (
  | { password: string }
  | { passwordHash: Partial<Record<DigestAlgorithm, string>> }
) & { algorithms?: readonly DigestAlgorithm[] };

export interface CredentialStore {
  /** undefined when the user does not exist (the caller must not reveal that). */
  lookup(user: string): Promise<StoredCredential | undefined> | StoredCredential | undefined;
}

export class InMemoryCredentialStore implements CredentialStore {
  readonly #users = new Map<string, StoredCredential>();

  constructor(users: Record<string, string> = {}) {
    for (const [user, password] of Object.entries(users)) this.#users.set(user, { password });
  }

  set(user: string, credential: StoredCredential | string): void {
    this.#users.set(user, typeof credential === 'string' ? { password: credential } : credential);
  }

  delete(user: string): void {
    this.#users.delete(user);
  }

  lookup(user: string): StoredCredential | undefined {
    return this.#users.get(user);
  }
}
