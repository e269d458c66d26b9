// The numbers callers dial, and where each leads (an IVR flow or a queue).
// The site file is authoritative for the numbers it declares: they are written
// to the database at every start (origin 'config'), so an API change to one
// lasts until the next start. Numbers set through the admin API (origin 'api')
// persist. Every change reaches the ingress at once.

import type { EntryNumberConfig } from '../../config/schema.js';
import { defineService } from '../../core/service-manager.js';
import { TenorError } from '../../core/errors.js';
import type { SqlExecutor } from '../../store/database.js';
import '../store.js';
import '../ingress.js';
import '../ivr/service.js';
import '../acd/service.js';
import { entryNumberMigrations } from './migrations.js';
import { entryNumberRoutes } from './routes.js';

export type Origin = 'config' | 'api';

export interface EntryNumberView {
  number: string;
  flow: string | null;
  queue: string | null;
  origin: Origin;
}

export interface EntryNumbersService {
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
const toEntry = (v: EntryNumberView): EntryNumberConfig => (v.flow !== null ? { number: v.number, flow: v.flow } : { number: v.number, queue: v.queue ?? '' });
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
    description: 'Entry numbers: from the site file and the admin API, persisted, applied to the ingress',
    dependsOn: ['store', 'ingress', 'ivr', 'acd'],
    routes: { plugin: entryNumberRoutes },
    async start(ctx) {
      const db = ctx.get('store');
      await db.migrate(entryNumberMigrations);
      const ingress = ctx.get('ingress');
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
      // The ingress started with the file's numbers: add those set through the API.
      for (const v of numbers.values()) if (v.origin === 'api') ingress.setEntryNumber(toEntry(v));

      const check = (entry: EntryNumberConfig): void => {
        if ('flow' in entry && !ivr.flow(entry.flow)) {
          throw new TenorError('TENOR_ERR_VALIDATION', [`entry number '${entry.number}': there is no flow '${entry.flow}'`]);
        }
        if ('queue' in entry && !acd.queue(entry.queue)) {
          throw new TenorError('TENOR_ERR_VALIDATION', [`entry number '${entry.number}': there is no queue '${entry.queue}'`]);
        }
      };

      return {
        list: () => [...numbers.values()].sort((a, b) => a.number.localeCompare(b.number)),
        async save(entry) {
          check(entry);
          const view = rowOf(entry, 'api');
          await upsert(db, view);
          numbers.set(entry.number, view);
          ingress.setEntryNumber(entry);
          return view;
        },
        async remove(number) {
          if (!numbers.has(number)) return false;
          await db.run('DELETE FROM entry_numbers WHERE number = ?', [number]);
          numbers.delete(number);
          ingress.removeEntryNumber(number);
          return true;
        },
      };
    },
  });
}
