import path from 'node:path';
import { defineService } from '../core/service-manager.js';
import { ensurePrivateDir } from '../core/private-files.js';
import type { Database } from '../store/database.js';
import { SqliteDatabase } from '../store/sqlite.js';
import { migrations } from '../store/migrations/index.js';

declare module '../core/service-manager.js' {
  interface ServiceMap {
    store: Database;
  }
}

/** The database file inside the data folder. */
export function databaseFile(dataDir: string): string {
  return path.join(dataDir, 'tenor.db');
}

export function storeService(dataDir: string) {
  return defineService<Database>({
    name: 'store',
    version: '1.0.0',
    description: 'Storage manager: SQLite (WAL) with versioned migrations',
    async start(ctx) {
      // The data folder is private (0700, an existing one is tightened) and the database file 0600.
      ensurePrivateDir(dataDir);
      const db = new SqliteDatabase(databaseFile(dataDir));
      const applied = await db.migrate(migrations);
      if (applied.length > 0) ctx.logger.info({ applied, file: db.location }, 'database migrated');
      return db;
    },
    stop: (db) => db.close(),
    async health(db) {
      await db.get('SELECT 1 AS ok');
      return { status: 'ok', detail: db.location };
    },
  });
}
