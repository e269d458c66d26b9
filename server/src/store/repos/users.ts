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
      'INSERT INTO users (username, display_name, password_hash, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
      [user.username, user.displayName, user.passwordHash, user.role, now, now],
    );
    return { id: lastInsertId, username: user.username, displayName: user.displayName, role: user.role, createdAt: now, updatedAt: now };
  }

  async setPasswordHash(username: string, passwordHash: string): Promise<boolean> {
    const { changes } = await this.db.run('UPDATE users SET password_hash = ?, updated_at = ? WHERE username = ?', [
      passwordHash,
      new Date().toISOString(),
      username,
    ]);
    return changes > 0;
  }
}
