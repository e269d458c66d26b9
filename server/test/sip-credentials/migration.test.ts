// An install from before device secrets: its database holds every user's
// MD5/SHA-256 of user:tenor:web-password and trunk passwords in clear. After
// the upgrade those derived secrets no longer register anything, the admin is
// told which devices need a secret (API and a warning at start), and trunk
// passwords are sealed in place and still answer the carrier's challenge.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import BetterSqlite3 from 'better-sqlite3';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { Registrar, InMemoryCredentialStore } from '@tenor/telephony';
import { registerInputFromRequest, responseForRegister } from '../../../telephony/src/embedded/registrar/sip-register.js';
import { SipPeer } from '../../../telephony/test/contract/sip-peer.js';
import { freeUdpRange, freeUdpTcpPort } from '../../../telephony/test/peers/index.js';
import { ServiceManager } from '../../src/core/service-manager.js';
import { builtinServices } from '../../src/services/index.js';
import { build } from '../../src/http/app.js';
import { ADMIN_AUTH, silentLogger, tempDir, testConfig } from '../helpers.js';
import { registerStatus, startSipSite, type SipSite } from './site.js';

const ADMIN_WEB_PASSWORD = 'pw-admin-secret';
const hex = (alg: 'md5' | 'sha256', text: string): string => createHash(alg).update(text, 'utf8').digest('hex');

/** A carrier's registrar on 127.0.0.1 that challenges Tenor's REGISTER (account acct / carrier-password). */
async function carrierRegistrar(t: Test): Promise<{ port: number; registered: () => boolean }> {
  const registrar = new Registrar({ realm: 'carrier.test', credentials: new InMemoryCredentialStore({ acct: 'carrier-password' }) });
  t.teardown(() => registrar.close());
  const peer = await SipPeer.start({
    address: '127.0.0.1',
    onRequest: (req, tx) => {
      if (req.method !== 'REGISTER') return false;
      const input = registerInputFromRequest(req, tx.source);
      if (!input) tx.respond(400);
      else void registrar.handle(input).then((outcome) => tx.send(responseForRegister(req, outcome, tx.localTag)));
      return true;
    },
  });
  t.teardown(() => peer.close());
  return { port: peer.port, registered: () => registrar.lookup('acct').length > 0 };
}

/** Turn a current data folder back into the shape an install from before device secrets had. */
function makeOldShape(dataDir: string, carrierPort: number): void {
  const db = new BetterSqlite3(path.join(dataDir, 'tenor.db'));
  db.exec("DELETE FROM schema_migrations WHERE id LIKE '072%' OR id = '0740-sip-device-digest'; DROP TABLE sip_device_secrets;");
  const derive = db.prepare('UPDATE users SET sip_realm = ?, sip_ha1_md5 = ?, sip_ha1_sha256 = ? WHERE username = ?');
  for (const [user, password] of [['admin', ADMIN_WEB_PASSWORD], ['ann', 'ann-web-password']] as const) {
    derive.run('tenor', hex('md5', `${user}:tenor:${password}`), hex('sha256', `${user}:tenor:${password}`), user);
  }
  const clear = { host: '127.0.0.1', port: carrierPort, username: 'acct', password: 'carrier-password', register: true };
  db.prepare("INSERT OR REPLACE INTO trunks (name, definition, origin, updated_at) VALUES ('carrier', ?, 'api', ?)").run(JSON.stringify(clear), new Date().toISOString());
  db.close();
  // The old data folder had neither the key file nor a realm of its own (the realm was "tenor" everywhere).
  rmSync(path.join(dataDir, 'sealing.key'));
  rmSync(path.join(dataDir, 'sip-realm'), { force: true });
}

async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

