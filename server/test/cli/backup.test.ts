// `tenor backup` and `tenor restore` as an operator runs them: real `tenor start`
// processes, writes the API acknowledged while the backup ran in another
// process, a restore into a new data folder and a server started on it that
// still has every record acknowledged before the backup began. Then the ways
// they must refuse: a running server, a folder as FILE, an unwritable folder,
// a corrupt or altered backup (nothing changes).

import t from 'tap';
import type { Test } from 'tap';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { create, extract } from 'tar';
import { encodeWav } from '@tenor/telephony';
import { restoreBackup } from '../../src/backup/restore-backup.js';
import { takeBackup } from '../../src/backup/take-backup.js';
import { migrations } from '../../src/store/migrations/index.js';
import { SqliteDatabase } from '../../src/store/sqlite.js';
import { freePort, tempDir } from '../helpers.js';
import { runTenor, tenorCli } from './run-tenor.js';

// Two server starts and five runs of the whole command: more than the default bound on a busy machine.
t.setTimeout(600_000);

const ADMIN = { authorization: `Basic ${Buffer.from('admin:pw-admin-secret').toString('base64')}` };

interface RunningServer {
  base: string;
  dataDir: string;
  child: ChildProcessWithoutNullStreams;
  stop(): Promise<void>;
}

async function startServer(t: Test, dataDir: string): Promise<RunningServer> {
  const httpPort = await freePort();
  const sipPort = await freePort();
  const child = spawn(process.execPath, [tenorCli, 'start'], {
    env: {
      ...process.env, TENOR_HTTP_PORT: String(httpPort), TENOR_SIP_PORT: String(sipPort), TENOR_BIND: '127.0.0.1',
      TENOR_DATA_DIR: dataDir, TENOR_ADMIN_PASSWORD: 'pw-admin-secret', TENOR_LOG_LEVEL: 'warn',
    },
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`tenor start printed no banner in 60 s: ${out} ${stderr}`)), 60_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (/Data: /.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then((code) => reject(new Error(`tenor start exited with ${code}: ${out} ${stderr}`)));
  });
  return {
    base: `http://127.0.0.1:${httpPort}`,
    dataDir,
    child,
    async stop() {
      child.kill('SIGTERM');
      const code = await exited;
      if (code !== 0) throw new Error(`tenor start exited with ${code} after SIGTERM: ${stderr}`);
    },
  };
}

/** A 1-second 440 Hz tone as a WAV: what a supervisor uploads as a greeting. */
function toneWav(): Buffer {
  const samples = new Int16Array(8000);
  for (let i = 0; i < samples.length; i++) samples[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000));
  return encodeWav(samples);
}

