import t from 'tap';
import { ServiceManager } from '../../src/core/service-manager.js';
import { mailService } from '../../src/services/mail.js';
import { silentLogger } from '../helpers.js';
import { startSmtpServer } from '../smtp.js';

t.test('e-mail reaches a real SMTP server, with its attachment', async (t) => {
  const smtp = await startSmtpServer(t);
  const sm = new ServiceManager({ logger: silentLogger });
  sm.register(mailService({ host: '127.0.0.1', port: smtp.port, from: 'Tenor <tenor@example.test>' }));
  await sm.startAll();
  t.teardown(() => sm.stopAll());
  const arrived = smtp.next();
  await sm.get('mail').send({
    to: 'agent@example.test',
    subject: 'New voicemail',
    text: 'A caller left a message.',
    attachments: [{ filename: 'message.wav', content: Buffer.from('RIFF....WAVEfmt '), contentType: 'audio/wav' }],
  });
  const mail = await arrived;
  t.equal(mail.from, 'tenor@example.test');
  t.same(mail.to, ['agent@example.test']);
  t.match(mail.raw, /Subject: New voicemail/);
  t.match(mail.raw, /Content-Type: audio\/wav; name=message\.wav/);
  t.match(mail.raw, /Content-Disposition: attachment; filename=message\.wav/);
});

t.test('without SMTP settings sending fails with a clear coded error', async (t) => {
  const sm = new ServiceManager({ logger: silentLogger });
  sm.register(mailService(undefined));
  await sm.startAll();
  t.teardown(() => sm.stopAll());
  await t.rejects(sm.get('mail').send({ to: 'x@example.test', subject: 's', text: 't' }), { code: 'TENOR_ERR_MAIL_NOT_CONFIGURED' });
});

t.test('an unreachable SMTP server gives a coded error naming the recipient', async (t) => {
  const sm = new ServiceManager({ logger: silentLogger });
  sm.register(mailService({ host: '127.0.0.1', port: 1, from: 'tenor@example.test' }));
  await sm.startAll();
  t.teardown(() => sm.stopAll());
  await t.rejects(sm.get('mail').send({ to: 'boss@example.test', subject: 's', text: 't' }), { code: 'TENOR_ERR_MAIL_FAILED', message: /boss@example\.test/ });
});
