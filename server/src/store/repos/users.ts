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

  async create(user: { username: string; displayName: string; passwordHash: string; role: Role }): Promise<User> {
    if (await this.findByUsername(user.username)) throw new TenorError('TENOR_ERR_USER_EXISTS', [user.username]);
    const now = new Date().toISOString();
    const { lastInsertId } = await this.db.run(
      `INSERT INTO users (username, display_name, password_hash, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
      [user.username, user.displayName, user.passwordHash, user.role, now, now],
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

  /**
   * Replace the stored hash of the same password with a stronger one (re-hash on login):
   * only when the row still holds `previousHash`, so a password changed meanwhile is not overwritten.
   */
  async upgradePasswordHash(username: string, previousHash: string, passwordHash: string): Promise<boolean> {
    const { changes } = await this.db.run('UPDATE users SET password_hash = ? WHERE username = ? AND password_hash = ?', [passwordHash, username, previousHash]);
    return changes > 0;
  }

  async setPassword(username: string, passwordHash: string): Promise<boolean> {
    const { changes } = await this.db.run(
      'UPDATE users SET password_hash = ?, updated_at = ? WHERE username = ?',
      [passwordHash, new Date().toISOString(), username],
    );
    return changes > 0;
  }
}
