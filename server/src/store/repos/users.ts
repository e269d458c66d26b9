// The users aggregate: who may log in, with which role. Passwords are stored
// only as scrypt hashes.

import type { SqlExecutor } from '../database.js';
import { TenorError } from '../../core/errors.js';

export type Role = 'agent' | 'supervisor' | 'admin';

export interface User {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  createdAt: string;
  updatedAt: string;
}

/** The digest secrets of a user for one SIP realm: H(user:realm:password) per algorithm. */
export interface SipDigestSecrets {
  realm: string;
  ha1Md5: string;
  ha1Sha256: string;
}

interface UserRow {
  id: number;
  username: string;
  display_name: string;
  password_hash: string;
  role: Role;
  created_at: string;
  updated_at: string;
}

/** SQL condition: the row is not an admin, or another admin exists. */
const ANOTHER_ADMIN_REMAINS = "(role <> 'admin' OR (SELECT COUNT(*) FROM users WHERE role = 'admin') > 1)";

function toUser(row: UserRow): User {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export class UsersRepository {
  constructor(private readonly db: SqlExecutor) {}

  async count(): Promise<number> {
    const row = await this.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM users');
    return row?.n ?? 0;
  }

  async findByUsername(username: string): Promise<User | undefined> {
    const row = await this.db.get<UserRow>('SELECT * FROM users WHERE username = ?', [username]);
    return row && toUser(row);
  }

  async passwordHash(username: string): Promise<string | undefined> {
    const row = await this.db.get<{ password_hash: string }>('SELECT password_hash FROM users WHERE username = ?', [username]);
    return row?.password_hash;
  }

  async list(): Promise<User[]> {
    return (await this.db.all<UserRow>('SELECT * FROM users ORDER BY username')).map(toUser);
  }

  async sipSecrets(username: string): Promise<SipDigestSecrets | undefined> {
    const row = await this.db.get<{ sip_realm: string | null; sip_ha1_md5: string | null; sip_ha1_sha256: string | null }>(
      'SELECT sip_realm, sip_ha1_md5, sip_ha1_sha256 FROM users WHERE username = ?',
      [username],
    );
    if (!row?.sip_realm || !row.sip_ha1_md5 || !row.sip_ha1_sha256) return undefined;
    return { realm: row.sip_realm, ha1Md5: row.sip_ha1_md5, ha1Sha256: row.sip_ha1_sha256 };
  }

  async create(user: { username: string; displayName: string; passwordHash: string; role: Role; sip: SipDigestSecrets }): Promise<User> {
    if (await this.findByUsername(user.username)) throw new TenorError('TENOR_ERR_USER_EXISTS', [user.username]);
    const now = new Date().toISOString();
    const { lastInsertId } = await this.db.run(
      `INSERT INTO users (username, display_name, password_hash, role, sip_realm, sip_ha1_md5, sip_ha1_sha256, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [user.username, user.displayName, user.passwordHash, user.role, user.sip.realm, user.sip.ha1Md5, user.sip.ha1Sha256, now, now],
    );
    return { id: lastInsertId, username: user.username, displayName: user.displayName, role: user.role, createdAt: now, updatedAt: now };
  }

  /**
   * Change the display name and/or role; false for an unknown user, and false
   * when the change would demote the last admin (checked in the same statement, so two
   * requests at once cannot both pass).
   */
  async update(username: string, changes: { displayName?: string; role?: Role }): Promise<boolean> {
    const sets: string[] = [];
    const values: string[] = [];
    if (changes.displayName !== undefined) {
      sets.push('display_name = ?');
      values.push(changes.displayName);
    }
    if (changes.role !== undefined) {
      sets.push('role = ?');
      values.push(changes.role);
    }
    if (sets.length === 0) return (await this.findByUsername(username)) !== undefined;
    const keepAdmin = changes.role !== undefined && changes.role !== 'admin' ? ` AND ${ANOTHER_ADMIN_REMAINS}` : '';
    const { changes: n } = await this.db.run(
      `UPDATE users SET ${sets.join(', ')}, updated_at = ? WHERE username = ?${keepAdmin}`,
      [...values, new Date().toISOString(), username],
    );
    return n > 0;
  }

  /** Delete a user; false when unknown or the last admin (checked in the same statement). */
  async delete(username: string): Promise<boolean> {
    const { changes } = await this.db.run(`DELETE FROM users WHERE username = ? AND ${ANOTHER_ADMIN_REMAINS}`, [username]);
    return changes > 0;
  }

  async setPassword(username: string, passwordHash: string, sip: SipDigestSecrets): Promise<boolean> {
    const { changes } = await this.db.run(
      'UPDATE users SET password_hash = ?, sip_realm = ?, sip_ha1_md5 = ?, sip_ha1_sha256 = ?, updated_at = ? WHERE username = ?',
      [passwordHash, sip.realm, sip.ha1Md5, sip.ha1Sha256, new Date().toISOString(), username],
    );
    return changes > 0;
  }
}
