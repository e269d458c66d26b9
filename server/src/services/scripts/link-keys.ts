// Which self-service links are still good: the signing key of the current
// generation, and the revocation list. Generation 0 signs with the
// installation secret itself, so links made before rotation existed keep
// working until they expire or the key is rotated; generation n signs with
// HMAC(secret, "self-service-links:n").

import { createHmac } from 'node:crypto';
import { TenorError } from '../../core/errors.js';
import type { Database } from '../../store/database.js';
import type { LinkClaims } from './links.js';

export class LinkKeys {
  readonly #db: Database;
  readonly #secret: Buffer;
  #generation = 0;

  private constructor(db: Database, secret: Buffer) {
    this.#db = db;
    this.#secret = secret;
  }

  static async load(db: Database, secret: Buffer): Promise<LinkKeys> {
    const keys = new LinkKeys(db, secret);
    const row = await db.get<{ generation: number }>('SELECT generation FROM script_link_key WHERE id = 1');
    keys.#generation = row?.generation ?? 0;
    return keys;
  }

  get generation(): number {
    return this.#generation;
  }

  /** The key links are signed and checked with now. */
  current(): Buffer {
    return this.#generation === 0 ? this.#secret : createHmac('sha256', this.#secret).update(`self-service-links:${this.#generation}`).digest();
  }

  /** A new key: every link made before stops working. */
  async rotate(by: string, now: number = Date.now()): Promise<number> {
    const next = this.#generation + 1;
    await this.#db.run(
      `INSERT INTO script_link_key (id, generation, rotated_at, rotated_by) VALUES (1, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET generation = excluded.generation, rotated_at = excluded.rotated_at, rotated_by = excluded.rotated_by`,
      [next, now, by],
    );
    this.#generation = next;
    return next;
  }

  /** Withdraw one link by its id; kept until the longest a link can live has passed. */
  async revoke(linkId: string, by: string, keepUntil: number, now: number = Date.now()): Promise<void> {
    await this.#db.run('DELETE FROM script_link_revocations WHERE expires_at < ?', [now]);
    await this.#db.run('INSERT INTO script_link_revocations (link_id, revoked_at, revoked_by, expires_at) VALUES (?, ?, ?, ?) ON CONFLICT (link_id) DO NOTHING', [linkId, now, by, keepUntil]);
  }

  /** Throws TENOR_ERR_LINK_REVOKED for a withdrawn link. */
  async requireNotRevoked(claims: LinkClaims): Promise<void> {
    if (claims.id === undefined) return;
    const row = await this.#db.get<{ link_id: string }>('SELECT link_id FROM script_link_revocations WHERE link_id = ?', [claims.id]);
    if (row) throw new TenorError('TENOR_ERR_LINK_REVOKED');
  }
}
