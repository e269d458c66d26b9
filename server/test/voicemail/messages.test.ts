// The life of a voicemail message on a real SQLite database with a fixed
// clock: status only moves forward, callbacks go to the right queue,
// notifications are retried and never lose the message, and retention deletes
// old messages with their files, at the hour's check and at start.

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import type { Test } from 'tap';
import { InProcessEventBus, type TenorEvent } from '../../src/core/events.js';
import type { MailMessage, MailService } from '../../src/services/mail.js';
import { PromptLibrary } from '../../src/services/prompts/library.js';
import { encodeWav } from '@tenor/telephony';
import { BoxDirectory } from '../../src/services/voicemail/boxes.js';
import type { VoicemailSettings } from '../../src/services/voicemail/config-schema.js';
import { voicemailMigrations } from '../../src/services/voicemail/migrations.js';
import { Notifier } from '../../src/services/voicemail/notifier.js';
import { VoicemailStore } from '../../src/services/voicemail/store.js';
import { createVoicemail } from '../../src/services/voicemail/voicemail.js';
import { SqliteDatabase } from '../../src/store/sqlite.js';
import { ADMIN_AUTH, silentLogger, startTestApp, tempDir } from '../helpers.js';

const DAY = 86_400_000;
const T0 = Date.parse('2026-03-01T12:00:00Z');

/** An SMTP stand-in that fails the first `failures` sends (the real SMTP path is proven in sip.test.ts). */
class FlakyMail implements MailService {
  readonly configured = true;
  readonly sent: MailMessage[] = [];
  attempts = 0;
  constructor(private failures: number) {}
  async send(message: MailMessage): Promise<{ messageId: string }> {
    this.attempts++;
    if (this.failures > 0) {
      this.failures--;
      throw new Error('421 try again later');
    }
    this.sent.push(message);
    return { messageId: `<${this.sent.length}@test>` };
  }
}

async function setup(t: Test, opts: { mail?: MailService; settings?: VoicemailSettings } = {}) {
  const dataDir = tempDir(t, 'tenor-vm-');
  const db = new SqliteDatabase(path.join(dataDir, 'tenor.db'));
  t.teardown(() => db.close());
  await db.migrate(voicemailMigrations);
  const store = new VoicemailStore(db);
  const clock = { now: T0 };
  const settings: VoicemailSettings = opts.settings ?? { notify: ['office@test.example'], boxes: [{ name: 'billing', queue: 'support' }] };
  const boxes = new BoxDirectory(settings, {
    queues: () => [{ name: 'sales' }, { name: 'support' }],
    agents: () => [{ login: 'alice', profile: { queues: [{ queue: 'sales' }] } }],
  }, new Map());
  const events: TenorEvent[] = [];
  const bus = new InProcessEventBus((err) => { throw err; });
  bus.subscribeAll((e) => events.push(e));
  const callbacks: { queue: string; number: string; customerId?: string; priority?: number; reason?: string }[] = [];
  const mail = opts.mail ?? new FlakyMail(0);
  const notifier = new Notifier({ mail, store, logger: silentLogger, box: (n) => boxes.get(n), now: () => clock.now, retryDelaysMs: [20, 20] });
  t.teardown(() => notifier.stop());
  const voicemail = createVoicemail({
    dataDir, store, boxes, prompts: new PromptLibrary({ dataDir, logger: silentLogger }), bus,
    acd: { requestCallback: (o) => (callbacks.push(o), { entryId: `callback-${callbacks.length}` }) },
    crm: undefined, notifier, logger: silentLogger, now: () => clock.now, retentionDays: 90,
  });
  /** A saved message with a real WAV file, received `ageMs` before now. */
  const leave = async (box: string, ageMs = 0, customerId?: string) => {
    const id = `m${Math.random().toString(36).slice(2, 10)}`;
    const file = path.join(dataDir, 'voicemail', box, `${id}.wav`);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, encodeWav(new Int16Array(8000)));
    return store.insert({ id, box, callId: `call-${id}`, callerNumber: '+15550199', customerId, durationMs: 1000, receivedAt: clock.now - ageMs, file });
  };
  return { voicemail, store, clock, events, callbacks, leave, notifier, boxes };
}

