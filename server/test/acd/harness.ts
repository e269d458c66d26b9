// Starts the ACD engine for a test: a real SQLite file in a temp folder, the
// in-memory driver (see memory-driver.ts: a stand-in until the SIP end-to-end
// tests), the in-process event bus and a simulated clock.

import path from 'node:path';
import type { Test } from 'tap';
import { InProcessEventBus, type EventBus, type TenorEvent, type TenorEventName } from '../../src/core/events.js';
import { SqliteDatabase } from '../../src/store/sqlite.js';
import { migrations } from '../../src/store/migrations/index.js';
import { acdMigrations } from '../../src/services/acd/migrations.js';
import { AcdEngine, type AcdEngineOptions } from '../../src/services/acd/engine.js';
import { seededRandom } from '../../src/services/acd/random.js';
import { createDialing, type DialingService } from '../../src/services/dialing/service.js';
import { NUMBER_CLASSES } from '../../src/services/dialing/config-schema.js';
import type { AgentProfile, QueueDefinition } from '../../src/services/acd/model.js';
import { silentLogger, tempDir } from '../helpers.js';
import { FakeClock, settle } from './fake-clock.js';
import { MemoryDriver } from './memory-driver.js';

export interface Harness {
  engine: AcdEngine;
  clock: FakeClock;
  driver: MemoryDriver;
  db: SqliteDatabase;
  file: string;
  events: TenorEvent[];
  of<K extends TenorEventName>(type: K): TenorEvent<K>['payload'][];
}

/**
 * A dialing policy that lets every number through: these tests are about the
 * ACD's mechanics with an in-memory driver; the policy has its own tests
 * (test/dialing/) and the SIP tests run with the site's real one.
 */
export function openDialing(bus: EventBus): DialingService {
  return createDialing({ allowClasses: [...NUMBER_CLASSES], callbackToOtherNumbers: true, agentsMayDialExternal: true }, { defaultCountry: 'US', ownHosts: [] }, bus, silentLogger);
}

export async function startAcd(
  t: Test,
  setup: { queues: QueueDefinition[]; agents: AgentProfile[]; options?: Partial<AcdEngineOptions>; file?: string; clock?: FakeClock },
): Promise<Harness> {
  const file = setup.file ?? path.join(tempDir(t, 'tenor-acd-'), 'tenor.db');
  const db = new SqliteDatabase(file);
  await db.migrate([...migrations, ...acdMigrations]);
  const clock = setup.clock ?? new FakeClock();
  const driver = new MemoryDriver(clock);
  const bus = new InProcessEventBus((err) => {
    throw err;
  });
  const events: TenorEvent[] = [];
  bus.subscribeAll((e) => events.push(e));
  const engine = await AcdEngine.start({ driver, db, bus, clock, logger: silentLogger, random: seededRandom(5), dialing: openDialing(bus), ...setup.options });
  await engine.applyConfig(setup.queues, setup.agents);
  t.teardown(async () => {
    await engine.stop();
    await db.close();
  });
  return {
    engine, clock, driver, db, file, events,
    of: <K extends TenorEventName>(type: K) => events.filter((e) => e.type === type).map((e) => e.payload as TenorEvent<K>['payload']),
  };
}

export { settle };
