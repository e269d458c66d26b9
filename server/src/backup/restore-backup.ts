// `tenor restore FILE`: a backup back into the data folder, all or nothing.
// It refuses while a server uses the folder (its tenor.pid names a live
// process), and refuses a folder that holds data unless told to move that data
// aside. The backup is unpacked into a new folder beside the data folder and
// checked there: every file the manifest lists, with its size and SHA-256, no
// file it does not list, nothing but plain files and folders, and the database
// passing PRAGMA integrity_check. Only then is the old folder moved aside (to
// <dataDir>.before-restore-<time>) and the new one renamed into its place, so
// a damaged backup changes nothing.

import { chmodSync, readFileSync, readdirSync, renameSync, rmdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { extract } from 'tar';
import { TenorError } from '../core/errors.js';
import { dataFolderHolder } from '../core/data-folder-lock.js';
import { pathInside } from '../core/paths.js';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../core/private-files.js';
import { moveDataFolderPaths } from './database-paths.js';
import { MANIFEST_FILE, describeFile, listFiles, parseManifest, type BackupManifest } from './manifest.js';
import { DATABASE_FILE, statOrUndefined } from './take-backup.js';

export interface RestoreResult {
  dataDir: string;
  files: number;
  /** Where the data that was in the folder went, when there was some. */
  movedAside: string | undefined;
  /** Paths into the data folder in the database that were moved to the new folder. */
  pathsMoved: number;
  manifest: BackupManifest;
}

export async function restoreBackup(opts: { dataDir: string; file: string; replace: boolean }): Promise<RestoreResult> {
  const source = path.resolve(opts.file);
  const dataDir = path.resolve(opts.dataDir);
  const refuse = (why: string, cause?: unknown): TenorError => new TenorError('TENOR_ERR_RESTORE_REFUSED', [source, why], cause === undefined ? undefined : { cause });

  const kind = statOrUndefined(source);
  if (!kind) throw refuse('the file does not exist');
  if (!kind.isFile()) throw refuse('it is not a file');
  checkNoServer(dataDir, refuse);
  const hasData = folderHasData(dataDir);
  if (hasData && !opts.replace) throw refuse(`the data folder ${dataDir} holds data; stop Tenor and give --replace to move it aside first`);

  // Unpacked beside the data folder, so the checked result is renamed into place on the same file system.
  const parent = path.dirname(dataDir);
  const staging = await mkdir(parent, { recursive: true })
    .then(() => mkdtemp(path.join(parent, `.${path.basename(dataDir)}.restore-`)))
    .catch((err: unknown) => {
      throw refuse(`the folder ${parent} is not writable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, err);
    });
  try {
    const manifest = await unpackAndCheck(source, staging, refuse);
    const pathsMoved = checkDatabase(path.join(staging, DATABASE_FILE), manifest.dataDir, dataDir, refuse);
    await rm(path.join(staging, MANIFEST_FILE), { force: true });
    makePrivate(staging);

    checkNoServer(dataDir, refuse); // once more, just before the swap
    let movedAside: string | undefined;
    if (folderHasData(dataDir)) {
      movedAside = `${dataDir}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      renameSync(dataDir, movedAside);
    } else if (statOrUndefined(dataDir)) {
      rmdirSync(dataDir);
    }
    renameSync(staging, dataDir);
    return { dataDir, files: manifest.files.length, movedAside, pathsMoved, manifest };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

function checkNoServer(dataDir: string, refuse: (why: string) => TenorError): void {
  const holder = dataFolderHolder(dataDir);
  if (holder) {
    throw refuse(`a Tenor server (pid ${holder.pid}, started ${holder.startedAt}) is using ${dataDir}; stop it first (if no Tenor runs there, delete ${path.join(dataDir, 'tenor.pid')})`);
  }
}

async function unpackAndCheck(source: string, staging: string, refuse: (why: string, cause?: unknown) => TenorError): Promise<BackupManifest> {
  const unexpected: string[] = [];
  try {
    await extract({
      file: source,
      cwd: staging,
      strict: true,
      // Plain files and folders only: a link in an archive could point the restore anywhere on disk.
      filter: (entryPath, entry) => {
        const type = 'type' in entry ? entry.type : entry.isFile() ? 'File' : entry.isDirectory() ? 'Directory' : 'Other';
        const ok = type === 'File' || type === 'OldFile' || type === 'Directory';
        if (!ok) unexpected.push(`${entryPath} (${type})`);
        return ok;
      },
    });
  } catch (err) {
    throw refuse(`it is not a readable Tenor backup (${(err as Error).message})`, err);
  }
  if (unexpected.length > 0) throw refuse(`it holds entries that are not plain files: ${unexpected.slice(0, 5).join(', ')}`);
  let text: string;
  try {
    text = readFileSync(path.join(staging, MANIFEST_FILE), 'utf8');
  } catch (err) {
    throw refuse(`it is not a Tenor backup: no ${MANIFEST_FILE}`, err);
  }
  const manifest = parseManifest(text);
  if (typeof manifest === 'string') throw refuse(`it is not a Tenor backup: ${manifest}`);
  if (!manifest.files.some((f) => f.path === DATABASE_FILE)) throw refuse(`the backup holds no ${DATABASE_FILE}`);

  const listed = new Set<string>();
  for (const expected of manifest.files) {
    try {
      pathInside(staging, ...expected.path.split('/')); // a listed path may not leave the folder
    } catch (err) {
      throw refuse(`its manifest lists a path outside the data folder: ${expected.path}`, err);
    }
    listed.add(expected.path);
    if (!statOrUndefined(path.join(staging, ...expected.path.split('/')))?.isFile()) throw refuse(`${expected.path} is missing from the backup`);
    const found = await describeFile(staging, expected.path);
    if (found.size !== expected.size || found.sha256 !== expected.sha256) throw refuse(`${expected.path} is damaged or altered (its size or SHA-256 differs from the manifest's)`);
  }
  const extra = listFiles(staging, (rel) => rel === MANIFEST_FILE, (rel) => unexpected.push(rel)).filter((rel) => !listed.has(rel));
  if (extra.length > 0 || unexpected.length > 0) throw refuse(`it holds files its manifest does not list: ${[...extra, ...unexpected].slice(0, 5).join(', ')}`);
  return manifest;
}

/** PRAGMA integrity_check on the unpacked database, then paths into the old data folder moved to the new one. */
function checkDatabase(file: string, from: string, to: string, refuse: (why: string, cause?: unknown) => TenorError): number {
  let db: BetterSqlite3.Database | undefined;
  try {
    db = new BetterSqlite3(file, { fileMustExist: true });
    const result = db.pragma('integrity_check', { simple: true });
    if (result !== 'ok') throw refuse(`its database fails PRAGMA integrity_check: ${String(result)}`);
    const tenor = db.prepare("SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
    if (!tenor) throw refuse('its database is not a Tenor database (no schema_migrations table)');
    return moveDataFolderPaths(db, from, to);
  } catch (err) {
    if (err instanceof TenorError) throw err;
    throw refuse(`its database cannot be read: ${(err as Error).message}`, err);
  } finally {
    db?.close();
  }
}

/** Folders 0700 and files 0600, as the server keeps its data folder. */
function makePrivate(root: string): void {
  const walk = (dir: string): void => {
    chmodSync(dir, PRIVATE_DIR_MODE);
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else chmodSync(full, PRIVATE_FILE_MODE);
    }
  };
  walk(root);
}

function folderHasData(dir: string): boolean {
  const s = statOrUndefined(dir);
  if (!s) return false;
  if (!s.isDirectory()) return true;
  return readdirSync(dir).length > 0;
}