/** Every file under `dir` with its bytes, to show a refused restore changed nothing. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = path.join(rel, e.name);
      if (e.isDirectory()) walk(child);
      else out[child] = readFileSync(path.join(dir, child)).toString('base64');
    }
  };
  if (existsSync(dir)) walk('');
  return out;
}

t.test('GIVEN a server taking writes WHEN a backup runs from another process and is restored into a new folder THEN a server on it has every record acknowledged before the backup began, and the voicemail greeting', async (t) => {
  const root = tempDir(t, 'tenor-backup-');
  const first = await startServer(t, path.join(root, 'data'));

  const greeting = await fetch(`${first.base}/api/voicemail/boxes/general/greeting`, { method: 'PUT', headers: { ...ADMIN, 'content-type': 'audio/wav' }, body: new Uint8Array(toneWav()) });
  t.equal(greeting.status, 200, 'a greeting uploaded into the voicemail folder');
  const greetingBytes = Buffer.from(await (await fetch(`${first.base}/api/voicemail/boxes/general/greeting`, { headers: ADMIN })).arrayBuffer());

  // Load: four writers creating customers as fast as the server acknowledges them.
  const acknowledged: { id: number; phone: string }[] = [];
  let writing = true;
  let serial = 0;
  let failure: Error | undefined;
  const writer = async (): Promise<void> => {
    while (writing) {
      const phone = `+1415${2_000_000 + serial++}`;
      const res = await fetch(`${first.base}/api/customers/identify`, { method: 'POST', headers: { ...ADMIN, 'content-type': 'application/json' }, body: JSON.stringify({ phone }) });
      if (res.status !== 200) throw new Error(`identify answered ${res.status}: ${await res.text()}`);
      const body = (await res.json()) as { customer: { id: number }; created: boolean };
      acknowledged.push({ id: body.customer.id, phone });
    }
  };
  const stopOnFailure = (err: unknown): void => {
    failure = err as Error;
    writing = false;
  };
  const writers = Promise.all([writer(), writer(), writer(), writer()].map((w) => w.catch(stopOnFailure)));
  const deadline = Date.now() + 60_000;
  while (acknowledged.length < 200 && writing && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  if (acknowledged.length < 200) {
    writing = false;
    await writers;
    throw failure ?? new Error(`only ${acknowledged.length} writes acknowledged in 60 s`);
  }

  const file = path.join(root, 'backups', 'tenor-backup.tar.gz');
  mkdirSync(path.dirname(file));
  const before = acknowledged.slice(); // acknowledged before the backup started
  const backup = await runTenor(['backup', file], { env: { TENOR_DATA_DIR: first.dataDir } });
  const during = acknowledged.length - before.length;
  writing = false;
  await writers;
  t.equal(failure, undefined, 'every write under load was acknowledged');
  t.equal(backup.code, 0, backup.stderr);
  t.match(backup.stdout, /^backup written: .*tenor-backup\.tar\.gz \(\d+ files, /);
  t.ok(during > 0, `the server acknowledged ${during} more writes while the backup ran`);
  t.equal(statSync(file).mode & 0o777, 0o600, 'the backup is private: it holds the keys');

  // Restoring over the running server's folder is refused and changes nothing.
  const refused = await runTenor(['restore', file, '--replace'], { env: { TENOR_DATA_DIR: first.dataDir } });
  t.equal(refused.code, 1);
  t.match(refused.stderr, /TENOR_ERR_RESTORE_REFUSED: Nothing was restored from .*: a Tenor server \(pid \d+, started .*\) is using .*; stop it first/);
  const health = await fetch(`${first.base}/health`);
  t.equal(health.status, 200, 'the running server is untouched');
  await first.stop();

  const restoredDir = path.join(root, 'restored');
  const restore = await runTenor(['restore', file], { env: { TENOR_DATA_DIR: restoredDir } });
  t.equal(restore.code, 0, restore.stderr);
  t.match(restore.stdout, /restored: \d+ files into .*restored, from the backup of .*data taken /);
  t.equal(statSync(restoredDir).mode & 0o777, 0o700, 'the restored folder is private');
  for (const key of ['secret.key', 'sealing.key']) t.ok(existsSync(path.join(restoredDir, key)), `${key} restored with the database`);

  const second = await startServer(t, restoredDir);
  const missing: string[] = [];
  for (let i = 0; i < before.length; i += 20) {
    await Promise.all(before.slice(i, i + 20).map(async (r) => {
      const res = await fetch(`${second.base}/api/customers/${r.id}/history?limit=1`, { headers: ADMIN });
      const phones = res.status === 200 ? ((await res.json()) as { customer: { phones?: string[] } }).customer.phones : undefined;
      if (!phones?.includes(r.phone)) missing.push(`${r.id} ${r.phone} (${res.status})`);
    }));
  }
  t.same(missing, [], `all ${before.length} customers acknowledged before the backup are in the restored server`);
  const restoredGreeting = await fetch(`${second.base}/api/voicemail/boxes/general/greeting`, { headers: ADMIN });
  t.equal(restoredGreeting.status, 200, 'the greeting file moved with the data folder');
  t.ok(Buffer.from(await restoredGreeting.arrayBuffer()).equals(greetingBytes), 'the same greeting, byte for byte');
  await second.stop();
});

/** A data folder as `tenor migrate` leaves it: the database with every migration applied. */
async function dataFolder(dir: string): Promise<void> {
  const db = new SqliteDatabase(path.join(dir, 'tenor.db'));
  await db.migrate(migrations);
  await db.close();
}

const backupFailed = (message: RegExp) => ({ code: 'TENOR_ERR_BACKUP_FAILED', message });
const restoreRefused = (message: RegExp) => ({ code: 'TENOR_ERR_RESTORE_REFUSED', message });