t.test('an install from before device secrets: old derived secrets refused, devices listed, trunk password sealed and still used', async (t) => {
  const dataDir = tempDir(t, 'tenor-upgrade-');
  const carrier = await carrierRegistrar(t);
  const site = {
    sip: { realm: 'tenor' }, // what every old install used: the old digest secrets were made for it
    queues: [{ name: 'sales' }],
    agents: [{ login: 'ann', name: 'Ann', password: 'ann-web-password', queues: [{ queue: 'sales' }] }],
  };
  const before = await startSipSite(t, site, dataDir);
  await before.services.stopAll();
  makeOldShape(dataDir, carrier.port);
  const old = new BetterSqlite3(path.join(dataDir, 'tenor.db'), { readonly: true });
  t.equal((old.prepare("SELECT COUNT(*) AS n FROM users WHERE sip_ha1_md5 IS NOT NULL").get() as { n: number }).n, 2, 'the old database has derived secrets');
  old.close();

  // The upgraded server starts on that folder; its log is kept to read the warning.
  const logLines: string[] = [];
  const logger = pino({ level: 'info' }, new Writable({ write(chunk: Buffer, _enc, done) { logLines.push(chunk.toString()); done(); } }));
  const file = path.join(tempDir(t, 'tenor-upgrade-site-'), 'site.yaml');
  writeFileSync(file, JSON.stringify(site));
  const sipPort = await freeUdpTcpPort();
  const rtp = await freeUdpRange(20, { belowEphemeral: true });
  const config = testConfig(t, { TENOR_CONFIG: file, TENOR_DATA_DIR: dataDir, TENOR_SIP_PORT: String(sipPort), TENOR_RTP_PORT_MIN: String(rtp.from), TENOR_RTP_PORT_MAX: String(rtp.to) });
  const services = new ServiceManager({ logger });
  for (const def of builtinServices(config)) services.register(def);
  await services.startAll();
  const app = await build({ services, logger: silentLogger, version: '9.9.9', baseDir: config.baseDir });
  t.teardown(async () => {
    await app.close();
    await services.stopAll();
  });
  const after: SipSite = {
    sip: `127.0.0.1:${sipPort}`, app, services, dataDir,
    async api(method, url, payload) {
      const res = await app.inject({ method, url, headers: ADMIN_AUTH, ...(payload ? { payload } : {}) });
      return { status: res.statusCode, body: res.body === '' ? {} : (JSON.parse(res.body) as Record<string, unknown>) };
    },
  };

  t.ok([401, 403].includes(await registerStatus(after, 'ann', 'ann-web-password')), "ann's old derived secret (her web password) no longer registers");
  t.ok([401, 403].includes(await registerStatus(after, 'admin', ADMIN_WEB_PASSWORD)), "nor does admin's");
  const db = new BetterSqlite3(path.join(dataDir, 'tenor.db'), { readonly: true });
  t.equal((db.prepare('SELECT COUNT(*) AS n FROM users WHERE sip_ha1_md5 IS NOT NULL OR sip_ha1_sha256 IS NOT NULL').get() as { n: number }).n, 0, 'the derived secrets are wiped');
  const definition = (db.prepare("SELECT definition FROM trunks WHERE name = 'carrier'").get() as { definition: string }).definition;
  db.close();
  t.notOk(definition.includes('carrier-password'), 'the trunk password is no longer in clear');
  t.match(definition, /"sealedPassword":"sealed:v1:/, 'it is sealed in place');

  const ann = (await after.api('GET', '/api/agents/ann')).body;
  t.equal(ann['sipSecret'], 'missing', 'the admin API shows ann\'s softphone needs a secret');
  const warning = logLines.map((l) => JSON.parse(l) as { level: number; msg: string; agents?: string[] }).find((l) => l.level === 40 && /without a device secret/.test(l.msg));
  t.same(warning?.agents, ['ann'], 'a warning at start lists the devices that need a secret');

  await waitFor(carrier.registered, 20_000, "Tenor's registration at the carrier");
  t.pass('the sealed trunk password still answers the carrier\'s digest challenge');
  t.match(after.services.get('trunks').get('carrier'), { hasPassword: true });

  const given = await after.api('POST', '/api/agents/ann/sip-secret', {});
  t.equal(await registerStatus(after, 'ann', String(given.body['secret'])), 200, 'with a new device secret ann registers again');
  t.ok(readFileSync(path.join(dataDir, 'sealing.key'), 'utf8').length > 0, 'the key file was made on the upgraded start');

  // Closed, the database files are what a copy of the data folder would hold.
  await app.close();
  await services.stopAll();
  const files = Buffer.concat(['tenor.db', 'tenor.db-wal'].map((f) => path.join(dataDir, f)).filter((f) => existsSync(f)).map((f) => readFileSync(f)));
  for (const [user, password] of [['admin', ADMIN_WEB_PASSWORD], ['ann', 'ann-web-password']] as const) {
    t.notOk(files.includes(hex('md5', `${user}:tenor:${password}`)), `no leftover of ${user}'s old MD5 digest in the database files`);
    t.notOk(files.includes(hex('sha256', `${user}:tenor:${password}`)), `nor of the SHA-256 one`);
  }
  t.notOk(files.includes('carrier-password'), 'nor of the trunk password in clear');
});
