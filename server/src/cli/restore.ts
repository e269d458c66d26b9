// `tenor restore FILE [--replace]`: a backup back into the data folder, with
// the server stopped; all or nothing.

import { loadConfig } from '../services/index.js';
import { CommandLineError, flagOption } from '../core/command-line.js';
import { restoreBackup } from '../backup/restore-backup.js';
import type { Command } from './command.js';

export const restoreCommand: Command = {
  name: 'restore',
  usage: 'tenor restore FILE [--replace]',
  summary: "put a backup made by 'tenor backup' into TENOR_DATA_DIR; Tenor must be stopped",
  details:
    'Refuses while a server uses the data folder (its tenor.pid names a live process). Every file is checked ' +
    "against the backup's manifest (size, SHA-256) and the database with PRAGMA integrity_check before anything " +
    'changes; a damaged backup changes nothing. A data folder that holds data is moved aside to ' +
    '<folder>.before-restore-<time> only with --replace. Exit 0 restored, 1 refused (the reason is printed).',
  options: {
    replace: { type: 'boolean', help: 'move the data that is in the folder aside first (to <folder>.before-restore-<time>)' },
  },
  positionals: true,
  async run(line) {
    const [file, ...more] = line.positionals;
    if (file === undefined || more.length > 0) throw new CommandLineError('restore needs exactly one FILE', 'restore');
    const config = loadConfig();
    const result = await restoreBackup({ dataDir: config.dataDir, file, replace: flagOption(line, 'replace') });
    if (result.movedAside) console.log(`the data that was there is now in ${result.movedAside}`);
    console.log(`restored: ${result.files} files into ${result.dataDir}, from the backup of ${result.manifest.dataDir} taken ${result.manifest.createdAt} (Tenor ${result.manifest.tenorVersion})`);
    if (result.pathsMoved > 0) console.log(`${result.pathsMoved} file paths in the database now point into ${result.dataDir}`);
    return 0;
  },
};
