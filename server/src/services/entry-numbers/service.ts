// The routing table: the numbers callers dial, and where each leads (an IVR
// flow or a queue). The one table there is: the ingress looks every incoming
// call's number up here. The site file is authoritative for the numbers it
// declares: they are written to the database at every start (origin 'config'),
// so an API change to one lasts until the next start. Numbers set through the
// admin API (origin 'api') persist. A change is seen by the next call.

import type { EntryNumberConfig } from '../../config/schema.js';
import { defineService } from '../../core/service-manager.js';
import { TenorError } from '../../core/errors.js';
import type { SqlExecutor } from '../../store/database.js';
import '../store.js';
import '../ivr/index.js';
import '../acd/index.js';
import { entryNumberMigrations } from './migrations.js';
import { entryNumberRoutes } from './routes.js';

export type Origin = 'config' | 'api';

export interface EntryNumberView {
  number: string;
  flow: string | null;
  queue: string | null;
  origin: Origin;
}

/** Where a dialed number leads. */
export type EntryTarget = { flow: string } | { queue: string };

export interface EntryNumbersService {
  /** Where calls to `number` go; undefined when nothing is declared for it. */
  lookup(number: string): EntryTarget | undefined;
  list(): EntryNumberView[];
  /** Point a number at a flow or a queue (400 when it does not exist); taken by the next call. */
  save(entry: EntryNumberConfig): Promise<EntryNumberView>;
  /** False for an unknown number. */
  remove(number: string): Promise<boolean>;
}

declare module '../../core/service-manager.js' {
  interface ServiceMap {
    entryNumbers: EntryNumbersService;
  }
}

interface Row {
  number: string;
  flow: string | null;
  queue: string | null;
  origin: Origin;
}

const toView = (r: Row): EntryNumberView => ({ number: r.number, flow: r.flow, queue: r.queue, origin: r.origin });
const toTarget = (v: EntryNumberView): EntryTarget => (v.flow !== null ? { flow: v.flow } : { queue: v.queue ?? '' });
const rowOf = (entry: EntryNumberConfig, origin: Origin): EntryNumberView =>
  ({ number: entry.number, flow: 'flow' in entry ? entry.flow : null, queue: 'queue' in entry ? entry.queue : null, origin });

async function upsert(db: SqlExecutor, v: EntryNumberView): Promise<void> {
  await db.run(
    `INSERT INTO entry_numbers (number, flow, queue, origin, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (number) DO UPDATE SET flow = excluded.flow, queue = excluded.queue, origin = excluded.origin, updated_at = excluded.updated_at`,
    [v.number, v.flow, v.queue, v.origin, new Date().toISOString()],
  );
}

export function entryNumbersService(fileNumbers: readonly EntryNumberConfig[]) {
  return defineService<EntryNumbersService>({
    name: 'entryNumbers',
    version: '1.0.0',
    description: 'Entry numbers: from the site file and the admin API, persisted; the ingress routes by them',
    dependsOn: ['store', 'ivr', 'acd'],
    routes: { plugin: entryNumberRoutes },
    async start(ctx) {
      const db = ctx.get('store');
      await db.migrate(entryNumberMigrations);
      const ivr = ctx.get('ivr');
      const acd = ctx.get('acd');

      // The file's numbers as the file says (docs/configuration.md: the file wins at start); the API's as saved.
      const numbers = new Map((await db.all<Row>('SELECT number, flow, queue, origin FROM entry_numbers')).map((r) => [r.number, toView(r)]));
      const inFile = new Set(fileNumbers.map((e) => e.number));
      for (const entry of fileNumbers) {
        const view = rowOf(entry, 'config');
        await upsert(db, view);
        numbers.set(entry.number, view);
      }
      for (const [number, v] of numbers) {
        if (v.origin === 'config' && !inFile.has(number)) {
          await db.run('DELETE FROM entry_numbers WHERE number = ?', [number]);
          numbers.delete(number);
        }
      }
      ctx.logger.info({ queueNumbers: [...numbers.values()].filter((v) => v.queue !== null).length, flowNumbers: [...numbers.values()].filter((v) => v.flow !== null).length }, 'entry numbers ready');

      const check = (entry: EntryNumberConfig): void => {
        if ('flow' in entry && !ivr.flow(entry.flow)) {
          throw new TenorError('TENOR_ERR_VALIDATION', [`entry number '${entry.number}': there is no flow '${entry.flow}'`]);
        }
        if ('queue' in entry && !acd.queue(entry.queue)) {
          throw new TenorError('TENOR_ERR_VALIDATION', [`entry number '${entry.number}': there is no queue '${entry.queue}'`]);
        }
      };

      return {
        lookup(number) {
          const v = numbers.get(number);
          return v ? toTarget(v) : undefined;
        },
        list: () => [...numbers.values()].sort((a, b) => a.number.localeCompare(b.number)),
        async save(entry) {
          check(entry);
          const view = rowOf(entry, 'api');
          await upsert(db, view);
          numbers.set(entry.number, view);
          ctx.logger.info({ entry }, 'entry number set');
          return view;
        },
        async remove(number) {
          if (!numbers.has(number)) return false;
          await db.run('DELETE FROM entry_numbers WHERE number = ?', [number]);
          numbers.delete(number);
          ctx.logger.info({ number }, 'entry number removed');
          return true;
        },
      };
    },
  });
}
