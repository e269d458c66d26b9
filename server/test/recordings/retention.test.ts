import t, { type Test } from 'tap';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { RecordingVault } from '../../src/services/recordings/vault.js';
import { recordingMigrations } from '../../src/services/recordings/migrations.js';
import { startRetention } from '../../src/services/recordings/retention.js';
import { SqliteDatabase } from '../../src/store/sqlite.js';
import { silentLogger, tempDir, testConfig } from '../helpers.js';
import { ServiceManager } from '../../src/core/service-manager.js';
import { builtinServices } from '../../src/services/index.js';
import { FakeClock } from '../acd/fake-clock.js';
import { stereoWav } from './wav-fixture.js';

const NOW = Date.UTC(2027, 2, 10, 3, 0, 0);
const iso = (ms: number): string => new Date(ms).toISOString();

async function setup(t: Test) {
  const dir = tempDir(t);
  const db = new SqliteDatabase(path.join(dir, 'tenor.db'));
  t.teardown(() => db.close());
  await db.migrate(recordingMigrations);
  const root = path.join(dir, 'recordings');
  const vault = new RecordingVault({ root });
  await vault.open();
  const add = async (id: string, retainUntil: string | null, state = 'stored', withFile = true): Promise<string | null> => {
    let stored: string | null = null;
    if (withFile) {
      writeFileSync(vault.incomingPath(id), stereoWav(0.2));
      stored = (await vault.store(id, new Date(NOW - 400 * 86_400_000))).path;
    }
    await db.run(
      'INSERT INTO recordings (id, call_id, queue, customer_id, started_at, path, key_id, bytes, state, retain_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [id, `call-${id}`, 'sales', `cust-${id}`, iso(NOW - 400 * 86_400_000), stored, null, 3244, state, retainUntil],
    );
    return stored;
  };
  return { db, vault, root, add };
}

type Row = { id: string; path: string | null; state: string; key_id: string | null };

t.test('a sweep deletes exactly the recordings whose retention has passed', async (t) => {
  const { db, vault, root, add } = await setup(t);
  const files = {
    pastBy1ms: await add('past-by-1ms', iso(NOW - 1)),
    atNow: await add('at-now', iso(NOW)),
    dateOnlyToday: await add('date-only-today', '2027-03-10'),
    futureBy1ms: await add('future-by-1ms', iso(NOW + 1)),
    dateOnlyTomorrow: await add('date-only-tomorrow', '2027-03-11'),
    keepForever: await add('keep-forever', null),
    stillRecording: await add('still-recording', iso(NOW - 86_400_000), 'recording'),
  };
  await add('no-file', iso(NOW - 86_400_000), 'failed', false);

  const clock = new FakeClock(NOW);
  const retention = startRetention({ db, vault, clock, logger: silentLogger });
  t.teardown(() => retention.stop());
  t.equal(await retention.sweep(new Date(NOW)), 0, 'the sweep at start already took them: nothing left for a second sweep at the same time');

  const rows = new Map((await db.all<Row>('SELECT id, path, state, key_id FROM recordings')).map((r) => [r.id, r]));
  for (const gone of ['past-by-1ms', 'at-now', 'date-only-today']) {
    t.match(rows.get(gone), { path: null, state: 'erased', key_id: null }, `${gone}: row kept, marked erased`);
  }
  for (const file of [files.pastBy1ms, files.atNow, files.dateOnlyToday]) t.notOk(existsSync(path.join(root, file ?? '')), `${file} deleted`);
  for (const kept of ['future-by-1ms', 'date-only-tomorrow', 'keep-forever', 'still-recording']) {
    t.match(rows.get(kept), { state: kept === 'still-recording' ? 'recording' : 'stored' }, `${kept}: row untouched`);
  }
  for (const file of [files.futureBy1ms, files.dateOnlyTomorrow, files.keepForever, files.stillRecording]) t.ok(existsSync(path.join(root, file ?? '')), `${file} kept`);
  t.match(rows.get('no-file'), { state: 'failed', path: null }, 'a row without a file is left as it was');

  const audit = await db.all<{ user: string; action: string; recording_id: string; customer_id: string; detail: string }>('SELECT * FROM recording_audit ORDER BY recording_id');
  t.same(audit.map((a) => [a.user, a.action, a.recording_id, a.customer_id]), [
    ['system:retention', 'erase', 'at-now', 'cust-at-now'],
    ['system:retention', 'erase', 'date-only-today', 'cust-date-only-today'],
    ['system:retention', 'erase', 'past-by-1ms', 'cust-past-by-1ms'],
  ]);

  // A day later the next two are due, and the daily timer takes them without being asked.
  await clock.advance(86_400_000);
  await retention.sweep(new Date(NOW + 86_400_000)); // waits for the timer's sweep, then finds nothing more
  const later = new Map((await db.all<Row>('SELECT id, path, state, key_id FROM recordings')).map((r) => [r.id, r]));
  t.match(later.get('future-by-1ms'), { state: 'erased', path: null });
  t.match(later.get('date-only-tomorrow'), { state: 'erased', path: null });
  t.match(later.get('keep-forever'), { state: 'stored' });
  t.match(later.get('still-recording'), { state: 'recording' }, 'a live recording is never swept');
  t.equal(clock.pendingTimers(), 1, 'one daily timer waits');
  retention.stop();
  t.equal(clock.pendingTimers(), 0, 'stop cancels it');
});

