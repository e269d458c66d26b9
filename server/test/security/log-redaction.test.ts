// Attack: read credentials out of the logs (shipped to a log service, readable
// by more people than the database). Before, the logger wrote whatever it was
// given. Now values under password, secret, token, cookie and authorization
// keys are replaced by '[redacted]' at any depth: a login, a configuration
// dump and a request with Cookie and Authorization leave none of them in the
// output, while the lines themselves are still written.

import { Writable } from 'node:stream';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import { loadConfig } from '../../src/services/index.js';
import { createLogger } from '../../src/core/logger.js';
import { startServer } from '../../src/server.js';
import { tempDir } from '../helpers.js';

/** Every line the logger writes. */
class Lines extends Writable {
  readonly text: string[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text.push(chunk.toString());
    done();
  }
  get all(): string {
    return this.text.join('');
  }
}

t.test('the logger redacts secrets at any depth and keeps the rest', async (t) => {
  const out = new Lines();
  const log = createLogger('info', out);
  log.info({
    headers: { cookie: 'tenor_session=S3SSION', authorization: 'Basic QUJD', 'x-csrf-token': 'CSRF-TOK', accept: 'text/html' },
    config: { smtp: { host: 'smtp.example', password: 'SMTP-PW' }, site: { trunks: [{ name: 'carrier', password: 'TRUNK-PW', hasPassword: true }] } },
    user: { username: 'ann', passwordHash: 'scrypt$HASH', apiKey: 'KEY-1', device: { secret: 'DEV-SECRET' } },
  }, 'something happened');
  const line = JSON.parse(out.all) as Record<string, unknown>;
  for (const secret of ['S3SSION', 'QUJD', 'CSRF-TOK', 'SMTP-PW', 'TRUNK-PW', 'scrypt$HASH', 'KEY-1', 'DEV-SECRET']) t.notOk(out.all.includes(secret), `${secret} is not in the log`);
  t.match(line, {
    msg: 'something happened',
    headers: { cookie: '[redacted]', authorization: '[redacted]', accept: 'text/html' },
    config: { smtp: { host: 'smtp.example', password: '[redacted]' }, site: { trunks: [{ name: 'carrier', password: '[redacted]', hasPassword: true }] } },
    user: { username: 'ann' },
  }, 'the rest of the line is intact');
});

t.test('a real server at debug level: the config dump, a login and requests with Cookie and Authorization log no secret', async (t) => {
  const dir = tempDir(t);
  const site = path.join(dir, 'site.yaml');
  await writeFile(site, [
    'trunks:',
    '  - { name: carrier, host: 192.0.2.10, username: acme, password: TRUNK-SECRET-1 }',
    'smtp: { host: smtp.example.com, user: tenor, password: SMTP-SECRET-1, from: "a@example.com" }',
    'queues: [{ name: sales }]',
    'agents:',
    '  - { login: ann, name: Ann, password: ANN-WEB-PASSWORD-1, queues: [{ queue: sales }] }',
  ].join('\n'));
  const config = loadConfig({
    TENOR_CONFIG: site, TENOR_DATA_DIR: path.join(dir, 'data'), TENOR_BIND: '127.0.0.1', TENOR_HTTP_PORT: '0', TENOR_SIP_PORT: '0',
    TENOR_ADMIN_PASSWORD: 'ADMIN-SECRET-PW-1', TENOR_LOG_LEVEL: 'debug',
  }, dir);
  const out = new Lines();
  const server = await startServer(config, { logger: createLogger('debug', out) });
  t.teardown(() => server.stop());

  const login = await fetch(`${server.httpUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'ann', password: 'ANN-WEB-PASSWORD-1' }) });
  t.equal(login.status, 200);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const wrong = await fetch(`${server.httpUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'ann', password: 'WRONG-GUESS-PW-1' }) });
  t.equal(wrong.status, 401);
  const basicAuth = 'Basic ' + Buffer.from('admin:ADMIN-SECRET-PW-1').toString('base64');
  t.equal((await fetch(`${server.httpUrl}/api/auth/me`, { headers: { cookie, authorization: basicAuth } })).status, 200);
  t.equal((await fetch(`${server.httpUrl}/api/nowhere`, { headers: { cookie, authorization: basicAuth } })).status, 404);

  const logged = out.all;
  t.match(logged, /configuration loaded/, 'the configuration was dumped');
  t.match(logged, /logged in/, 'the login was logged');
  t.match(logged, /login failed/, 'the failed login was logged');
  const sessionId = cookie.split('=')[1] ?? '';
  t.ok(sessionId.length > 10, 'the session cookie has a value to look for');
  for (const secret of ['TRUNK-SECRET-1', 'SMTP-SECRET-1', 'ANN-WEB-PASSWORD-1', 'ADMIN-SECRET-PW-1', 'WRONG-GUESS-PW-1', sessionId, basicAuth.slice(6)]) {
    t.notOk(logged.includes(secret), `${secret.slice(0, 6)}… is not in the log`);
  }
});
