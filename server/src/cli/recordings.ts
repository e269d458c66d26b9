// `tenor recordings rekey`: encrypts the stored recordings again with the key
// file's current key (docs/recording-at-rest.md, *Rotation*).

import { CommandLineError } from '../core/command-line.js';
import { loadConfig } from '../services/index.js';
import { RecordingVault, recordingVaultOptions } from '../services/recordings/vault.js';
import { rekeyRecordings } from '../services/recordings/vault-rekey.js';
import { databaseFile } from '../services/store.js';
import { SqliteDatabase } from '../store/sqlite.js';
import type { Command } from './command.js';

export const recordingsCommand: Command = {
  name: 'recordings',
  usage: 'tenor recordings rekey',
  summary: "re-encrypt stored recordings with the recording key file's current key",
  details:
    'Reads recording.encryption.keyFile from the site file. Each recording not on the current key is encrypted with it and its row updated; ' +
    'it can run while Tenor runs. Prints one line per recording and a summary; exits 1 when a recording could not be re-encrypted.',
  options: {},
  positionals: true,
  async run({ positionals }) {
    if (positionals.length !== 1 || positionals[0] !== 'rekey') throw new CommandLineError(`unknown action '${positionals.join(' ')}'; the action is: rekey`, 'recordings');
    const config = loadConfig();
    const encryption = config.recording.encryption;
    if (encryption === undefined) {
      console.error('recording.encryption.keyFile is not set in the site file: there is no key to encrypt with');
      return 1;
    }
    const vault = new RecordingVault(recordingVaultOptions(config.dataDir, config.baseDir, encryption));
    await vault.open();
    const db = new SqliteDatabase(databaseFile(config.dataDir));
    try {
      const report = await rekeyRecordings(db, vault, (line) => console.log(line));
      for (const f of report.failed) console.error(`${f.id}: ${f.error}`);
      console.log(`key ${report.keyId}: ${report.rekeyed} re-encrypted, ${report.alreadyCurrent} already on it, ${report.failed.length} failed`);
      return report.failed.length > 0 ? 1 : 0;
    } finally {
      await db.close();
    }
  },
};
