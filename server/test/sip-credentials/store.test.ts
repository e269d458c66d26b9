// What a copy of the database reveals: since every secret Tenor must read back
// is sealed with a key kept outside it (data folder, mode 0600), a stolen
// tenor.db holds no web password equivalent (no MD5/SHA-256 of
// user:realm:password), no device secret and no trunk password in clear.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { openSealedBox, rotateSealingKey } from '../../src/core/sealed-box.js';
import { tempDir } from '../helpers.js';
import { startSipSite } from './site.js';

const ADMIN_WEB_PASSWORD = 'pw-admin-secret';
const hex = (alg: 'md5' | 'sha256', text: string): string => createHash(alg).update(text, 'utf8').digest('hex');

/** The bytes of the database files (main file, and the write-ahead log if there is one). */
function databaseBytes(dataDir: string): Buffer {
  const files = readdirSync(dataDir).filter((f) => /\.db(-wal)?$/.test(f)).map((f) => path.join(dataDir, f));
  if (files.length === 0) throw new Error(`no database file in ${dataDir}`);
  return Buffer.concat(files.map((f) => readFileSync(f)));
}

t.test('the database holds no password equivalent and no clear trunk password; the key file is 0600', async (t) => {
  const dataDir = tempDir(t, 'tenor-sealed-');
  const site = await startSipSite(t, {
    trunks: [{ name: 'carrier', host: '127.0.0.1', port: 5099, username: 'acct', password: 'carrier-trunk-password', register: false }],
    queues: [{ name: 'sales' }],
    agents: [{ login: 'ann', name: 'Ann', password: 'ann-web-password', device: { type: 'softphone', secret: 'ann-device-secret-from-file' }, queues: [{ queue: 'sales' }] }],
  }, dataDir);
  const created = await site.api('PUT', '/api/agents/bob', { name: 'Bob', queues: [{ queue: 'sales' }] });
  const bobSecret = String(created.body['secret']);
  await site.api('PUT', '/api/trunks/backup', { host: '127.0.0.1', port: 5098, username: 'acct2', password: 'backup-trunk-password' });
  const realm = site.services.get('sipCredentials').realm;
  await site.services.stopAll(); // the database is closed: everything written is in the files

  const bytes = databaseBytes(dataDir);
  const secrets: [string, string, string][] = [
    ['admin', ADMIN_WEB_PASSWORD, "admin's web password"],
    ['ann', 'ann-web-password', "ann's web password"],
    ['ann', 'ann-device-secret-from-file', "ann's device secret"],
    ['bob', bobSecret, "bob's generated device secret"],
  ];
  for (const [user, secret, what] of secrets) {
    for (const r of [realm, 'tenor']) {
      for (const alg of ['md5', 'sha256'] as const) {
        t.notOk(bytes.includes(hex(alg, `${user}:${r}:${secret}`)), `no ${alg.toUpperCase()}(${user}:${r === realm ? 'realm' : 'tenor'}:…) of ${what}`);
      }
    }
    t.notOk(bytes.includes(secret), `${what} is not in clear`);
  }
  t.notOk(bytes.includes('carrier-trunk-password'), "the site file's trunk password is not in clear");
  t.notOk(bytes.includes('backup-trunk-password'), "a trunk password set through the API is not in clear");
  t.ok(bytes.includes('sealed:v1:'), 'the secrets are there, sealed');

  const keyFile = path.join(dataDir, 'sealing.key');
  t.equal(statSync(keyFile).mode & 0o777, 0o600, 'the sealing key file is readable by Tenor only (0600)');
  t.notOk(bytes.includes(readFileSync(keyFile, 'utf8').split('\n')[1]?.split(' ')[1] ?? 'no key'), 'and the key is not in the database');
});

t.test('the realm is random per install and kept across restarts, unless sip.realm is set', async (t) => {
  const one = await startSipSite(t, {});
  const two = await startSipSite(t, {});
  const realmOne = one.services.get('sipCredentials').realm;
  t.match(realmOne, /^tenor-[0-9a-f]{16}$/);
  t.not(realmOne, two.services.get('sipCredentials').realm, 'two fresh installs have different realms');
  await one.services.stopAll();
  const again = await startSipSite(t, {}, one.dataDir);
  t.equal(again.services.get('sipCredentials').realm, realmOne, 'a restart keeps the realm (phones keep registering)');
  const fixed = await startSipSite(t, { sip: { realm: 'pbx.example.com' } });
  t.equal(fixed.services.get('sipCredentials').realm, 'pbx.example.com', 'a configured realm is used as it is');
});

t.test('sealed values open after a key rotation; a changed value or unknown key is refused', async (t) => {
  const dir = tempDir(t, 'tenor-keys-');
  const box = openSealedBox(dir);
  const sealed = box.seal('trunk-password');
  t.not(box.seal('trunk-password'), sealed, 'the same value seals differently each time (random IV)');
  t.equal(openSealedBox(dir).open(sealed), 'trunk-password', 'the key file is read back');
  const rotated = rotateSealingKey(dir);
  t.not(rotated.currentKeyId, box.currentKeyId, 'a new key');
  t.equal(rotated.open(sealed), 'trunk-password', 'values sealed with the old key still open');
  t.ok(rotated.isStale(sealed), 'and are known to need sealing again');
  t.notOk(rotated.isStale(rotated.seal('x')));
  const parts = sealed.split(':');
  parts[4] = Buffer.from('tampered').toString('base64url');
  t.throws(() => rotated.open(parts.join(':')), 'a changed value does not open (GCM tag)');
  t.throws(() => openSealedBox(tempDir(t, 'tenor-other-keys-')).open(sealed), /does not have/, "another install's key file cannot open it");
  t.ok(existsSync(path.join(dir, 'sealing.key')));
  t.equal(statSync(path.join(dir, 'sealing.key')).mode & 0o777, 0o600);
});
