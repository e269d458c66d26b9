// The trunks Tenor calls out through and takes carrier calls from. The site
// file is authoritative for the trunks it declares: they are written to the
// database at every start (origin 'config'), so an API edit of one lasts until
// the next start. Trunks created through the admin API (origin 'api') persist.
// Every change is persisted and handed to the running telephony engine at once
// when it can take it (see live-trunks.ts).

import type { TrunkConfig } from '../../config/schema.js';
import { defineService } from '../../core/service-manager.js';
import { TenorError } from '../../core/errors.js';
import { openSealedBox } from '../../core/sealed-box.js';
import '../store.js';
import '../telephony/index.js';
import { engineTrunk, hasLiveTrunks } from './live-trunks.js';
import { trunkMigrations } from './migrations.js';
import { TrunksRepository, type Origin, type StoredTrunk } from './store.js';
import { trunkRoutes } from './routes.js';

export interface TrunkView {
  name: string;
  host: string;
  port: number;
  transport: 'udp' | 'tcp' | 'tls';
  username: string | null;
  /** The password itself is never shown. */
  hasPassword: boolean;
  register: boolean;
  fromDomain: string | null;
  callerId: string | null;
  inboundAddresses: string[];
  origin: Origin;
  /** Tenor's registration to the trunk (trunks with register: true on an engine that reports it); null otherwise. */
  registration: { state: string; detail: string | null } | null;
}

/** A trunk's fields as the site file has them, without the name. */
export type TrunkFields = Omit<TrunkConfig, 'name'>;

export interface TrunksService {
  list(): TrunkView[];
  get(name: string): TrunkView | undefined;
  /** Create or replace a trunk (the password is kept when `fields` has none); applied to the engine, then persisted. */
  save(name: string, fields: TrunkFields): Promise<TrunkView>;
  /** False for an unknown trunk. */
  remove(name: string): Promise<boolean>;
}

declare module '../../core/service-manager.js' {
  interface ServiceMap {
    trunks: TrunksService;
  }
}

export function trunksService(fileTrunks: readonly TrunkConfig[], dataDir: string) {
  return defineService<TrunksService>({
    name: 'trunks',
    version: '1.0.0',
    description: 'SIP trunks: from the site file and the admin API, persisted, applied to the running engine',
    dependsOn: ['store', 'telephony'],
    routes: { plugin: trunkRoutes },
    async start(ctx) {
      const db = ctx.get('store');
      await db.migrate(trunkMigrations);
      const driver = ctx.get('telephony');
      const repo = new TrunksRepository(db, openSealedBox(dataDir));

      // The file's trunks as the file says (docs/configuration.md: the file wins at start); the API's as saved.
      const { trunks: rows, resealed } = await repo.list();
      const stored = new Map(rows.map((s) => [s.trunk.name, s]));
      // Passwords kept in clear by earlier versions (or sealed with a rotated-out key) are sealed now.
      for (const name of resealed) {
        const row = stored.get(name);
        if (row) await repo.save(row);
      }
      if (resealed.length > 0) ctx.logger.info({ trunks: resealed }, 'trunk passwords sealed with the current key');
      const inFile = new Set(fileTrunks.map((t) => t.name));
      for (const trunk of fileTrunks) {
        const row: StoredTrunk = { trunk, origin: 'config' };
        await repo.save(row);
        stored.set(trunk.name, row);
      }
      for (const [name, s] of stored) {
        if (s.origin === 'config' && !inFile.has(name)) {
          await repo.delete(name);
          stored.delete(name);
        }
      }
      const trunks = stored;
      // One change at a time: each computes the next table from the one before it.
      let changing: Promise<unknown> = Promise.resolve();
      const serially = <T>(change: () => Promise<T>): Promise<T> => {
        const result = changing.then(change);
        // The caller gets the failure; the chain only needs to go on to the next change.
        changing = result.catch((err: unknown) => ctx.logger.debug({ err }, 'trunk change failed; the next change starts from the table before it'));
        return result;
      };

      const apply = async (next: Map<string, StoredTrunk>): Promise<void> => {
        if (!hasLiveTrunks(driver)) throw new TenorError('TENOR_ERR_NOT_SUPPORTED', [driver.name, 'change its trunks']);
        await driver.setTrunks([...next.values()].map((s) => engineTrunk(s.trunk)));
      };
      const applyToEngine = async (): Promise<void> => {
        if (hasLiveTrunks(driver)) await apply(trunks);
        else if ([...trunks.values()].some((s) => s.origin === 'api')) ctx.logger.warn({ engine: driver.name }, 'trunks edited through the API are not used: this telephony engine takes its trunks from the site file');
      };
      await applyToEngine();
      // A new engine starts with the site file's trunks: it gets the table as edited, after any change under way.
      ctx.whenReplaced('telephony', () => serially(applyToEngine));

      const view = (s: StoredTrunk): TrunkView => {
        const t = engineTrunk(s.trunk);
        const registration = hasLiveTrunks(driver) ? driver.trunkRegistration(t.name) : undefined;
        return {
          name: t.name, host: t.host, port: t.port, transport: t.transport, username: t.username ?? null, hasPassword: t.password !== undefined,
          register: t.register ?? false, fromDomain: t.fromDomain ?? null, callerId: s.trunk.callerId ?? null,
          inboundAddresses: t.inboundAddresses ?? [], origin: s.origin, registration: registration ?? null,
        };
      };

      return {
        list: () => [...trunks.values()].sort((a, b) => a.trunk.name.localeCompare(b.trunk.name)).map(view),
        get(name) {
          const s = trunks.get(name);
          return s && view(s);
        },
        save: (name, fields) => serially(async () => {
          const previous = trunks.get(name)?.trunk;
          const keptPassword = fields.password === undefined && previous?.password !== undefined ? { password: previous.password } : {};
          const row: StoredTrunk = { trunk: { ...fields, ...keptPassword, name }, origin: 'api' };
          const next = new Map(trunks).set(name, row);
          await apply(next);
          await repo.save(row);
          trunks.set(name, row);
          ctx.logger.info({ trunk: name, host: row.trunk.host, port: row.trunk.port, created: previous === undefined }, 'trunk saved');
          return view(row);
        }),
        remove: (name) => serially(async () => {
          if (!trunks.has(name)) return false;
          const next = new Map(trunks);
          next.delete(name);
          await apply(next);
          await repo.delete(name);
          trunks.delete(name);
          ctx.logger.info({ trunk: name }, 'trunk deleted');
          return true;
        }),
      };
    },
    // A failing registration is worth an operator's look, but calls through other trunks go on: degraded, not down.
    health(trunks) {
      const list = trunks.list();
      const failing = list.filter((t) => t.registration?.state === 'failed').map((t) => t.name);
      return failing.length > 0
        ? { status: 'degraded', detail: `${list.length} trunks; registration failing: ${failing.join(', ')}` }
        : { status: 'ok', detail: `${list.length} trunks` };
    },
  });
}
