// Voicemail e-mail through an SMTP server as sites run them: STARTTLS with a
// certificate from a private CA (made here with openssl), AUTH PLAIN or LOGIN,
// and mail refused without both. The message arrives with its recording; a
// wrong password is logged, shown on the message and the message is kept; a
// server that does not offer STARTTLS never sees the password; a certificate
// Tenor was not told to trust is refused.

import t from 'tap';
import type { Test } from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { SMTPServer } from 'smtp-server';
import { encodeWav } from '@tenor/telephony';
import type { SmtpConfig } from '../../src/config/schema.js';
import { ServiceManager } from '../../src/core/service-manager.js';
import { mailService } from '../../src/services/mail.js';
import { BoxDirectory } from '../../src/services/voicemail/boxes.js';
import { voicemailMigrations } from '../../src/services/voicemail/migrations.js';
import { Notifier } from '../../src/services/voicemail/notifier.js';
import { VoicemailStore } from '../../src/services/voicemail/store.js';
import { messageView } from '../../src/services/voicemail/routes.js';
import { SqliteDatabase } from '../../src/store/sqlite.js';
import { silentLogger, tempDir } from '../helpers.js';

const USER = 'tenor@test.example';
const PASSWORD = 'smtp-password';

/** A certificate for 127.0.0.1, self-signed: its own CA file. */
function testCertificate(dir: string): { key: string; cert: string } {
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
  return { key, cert };
}

interface Received { raw: string; secure: boolean; user: string | undefined }
interface AuthSeen { method: string; secure: boolean; user: string }

