import path from 'node:path';
import { defineService } from '../core/service-manager.js';
import { claimDataFolder } from '../core/data-folder-lock.js';
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
  const claims = new Map<Database, { release(): void }>();
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
      // tenor.pid says a server is using the folder: `tenor restore` will not replace it underneath.
      const claim = claimDataFolder(dataDir);
      claims.set(db, claim);
      return db;
    },
    async stop(db) {
      await db.close();
      claims.get(db)?.release();
      claims.delete(db);
    },
    async health(db) {
      await db.get('SELECT 1 AS ok');
      return { status: 'ok', detail: db.location };
    },
  });
}