t.test('a backup FILE that is a folder, an existing file, in an unwritable folder or in the data folder is refused, and nothing is written', async (t) => {
  const root = tempDir(t, 'tenor-backup-');
  const dataDir = path.join(root, 'data');
  await dataFolder(dataDir);
  const backup = (file: string) => takeBackup({ dataDir, file, version: 'test' });

  const folder = path.join(root, 'a-folder');
  mkdirSync(folder);
  await t.rejects(backup(folder), backupFailed(/No backup was written to .*a-folder: it is a folder/));
  t.same(readdirSync(folder), [], 'nothing written into it');

  const existing = path.join(root, 'old-backup.tar.gz');
  writeFileSync(existing, 'an older backup');
  await t.rejects(backup(existing), backupFailed(/the file exists already; a backup never overwrites one/));
  t.equal(readFileSync(existing, 'utf8'), 'an older backup');

  // Root may write where a folder's mode allows nothing: sysfs refuses even root.
  const locked = process.getuid?.() === 0 ? '/sys' : path.join(root, 'locked');
  if (locked !== '/sys') {
    mkdirSync(locked);
    chmodSync(locked, 0o500);
  }
  await t.rejects(backup(path.join(locked, 'tenor-backup.tar.gz')), backupFailed(/the folder .* is not writable/));
  t.notOk(existsSync(path.join(locked, 'tenor-backup.tar.gz')));
  await t.rejects(backup(path.join(root, 'no-such-folder', 'b.tar.gz')), backupFailed(/the folder .*no-such-folder does not exist/));
  await t.rejects(backup(path.join(dataDir, 'b.tar.gz')), backupFailed(/it is inside the data folder/));
  await t.rejects(takeBackup({ dataDir: path.join(root, 'empty'), file: path.join(root, 'c.tar.gz'), version: 'test' }), backupFailed(/there is no database at /));
  t.same(readdirSync(root).sort(), ['a-folder', 'data', 'old-backup.tar.gz', ...(locked === '/sys' ? [] : ['locked'])].sort(), 'no partial file left anywhere');

  const noArg = await runTenor(['backup'], { env: { TENOR_DATA_DIR: dataDir } });
  t.equal(noArg.code, 2, 'no FILE is a wrong command line');
  t.match(noArg.stderr, /backup needs exactly one FILE/);
});

