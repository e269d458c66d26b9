// The api_tokens table. Rows are few (one per integration), so the service
// keeps them all in memory and this repository is only read at start and
// written on change.

import type { SqlExecutor } from '../../store/database.js';
import type { Role } from '../../store/repos/users.js';

export interface StoredApiToken {
  id: string;
  name: string;
  role: Role;
  /** The agent login an agent token acts as. */
  agent: string | undefined;
  /** HMAC-SHA-256 of the whole secret (hex). */
  secretHash: string;
  createdBy: string;
  createdAt: number;
  expiresAt: number | undefined;
  revokedAt: number | undefined;
  lastUsedAt: number | undefined;
}

interface Row {
  id: string;
  name: string;
  role: Role;
  agent: string | null;
  secret_hash: string;
  created_by: string;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
}

export class ApiTokenStore {
  readonly #db: SqlExecutor;

  constructor(db: SqlExecutor) {
    this.#db = db;
  }

  async all(): Promise<StoredApiToken[]> {
    const rows = await this.#db.all<Row>('SELECT * FROM api_tokens ORDER BY created_at, id');
    return rows.map((r) => ({
      id: r.id, name: r.name, role: r.role, agent: r.agent ?? undefined, secretHash: r.secret_hash, createdBy: r.created_by,
      createdAt: r.created_at, expiresAt: r.expires_at ?? undefined, revokedAt: r.revoked_at ?? undefined, lastUsedAt: r.last_used_at ?? undefined,
    }));
  }

  async insert(t: StoredApiToken): Promise<void> {
    await this.#db.run(
      'INSERT INTO api_tokens (id, name, role, agent, secret_hash, created_by, created_at, expires_at, revoked_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)',
      [t.id, t.name, t.role, t.agent ?? null, t.secretHash, t.createdBy, t.createdAt, t.expiresAt ?? null],
    );
  }

  async revoke(id: string, at: number): Promise<void> {
    await this.#db.run('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [at, id]);
  }

  /** Write the last-used times gathered since the previous flush (one statement per token used). */
  async recordUse(uses: ReadonlyMap<string, number>): Promise<void> {
    for (const [id, at] of uses) await this.#db.run('UPDATE api_tokens SET last_used_at = MAX(COALESCE(last_used_at, 0), ?) WHERE id = ?', [at, id]);
  }
}
