import t, { type Test } from 'tap';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { RecordingVault, recordingVaultOptions } from '../../src/services/recordings/vault.js';
import { recordingMigrations } from '../../src/services/recordings/migrations.js';
import { ADMIN_AUTH as ADMIN, startTestApp, tempDir, testConfig } from '../helpers.js';
import { stereoWav, writeKeyFile } from '../recordings/wav-fixture.js';

const ALICE_PHONE = '+493011112222';
const ALICE_NAME = 'Alicia Erasmus-Quill';
const BOB_PHONE = '+493033334444';
const SUPERVISOR = { authorization: 'Basic ' + Buffer.from('sue:pw-supervisor-secret').toString('base64') };

type Json = Record<string, unknown>;

/** A Tenor with two customers, each with history, a case, calls, voicemail, a recording and a callback. */
async function world(t: Test) {
  const config = testConfig(t);
  const keyFile = path.join(tempDir(t), 'recording.keys');
  writeKeyFile(keyFile, ['k1']);
  config.recording = { ...config.recording, encryption: { keyFile } };
  const { app, services } = await startTestApp(t, { config });
  const db = services.get('store');
  await db.migrate(recordingMigrations);
  const vault = new RecordingVault(recordingVaultOptions(config.dataDir, config.baseDir, { keyFile }));
  await vault.open();
  t.equal((await app.inject({ method: 'PUT', url: '/api/users/sue', headers: ADMIN, payload: { role: 'supervisor', password: 'pw-supervisor-secret' } })).statusCode < 300, true);

  const customer = async (name: string, phone: string): Promise<number> => {
    const res = await app.inject({ method: 'POST', url: '/api/customers', headers: ADMIN, payload: { name, phones: [phone], emails: [`${name.split(' ')[0]}@example.org`] } });
    t.equal(res.statusCode, 201, res.body);
    return (res.json() as { id: number }).id;
  };
  const alice = await customer(ALICE_NAME, ALICE_PHONE);
  const bob = await customer('Bob Keeper', BOB_PHONE);

  const wavs = new Map<string, Buffer>();
  const seed = async (who: number, phone: string, tag: string, seconds: number) => {
    const callId = `call-${tag}`;
    const at = Date.UTC(2026, 10, 20, 10, 0, 0);
    await app.inject({ method: 'POST', url: '/api/interactions', headers: ADMIN, payload: { customer: who, channel: 'call', occurredAt: new Date(at).toISOString(), callId, scriptAnswers: { cardLast4: '4242', phoneSaid: phone } } });
    await app.inject({ method: 'POST', url: '/api/cases', headers: ADMIN, payload: { customer: who, code: 'BILLING', description: `call me on ${phone}` } });
    await db.run(
      `INSERT INTO acd_call_records (id, direction, from_number, to_number, customer_id, arrived_at, answered_at, ended_at, queue, agent, outcome, talk_ms, live)
       VALUES (?, 'inbound', ?, '+4930999000', ?, ?, ?, ?, 'support', 'ann', 'answered', 60000, 0)`,
      [callId, phone, String(who), at, at + 5000, at + 65000],
    );
    await db.run("INSERT INTO acd_call_segments (record_id, seq, kind, queue, agent, started_at, detail) VALUES (?, 1, 'transfer', 'support', 'ann', ?, ?)", [callId, at, `to ${phone}`]);
    // A call from their number that no customer was linked to (before they were known).
    await db.run(
      `INSERT INTO acd_call_records (id, direction, from_number, to_number, arrived_at, ended_at, queue, outcome, live) VALUES (?, 'inbound', ?, '+4930999000', ?, ?, 'support', 'abandoned', 0)`,
      [`${callId}-unlinked`, phone, at - 86_400_000, at - 86_400_000 + 9000],
    );
    const vmDir = path.join(config.dataDir, 'voicemail');
    mkdirSync(vmDir, { recursive: true });
    const vmFile = path.join(vmDir, `vm-${tag}.wav`);
    const vmWav = stereoWav(0.5, 300, 300);
    writeFileSync(vmFile, vmWav);
    wavs.set(`voicemail/vm-${tag}.wav`, vmWav);
    await db.run("INSERT INTO voicemail_messages (id, box, call_id, caller_number, customer_id, duration_ms, received_at, status, file) VALUES (?, 'sales', ?, ?, ?, 500, ?, 'new', ?)", [
      `vm-${tag}`, callId, phone, String(who), at, vmFile,
    ]);
    const recordingId = `rec-${tag}`;
    const wav = stereoWav(seconds);
    writeFileSync(vault.incomingPath(recordingId), wav);
    const stored = await vault.store(recordingId, new Date(at));
    wavs.set(`recordings/${recordingId}.wav`, wav);
    await db.run(
      "INSERT INTO recordings (id, call_id, queue, agent, customer_id, started_at, ended_at, duration_ms, path, key_id, bytes, state) VALUES (?, ?, 'support', 'ann', ?, ?, ?, ?, ?, ?, ?, 'stored')",
      [recordingId, callId, String(who), new Date(at).toISOString(), new Date(at + seconds * 1000).toISOString(), seconds * 1000, stored.path, stored.keyId, stored.bytes],
    );
    await db.run("INSERT INTO recording_markers (recording_id, at_ms, kind, by, reason, detail) VALUES (?, 1200, 'pause', 'ann', 'card payment', ?)", [recordingId, `transfer to ${phone}`]);
    await db.run("INSERT INTO acd_scheduled_callbacks (id, agent, number, customer_id, due_at, source, note, status, attempts, created_at, updated_at) VALUES (?, 'ann', ?, ?, ?, 'agent', 'call back', 'open', 0, ?, ?)", [
      `cb-${tag}`, phone, String(who), at + 86_400_000, at, at,
    ]);
    return { recording: path.join(config.dataDir, 'recordings', stored.path), voicemail: vmFile };
  };
  const aliceFiles = await seed(alice, ALICE_PHONE, 'alice', 2);
  // A recording whose file is missing (deleted by hand, a disk restored without it).
  await db.run(
    "INSERT INTO recordings (id, call_id, customer_id, started_at, path, key_id, bytes, state) VALUES ('rec-alice-lost', 'call-alice', ?, '2026-11-21T09:00:00.000Z', '2026/11/21/rec-alice-lost.wav.enc', 'k1', 1000, 'stored')",
    [String(alice)],
  );
  const bobFiles = await seed(bob, BOB_PHONE, 'bob', 1);
  return { app, db, config, alice, bob, aliceFiles, bobFiles, wavs };
}