t.test('GIVEN the site THEN the boxes are general, the configured ones, one per queue and one per agent; an agent sees their own and their queues\'', async (t) => {
  const { voicemail } = await setup(t);
  t.same(voicemail.boxes().map((b) => [b.name, b.kind, b.queue ?? null]).sort(), [
    ['agent:alice', 'agent', null], ['billing', 'general', 'support'], ['general', 'general', null], ['queue:sales', 'queue', 'sales'], ['queue:support', 'queue', 'support'],
  ]);
  t.match(voicemail.box('queue:sales'), { notify: ['office@test.example'], maxSeconds: 120, silenceSeconds: 5, greeting: undefined, language: 'en' });
  t.same(voicemail.boxesFor('alice').map((b) => b.name), ['agent:alice', 'queue:sales']);
  t.equal(voicemail.box('queue:nope'), undefined);
});

t.test('GIVEN a new message WHEN marked heard then handled THEN each step is stamped and published; it never goes back', async (t) => {
  const { voicemail, clock, events, leave } = await setup(t);
  const m = await leave('queue:sales');
  t.equal(m.status, 'new');
  clock.now += 60_000;
  const heard = await voicemail.setStatus(m.id, 'heard', 'alice');
  t.match(heard, { status: 'heard', heardAt: new Date(T0 + 60_000).toISOString(), handledAt: undefined });
  const again = await voicemail.setStatus(m.id, 'heard', 'bob');
  t.equal(again.heardAt, heard.heardAt, 'marking heard twice changes nothing');
  clock.now += 60_000;
  const handled = await voicemail.setStatus(m.id, 'handled', 'alice');
  t.match(handled, { status: 'handled', heardAt: heard.heardAt, handledAt: new Date(T0 + 120_000).toISOString(), handledBy: 'alice' });
  await t.rejects(voicemail.setStatus(m.id, 'heard', 'alice'), { code: 'TENOR_ERR_VOICEMAIL_STATUS', status: 409 });
  t.same(events.filter((e) => e.type === 'voicemail_status_changed').map((e) => e.payload), [
    { id: m.id, box: 'queue:sales', from: 'new', to: 'heard', by: 'alice' },
    { id: m.id, box: 'queue:sales', from: 'heard', to: 'handled', by: 'alice' },
  ]);
  const direct = await leave('general');
  const done = await voicemail.setStatus(direct.id, 'handled', 'sam');
  t.ok(done.heardAt !== undefined && done.heardAt === done.handledAt, 'handled straight from new counts as heard then');
  await t.rejects(voicemail.setStatus('nope', 'heard', 'x'), { code: 'TENOR_ERR_NOT_FOUND' });
  t.same((await voicemail.messages({ status: 'handled' })).map((x) => x.id).sort(), [m.id, direct.id].sort());
  t.same((await voicemail.messages({ boxes: ['general'] })).map((x) => x.id), [direct.id]);
});

t.test('GIVEN messages in different boxes WHEN a callback is asked THEN it goes to the box\'s queue, or the queue named; a box without one needs it', async (t) => {
  const { voicemail, callbacks, leave } = await setup(t);
  const sales = await leave('queue:sales', 0, '42');
  t.same(await voicemail.requestCallback(sales.id, { by: 'alice' }), { entryId: 'callback-1', queue: 'sales' });
  t.match(callbacks[0], { queue: 'sales', number: '+15550199', customerId: '42' });
  t.equal((await voicemail.message(sales.id))?.callbackEntryId, 'callback-1');
  const billing = await leave('billing');
  t.same(await voicemail.requestCallback(billing.id, { by: 'sam' }), { entryId: 'callback-2', queue: 'support' }, 'a configured box names its queue');
  const general = await leave('general');
  await t.rejects(voicemail.requestCallback(general.id, { by: 'sam' }), { code: 'TENOR_ERR_VALIDATION', message: /box 'general' has no queue/ });
  t.same(await voicemail.requestCallback(general.id, { queue: 'support', priority: 2, by: 'sam' }), { entryId: 'callback-3', queue: 'support' });
  t.match(callbacks[2], { queue: 'support', priority: 2 });
});

