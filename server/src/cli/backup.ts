// `tenor backup FILE`: the data folder (database, recordings, voicemail,
// prompts, scripts, keys) in one file, while the server runs.

import { loadConfig } from '../services/index.js';
import { CommandLineError } from '../core/command-line.js';
import { takeBackup } from '../backup/take-backup.js';
import { version } from '../server.js';
import type { Command } from './command.js';

export const backupCommand: Command = {
  name: 'backup',
  usage: 'tenor backup FILE',
  summary: 'write the data folder (database, voicemail, prompts, scripts, keys) to FILE, a .tar.gz; safe while Tenor runs',
  details:
    "The database is copied with SQLite's online backup as of one instant, calls and writes going on meanwhile; " +
    'then the other files of TENOR_DATA_DIR. FILE must not exist (a backup never overwrites one) and must be outside ' +
    'the data folder. It holds the keys that seal SIP secrets: keep it as private as the data folder. Restore with ' +
    "'tenor restore FILE'. Exit 0 written, 1 not written (the reason is printed).",
  options: {},
  positionals: true,
  async run({ positionals }) {
    const [file, ...more] = positionals;
    if (file === undefined || more.length > 0) throw new CommandLineError('backup needs exactly one FILE', 'backup');
    const config = loadConfig();
    const result = await takeBackup({ dataDir: config.dataDir, file, version });
    for (const rel of result.skipped) console.error(`not backed up: ${rel} (not a plain file)`);
    const mb = (n: number): string => (n / 1_048_576).toFixed(1);
    console.log(`backup written: ${result.file} (${result.files} files, ${mb(result.bytes)} MB; database ${mb(result.databaseBytes)} MB)`);
    return 0;
  },
};
