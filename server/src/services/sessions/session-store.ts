// Web sessions in the database, so a restart does not log everyone out. A
// session id is 256 random bits, handed to the browser once (in the cookie)
// and stored only as its SHA-256. Each session carries its own CSRF token.
//
// Expiry: idle (no authenticated request for idleMs) and absolute (absoluteMs
// after login, whatever the activity). Both are checked on every lookup; an
// expired row is deleted when it is found and swept at login.
//
// Rows looked up are kept in memory too (this store is the only writer of the
// table while the server runs: every change goes through it and updates the
// copy), so a request with a session cookie reads no row from the database —
// the session lookup was a third of the cost of GET /api/auth/me.

import { hash, randomBytes } from 'node:crypto';
import type { SqlExecutor } from '../../store/database.js';
import type { AccessClock } from './clock.js';

export interface WebSession {
  /** SHA-256 of the id (hex): names the session in logs and events without revealing it. */
  idHash: string;
  username: string;
  csrfToken: string;
  createdAt: number;
  lastSeenAt: number;
  /** When the session ends if nothing else happens (the earlier of idle and absolute expiry). */
  expiresAt: number;
}

export interface SessionTimeouts {
  idleMs: number;
  absoluteMs: number;
  /**
   * last_seen_at is written at most this often: a busy client does not write
   * on every request, at the price of idle expiry being up to this much late.
   */
  touchEveryMs: number;
}

export const defaultSessionTimeouts: SessionTimeouts = { idleMs: 30 * 60_000, absoluteMs: 12 * 3_600_000, touchEveryMs: 15_000 };

interface SessionRow {
  id_hash: string;
  username: string;
  csrf_token: string;
  created_at: number;
  last_seen_at: number;
}

// crypto.hash is the one-shot form: no Hash object per call (it ran on every request with a session cookie).
export function hashSessionId(id: string): string {
  return hash('sha256', id, 'hex');
}

/** Sessions kept in memory at most (the oldest looked-up ones are dropped first; they are read again when used). */
const MAX_CACHED_SESSIONS = 10_000;

export class SessionStore {
  readonly #db: SqlExecutor;
  readonly #rows = new Map<string, SessionRow>();
  /** The WebSession of each row in memory, made once and shared by every lookup until the row changes (a touch). */
  readonly #views = new WeakMap<SessionRow, Readonly<WebSession>>();
  /** Bumped by every deletion: a row read before a deletion is not remembered after it (a logout must not be undone by a lookup in flight). */
  #deletions = 0;
  readonly #clock: AccessClock;
  readonly timeouts: SessionTimeouts;

  constructor(db: SqlExecutor, clock: AccessClock, timeouts: SessionTimeouts = defaultSessionTimeouts) {
    this.#db = db;
    this.#clock = clock;
    this.timeouts = timeouts;
  }

  /** A new session for a user who just proved their password; the id is returned once and never stored. */
  async create(username: string, meta: { userAgent?: string; address?: string } = {}): Promise<{ id: string; session: WebSession }> {
    const now = this.#clock.now();
    await this.#sweep(now);
    const id = randomBytes(32).toString('base64url');
    const row: SessionRow = { id_hash: hashSessionId(id), username, csrf_token: randomBytes(32).toString('base64url'), created_at: now, last_seen_at: now };
    await this.#db.run(
      'INSERT INTO web_sessions (id_hash, username, csrf_token, created_at, last_seen_at, user_agent, address) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [row.id_hash, row.username, row.csrf_token, row.created_at, row.last_seen_at, meta.userAgent?.slice(0, 200) ?? null, meta.address ?? null],
    );
    this.#remember(row);
    return { id, session: this.#toSession(row) };
  }

  /**
   * The live session for an id, or undefined (unknown or expired: an expired
   * one is deleted). `touch` counts this as activity (an API request does; a
   * WebSocket's periodic check does not, or an open tab would never go idle).
   *
   * Answers synchronously when the row is in memory and nothing needs writing
   * (the common case: a live session touched less than touchEveryMs ago), so a
   * request with a session cookie makes no promise here; a promise otherwise
   * (a row to read, an expired row to delete, a last_seen_at to write).
   */
  resolve(id: string, opts: { touch: boolean }): WebSession | undefined | Promise<WebSession | undefined> {
    const idHash = hashSessionId(id);
    const cached = this.#rows.get(idHash);
    if (cached) return this.#live(cached, opts.touch);
    return this.#row(idHash).then((row) => (row ? this.#live(row, opts.touch) : undefined));
  }

