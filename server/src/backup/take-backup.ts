// `tenor backup FILE`: the data folder in one gzipped tar, safe while the
// server runs and takes calls. The database is copied with SQLite's online
// backup in one step, so the copy is the database as of one instant (a read
// transaction in WAL mode: the server's writers are not blocked); the other
// files (recordings, voicemail, prompts, scripts, keys) are copied after it,
// so every file the copied database names was there to copy. The tar is
// written beside FILE under a temporary name and linked to FILE only when
// complete: a failed backup leaves no FILE, and an existing FILE is never
// overwritten.

import { accessSync, constants, copyFileSync, linkSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { create } from 'tar';
import { TenorError } from '../core/errors.js';
import { LOCK_FILE } from '../core/data-folder-lock.js';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, restrictFiles } from '../core/private-files.js';
import { BACKUP_FORMAT, MANIFEST_FILE, describeFile, listFiles, type BackupManifest } from './manifest.js';

export const DATABASE_FILE = 'tenor.db';

/** Files of the data folder that are not copied as they are: the live database (copied by SQLite instead) and the server's pid file. */
const NOT_COPIED = new Set([DATABASE_FILE, `${DATABASE_FILE}-wal`, `${DATABASE_FILE}-shm`, `${DATABASE_FILE}-journal`, LOCK_FILE]);

/** Pages per backup step: all of them, so the copy is taken in one read transaction and never restarts. */
const ALL_PAGES = 0x7fffffff;

export interface BackupResult {
  file: string;
  files: number;
  bytes: number;
  databaseBytes: number;
  /** Links, sockets and the like found in the data folder and not backed up. */
  skipped: string[];
}

export async function takeBackup(opts: { dataDir: string; file: string; version: string }): Promise<BackupResult> {
  const dataDir = path.resolve(opts.dataDir);
  const dest = path.resolve(opts.file);
  const fail = (why: string, cause?: unknown): TenorError => new TenorError('TENOR_ERR_BACKUP_FAILED', [dest, why], cause === undefined ? undefined : { cause });
  checkDestination(dest, dataDir, fail);
  const database = path.join(dataDir, DATABASE_FILE);
  if (!isFile(database)) throw fail(`there is no database at ${database} (is TENOR_DATA_DIR right?)`);

  const folder = path.dirname(dest);
  // Written beside FILE, so the finished tar is linked into place on the same file system.
  const staging = await mkdtemp(path.join(folder, `.${path.basename(dest)}.partial-`)).catch((err: unknown) => {
    throw fail(`the folder ${folder} is not writable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, err);
  });
  const archive = `${staging}.tar.gz`;
  try {
    await copyDatabase(database, path.join(staging, DATABASE_FILE)).catch((err: unknown) => {
      throw fail(`the database could not be copied: ${(err as Error).message}`, err);
    });
    const skipped: string[] = [];
    const others = listFiles(dataDir, (rel) => NOT_COPIED.has(rel), (rel) => skipped.push(rel));
    const copied: string[] = [];
    for (const rel of others) {
      const target = path.join(staging, ...rel.split('/'));
      mkdirSync(path.dirname(target), { recursive: true, mode: PRIVATE_DIR_MODE });
      try {
        copyFileSync(path.join(dataDir, ...rel.split('/')), target);
        copied.push(rel);
      } catch (err) {
        // Deleted since it was listed (a voicemail past its retention): not part of this backup.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    const entries = [DATABASE_FILE, ...copied];
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      tenorVersion: opts.version,
      createdAt: new Date().toISOString(),
      dataDir,
      files: await Promise.all(entries.map((rel) => describeFile(staging, rel))),
    };
    writeFileSync(path.join(staging, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`, { mode: PRIVATE_FILE_MODE });
    await create({ gzip: true, file: archive, cwd: staging, portable: true }, [MANIFEST_FILE, ...entries]);
    // The backup holds the keys and every customer's data: as private as the data folder.
    restrictFiles(archive);
    try {
      linkSync(archive, dest);
    } catch (err) {
      throw fail((err as NodeJS.ErrnoException).code === 'EEXIST' ? 'the file appeared while the backup was written; it is left as it is' : (err as Error).message, err);
    }
    return {
      file: dest,
      files: manifest.files.length,
      bytes: (await stat(dest)).size,
      databaseBytes: manifest.files[0]?.size ?? 0,
      skipped,
    };
  } finally {
    await rm(staging, { recursive: true, force: true });
    await rm(archive, { force: true });
  }
}

function checkDestination(dest: string, dataDir: string, fail: (why: string) => TenorError): void {
  const existing = statOrUndefined(dest);
  if (existing?.isDirectory()) throw fail('it is a folder; give the name of the file to write');
  if (existing) throw fail('the file exists already; a backup never overwrites one');
  const rel = path.relative(dataDir, dest);
  if (!rel.startsWith('..') && !path.isAbsolute(rel)) throw fail(`it is inside the data folder ${dataDir}; write the backup elsewhere`);
  const folder = path.dirname(dest);
  if (!statOrUndefined(folder)?.isDirectory()) throw fail(`the folder ${folder} does not exist`);
  try {
    accessSync(folder, constants.W_OK | constants.X_OK);
  } catch {
    throw fail(`the folder ${folder} is not writable`);
  }
}

async function copyDatabase(source: string, target: string): Promise<void> {
  const db = new BetterSqlite3(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    await db.backup(target, { progress: () => ALL_PAGES });
  } finally {
    db.close();
  }
  restrictFiles(target);
  const copy = new BetterSqlite3(target, { fileMustExist: true });
  try {
    const result = copy.pragma('integrity_check', { simple: true });
    if (result !== 'ok') throw new Error(`the copy fails PRAGMA integrity_check: ${String(result)}`);
  } finally {
    copy.close();
  }
}

/** The file's stat, or undefined when it (or a folder on its path) does not exist. */
export function statOrUndefined(file: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
}

function isFile(file: string): boolean {
  return statOrUndefined(file)?.isFile() === true;
}
