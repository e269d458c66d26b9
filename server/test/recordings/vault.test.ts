import t from 'tap';
import { appendFileSync, chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { RecordingVault } from '../../src/services/recordings/vault.js';
import { tempDir } from '../helpers.js';
import { containsRunOf, readAll, stereoWav, writeKeyFile } from './wav-fixture.js';

const STARTED = new Date('2026-12-05T23:59:58.000Z');

async function vaultWith(root: string, keyFile?: string): Promise<RecordingVault> {
  const vault = new RecordingVault({ root, keyFile });
  await vault.open();
  return vault;
}

async function record(vault: RecordingVault, id: string, wav: Buffer, startedAt = STARTED) {
  writeFileSync(vault.incomingPath(id), wav);
  return vault.store(id, startedAt);
}

t.test('without a key file a recording is stored as a plain WAV in its UTC date folder', async (t) => {
  const root = path.join(tempDir(t), 'recordings');
  const vault = await vaultWith(root);
  const wav = stereoWav(1);
  const incoming = vault.incomingPath('rec1');
  t.equal(incoming, path.join(root, 'incoming', 'rec1.wav'));
  t.ok(existsSync(path.dirname(incoming)), 'the incoming folder exists for the engine');
  const stored = await record(vault, 'rec1', wav);
  t.same(stored, { path: '2026/12/05/rec1.wav', keyId: null, bytes: wav.length });
  t.notOk(existsSync(incoming), 'the incoming file is gone');
  t.same(readFileSync(path.join(root, stored.path)), wav);
  const back = await vault.read(stored.path);
  t.equal(back.size, wav.length);
  t.same(await readAll(back), wav);
  t.equal(statSync(path.join(root, '2026/12/05')).mode & 0o777, 0o700, 'date folders are owner-only');
});

t.test('with a key the file on disk has no audio in clear, and reads back identical', async (t) => {
  const dir = tempDir(t);
  const root = path.join(dir, 'recordings');
  const keyFile = path.join(dir, 'recording.keys');
  writeKeyFile(keyFile, ['k2026']);
  const vault = await vaultWith(root, keyFile);
  t.equal(vault.currentKeyId, 'k2026');
  const wav = stereoWav(5); // 160 044 bytes: two full chunks and a short one
  const stored = await record(vault, 'rec-enc', wav);
  t.same(stored, { path: '2026/12/05/rec-enc.wav.enc', keyId: 'k2026', bytes: wav.length });
  const onDisk = readFileSync(path.join(root, stored.path));
  t.ok(containsRunOf(wav, wav.subarray(44)), 'the check itself finds PCM in the WAV');
  t.notOk(containsRunOf(onDisk, wav.subarray(44)), 'no 32-byte run of the PCM is in the stored file');
  t.notOk(onDisk.includes(Buffer.from('RIFF')), 'not even the WAV header');
  t.equal(statSync(path.join(root, stored.path)).mode & 0o777, 0o600);
  const back = await vault.read(stored.path);
  t.equal(back.size, wav.length, 'size is the WAV size, for Content-Length');
  t.same(await readAll(back), wav);

  const empty = await record(vault, 'rec-empty', Buffer.alloc(0));
  t.equal(empty.bytes, 0);
  t.same(await readAll(await vault.read(empty.path)), Buffer.alloc(0), 'an empty recording reads back empty');
});

t.test('an altered, reordered or shortened encrypted file fails with a clear error', async (t) => {
  const dir = tempDir(t);
  const root = path.join(dir, 'recordings');
  const keyFile = path.join(dir, 'recording.keys');
  writeKeyFile(keyFile, ['k1']);
  const vault = await vaultWith(root, keyFile);
  const wav = stereoWav(5);
  const { path: stored } = await record(vault, 'rec-t', wav);
  const file = path.join(root, stored);
  const original = readFileSync(file);
  const headerBytes = original.length - wav.length - 3 * 16;

  const flipped = Buffer.from(original);
  flipped[headerBytes + 70000] = (flipped[headerBytes + 70000] ?? 0) ^ 0x01; // inside chunk 1
  writeFileSync(file, flipped);
  await t.rejects(readAll(await vault.read(stored)), { code: 'TENOR_ERR_RECORDING_DAMAGED', message: /rec-t\.wav\.enc.*chunk 1 of 3 failed its integrity check/ });

  const sealedChunk = 65536 + 16;
  const swapped = Buffer.concat([
    original.subarray(0, headerBytes),
    original.subarray(headerBytes + sealedChunk, headerBytes + 2 * sealedChunk),
    original.subarray(headerBytes, headerBytes + sealedChunk),
    original.subarray(headerBytes + 2 * sealedChunk),
  ]);
  writeFileSync(file, swapped);
  await t.rejects(readAll(await vault.read(stored)), { code: 'TENOR_ERR_RECORDING_DAMAGED', message: /chunk 0 of 3/ }, 'chunks swapped');

  writeFileSync(file, original.subarray(0, headerBytes + 2 * sealedChunk));
  await t.rejects(vault.read(stored), { code: 'TENOR_ERR_RECORDING_DAMAGED', message: /header says/ }, 'last chunk cut off');

  const sizeChanged = Buffer.from(original);
  sizeChanged.writeBigUInt64BE(BigInt(2 * 65536), headerBytes - 8); // claims two chunks, and drop the third
  writeFileSync(file, sizeChanged.subarray(0, headerBytes + 2 * sealedChunk));
  await t.rejects(readAll(await vault.read(stored)), { code: 'TENOR_ERR_RECORDING_DAMAGED' }, 'header size lowered to hide a cut');

  writeFileSync(file, original);
  appendFileSync(file, Buffer.from('extra'));
  await t.rejects(vault.read(stored), { code: 'TENOR_ERR_RECORDING_DAMAGED' }, 'bytes appended');

  writeFileSync(file, original);
  t.same(await readAll(await vault.read(stored)), wav, 'the untouched file still reads');
});

t.test('a missing or wrong key names the key id', async (t) => {
  const dir = tempDir(t);
  const root = path.join(dir, 'recordings');
  const keyFile = path.join(dir, 'a.keys');
  writeKeyFile(keyFile, ['old-key']);
  const { path: stored } = await record(await vaultWith(root, keyFile), 'rec-k', stereoWav(1));

  await t.rejects((await vaultWith(root)).read(stored), { code: 'TENOR_ERR_RECORDING_KEY', message: /key 'old-key' but no key file is configured/ });
  const otherFile = path.join(dir, 'b.keys');
  writeKeyFile(otherFile, ['new-key']);
  await t.rejects((await vaultWith(root, otherFile)).read(stored), { code: 'TENOR_ERR_RECORDING_KEY', message: /key 'old-key', which .*b\.keys does not have/ });

  // Same id, different bytes: the key is wrong, and the error says which id it tried.
  const sameIdFile = path.join(dir, 'c.keys');
  writeKeyFile(sameIdFile, ['old-key']);
  await t.rejects(readAll(await (await vaultWith(root, sameIdFile)).read(stored)), { code: 'TENOR_ERR_RECORDING_DAMAGED', message: /key 'old-key' is not the key that encrypted it/ });
});

t.test('a key file that others can read, or that is malformed, is refused at open', async (t) => {
  const dir = tempDir(t);
  const root = path.join(dir, 'recordings');
  const file = path.join(dir, 'keys');
  const refused = async (text: string, message: RegExp, mode = 0o600) => {
    writeFileSync(file, text);
    chmodSync(file, mode);
    await t.rejects(new RecordingVault({ root, keyFile: file }).open(), { code: 'TENOR_ERR_RECORDING_KEY', message }, String(message));
  };
  const key = Buffer.alloc(32, 7).toString('base64');
  await refused(`{"id":"a","key":"${key}"}\n`, /can be read by other users \(mode 644\).*chmod 600/, 0o644);
  await refused('', /has no key/);
  await refused('not json\n', /keys:1: not a JSON object/);
  await refused(`{"id":"a","key":"${Buffer.alloc(16).toString('base64')}"}\n`, /key 'a' is 16 bytes; it must be 32/);
  await refused(`{"id":"a/b","key":"${key}"}\n`, /id must be/);
  await refused(`{"id":"a","key":"${key}"}\n{"id":"b","key":"${key}"}\n`, /2 keys and none is marked "current": true/);
  await refused(`{"id":"a","key":"${key}","current":true}\n{"id":"a","key":"${key}"}\n`, /keys:2: key id 'a' appears twice/);
  await refused(`{"id":"a","key":"${key}","current":true,"note":"x"}\n`, /unknown field 'note'/);
  await t.rejects(new RecordingVault({ root, keyFile: path.join(dir, 'missing') }).open(), { code: 'TENOR_ERR_RECORDING_KEY', message: /missing cannot be read/ });
});

t.test('rotation: new recordings use the current key, old ones stay readable, rekey moves them', async (t) => {
  const dir = tempDir(t);
  const root = path.join(dir, 'recordings');
  const plainWav = stereoWav(1, 300, 600);
  const plain = await record(await vaultWith(root), 'rec-plain', plainWav);

  const keyFile = path.join(dir, 'recording.keys');
  const keys = writeKeyFile(keyFile, ['k1']);
  const oldWav = stereoWav(2);
  const old = await record(await vaultWith(root, keyFile), 'rec-old', oldWav);
  t.equal(old.keyId, 'k1');

  // The operator appends k2 and marks it current.
  writeFileSync(keyFile, `{"id":"k1","key":"${keys.get('k1') ?? ''}"}\n{"id":"k2","key":"${Buffer.alloc(32, 9).toString('base64')}","current":true}\n`, { mode: 0o600 });
  const vault = await vaultWith(root, keyFile);
  t.equal(vault.currentKeyId, 'k2');
  const newWav = stereoWav(1, 500, 700);
  const fresh = await record(vault, 'rec-new', newWav);
  t.equal(fresh.keyId, 'k2');
  t.same(await readAll(await vault.read(old.path)), oldWav, 'the k1 file still reads');
  t.same(await readAll(await vault.read(plain.path)), plainWav, 'the plain file still reads');

  t.same(await vault.rekey(old.path), { path: old.path, keyId: 'k2', bytes: oldWav.length });
  t.equal(await vault.rekey(fresh.path), undefined, 'a file on the current key is left alone');
  const moved = await vault.rekey(plain.path);
  t.same(moved, { path: '2026/12/05/rec-plain.wav.enc', keyId: 'k2', bytes: plainWav.length });
  t.ok(existsSync(path.join(root, plain.path)), 'the plain file stays until the caller has moved its row');
  await vault.remove(plain.path);
  t.notOk(containsRunOf(readFileSync(path.join(root, moved?.path ?? '')), plainWav.subarray(44)));

  // Without k1 in the file, everything still reads: it was all moved to k2.
  writeFileSync(keyFile, `{"id":"k2","key":"${Buffer.alloc(32, 9).toString('base64')}"}\n`, { mode: 0o600 });
  const k2Only = await vaultWith(root, keyFile);
  t.same(await readAll(await k2Only.read(old.path)), oldWav);
  t.same(await readAll(await k2Only.read(moved?.path ?? '')), plainWav);
  await t.rejects((await vaultWith(root)).rekey(old.path), { code: 'TENOR_ERR_RECORDING_KEY' }, 'rekey needs a key file');
});

t.test('paths and ids from outside cannot leave the recordings folder', async (t) => {
  const vault = await vaultWith(path.join(tempDir(t), 'recordings'));
  t.throws(() => vault.incomingPath('../../etc/passwd'), { code: 'TENOR_ERR_VALIDATION' });
  t.throws(() => vault.incomingPath(''), { code: 'TENOR_ERR_VALIDATION' });
  await t.rejects(vault.read('../../../etc/passwd'), { code: 'TENOR_ERR_VALIDATION' });
  await t.rejects(vault.read('2026/12/05/../../../../etc/passwd.wav'), { code: 'TENOR_ERR_VALIDATION' });
  await t.rejects(vault.remove('/etc/hosts'), { code: 'TENOR_ERR_VALIDATION' });
  await t.resolves(vault.remove('2026/12/05/gone.wav'), 'a missing file is no error');
  await t.rejects(vault.store('never-written', STARTED), { code: 'ENOENT' });
  await t.rejects(new RecordingVault({ root: tempDir(t) }).store('x', STARTED), { code: 'TENOR_ERR_INTERNAL' }, 'used before open');
});

t.test('a stream dropped before it is read releases its file', async (t) => {
  const dir = tempDir(t);
  const keyFile = path.join(dir, 'keys');
  writeKeyFile(keyFile, ['k1']);
  const vault = await vaultWith(path.join(dir, 'recordings'), keyFile);
  const { path: stored } = await record(vault, 'rec-drop', stereoWav(1));
  const openFiles = () => readdirSync('/proc/self/fd').length;
  const before = openFiles();
  for (let i = 0; i < 50; i++) {
    const stream = await vault.read(stored);
    const closed = new Promise((resolve) => stream.once('close', resolve));
    stream.destroy();
    await closed;
  }
  // Let the handles' close calls finish.
  for (let i = 0; i < 100 && openFiles() > before + 5; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  t.ok(openFiles() <= before + 5, `no file left open (${before} before, ${openFiles()} after 50 dropped reads)`);
});
