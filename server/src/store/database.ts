// The storage manager's contract. Services and repositories speak portable SQL
// with `?` placeholders through this interface and never import a driver, so a
// PostgreSQL implementation can be added later without touching them. All calls
// are async because a network database will be.

export type SqlValue = string | number | bigint | null | Buffer;

export interface RunResult {
  changes: number;
  lastInsertId: number;
}

export interface SqlExecutor {
  all<T extends object>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  get<T extends object>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  run(sql: string, params?: readonly SqlValue[]): Promise<RunResult>;
}

/** Table and column names Tenor generates or accepts from a model: safe to splice into SQL. */
export const SQL_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** One write as `observeWrites` reports it. */
export type WriteObserver = (kind: 'statement' | 'transaction', seconds: number) => void;

export interface Migration {
  /** Unique and ordered: 'NNNN-what', e.g. '0001-users'. Never renamed once released. */
  id: string;
  /** One or more portable SQL statements. */
  up: string;
}

export interface Database extends SqlExecutor {
  readonly engine: 'sqlite' | (string & {});
  /** Where the data lives (file path or connection description), for logs and health. */
  readonly location: string;
  /** Run fn atomically: everything it writes is committed together or not at all. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Apply the migrations not yet applied, in order; returns the ids applied now. */
  migrate(migrations: readonly Migration[]): Promise<string[]>;
  /** Column names of a table, in order; undefined when there is no such table. */
  tableColumns(table: string): Promise<string[] | undefined>;
  /** Ids of the migrations already applied. */
  appliedMigrations(): Promise<string[]>;
  /**
   * Be told how long each write took: a statement run outside a transaction, or a
   * whole transaction from its start to its commit (monitoring's write latency).
   * Returns the function that stops it. Optional: an engine may not offer it.
   */
  observeWrites?(observer: WriteObserver): () => void;
  close(): Promise<void>;
}