t.test('a file that cannot be deleted keeps its row for the next sweep; the others go', async (t) => {
  const { db, vault, add } = await setup(t);
  await add('stuck', iso(NOW - 10));
  await add('fine', iso(NOW - 5));
  let refuse = true;
  const flaky = {
    async remove(stored: string) {
      if (refuse && stored.includes('stuck')) throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
      await vault.remove(stored);
    },
  };
  const clock = new FakeClock(NOW);
  const retention = startRetention({ db, vault: flaky, clock, logger: silentLogger });
  t.teardown(() => retention.stop());
  await retention.sweep(new Date(NOW));
  const states = async () => Object.fromEntries((await db.all<Row>('SELECT id, state FROM recordings')).map((r) => [r.id, r.state]));
  t.same(await states(), { stuck: 'stored', fine: 'erased' });
  refuse = false;
  t.equal(await retention.sweep(new Date(NOW)), 1);
  t.same(await states(), { stuck: 'erased', fine: 'erased' });
});

t.test('the recordings service sweeps when it starts', async (t) => {
  const config = testConfig(t);
  const start = async (): Promise<ServiceManager> => {
    const services = new ServiceManager({ logger: silentLogger });
    for (const def of builtinServices(config)) services.register(def);
    await services.startAll();
    return services;
  };
  let services = await start();
  const { vault } = services.get('recordings');
  const db = services.get('store');
  const stored: string[] = [];
  for (const [id, retainUntil] of [['expired', iso(Date.now() - 60_000)], ['kept', iso(Date.now() + 86_400_000)]] as const) {
    writeFileSync(vault.incomingPath(id), stereoWav(0.2));
    const s = await vault.store(id, new Date());
    stored.push(path.join(config.dataDir, 'recordings', s.path));
    await db.run("INSERT INTO recordings (id, call_id, started_at, path, bytes, state, retain_until) VALUES (?, ?, ?, ?, ?, 'stored', ?)", [id, `call-${id}`, iso(Date.now()), s.path, s.bytes, retainUntil]);
  }
  await services.stopAll();

  services = await start();
  t.teardown(() => services.stopAll());
  const state = async (id: string) => (await services.get('store').get<{ state: string }>('SELECT state FROM recordings WHERE id = ?', [id]))?.state;
  for (let i = 0; i < 600 && (await state('expired')) !== 'erased'; i++) await new Promise((resolve) => setTimeout(resolve, 50));
  t.equal(await state('expired'), 'erased', 'the expired recording was swept at start');
  t.notOk(existsSync(stored[0] ?? ''), 'its file is gone');
  t.equal(await state('kept'), 'stored');
  t.ok(existsSync(stored[1] ?? ''), 'the other file stays');
});