t.test('GIVEN retention of 90 days on a fixed clock WHEN the check runs THEN older messages and their files are deleted, younger ones kept', async (t) => {
  const { voicemail, clock, leave } = await setup(t);
  const old = await leave('general', 91 * DAY);
  const edge = await leave('general', 90 * DAY - 1);
  const young = await leave('queue:sales', 10 * DAY);
  t.equal(await voicemail.purgeExpired(), 1);
  t.notOk(existsSync(old.file), 'the old WAV is gone');
  t.equal(await voicemail.message(old.id), undefined, 'and its record');
  t.ok(existsSync(edge.file) && existsSync(young.file));
  clock.now += 2; // now the edge one is just over 90 days old
  t.equal(await voicemail.purgeExpired(), 1);
  t.notOk(existsSync(edge.file));
  clock.now += 80 * DAY;
  t.equal(await voicemail.purgeExpired(), 1);
  t.same(await voicemail.messages(), []);
});

t.test('GIVEN an SMTP server that fails twice WHEN a message is notified THEN it is retried and sent once, with the WAV attached', async (t) => {
  const mail = new FlakyMail(2);
  const { notifier, store, leave } = await setup(t, { mail });
  const m = await leave('queue:sales');
  notifier.notify(m.id);
  const deadline = Date.now() + 10_000;
  while (mail.sent.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await notifier.settled();
  t.equal(mail.attempts, 3);
  t.equal(mail.sent.length, 1);
  t.same(mail.sent[0]?.to, ['office@test.example']);
  t.match(mail.sent[0]?.attachments?.[0], { path: m.file, contentType: 'audio/wav' });
  t.ok((await store.get(m.id))?.notifiedAt, 'stamped as notified');
  t.same(await store.pendingNotifications(3), []);
});

t.test('GIVEN an SMTP server that never answers WHEN the attempts run out THEN the message is kept, marked unsent, and not retried forever', async (t) => {
  const mail = new FlakyMail(100);
  const { notifier, store, leave } = await setup(t, { mail });
  const m = await leave('general');
  notifier.notify(m.id);
  const deadline = Date.now() + 10_000;
  while (mail.attempts < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 100));
  await notifier.settled();
  t.equal(mail.attempts, 3, '1 try + 2 retries');
  const kept = await store.get(m.id);
  t.ok(kept, 'the message is still there');
  t.equal(kept?.notifiedAt, undefined);
});

t.test('GIVEN a message older than the retention in the data folder WHEN the voicemail service starts THEN it is deleted at start', async (t) => {
  const { app, services } = await startTestApp(t);
  const store = new VoicemailStore(services.get('store'));
  const dir = path.join(tempDir(t), 'old.wav');
  writeFileSync(dir, encodeWav(new Int16Array(8000)));
  await store.insert({ id: 'ancient', box: 'general', callId: 'c-1', callerNumber: '+1555', customerId: undefined, durationMs: 1000, receivedAt: Date.now() - 100 * DAY, file: dir });
  await store.insert({ id: 'recent', box: 'general', callId: 'c-2', callerNumber: '+1555', customerId: undefined, durationMs: 1000, receivedAt: Date.now() - DAY, file: dir + '.2' });
  await services.reload('voicemail');
  const listed = JSON.parse((await app.inject({ method: 'GET', url: '/api/voicemail/messages', headers: ADMIN_AUTH })).body) as { id: string }[];
  t.same(listed.map((m) => m.id), ['recent']);
  t.notOk(existsSync(dir));
});

t.test('GIVEN unsent notifications left by a previous run WHEN the service starts again THEN those of the last day are sent, older ones are not', async (t) => {
  const mail = new FlakyMail(0);
  const { notifier, store, leave } = await setup(t, { mail });
  const recent = await leave('queue:sales', 3_600_000);
  const old = await leave('queue:sales', 2 * DAY);
  t.equal(await notifier.resumePending(), 1);
  await notifier.settled();
  t.same(mail.sent.map((m) => m.subject), [`New voicemail in queue:sales from +15550199 (1.0 s)`]);
  t.ok((await store.get(recent.id))?.notifiedAt);
  t.equal((await store.get(old.id))?.notifiedAt, undefined);
});
