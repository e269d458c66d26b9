// `tenor migrate`: applies the database migrations and exits.

import { loadConfig } from '../services/index.js';
import { databaseFile } from '../services/store.js';
import { migrations } from '../store/migrations/index.js';
import { SqliteDatabase } from '../store/sqlite.js';
import type { Command } from './command.js';

export const migrateCommand: Command = {
  name: 'migrate',
  usage: 'tenor migrate',
  summary: 'apply database migrations and exit',
  details: 'Every start applies them too; run this alone before an upgrade, say. Prints what it applied and the database file.',
  options: {},
  positionals: false,
  async run() {
    const config = loadConfig();
    const db = new SqliteDatabase(databaseFile(config.dataDir));
    try {
      const applied = await db.migrate(migrations);
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
      console.log(`database: ${db.location}`);
    } finally {
      await db.close();
    }
    return 0;
  },
};
