// Callbacks from voicemail: Tenor used to call back whatever the message's
// From said. A message left with a forged premium-rate caller ID cannot be
// called back (403 TENOR_ERR_DIALING_REFUSED, nothing queued); one from an
// ordinary number is queued as before. Messages are stored the way the
// voicemail service stores them (real SQLite file, real WAV).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { VoicemailStore } from '../../src/services/voicemail/store.js';
import { encodeWav } from '@tenor/telephony';
import { ADMIN_AUTH, startTestApp, tempDir, testConfig } from '../helpers.js';
import { EventLog } from '../acd-sip/site.js';

t.test('a voicemail from a forged premium-rate number is not called back', async (t) => {
  const dir = tempDir(t, 'tenor-dialing-');
  writeFileSync(path.join(dir, 'site.yaml'), JSON.stringify({ trunks: [{ name: 'carrier', host: '127.0.0.1', port: 9 }], queues: [{ name: 'sales' }] }));
  const config = testConfig(t, { TENOR_CONFIG: path.join(dir, 'site.yaml') });
  const { app, services } = await startTestApp(t, { config });
  const bus = new EventLog();
  t.teardown(services.get('events').subscribeAll((e) => bus.push(e)));
  const store = new VoicemailStore(services.get('store'));
  const leave = async (id: string, callerNumber: string) => {
    const file = path.join(config.dataDir, 'voicemail', 'queue:sales', `${id}.wav`);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, encodeWav(new Int16Array(8000)));
    return store.insert({ id, box: 'queue:sales', callId: `call-${id}`, callerNumber, customerId: undefined, durationMs: 1000, receivedAt: Date.now(), file });
  };
  await leave('m-premium', '+19005551234');
  await leave('m-ordinary', '+12125551234');

  const premium = await app.inject({ method: 'POST', url: '/api/voicemail/messages/m-premium/callback', headers: ADMIN_AUTH, payload: {} });
  t.equal(premium.statusCode, 403, premium.body);
  t.equal((JSON.parse(premium.body) as { error: { code: string } }).error.code, 'TENOR_ERR_DIALING_REFUSED');
  t.match(bus.of('dialing_refused')[0]?.payload, { number: '+19005551234', class: 'premium-rate', purpose: 'callback' }, 'published');
  t.same(bus.of('callback_requested'), [], 'nothing queued');

  const ordinary = await app.inject({ method: 'POST', url: '/api/voicemail/messages/m-ordinary/callback', headers: ADMIN_AUTH, payload: {} });
  t.equal(ordinary.statusCode, 200, ordinary.body);
  t.match(bus.of('callback_requested')[0]?.payload, { queue: 'sales', number: '+12125551234' }, 'an ordinary caller is called back');
});
