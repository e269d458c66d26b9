// Child process for the restart test: runs the ACD on the given database file
// until a caller is connected to an agent, a second caller waits and a third
// has asked for a callback, says so on stdout, then idles until the parent
// kills it with SIGKILL.

import { InProcessEventBus } from '../../src/core/events.js';
import { SqliteDatabase } from '../../src/store/sqlite.js';
import { migrations } from '../../src/store/migrations/index.js';
import { acdMigrations } from '../../src/services/acd/migrations.js';
import { AcdEngine } from '../../src/services/acd/engine.js';
import { silentLogger } from '../helpers.js';
import { FakeClock, settle } from './fake-clock.js';
import { agentProfile, queue } from './fixtures.js';
import { MemoryDriver } from './memory-driver.js';
import { openDialing } from './harness.js';

const file = process.argv[2];
if (!file) throw new Error('usage: crash-child.ts DB_FILE');
const db = new SqliteDatabase(file);
await db.migrate([...migrations, ...acdMigrations]);
const clock = new FakeClock(Date.UTC(2026, 0, 5, 9, 0, 0));
const driver = new MemoryDriver(clock);
const bus = new InProcessEventBus(() => undefined);
const engine = await AcdEngine.start({ driver, db, bus, clock, logger: silentLogger, dialing: openDialing(bus) });
await engine.applyConfig([queue('sales', { callbackKey: '*' })], [agentProfile('talker', ['sales']), agentProfile('resting', ['sales']), agentProfile('away', ['sales'])]);
await engine.login('resting', { breakReason: 'lunch' });
await engine.login('talker');
const caller = driver.caller('+31205550001');
void engine.enqueueCall(caller, { queue: 'sales' });
await settle();
await clock.advance(4000);
driver.ringing('device:talker')[0]?.answer();
await settle();
await clock.advance(10_000);
void engine.enqueueCall(driver.caller('+31205550002'), { queue: 'sales' });
await clock.advance(5000);
const asker = driver.caller('+31205550003');
void engine.enqueueCall(asker, { queue: 'sales', trunk: 'kpn' });
await clock.advance(5000);
asker.typedDigits = '0612345678';
asker.press('*');
await clock.advance(3000);
await engine.flush();
process.stdout.write(`connected ${caller.id}\n`);
setInterval(() => undefined, 1000);
