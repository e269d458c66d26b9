// Voicemail end to end over real SIP, through the whole server, on any engine:
// a SIPp caller dials the sales queue's entry number (through the carrier); the queue has no agent
// and sends callers to its voicemail box. A first caller says nothing after the
// beep; a second waits for the greeting and the beep, speaks (streams a 4 s
// tone) and hangs up. Then: only the second message is kept, its WAV (written
// by the engine) is valid and 4 s long (±5%), the message is listed by the API
// (for a supervisor and for an agent of the queue), the call record shows it, a
// local SMTP server gets the e-mail with the WAV attached, the customer's
// timeline has it, and a callback created from it waits in the ACD. Run by
// voicemail/sip.test.ts (embedded engine) and freeswitch/voicemail.test.ts.

import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { readdirSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';
import { freeUdpRange, freeUdpTcpPort, makeToneUlaw, rmsAmplitude, startSipp, describeSipp, wavInfo } from '../../../telephony/test/peers/index.js';
import { builtinPromptsDir } from '../../src/services/prompts/library.js';
import { EventLog, within } from '../acd-sip/site.js';
import { ADMIN_AUTH, startTestApp, tempDir, testConfig } from '../helpers.js';
import { startSmtpServer } from '../smtp.js';
import { CARRIER_ADDRESS, carrierTrunk, runsOn, type TestEngine } from './engine.js';

const run = promisify(execFile);
const SCENARIOS = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'voicemail', 'scenarios');
const CALLER = '+31201110077';
const TALK_SECONDS = 4;
const basic = (user: string, password: string) => ({ authorization: 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64') });

export const LEAVE_MESSAGE = 'GIVEN the sales queue sends callers to its voicemail box WHEN a SIPp caller says nothing, then another speaks 4 s after the beep and hangs up THEN only the second message is saved, listed, mailed, on the call record and can be called back';

export async function leaveMessageScenario(t: Test, engine: TestEngine): Promise<void> {
  const smtp = await startSmtpServer(t);
  const dir = tempDir(t, 'tenor-vm-sip-');
  const siteFile = path.join(dir, 'site.yaml');
  writeFileSync(siteFile, JSON.stringify(engine.site({
    smtp: { host: '127.0.0.1', port: smtp.port, from: 'Tenor <tenor@test.example>' },
    queues: [{ name: 'sales', joinEmpty: false, exits: { empty: { type: 'voicemail', box: 'queue:sales' } } }],
    agents: [{ login: 'alice', name: 'Alice', password: 'pw-alice-password', queues: [{ queue: 'sales' }] }, { login: 'bob', name: 'Bob', password: 'pw-bob-password' }],
    entryNumbers: [{ number: '5000', queue: 'sales' }],
    trunks: [carrierTrunk],
    // The silence limit is longer than the caller's pause before hanging up: the caller ends each call.
    // A Dutch site: its callers' numbers are national, so calling them back passes the dialing policy.
    dialing: { country: 'NL' },
    voicemail: { notify: ['office@test.example'], boxes: [{ name: 'queue:sales', notify: ['sales-lead@test.example'], silenceSeconds: 8 }] },
  }), null, 2));
  const sipPort = await freeUdpTcpPort();
  const rtp = await freeUdpRange(20, { belowEphemeral: true });
  const config = testConfig(t, { TENOR_CONFIG: siteFile, TENOR_SIP_PORT: String(sipPort), TENOR_RTP_PORT_MIN: String(rtp.from), TENOR_RTP_PORT_MAX: String(rtp.to) });
  const { app, services } = await startTestApp(t, { config });
  runsOn(t, engine, services.get('telephony').name);
  const bus = new EventLog();
  t.teardown(services.get('events').subscribeAll((e) => bus.push(e)));
  const customer = await services.get('crm').create('Customer', { name: 'Vera Voice', phones: [CALLER] });
  const acd = services.get('acd');
  const voicemail = services.get('voicemail');
  const boxDir = path.join(config.dataDir, 'voicemail', 'queue:sales');

  // The caller starts speaking 1 s after the greeting and the beep have played.
  const builtin = builtinPromptsDir();
  const greetingMs = (await wavInfo(path.join(builtin, 'en', 'leave-message.wav'))).seconds * 1000;
  const beepMs = (await wavInfo(path.join(builtin, 'common', 'beep.wav'))).seconds * 1000;
  const speech = await makeToneUlaw(path.join(dir, 'speech.ul'), { seconds: TALK_SECONDS, frequency: 500 });
  const callIn = async (audio: string): Promise<void> => {
    const sipp = await startSipp({
      scenario: path.join(SCENARIOS, 'uac-leave-message.xml'), remote: `127.0.0.1:${sipPort}`, localAddress: CARRIER_ADDRESS, service: '5000', calls: 1,
      pauseMs: Math.round(greetingMs + beepMs + 1000), vars: { caller: CALLER }, files: { 'audio.ul': audio }, timeoutMs: 60_000,
    });
    t.teardown(() => sipp.stop(2000));
    const result = await within(sipp.done, 60_000, 'the SIPp caller');
    t.equal(result.code, 0, `the caller's call went as scripted: ${describeSipp(result)}`);
  };

  // A caller who says nothing after the beep, then one who speaks: only the second leaves a message.
  const silence = path.join(dir, 'silence.ul');
  await run('sox', ['-D', '-n', '-r', '8000', '-c', '1', '-t', 'ul', silence, 'trim', '0', String(TALK_SECONDS)]);
  await callIn(silence);
  const silentCall = await bus.wait('call_arrived', () => true, 5000);
  await callIn(speech);
  const received = await bus.wait('voicemail_received', () => true, 20_000);
  t.equal(received.payload.callerNumber, CALLER);
  t.not(received.payload.callId, silentCall.payload.callId, 'the message is the second call\'s');
  const message = await voicemail.message(received.payload.id);
  if (!message) throw new Error('the received message is not stored');
  t.same((await voicemail.messages()).map((m) => m.id), [message.id], 'silence is not a message: one message listed');
  t.same(readdirSync(boxDir), [path.basename(message.file)], 'and no file is left behind for the silent caller');

  // The recording.
  const info = await wavInfo(message.file);
  t.equal(info.sampleRate, 8000, 'sox reads an 8 kHz WAV');
  t.equal(info.channels, 1);
  t.equal(info.bits, 16);
  t.ok(Math.abs(info.seconds - TALK_SECONDS) <= TALK_SECONDS * 0.05, `${TALK_SECONDS} s ±5%: got ${info.seconds} s`);
  t.ok((await rmsAmplitude(message.file)) > 0.05, 'it holds the tone, not silence');
  t.match(message.file, `${boxDir}${path.sep}`, 'under <dataDir>/voicemail/<box>/');
  t.equal(message.customerId, String(customer.id), 'the caller was identified in the CRM');

  // Listed by the API: a supervisor sees every box; alice serves sales, bob does not.
  const list = await app.inject({ method: 'GET', url: '/api/voicemail/messages?box=queue:sales', headers: ADMIN_AUTH });
  t.equal(list.statusCode, 200, list.body);
  const listed = JSON.parse(list.body) as { id: string; status: string; callerNumber: string; customerId: string; durationSeconds: number }[];
  t.same(listed.map((m) => [m.id, m.status, m.callerNumber, m.customerId]), [[message.id, 'new', CALLER, String(customer.id)]]);
  t.ok(Math.abs((listed[0]?.durationSeconds ?? 0) - TALK_SECONDS) <= 0.2);
  const forAlice = JSON.parse((await app.inject({ method: 'GET', url: '/api/voicemail/messages', headers: basic('alice', 'pw-alice-password') })).body) as { id: string }[];
  t.same(forAlice.map((m) => m.id), [message.id], 'alice (an agent of sales) sees it');
  const forBob = JSON.parse((await app.inject({ method: 'GET', url: '/api/voicemail/messages', headers: basic('bob', 'pw-bob-password') })).body) as { id: string }[];
  t.same(forBob, [], 'bob (not in sales) does not');
  t.equal((await app.inject({ method: 'GET', url: `/api/voicemail/messages/${message.id}`, headers: basic('bob', 'pw-bob-password') })).statusCode, 404);

  // The recording is served as audio/wav, whole and by range.
  const audio = await app.inject({ method: 'GET', url: `/api/voicemail/messages/${message.id}/audio`, headers: basic('alice', 'pw-alice-password') });
  t.equal(audio.statusCode, 200);
  t.equal(audio.headers['content-type'], 'audio/wav');
  t.same(audio.rawPayload, await readFile(message.file));
  const head = await app.inject({ method: 'GET', url: `/api/voicemail/messages/${message.id}/audio`, headers: { ...ADMIN_AUTH, range: 'bytes=0-11' } });
  t.equal(head.statusCode, 206);
  t.equal(head.headers['content-range'], `bytes 0-11/${(await stat(message.file)).size}`);
  t.equal(head.rawPayload.toString('latin1'), `RIFF${(await readFile(message.file)).subarray(4, 8).toString('latin1')}WAVE`);

  // The call record of the call shows the message.
  await acd.flush();
  const record = await app.inject({ method: 'GET', url: `/api/calls/${encodeURIComponent(message.callId)}`, headers: ADMIN_AUTH });
  t.equal(record.statusCode, 200, record.body);
  const view = JSON.parse(record.body) as { outcome: string; voicemail: { count: number; messages: { id: string; box: string }[] } };
  t.equal(view.outcome, 'voicemail');
  t.same(view.voicemail, { count: 1, messages: [{ id: message.id, box: 'queue:sales', status: 'new', durationSeconds: listed[0]?.durationSeconds }] });

  const all = JSON.parse((await app.inject({ method: 'GET', url: '/api/calls', headers: ADMIN_AUTH })).body) as { id: string; voicemail: { count: number } }[];
  t.same(all.map((r) => [r.id === message.callId, r.voicemail.count]).sort(), [[false, 0], [true, 1]], 'the list shows the count per call: the silent caller left none');

  // The e-mail, with the recording attached.
  const mail = smtp.messages[0] ?? (await smtp.next());
  t.same(mail.to, ['sales-lead@test.example'], "the box's own address, not the default");
  t.match(mail.raw, /Subject: New voicemail in queue:sales from \+31201110077/);
  t.match(mail.raw, /Content-Type: audio\/wav/);
  const attachment = /filename=voicemail-[^\r\n]*\.wav[\s\S]*?\r\n\r\n([A-Za-z0-9+/=\r\n]+)/.exec(mail.raw)?.[1];
  t.ok(attachment, 'a base64 WAV attachment');
  t.same(Buffer.from(attachment ?? '', 'base64'), await readFile(message.file), 'the attachment is the recording');
  await voicemail.notificationsSettled();
  t.ok((await voicemail.message(message.id))?.notifiedAt, 'the message records that it was mailed');

  // The customer's timeline.
  const history = await services.get('crm').history(Number(customer.id), { limit: 20, offset: 0 });
  t.ok(JSON.stringify(history).includes('"channel":"voicemail"'), 'a voicemail interaction is on the timeline');

  // A callback from the message, asked by alice: it waits in sales.
  const cb = await app.inject({ method: 'POST', url: `/api/voicemail/messages/${message.id}/callback`, headers: basic('alice', 'pw-alice-password'), payload: {} });
  t.equal(cb.statusCode, 200, cb.body);
  const { entryId, queue } = JSON.parse(cb.body) as { entryId: string; queue: string };
  t.equal(queue, 'sales');
  const requested = await bus.wait('callback_requested', (p) => p.entryId === entryId);
  t.same([requested.payload.queue, requested.payload.number], ['sales', CALLER]);
  t.equal(acd.figures('sales')?.waiting, 1, 'the callback waits in the sales queue');
  t.equal((await voicemail.message(message.id))?.callbackEntryId, entryId);

  // Status: heard, then handled by alice; never back.
  const heard = await app.inject({ method: 'POST', url: `/api/voicemail/messages/${message.id}/status`, headers: basic('alice', 'pw-alice-password'), payload: { status: 'heard' } });
  t.equal((JSON.parse(heard.body) as { status: string }).status, 'heard');
  const handled = await app.inject({ method: 'POST', url: `/api/voicemail/messages/${message.id}/status`, headers: basic('alice', 'pw-alice-password'), payload: { status: 'handled' } });
  t.match(JSON.parse(handled.body), { status: 'handled', handledBy: 'alice' });
  const back = await app.inject({ method: 'POST', url: `/api/voicemail/messages/${message.id}/status`, headers: ADMIN_AUTH, payload: { status: 'heard' } });
  t.equal(back.statusCode, 409);
  t.match(JSON.parse(back.body), { error: { code: 'TENOR_ERR_VOICEMAIL_STATUS' } });
  t.same(bus.of('voicemail_status_changed').map((e) => [e.payload.from, e.payload.to, e.payload.by]), [['new', 'heard', 'alice'], ['heard', 'handled', 'alice']]);
}