/** An SMTP server that takes mail only from an authenticated user, and AUTH only over TLS (unless `offerStartTls` is false). */
async function startSecureSmtp(t: Test, cert: { key: string; cert: string }, opts: { authMethods: string[]; offerStartTls?: boolean }) {
  const received: Received[] = [];
  const auths: AuthSeen[] = [];
  const offer = opts.offerStartTls ?? true;
  const server = new SMTPServer({
    secure: false,
    key: readFileSync(cert.key),
    cert: readFileSync(cert.cert),
    ...(offer ? {} : { disabledCommands: ['STARTTLS'] }),
    allowInsecureAuth: !offer,
    authOptional: false,
    authMethods: opts.authMethods,
    logger: false,
    onAuth(auth, session, callback) {
      auths.push({ method: auth.method, secure: session.secure, user: auth.username ?? '' });
      if (auth.username === USER && auth.password === PASSWORD) callback(null, { user: USER });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({ raw: Buffer.concat(chunks).toString('utf8'), secure: session.secure, user: typeof session.user === 'string' ? session.user : undefined });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: (server.server.address() as AddressInfo).port, received, auths };
}

/** Voicemail's notifier on a real database and the real mail service; one message saved with its WAV. */
async function voicemailWith(t: Test, smtp: SmtpConfig) {
  const dataDir = tempDir(t, 'tenor-vm-smtp-');
  const lines: { level: number; msg: string; err?: { message?: string } }[] = [];
  const logger = pino({ level: 'debug' }, new Writable({ write(chunk: Buffer, _enc, done) { lines.push(JSON.parse(chunk.toString()) as (typeof lines)[number]); done(); } }));
  const db = new SqliteDatabase(path.join(dataDir, 'tenor.db'));
  t.teardown(() => db.close());
  await db.migrate(voicemailMigrations);
  const store = new VoicemailStore(db);
  const boxes = new BoxDirectory({ notify: ['office@test.example'] }, { queues: () => [], agents: () => [] }, new Map());
  const services = new ServiceManager({ logger: silentLogger });
  services.register(mailService(smtp));
  await services.startAll();
  t.teardown(() => services.stopAll());
  const notifier = new Notifier({ mail: services.get('mail'), store, logger, box: (n) => boxes.get(n), now: () => Date.now(), retryDelaysMs: [] });
  t.teardown(() => notifier.stop());
  const wav = encodeWav(new Int16Array(8000).map((_, i) => Math.round(6000 * Math.sin(i / 3))));
  const file = path.join(dataDir, 'voicemail', 'general', 'm1.wav');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, wav);
  const message = await store.insert({ id: 'm1', box: 'general', callId: 'call-smtp-1', callerNumber: '+15550199', customerId: undefined, durationMs: 1000, receivedAt: Date.now(), file });
  const notify = async () => {
    notifier.notify(message.id);
    await notifier.settled();
    return store.get(message.id);
  };
  return { notify, wav, lines, file };
}

const certDir = (t: Test): { key: string; cert: string } => testCertificate(tempDir(t, 'tenor-cert-'));

for (const method of ['PLAIN', 'LOGIN']) {
  t.test(`GIVEN an SMTP server requiring STARTTLS and AUTH ${method} WHEN a voicemail is notified THEN it goes over TLS as the configured user, with the recording attached`, async (t) => {
    const cert = certDir(t);
    const smtp = await startSecureSmtp(t, cert, { authMethods: [method] });
    const vm = await voicemailWith(t, { host: '127.0.0.1', port: smtp.port, requireTls: true, caFile: cert.cert, user: USER, password: PASSWORD, from: 'Tenor <tenor@test.example>' });
    const after = await vm.notify();
    t.ok(after?.notifiedAt, 'the message is stamped as notified');
    t.same(smtp.auths, [{ method, secure: true, user: USER }], `one AUTH ${method}, after STARTTLS`);
    t.equal(smtp.received.length, 1);
    const mail = smtp.received[0];
    t.equal(mail?.secure, true, 'the message travelled over TLS');
    t.equal(mail?.user, USER);
    t.match(mail?.raw, /Subject: New voicemail in general from \+15550199/);
    t.match(mail?.raw, /Content-Disposition: attachment; filename=voicemail-m1\.wav/);
    const body = /filename=voicemail-m1\.wav\r?\n(?:[^\r\n]+\r?\n)*\r?\n([A-Za-z0-9+/=\r\n]+)/.exec(mail?.raw ?? '')?.[1] ?? '';
    t.ok(Buffer.from(body.replace(/\s/g, ''), 'base64').equals(vm.wav), 'the attachment is the recording, byte for byte');
  });
}

t.test('GIVEN a wrong SMTP password WHEN a voicemail is notified THEN the failure is logged and shown on the message, and the message is kept', async (t) => {
  const cert = certDir(t);
  const smtp = await startSecureSmtp(t, cert, { authMethods: ['PLAIN', 'LOGIN'] });
  const vm = await voicemailWith(t, { host: '127.0.0.1', port: smtp.port, requireTls: true, caFile: cert.cert, user: USER, password: 'wrong-password', from: 'tenor@test.example' });
  const after = await vm.notify();
  t.equal(smtp.received.length, 0, 'no mail accepted');
  t.equal(smtp.auths.length, 1, 'the server saw one failed AUTH');
  t.equal(smtp.auths[0]?.secure, true, 'after STARTTLS');
  t.ok(after, 'the message is kept');
  t.equal(after?.notifiedAt, undefined, 'not marked as notified');
  t.match(after?.notifyError, /Invalid login|535|Invalid username or password/, 'the reason is on the message');
  t.match(after ? messageView(after) : {}, { notifiedAt: null, notifyError: /Invalid/ }, 'and in what the API shows');
  t.ok(readFileSync(vm.file).equals(vm.wav), 'the recording is still there');
  const logged = vm.lines.find((l) => l.msg.includes('voicemail notification failed'));
  t.equal(logged?.level, 50, 'logged at error: no retries left');
  t.match(logged?.err?.message, /Invalid login|535|Invalid username or password/);
  t.notMatch(JSON.stringify(vm.lines), /wrong-password/, 'the password is not in the logs');
});

t.test('GIVEN requireTls WHEN the server does not offer STARTTLS THEN nothing is sent and the password never reaches it', async (t) => {
  const cert = certDir(t);
  const smtp = await startSecureSmtp(t, cert, { authMethods: ['PLAIN', 'LOGIN'], offerStartTls: false });
  const vm = await voicemailWith(t, { host: '127.0.0.1', port: smtp.port, requireTls: true, caFile: cert.cert, user: USER, password: PASSWORD, from: 'tenor@test.example' });
  const after = await vm.notify();
  t.same(smtp.auths, [], 'no AUTH over plain text');
  t.equal(smtp.received.length, 0);
  t.equal(after?.notifiedAt, undefined);
  t.match(after?.notifyError, /STARTTLS/);
});

t.test('GIVEN a server certificate from a CA Tenor was not given WHEN a voicemail is notified THEN the TLS upgrade is refused and nothing is sent', async (t) => {
  const cert = certDir(t);
  const smtp = await startSecureSmtp(t, cert, { authMethods: ['PLAIN'] });
  const vm = await voicemailWith(t, { host: '127.0.0.1', port: smtp.port, requireTls: true, user: USER, password: PASSWORD, from: 'tenor@test.example' });
  const after = await vm.notify();
  t.same(smtp.auths, [], 'the password never left');
  t.equal(smtp.received.length, 0);
  t.match(after?.notifyError, /self[- ]signed|certificate/i);
});
