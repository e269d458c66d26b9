// Which process serves a data folder: the store writes <dataDir>/tenor.pid when
// it opens the database and removes it when it closes it. `tenor restore` reads
// it and refuses to replace the data of a server that is running. A server
// killed with -9 leaves the file behind; its process is gone, so the file is
// taken as stale.

import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PRIVATE_FILE_MODE, restrictFiles } from './private-files.js';

export const LOCK_FILE = 'tenor.pid';

export interface DataFolderHolder {
  pid: number;
  startedAt: string;
}

interface LockContent extends DataFolderHolder {
  /** Which claim wrote the file: a store replaced at run time claims before the old one releases. */
  claim: string;
}

/** Marks the folder as served by this process; `release()` removes the mark if it is still this claim's. */
export function claimDataFolder(dataDir: string): { release(): void } {
  const file = path.join(dataDir, LOCK_FILE);
  const content: LockContent = { pid: process.pid, startedAt: new Date().toISOString(), claim: randomUUID() };
  writeFileSync(file, `${JSON.stringify(content)}\n`, { mode: PRIVATE_FILE_MODE });
  restrictFiles(file);
  return {
    release() {
      if (readLock(file)?.claim === content.claim) rmSync(file, { force: true });
    },
  };
}

/** The live process serving the folder, if any (a file left by a process that is gone does not count). */
export function dataFolderHolder(dataDir: string): DataFolderHolder | undefined {
  const lock = readLock(path.join(dataDir, LOCK_FILE));
  if (!lock || !isAlive(lock.pid)) return undefined;
  return { pid: lock.pid, startedAt: lock.startedAt };
}

function readLock(file: string): LockContent | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined; // a server writes the file whole at start: what is not JSON names no server
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { pid, startedAt, claim } = parsed as Record<string, unknown>;
  if (typeof pid !== 'number' || typeof startedAt !== 'string' || typeof claim !== 'string') return undefined;
  return { pid, startedAt, claim };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
