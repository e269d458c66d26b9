// The data folder holds password hashes, SIP secrets, customer records,
// recordings and key files: only the user Tenor runs as may read it. Folders
// are made 0700 and files 0600 whatever the umask says (mkdir's and open's
// mode is masked by it, and neither changes a folder or file that exists, so
// existing installs are tightened here too).

import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Create `dir` (and missing parents) and make it 0700. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  chmodSync(dir, PRIVATE_DIR_MODE);
}

/** Make each existing file 0600 (missing ones are skipped). */
export function restrictFiles(...files: string[]): void {
  for (const file of files) {
    try {
      chmodSync(file, PRIVATE_FILE_MODE);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}

/** Create `file` empty with mode 0600 when it does not exist, so whatever opens it next never makes it readable to others. */
export function createPrivateFile(file: string): void {
  if (existsSync(file)) return;
  try {
    closeSync(openSync(file, 'wx', PRIVATE_FILE_MODE));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  restrictFiles(file);
}