/** Every byte of the database, its write-ahead log included. */
function databaseBytes(dataDir: string): Buffer {
  return Buffer.concat(readdirSync(dataDir).filter((f) => f.startsWith('tenor.db')).map((f) => readFileSync(path.join(dataDir, f))));
}

// One Tenor for the whole file (starting one is slow on a loaded machine); the steps run in order: refusals, export, erasure.
t.test("a customer's data: export and erasure", async (t) => {
  const w = await world(t);

t.test('erasure: only admins, with a reason, for a customer that exists', async (t) => {
  const { app, alice } = w;
  const erase = (headers: Record<string, string>, payload: object, id: number = alice) => app.inject({ method: 'POST', url: `/api/customers/${id}/erase`, headers, payload });
  t.equal((await erase({}, { reason: 'request 12' })).statusCode, 401);
  t.equal((await erase(SUPERVISOR, { reason: 'request 12' })).statusCode, 403, 'a supervisor may not erase');
  t.equal((await app.inject({ url: `/api/customers/${alice}/export`, headers: SUPERVISOR })).statusCode, 403, 'nor export');
  t.equal((await erase(ADMIN, {})).statusCode, 400, 'the reason is required');
  t.equal((await erase(ADMIN, { reason: '    ' })).statusCode, 400, 'a blank reason is refused');
  t.equal((await erase(ADMIN, { reason: 'ok reason', extra: 1 })).statusCode, 400, 'unknown fields are refused');
  t.equal((await erase(ADMIN, { reason: 'request 12' }, 9999)).statusCode, 404);
  t.equal((await app.inject({ url: '/api/customers/9999/export', headers: ADMIN })).statusCode, 404);
  t.equal((await app.inject({ url: `/api/customers/${alice}`, headers: ADMIN })).statusCode, 200, 'nothing was erased by the refused requests');
});

t.test('a customer on a call is not erased until the call ends', async (t) => {
  const { app, db, bob } = w;
  await db.run("UPDATE acd_call_records SET live = 1 WHERE id = 'call-bob'");
  const res = await app.inject({ method: 'POST', url: `/api/customers/${bob}/erase`, headers: ADMIN, payload: { reason: 'request 13' } });
  t.equal(res.statusCode, 409);
  t.match(res.json(), { error: { code: 'TENOR_ERR_CALL_STATE', message: /on a call/ } });
  t.equal((await app.inject({ url: `/api/customers/${bob}`, headers: ADMIN })).statusCode, 200);
  await db.run("UPDATE acd_call_records SET live = 0 WHERE id = 'call-bob'");
});

t.test('the export is a zip of customer.json and the decrypted audio', async (t) => {
  const { app, db, alice, wavs } = w;
  const res = await app.inject({ url: `/api/customers/${alice}/export`, headers: ADMIN });
  t.equal(res.statusCode, 200, res.body.slice(0, 200));
  t.equal(res.headers['content-type'], 'application/zip');
  t.match(res.headers['content-disposition'], /attachment; filename="customer-\d+\.zip"/);
  const dir = tempDir(t);
  const zip = path.join(dir, 'export.zip');
  writeFileSync(zip, res.rawPayload);
  const listing = execFileSync('unzip', ['-t', zip], { encoding: 'utf8' });
  t.match(listing, /No errors detected/, 'unzip checks every entry and its CRC');
  execFileSync('unzip', ['-q', zip, '-d', path.join(dir, 'out')]);
  const out = (name: string) => readFileSync(path.join(dir, 'out', name));
  const doc = JSON.parse(out('customer.json').toString('utf8')) as Json;
  t.match(doc, {
    customer: { id: alice, name: ALICE_NAME, phones: [ALICE_PHONE] },
    records: { interactions: [{ channel: 'call', callId: 'call-alice', scriptAnswers: { cardLast4: '4242' } }], cases: [{ code: 'BILLING' }] },
    voicemail: [{ id: 'vm-alice', callerNumber: ALICE_PHONE, file: 'voicemail/vm-alice.wav' }],
    recordings: [
      { id: 'rec-alice', callId: 'call-alice', durationMs: 2000, markers: [{ kind: 'pause', atMs: 1200, reason: 'card payment' }], file: 'recordings/rec-alice.wav' },
      { id: 'rec-alice-lost', file: null, fileProblem: /ENOENT/ },
    ],
    scheduledCallbacks: [{ id: 'cb-alice' }],
  });
  t.same((doc['callRecords'] as Json[]).map((c) => c['id']), ['call-alice-unlinked', 'call-alice'], 'linked calls and calls from their number no one was linked to');
  t.notMatch(JSON.stringify(doc), /Bob|BOB|bob|33334444/, 'nothing of the other customer');
  t.same(out('recordings/rec-alice.wav'), wavs.get('recordings/rec-alice.wav'), 'the recording, decrypted');
  t.same(out('voicemail/vm-alice.wav'), wavs.get('voicemail/vm-alice.wav'));
  t.same(readdirSync(path.join(dir, 'out')).sort(), ['customer.json', 'recordings', 'voicemail']);
  const audit = await db.all<Json>("SELECT * FROM recording_audit WHERE action = 'export'");
  t.match(audit, [{ user: 'admin', customer_id: String(alice), recording_id: null }], 'the export is in the audit log');
});

t.test('erasure removes the customer, their files and history, anonymises their calls, and leaves no trace of the number', async (t) => {
  const { app, db, config, alice, bob, aliceFiles, bobFiles } = w;
  t.ok(databaseBytes(config.dataDir).includes(Buffer.from(ALICE_PHONE)), 'before: the number is in the database files (the check can see it)');

  const res = await app.inject({ method: 'POST', url: `/api/customers/${alice}/erase`, headers: ADMIN, payload: { reason: 'erasure request 2026-114' } });
  t.equal(res.statusCode, 200, res.body);
  t.same(res.json(), {
    erased: { recordings: 2, voicemail: 1, records: { Interaction: 2, Case: 1 }, callRecordsAnonymised: 2, scheduledCallbacks: 1, campaignEntries: 0, selfServiceCodes: 0 },
  });

  t.notOk(existsSync(aliceFiles.recording), `the recording file is gone (${aliceFiles.recording})`);
  t.notOk(existsSync(aliceFiles.voicemail), 'the voicemail file is gone');
  t.ok(existsSync(bobFiles.recording) && existsSync(bobFiles.voicemail), "the other customer's files stay");

  t.equal((await app.inject({ url: `/api/customers/${alice}`, headers: ADMIN })).statusCode, 404, 'the customer is gone');
  const search = await app.inject({ url: `/api/customers/search?q=${encodeURIComponent(ALICE_PHONE)}`, headers: ADMIN });
  t.equal((search.json() as { total: number }).total, 0, 'and not found by number');
  t.equal((await db.all("SELECT 1 FROM interactions WHERE customer_id = ?", [alice])).length, 0);
  t.equal((await db.all('SELECT 1 FROM voicemail_messages WHERE customer_id = ?', [String(alice)])).length, 0);
  t.equal((await db.all("SELECT 1 FROM acd_scheduled_callbacks WHERE id = 'cb-alice'")).length, 0);

  const calls = await db.all<Json>("SELECT * FROM acd_call_records WHERE id LIKE 'call-alice%' ORDER BY id");
  t.match(calls, [
    { id: 'call-alice', from_number: 'erased', to_number: '+4930999000', customer_id: null, agent: 'ann', queue: 'support', talk_ms: 60000, outcome: 'answered' },
    { id: 'call-alice-unlinked', from_number: 'erased', customer_id: null, outcome: 'abandoned' },
  ], 'the call records stay for the reports, without the number or the customer');
  t.match(await db.get("SELECT detail FROM acd_call_segments WHERE record_id = 'call-alice'"), { detail: null });
  t.match(await db.get("SELECT state, path, key_id, customer_id FROM recordings WHERE id = 'rec-alice'"), { state: 'erased', path: null, key_id: null, customer_id: null });
  t.match(await db.get("SELECT detail FROM recording_markers WHERE recording_id = 'rec-alice'"), { detail: null });

  // The other customer is untouched.
  t.match((await app.inject({ url: `/api/customers/${bob}`, headers: ADMIN })).json(), { name: 'Bob Keeper', phones: [BOB_PHONE] });
  t.equal((await db.all('SELECT 1 FROM interactions WHERE customer_id = ?', [bob])).length, 2);
  t.match(await db.get("SELECT from_number, customer_id FROM acd_call_records WHERE id = 'call-bob'"), { from_number: BOB_PHONE, customer_id: String(bob) });
  t.match(await db.get("SELECT state FROM recordings WHERE id = 'rec-bob'"), { state: 'stored' });
  t.equal((await db.all("SELECT 1 FROM voicemail_messages WHERE id = 'vm-bob'")).length, 1);

  const [audit] = await db.all<Json>("SELECT * FROM recording_audit WHERE action = 'erase'");
  t.match(audit, { user: 'admin', customer_id: String(alice), recording_id: null });
  const detail = JSON.parse(String(audit?.['detail'])) as Json;
  t.match(detail, { reason: 'erasure request 2026-114', recordings: 2, voicemail: 1, callRecordsAnonymised: 2 });
  t.notMatch(JSON.stringify(audit), /1111|Alicia|Erasmus|example\.org/, 'the audit entry holds no personal data');

  const bytes = databaseBytes(config.dataDir);
  t.notOk(bytes.includes(Buffer.from(ALICE_PHONE)), 'the number is nowhere in the database files');
  t.notOk(bytes.includes(Buffer.from(ALICE_PHONE.slice(1))), 'not even without its +');
  t.notOk(bytes.includes(Buffer.from('Erasmus-Quill')), 'nor the name');
  t.ok(bytes.includes(Buffer.from(BOB_PHONE)), "the other customer's number is still there (the check can see it)");
});
});
