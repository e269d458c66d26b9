// SQLite implementation of the storage manager, on better-sqlite3.
// WAL mode with synchronous=FULL: a transaction is on disk when commit returns,
// so neither a `kill -9` nor a power cut loses a committed record.

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { TenorError } from '../core/errors.js';
import { createPrivateFile, PRIVATE_DIR_MODE, restrictFiles } from '../core/private-files.js';
import { SQL_IDENTIFIER, type Database, type Migration, type RunResult, type SqlExecutor, type SqlValue, type WriteObserver } from './database.js';

type Statement = BetterSqlite3.Statement<unknown[], unknown>;

export class SqliteDatabase implements Database {
  readonly engine = 'sqlite';
  readonly location: string;
  readonly #db: BetterSqlite3.Database;
  readonly #statements = new Map<string, Statement>();
  /** Serialises transactions: one connection, so an async transaction must hold it alone. */
  #tail: Promise<void> = Promise.resolve();
  #locked = false;
  readonly #direct: SqlExecutor;
  readonly #writeObservers = new Set<WriteObserver>();

  /**
   * external: a database Tenor does not own (a legacy system's file). It must
   * exist, and its journal mode is left as its owner set it.
   */
  constructor(file: string, opts: { external?: boolean } = {}) {
    const owned = file !== ':memory:' && !opts.external;
    // Tenor's own database is private: a folder made here is 0700, the file 0600 before SQLite first
    // opens it (SQLite gives the -wal and -shm files the database file's mode). An existing folder is
    // left as it is: the store service tightens the data folder, which it knows is Tenor's own.
    if (owned) {
      mkdirSync(path.dirname(file), { recursive: true, mode: PRIVATE_DIR_MODE });
      createPrivateFile(file);
    }
    this.location = file;
    this.#db = new BetterSqlite3(file, { fileMustExist: opts.external === true });
    if (!opts.external) this.#db.pragma('journal_mode = WAL');
    // A database made by an earlier version may be 0644 with its -wal and -shm: tighten them.
    if (owned) restrictFiles(file, `${file}-wal`, `${file}-shm`);
    this.#db.pragma('synchronous = FULL');
    this.#db.pragma('foreign_keys = ON');
    this.#db.pragma('busy_timeout = 5000');
    this.#direct = {
      all: async <T extends object>(sql: string, params: readonly SqlValue[] = []) => this.#prepare(sql).all(...params) as T[],
      get: async <T extends object>(sql: string, params: readonly SqlValue[] = []) => this.#prepare(sql).get(...params) as T | undefined,
      run: async (sql: string, params: readonly SqlValue[] = []) => toRunResult(this.#prepare(sql).run(...params)),
    };
  }

  async all<T extends object>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    await this.#unlocked();
    return this.#direct.all<T>(sql, params);
  }

  async get<T extends object>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    await this.#unlocked();
    return this.#direct.get<T>(sql, params);
  }

  async run(sql: string, params?: readonly SqlValue[]): Promise<RunResult> {
    await this.#unlocked();
    if (this.#writeObservers.size === 0) return this.#direct.run(sql, params);
    const started = performance.now();
    const result = await this.#direct.run(sql, params);
    this.#observed('statement', started);
    return result;
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const release = await this.#acquire();
    try {
      const started = performance.now();
      this.#db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(this.#direct);
        this.#db.exec('COMMIT');
        this.#observed('transaction', started);
        return result;
      } catch (err) {
        if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
        throw err;
      }
    } finally {
      release();
    }
  }

  async migrate(migrations: readonly Migration[]): Promise<string[]> {
    await this.#unlocked();
    this.#db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
    const done = new Set(await this.appliedMigrations());
    const applied: string[] = [];
    for (const migration of migrations) {
      if (done.has(migration.id)) continue;
      try {
        this.#db.transaction(() => {
          this.#db.exec(migration.up);
          this.#db.prepare('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)').run(migration.id, new Date().toISOString());
        })();
      } catch (err) {
        throw new TenorError('TENOR_ERR_STORE_MIGRATION_FAILED', [migration.id, (err as Error).message], { cause: err });
      }
      applied.push(migration.id);
    }
    return applied;
  }

  async tableColumns(table: string): Promise<string[] | undefined> {
    if (!SQL_IDENTIFIER.test(table)) throw new RangeError(`not a table name: ${table}`);
    await this.#unlocked();
    const rows = this.#db.prepare(`PRAGMA table_info("${table}")`).all() as { name: string }[];
    return rows.length > 0 ? rows.map((r) => r.name) : undefined;
  }

  async appliedMigrations(): Promise<string[]> {
    const exists = this.#db.prepare("SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
    if (!exists) return [];
    return (this.#db.prepare('SELECT id FROM schema_migrations ORDER BY id').all() as { id: string }[]).map((r) => r.id);
  }

  observeWrites(observer: WriteObserver): () => void {
    this.#writeObservers.add(observer);
    return () => this.#writeObservers.delete(observer);
  }

  #observed(kind: 'statement' | 'transaction', started: number): void {
    const seconds = (performance.now() - started) / 1000;
    for (const observer of this.#writeObservers) observer(kind, seconds);
  }

  async close(): Promise<void> {
    await this.#unlocked();
    this.#statements.clear();
    if (this.#db.open) this.#db.close();
  }

  #prepare(sql: string): Statement {
    let stmt = this.#statements.get(sql);
    if (!stmt) {
      stmt = this.#db.prepare(sql);
      this.#statements.set(sql, stmt);
    }
    return stmt;
  }

  /** Wait until no transaction holds the connection (a statement outside a transaction must not land inside one). */
  async #unlocked(): Promise<void> {
    while (this.#locked) await this.#tail;
  }

  /** Queue for the connection; transactions run one after another in the order they asked. */
  async #acquire(): Promise<() => void> {
    const previous = this.#tail;
    let release!: () => void;
    this.#tail = new Promise<void>((resolve) => (release = resolve));
    await previous;
    this.#locked = true;
    return () => {
      this.#locked = false;
      release();
    };
  }
}

function toRunResult(info: BetterSqlite3.RunResult): RunResult {
  return { changes: info.changes, lastInsertId: Number(info.lastInsertRowid) };
}
