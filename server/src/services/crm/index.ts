// The CRM service: business objects from the model, their tables kept in step
// with it, one repository per entity. Entities mapped onto an external
// database reach it through a `database.<name>` service, so a site can replace
// that wrapper (another file, another engine) like any other service.

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineService, type ServiceDefinition } from '../../core/service-manager.js';
import { TenorError } from '../../core/errors.js';
import type { Database, Migration } from '../../store/database.js';
import { SqliteDatabase } from '../../store/sqlite.js';
import { loadModel, type EntityDef } from './model.js';
import { EntityRepository } from './repository.js';
import { syncEntitySchema, type SyncReport } from './schema-sync.js';
import { CrmDomain } from './domain.js';
import { businessObjectRoutes } from './business-object-routes.js';
import { customerRoutes } from './customer-routes.js';
import { customerDataRoutes } from './customer-data-routes.js';
import type { CustomerRecordingFiles } from './customer-data.js';
import { CustomerSearch } from './search.js';
import { ensureSearchIndex } from './search-index.js';

export { normalizePhone } from './phone.js';
export type { AttributeDef, BusinessModel, EntityDef } from './model.js';

export const defaultModelFile = fileURLToPath(new URL('../../../models/default.yaml', import.meta.url));

/** The CRM service is the domain object: repositories, rules, history. */
export type CrmService = CrmDomain;

declare module '../../core/service-manager.js' {
  interface ServiceMap {
    crm: CrmService;
  }
}

/** Wrapper service over a database Tenor does not own (a legacy system's SQLite file). */
export function externalDatabaseService(name: string, file: string): ServiceDefinition<Database> {
  return defineService<Database>({
    name: `database.${name}`,
    version: '1.0.0',
    description: `External database '${name}' (${path.basename(file)}), mapped by the business-object model`,
    start: () => new SqliteDatabase(file, { external: true }),
    stop: (db) => db.close(),
    async health(db) {
      await db.get('SELECT 1 AS ok');
      return { status: 'ok', detail: db.location };
    },
  });
}

/** The CRM service and the wrappers of the external databases its model maps. */
export function crmServices(opts: {
  modelFile: string | undefined;
  defaultCountry: string;
  baseDir: string;
  /** For a customer's erasure and export (voicemail files under it, recordings in the vault); without it those routes are absent. */
  customerData?: { dataDir: string; openRecordings: () => Promise<CustomerRecordingFiles>; recordingTables: readonly Migration[] };
}): ServiceDefinition<object>[] {
  const model = loadModel(opts.modelFile ?? defaultModelFile);
  const externals = Object.entries(model.databases).map(([name, db]) => externalDatabaseService(name, path.resolve(opts.baseDir, db.file)));
  const crm = defineService<CrmService>({
    name: 'crm',
    version: '1.0.0',
    description: `Business objects: ${model.entities.map((e) => e.name).join(', ')}`,
    dependsOn: ['store', ...externals.map((e) => e.name)],
    routes: {
      // Routes follow the model the CRM started with; a model change applies at the next start.
      plugin: (http) => async (app) => {
        const crm = http.services.get('crm');
        await app.register(businessObjectRoutes({ services: http.services, entities: crm.model.entities }));
        if (crm.hasContactHistory) await app.register(customerRoutes(http));
        if (opts.customerData && crm.model.entities.some((e) => e.name === 'Customer' && e.database === undefined)) {
          await app.register(customerDataRoutes({ services: http.services, ...opts.customerData }));
        }
      },
    },
    async start(ctx) {
      const databaseOf = (entity: EntityDef): Database =>
        entity.database === undefined ? ctx.get('store') : ctx.get<Database>(`database.${entity.database}`);
      const sync: SyncReport[] = [];
      const repos = new Map<string, EntityRepository>();
      for (const entity of model.entities) {
        const report = await syncEntitySchema(databaseOf(entity), entity, entity.database === undefined ? 'migrate' : 'check');
        if (report.createdTable || report.addedColumns.length || report.renamedColumns.length) ctx.logger.info(report, 'business-object table migrated');
        sync.push(report);
        repos.set(entity.name, new EntityRepository(databaseOf(entity), entity, opts.defaultCountry));
      }
      const customers = repos.get('Customer');
      const customerEntity = model.entities.find((e) => e.name === 'Customer');
      let search: CustomerSearch | undefined;
      if (customers && customerEntity) {
        const db = databaseOf(customerEntity);
        // The word index lives beside the table in Tenor's own store; an external database is never changed.
        const indexed = customerEntity.database === undefined && (await ensureSearchIndex(db, customerEntity));
        if (!indexed) ctx.logger.warn({ entity: 'Customer' }, 'customer search without a word index: names are scanned');
        search = new CustomerSearch({ db, customers, cases: repos.get('Case'), defaultCountry: opts.defaultCountry, indexed });
      }
      return new CrmDomain({ model, sync, repos, defaultCountry: opts.defaultCountry, ...(search ? { search } : {}) });
    },
  });
  return [...externals, crm] as ServiceDefinition<object>[];
}
