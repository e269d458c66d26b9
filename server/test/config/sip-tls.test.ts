// SIP over TLS in the site file: the listener turns on with sip.tls or
// TENOR_SIP_TLS_PORT, its certificate files are checked (readable, a key that
// matches, both or neither) with the field named, and without files the server
// makes a self-signed certificate once and keeps it; /health shows the port.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import type { ConfigProblem } from '../../src/config/load.js';
import { loadConfig } from '../../src/services/index.js';
import { isTenorError } from '../../src/core/errors.js';
import { startTestApp, tempDir, testConfig, ADMIN_AUTH } from '../helpers.js';

function problemsOf(env: NodeJS.ProcessEnv, dir: string): ConfigProblem[] {
  try {
    loadConfig(env, dir);
  } catch (err) {
    if (isTenorError(err, 'TENOR_ERR_CONFIG_INVALID')) return err.details as ConfigProblem[];
    throw err;
  }
  return [];
}

function makePair(dir: string, name: string): { cert: string; key: string } {
  const cert = path.join(dir, `${name}-cert.pem`);
  const key = path.join(dir, `${name}-key.pem`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', '/CN=127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  return { cert, key };
}

t.test('sip.tls: off unless asked, on with the file key or TENOR_SIP_TLS_PORT, a free port beside a free SIP port', async (t) => {
  const dir = tempDir(t);
  t.equal(loadConfig({}, dir).sip.tls, undefined, 'no TLS by default');
  writeFileSync(path.join(dir, 'site.yaml'), ['sip:', '  tls: {}', ''].join('\n'));
  t.same(loadConfig({ TENOR_CONFIG: 'site.yaml' }, dir).sip.tls, { port: 5061, cert: undefined, key: undefined });
  t.same(loadConfig({ TENOR_CONFIG: 'site.yaml', TENOR_SIP_PORT: '0' }, dir).sip.tls?.port, 0);
  t.same(loadConfig({ TENOR_SIP_TLS_PORT: '5071' }, dir).sip.tls?.port, 5071);
  t.match(problemsOf({ TENOR_SIP_TLS_PORT: 'tls' }, dir), [{ source: 'TENOR_SIP_TLS_PORT' }]);
  writeFileSync(path.join(dir, 'enc.yaml'), ['sip:', '  requireEncryption: true', ''].join('\n'));
  t.ok(loadConfig({ TENOR_CONFIG: 'enc.yaml' }, dir).sip.tls, 'requireEncryption turns TLS on');
});

t.test('sip.tls certificate files: unreadable, mismatched or half given are refused naming the field', async (t) => {
  const dir = tempDir(t);
  const a = makePair(dir, 'a');
  const b = makePair(dir, 'b');
  const site = (lines: string[]): NodeJS.ProcessEnv => {
    writeFileSync(path.join(dir, 'site.yaml'), ['sip:', '  tls:', ...lines, ''].join('\n'));
    return { TENOR_CONFIG: 'site.yaml' };
  };
  t.same(problemsOf(site([`    cert: ${a.cert}`, `    key: ${a.key}`]), dir), [], 'a matching pair is taken');
  t.match(problemsOf(site([`    cert: ${a.cert}`, `    key: ${b.key}`]), dir), [{ source: /sip\.tls\.key$/, message: /is not the private key of the certificate/ }]);
  t.match(problemsOf(site([`    cert: ${a.cert}`]), dir), [{ source: /sip\.tls\.key$/, message: /cert and key go together/ }]);
  t.match(problemsOf(site(['    cert: missing.pem', `    key: ${a.key}`]), dir), [{ source: /sip\.tls\.cert$/, message: /cannot read .*missing\.pem/ }]);
  t.match(problemsOf(site([`    cert: ${a.key}`, `    key: ${a.key}`]), dir), [{ source: /sip\.tls\.cert$/, message: /not a PEM certificate/ }]);
  const keyText = readFileSync(a.key, 'utf8');
  const notKey = problemsOf(site([`    cert: ${a.cert}`, `    key: ${a.cert}`]), dir);
  t.match(notKey, [{ source: /sip\.tls\.key$/, message: /not an unencrypted PEM private key/ }]);
  t.notOk(JSON.stringify(notKey).includes(keyText.split('\n')[1] ?? 'x'), 'no key material in the message');
  writeFileSync(path.join(dir, 'trunk.yaml'), ['trunks:', '  - name: carrier', '    host: 127.0.0.1', '    transport: udp', '    ca: nope.pem', ''].join('\n'));
  t.match(problemsOf({ TENOR_CONFIG: 'trunk.yaml' }, dir), [{ source: /trunks\[0\]\.ca$/, message: /for transport tls/ }]);
});

t.test('the server generates a self-signed certificate once, keeps it, serves SIP over TLS with it and shows the port', async (t) => {
  const config = testConfig(t, { TENOR_SIP_TLS_PORT: '0' });
  const { app, services } = await startTestApp(t, { config });
  const certFile = path.join(config.dataDir, 'sip-tls', 'cert.pem');
  const cert = readFileSync(certFile, 'utf8');
  const driver = services.get('telephony');
  const port = 'sipTlsPort' in driver && typeof driver.sipTlsPort === 'number' ? driver.sipTlsPort : 0;
  t.ok(port > 0, `TLS on port ${port}`);
  const answer = await new Promise<string>((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ca: cert }, () => {
      socket.write('\r\n\r\n');
    });
    socket.once('data', (d: Buffer) => { resolve(d.toString()); socket.destroy(); });
    socket.once('error', reject);
  });
  t.equal(answer, '\r\n', 'a TLS client trusting the generated certificate is answered');
  const health = await app.inject({ method: 'GET', url: '/api/services', headers: ADMIN_AUTH });
  t.match(health.body, new RegExp(`SIP over TLS on port ${port}`), 'the telephony health detail names the TLS port');
  // The API may set a TLS trunk but never name a file on the server for it to read.
  const sneaky = await app.inject({ method: 'PUT', url: '/api/trunks/carrier', headers: ADMIN_AUTH, payload: { host: '127.0.0.1', transport: 'tls', ca: '/etc/shadow' } });
  t.equal(sneaky.statusCode, 400, 'a ca file path through the API is refused');
  const trunk = await app.inject({ method: 'PUT', url: '/api/trunks/carrier', headers: ADMIN_AUTH, payload: { host: '127.0.0.1', transport: 'tls' } });
  t.equal(trunk.statusCode, 200, trunk.body);
  t.match(trunk.json(), { transport: 'tls', port: 5061 }, 'a TLS trunk defaults to port 5061');
  await services.reload('telephony');
  t.equal(readFileSync(certFile, 'utf8'), cert, 'a restart keeps the certificate');
});