  /** The session of a row found for a lookup: expiry checked (an expired row deleted), activity recorded. */
  #live(row: SessionRow, touch: boolean): WebSession | undefined | Promise<WebSession | undefined> {
    const now = this.#clock.now();
    if (this.#expired(row, now)) {
      this.#forget(row.id_hash);
      return this.#db.run('DELETE FROM web_sessions WHERE id_hash = ?', [row.id_hash]).then(() => undefined);
    }
    if (touch && now - row.last_seen_at >= this.timeouts.touchEveryMs) {
      return this.#db.run('UPDATE web_sessions SET last_seen_at = ? WHERE id_hash = ?', [now, row.id_hash]).then(() => {
        row.last_seen_at = now;
        this.#views.delete(row);
        return this.#toSession(row);
      });
    }
    return this.#toSession(row);
  }

  /** True when the session named by its hash is still live (no activity counted). */
  async isLive(idHash: string): Promise<boolean> {
    const row = await this.#row(idHash);
    return row !== undefined && !this.#expired(row, this.#clock.now());
  }

  /** End a session; returns its hash when there was one. */
  async destroy(id: string): Promise<string | undefined> {
    const idHash = hashSessionId(id);
    this.#forget(idHash);
    const { changes } = await this.#db.run('DELETE FROM web_sessions WHERE id_hash = ?', [idHash]);
    return changes > 0 ? idHash : undefined;
  }

  /** End every session of a user (password changed, user removed); returns their hashes. */
  async destroyAllOf(username: string): Promise<string[]> {
    const forgetAll = () => {
      this.#deletions += 1;
      for (const [idHash, row] of this.#rows) if (row.username === username) this.#rows.delete(idHash);
    };
    forgetAll();
    const rows = await this.#db.all<{ id_hash: string }>('SELECT id_hash FROM web_sessions WHERE username = ?', [username]);
    await this.#db.run('DELETE FROM web_sessions WHERE username = ?', [username]);
    forgetAll();
    return rows.map((r) => r.id_hash);
  }

  /** The row of a session: from memory, else from the database (and then remembered). */
  async #row(idHash: string): Promise<SessionRow | undefined> {
    const cached = this.#rows.get(idHash);
    if (cached) return cached;
    const before = this.#deletions;
    const row = await this.#db.get<SessionRow>('SELECT id_hash, username, csrf_token, created_at, last_seen_at FROM web_sessions WHERE id_hash = ?', [idHash]);
    if (!row) return undefined;
    // A deletion ran meanwhile: this row may be the deleted one; ask again (statements run in order) and keep nothing.
    if (before !== this.#deletions) return this.#db.get<SessionRow>('SELECT id_hash, username, csrf_token, created_at, last_seen_at FROM web_sessions WHERE id_hash = ?', [idHash]);
    this.#remember(row);
    return row;
  }

  #forget(idHash: string): void {
    this.#deletions += 1;
    this.#rows.delete(idHash);
  }

  #remember(row: SessionRow): void {
    this.#rows.set(row.id_hash, row);
    if (this.#rows.size > MAX_CACHED_SESSIONS) {
      const oldest = this.#rows.keys().next();
      if (!oldest.done) this.#rows.delete(oldest.value);
    }
  }

  #expired(row: SessionRow, now: number): boolean {
    return now - row.last_seen_at >= this.timeouts.idleMs || now - row.created_at >= this.timeouts.absoluteMs;
  }

  async #sweep(now: number): Promise<void> {
    for (const [idHash, row] of this.#rows) if (this.#expired(row, now)) this.#forget(idHash);
    await this.#db.run('DELETE FROM web_sessions WHERE last_seen_at <= ? OR created_at <= ?', [now - this.timeouts.idleMs, now - this.timeouts.absoluteMs]);
  }

  /** The row as a WebSession: frozen, since one object answers every lookup of the row until it is touched. */
  #toSession(row: SessionRow): Readonly<WebSession> {
    let view = this.#views.get(row);
    if (!view) this.#views.set(row, (view = Object.freeze(this.#view(row))));
    return view;
  }

  #view(row: SessionRow): WebSession {
    return {
      idHash: row.id_hash,
      username: row.username,
      csrfToken: row.csrf_token,
      createdAt: row.created_at,
      lastSeenAt: row.last_seen_at,
      expiresAt: Math.min(row.last_seen_at + this.timeouts.idleMs, row.created_at + this.timeouts.absoluteMs),
    };
  }
}
