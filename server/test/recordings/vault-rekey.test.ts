import t from 'tap';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { RecordingVault } from '../../src/services/recordings/vault.js';
import { rekeyRecordings } from '../../src/services/recordings/vault-rekey.js';
import { recordingMigrations } from '../../src/services/recordings/migrations.js';
import { SqliteDatabase } from '../../src/store/sqlite.js';
import { runTenor } from '../cli/run-tenor.js';
import { tempDir } from '../helpers.js';
import { containsRunOf, readAll, stereoWav } from './wav-fixture.js';

const key = (fill: number): string => Buffer.alloc(32, fill).toString('base64');

t.test('rekey moves every stored recording to the current key and its row with it', async (t) => {
  const dir = tempDir(t);
  const root = path.join(dir, 'recordings');
  const keyFile = path.join(dir, 'keys');
  const db = new SqliteDatabase(path.join(dir, 'tenor.db'));
  t.teardown(() => db.close());
  await db.migrate(recordingMigrations);
  const wavs = new Map<string, Buffer>();
  const add = async (vault: RecordingVault, id: string, state = 'stored') => {
    const wav = stereoWav(0.5, 200 + wavs.size * 100, 900);
    wavs.set(id, wav);
    writeFileSync(vault.incomingPath(id), wav);
    const s = await vault.store(id, new Date('2026-11-02T08:00:00Z'));
    await db.run('INSERT INTO recordings (id, call_id, started_at, path, key_id, bytes, state) VALUES (?, ?, ?, ?, ?, ?, ?)', [id, `c-${id}`, '2026-11-02T08:00:00Z', s.path, s.keyId, s.bytes, state]);
  };

  const plainVault = new RecordingVault({ root });
  await plainVault.open();
  await add(plainVault, 'plain');
  writeFileSync(keyFile, `{"id":"k1","key":"${key(1)}"}\n`, { mode: 0o600 });
  const k1 = new RecordingVault({ root, keyFile });
  await k1.open();
  await add(k1, 'on-k1');
  writeFileSync(keyFile, `{"id":"k1","key":"${key(1)}"}\n{"id":"k2","key":"${key(2)}","current":true}\n`, { mode: 0o600 });
  const k2 = new RecordingVault({ root, keyFile });
  await k2.open();
  await add(k2, 'on-k2');

  const lines: string[] = [];
  const report = await rekeyRecordings(db, k2, (line) => lines.push(line));
  t.same(report, { keyId: 'k2', rekeyed: 2, alreadyCurrent: 0, failed: [] });
  t.same(lines.sort(), ['on-k1: k1 -> k2', 'plain: plain -> k2']);
  const rows = await db.all<{ id: string; path: string; key_id: string }>('SELECT id, path, key_id FROM recordings ORDER BY id');
  t.same(rows.map((r) => [r.id, r.key_id, r.path]), [
    ['on-k1', 'k2', '2026/11/02/on-k1.wav.enc'],
    ['on-k2', 'k2', '2026/11/02/on-k2.wav.enc'],
    ['plain', 'k2', '2026/11/02/plain.wav.enc'],
  ]);
  t.notOk(existsSync(path.join(root, '2026/11/02/plain.wav')), 'the plain original is deleted once its row points to the encrypted file');
  t.notOk(containsRunOf(readFileSync(path.join(root, '2026/11/02/plain.wav.enc')), wavs.get('plain')?.subarray(44) ?? Buffer.alloc(0)));

  // k1 can now leave the key file: everything reads with k2 alone.
  writeFileSync(keyFile, `{"id":"k2","key":"${key(2)}"}\n`, { mode: 0o600 });
  const k2Only = new RecordingVault({ root, keyFile });
  await k2Only.open();
  for (const r of rows) t.same(await readAll(await k2Only.read(r.path)), wavs.get(r.id), `${r.id} reads with k2 alone`);
  t.same(await rekeyRecordings(db, k2Only), { keyId: 'k2', rekeyed: 0, alreadyCurrent: 0, failed: [] }, 'a second run has nothing to do');
  await t.rejects(rekeyRecordings(db, plainVault), /no key file is configured/);
});

t.test('a file that cannot be re-encrypted is reported and the others go on', async (t) => {
  const dir = tempDir(t);
  const root = path.join(dir, 'recordings');
  const db = new SqliteDatabase(path.join(dir, 'tenor.db'));
  t.teardown(() => db.close());
  await db.migrate(recordingMigrations);
  const keyFile = path.join(dir, 'keys');
  writeFileSync(keyFile, `{"id":"k9","key":"${key(9)}"}\n`, { mode: 0o600 });
  const vault = new RecordingVault({ root, keyFile });
  await vault.open();
  const plain = new RecordingVault({ root });
  await plain.open();
  writeFileSync(plain.incomingPath('good'), stereoWav(0.2));
  const good = await plain.store('good', new Date('2026-11-03T00:00:00Z'));
  await db.run("INSERT INTO recordings (id, call_id, started_at, path, state) VALUES ('good', 'c1', '2026-11-03T00:00:00Z', ?, 'stored')", [good.path]);
  await db.run("INSERT INTO recordings (id, call_id, started_at, path, state) VALUES ('lost', 'c2', '2026-11-03T00:00:01Z', '2026/11/03/lost.wav', 'stored')");
  const report = await rekeyRecordings(db, vault);
  t.match(report, { rekeyed: 1, failed: [{ id: 'lost', error: /ENOENT/ }] });
  t.match(await db.get("SELECT key_id FROM recordings WHERE id = 'good'"), { key_id: 'k9' });
});

t.test('the command refuses without a key file in the site file', async (t) => {
  const dir = tempDir(t);
  const res = await runTenor(['recordings', 'rekey'], { env: { TENOR_DATA_DIR: dir } });
  t.equal(res.code, 1, res.stderr);
  t.match(res.stderr, /recording\.encryption\.keyFile is not set/);
  const wrong = await runTenor(['recordings', 'shuffle'], { env: { TENOR_DATA_DIR: dir } });
  t.equal(wrong.code, 2);
  t.match(wrong.stderr, /unknown action 'shuffle'/);
});

t.test('check-config reads the recordings key file: one others can read is refused', async (t) => {
  const dir = tempDir(t);
  const site = path.join(dir, 'site.yaml');
  writeFileSync(site, 'recording:\n  encryption:\n    keyFile: ./recording.keys\n');
  writeFileSync(path.join(dir, 'recording.keys'), `{"id":"k1","key":"${key(1)}"}\n`, { mode: 0o644 });
  chmodSync(path.join(dir, 'recording.keys'), 0o644);
  const env = { TENOR_DATA_DIR: path.join(dir, 'data') };
  const loose = await runTenor(['check-config', site], { env });
  t.equal(loose.code, 2, loose.stdout);
  t.match(loose.stderr, /recording\.encryption\.keyFile: .*recording\.keys can be read by other users \(mode 644\)/);
  chmodSync(path.join(dir, 'recording.keys'), 0o600);
  const ok = await runTenor(['check-config', site], { env });
  t.equal(ok.code, 0, ok.stderr);
  t.match(ok.stdout, /configuration OK/);
});