t.test('a corrupt, altered or planted backup is refused with a clear error and the data folder is left as it was', async (t) => {
  const root = tempDir(t, 'tenor-backup-');
  const source = path.join(root, 'source');
  await dataFolder(source);
  mkdirSync(path.join(source, 'voicemail', 'general'), { recursive: true });
  writeFileSync(path.join(source, 'voicemail', 'general', 'm1.wav'), toneWav());
  const good = path.join(root, 'good.tar.gz');
  await takeBackup({ dataDir: source, file: good, version: 'test' });

  // The folder to protect: a server's data (not running).
  const target = path.join(root, 'target');
  await dataFolder(target);
  writeFileSync(path.join(target, 'marker'), 'kept');
  const unchanged = snapshot(target);
  const restore = (file: string, replace = true) => restoreBackup({ dataDir: target, file, replace });

  /** The good backup unpacked, changed by `alter`, packed again as `name`. */
  const variant = async (name: string, alter: (dir: string) => void): Promise<string> => {
    const dir = path.join(root, `${name}.d`);
    mkdirSync(dir);
    await extract({ file: good, cwd: dir });
    alter(dir);
    const file = path.join(root, name);
    await create({ gzip: true, file, cwd: dir }, readdirSync(dir));
    return file;
  };
  const noise = path.join(root, 'noise.tar.gz');
  writeFileSync(noise, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));
  const truncated = path.join(root, 'truncated.tar.gz');
  writeFileSync(truncated, readFileSync(good).subarray(0, Math.floor(statSync(good).size / 2)));
  const alteredWav = await variant('altered-wav.tar.gz', (dir) => writeFileSync(path.join(dir, 'voicemail', 'general', 'm1.wav'), 'not the recording'));
  // A broken page in the database, with the manifest updated to match: only integrity_check can tell.
  const corruptDb = await variant('corrupt-db.tar.gz', (dir) => {
    const file = path.join(dir, 'tenor.db');
    const db = new BetterSqlite3(file);
    const pageSize = Number(db.pragma('page_size', { simple: true }));
    const page = (db.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'schema_migrations'").get() as { rootpage: number }).rootpage;
    db.close();
    const bytes = readFileSync(file);
    bytes.fill(0xff, (page - 1) * pageSize, (page - 1) * pageSize + 64);
    writeFileSync(file, bytes);
    const manifestFile = path.join(dir, 'tenor-backup.json');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { files: { path: string; size: number; sha256: string }[] };
    const entry = manifest.files.find((f) => f.path === 'tenor.db');
    if (entry) entry.sha256 = createHash('sha256').update(bytes).digest('hex');
    writeFileSync(manifestFile, JSON.stringify(manifest));
  });
  const extra = await variant('extra-file.tar.gz', (dir) => writeFileSync(path.join(dir, 'planted.js'), 'process.exit()'));
  const escaping = await variant('escaping.tar.gz', (dir) => {
    const manifestFile = path.join(dir, 'tenor-backup.json');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { files: { path: string; size: number; sha256: string }[] };
    manifest.files.push({ path: '../outside.txt', size: 1, sha256: '0'.repeat(64) });
    writeFileSync(manifestFile, JSON.stringify(manifest));
  });

  const cases: [string, string, RegExp][] = [
    ['random bytes', noise, /it is not a readable Tenor backup/],
    ['a truncated backup', truncated, /it is not a readable Tenor backup/],
    ['a recording altered', alteredWav, /voicemail\/general\/m1\.wav is damaged or altered/],
    ['a database page broken', corruptDb, /its database (fails PRAGMA integrity_check|cannot be read)/],
    ['a file the manifest does not list', extra, /holds files its manifest does not list: planted\.js/],
    ['a manifest naming a path outside', escaping, /its manifest lists a path outside the data folder: \.\.\/outside\.txt/],
  ];
  for (const [what, file, reason] of cases) {
    await t.rejects(restore(file), restoreRefused(reason), `${what}: refused, saying why`);
    t.same(snapshot(target), unchanged, `${what}: the data folder is as it was`);
  }
  t.same(readdirSync(root).filter((n) => n.includes('.restore-') || n.includes('before-restore')), [], 'no half-restored folder left beside it');

  await t.rejects(restore(good, false), restoreRefused(/holds data; stop Tenor and give --replace to move it aside first/));
  t.same(snapshot(target), unchanged);

  const replaced = await restore(good);
  t.equal(readFileSync(path.join(replaced.movedAside ?? '', 'marker'), 'utf8'), 'kept', 'the data that was there is moved aside, not deleted');
  t.ok(readFileSync(path.join(target, 'voicemail', 'general', 'm1.wav')).equals(toneWav()), 'the good backup restores its recording');
});

t.test('a tenor.pid naming a live process blocks a restore; one left by a server killed with -9 does not', async (t) => {
  const root = tempDir(t, 'tenor-backup-');
  const source = path.join(root, 'source');
  await dataFolder(source);
  const file = path.join(root, 'b.tar.gz');
  await takeBackup({ dataDir: source, file, version: 'test' });
  const target = path.join(root, 'target');
  await dataFolder(target);
  const server = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
  const gone = new Promise((resolve) => server.once('exit', resolve));
  t.teardown(() => server.kill('SIGKILL'));
  writeFileSync(path.join(target, 'tenor.pid'), JSON.stringify({ pid: server.pid, startedAt: '2026-03-01T12:00:00.000Z', claim: 'c1' }));
  await t.rejects(restoreBackup({ dataDir: target, file, replace: true }), restoreRefused(new RegExp(`a Tenor server \\(pid ${server.pid}, started 2026-03-01T12:00:00.000Z\\) is using`)));
  server.kill('SIGKILL');
  await gone;
  const restored = await restoreBackup({ dataDir: target, file, replace: true });
  t.ok(restored.movedAside, 'restored, the old folder moved aside');
  t.notOk(existsSync(path.join(target, 'tenor.pid')), 'the restored folder names no server');
});
