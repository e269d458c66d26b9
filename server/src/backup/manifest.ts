// What a backup holds, listed in its tenor-backup.json: every file of the data
// folder with its size and SHA-256, so a restore can tell an intact backup
// from a damaged or altered one before it touches anything.

import { createHash } from 'node:crypto';
import { createReadStream, readdirSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';

export const MANIFEST_FILE = 'tenor-backup.json';
export const BACKUP_FORMAT = 'tenor-backup-1';

export interface BackedUpFile {
  /** Relative to the data folder, with '/' separators. */
  path: string;
  size: number;
  sha256: string;
}

export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  tenorVersion: string;
  createdAt: string;
  /** The data folder the backup was taken from: paths into it stored in the database are moved on restore. */
  dataDir: string;
  files: BackedUpFile[];
}

/** Every regular file under `root`, relative, '/'-separated, sorted; `skip` says which to leave out, `onOther` hears of links and devices. */
export function listFiles(root: string, skip: (rel: string) => boolean, onOther: (rel: string) => void): string[] {
  const found: string[] = [];
  const walk = (rel: string): void => {
    for (const entry of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (skip(child)) continue;
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile()) found.push(child);
      else onOther(child);
    }
  };
  walk('');
  return found.sort();
}

export async function describeFile(root: string, rel: string): Promise<BackedUpFile> {
  const file = path.join(root, ...rel.split('/'));
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return { path: rel, size: (await stat(file)).size, sha256: hash.digest('hex') };
}

/** The manifest as read from a backup, or a sentence saying why it is not one. */
export function parseManifest(text: string): BackupManifest | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return `${MANIFEST_FILE} is not JSON`;
  }
  if (typeof value !== 'object' || value === null) return `${MANIFEST_FILE} is not an object`;
  const m = value as Record<string, unknown>;
  if (m['format'] !== BACKUP_FORMAT) return `${MANIFEST_FILE} is of format ${JSON.stringify(m['format'])}, not ${BACKUP_FORMAT}`;
  if (typeof m['dataDir'] !== 'string' || typeof m['createdAt'] !== 'string' || typeof m['tenorVersion'] !== 'string') return `${MANIFEST_FILE} lacks dataDir, createdAt or tenorVersion`;
  if (!Array.isArray(m['files'])) return `${MANIFEST_FILE} lists no files`;
  const files: BackedUpFile[] = [];
  for (const f of m['files'] as unknown[]) {
    const e = (typeof f === 'object' && f !== null ? f : {}) as Record<string, unknown>;
    if (typeof e['path'] !== 'string' || typeof e['size'] !== 'number' || typeof e['sha256'] !== 'string') return `${MANIFEST_FILE} has a malformed file entry`;
    files.push({ path: e['path'], size: e['size'], sha256: e['sha256'] });
  }
  return { format: BACKUP_FORMAT, tenorVersion: m['tenorVersion'], createdAt: m['createdAt'], dataDir: m['dataDir'], files };
}
