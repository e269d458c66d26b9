// `tenor import-list FILE --list NAME --map phone=Phone,name=Name [--country DE]`:
// imports a CSV into a calling list with the store and the CRM only (no SIP,
// no HTTP), printing progress as it goes and the invalid rows at the end.

import { createReadStream } from 'node:fs';
import { loadConfig } from '../index.js';
import { TenorError } from '../../core/errors.js';
import { createLogger } from '../../core/logger.js';
import { ServiceManager } from '../../core/service-manager.js';
import { storeService } from '../store.js';
import { crmServices } from '../crm/index.js';
import { ListImporter, parseMapping, type ImportReport } from './lists/import.js';
import { campaignMigrations } from './migrations.js';
import { ListsRepository } from './store/lists.js';

export const importListUsage = 'tenor import-list FILE --list NAME --map phone=Phone,name=Name,... [--country DE]';

interface Args {
  file: string;
  list: string;
  map: string;
  country: string | undefined;
}

function parseArgs(args: readonly string[]): Args {
  let file: string | undefined;
  const opts: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a.startsWith('--')) {
      const value = args[i + 1];
      if (value === undefined) throw new TenorError('TENOR_ERR_VALIDATION', [`${a} needs a value (usage: ${importListUsage})`]);
      opts[a.slice(2)] = value;
      i++;
    } else if (file === undefined) file = a;
    else throw new TenorError('TENOR_ERR_VALIDATION', [`unexpected argument '${a}' (usage: ${importListUsage})`]);
  }
  for (const k of Object.keys(opts)) {
    if (!['list', 'map', 'country'].includes(k)) throw new TenorError('TENOR_ERR_VALIDATION', [`unknown option --${k} (usage: ${importListUsage})`]);
  }
  if (!file || !opts['list'] || !opts['map']) throw new TenorError('TENOR_ERR_VALIDATION', [`usage: ${importListUsage}`]);
  return { file, list: opts['list'], map: opts['map'], country: opts['country'] };
}

export function formatReport(r: ImportReport): string {
  const lines = [
    `list ${r.list}: ${r.rows} rows read, ${r.imported} imported (${r.alreadyInList} already in the list), ` +
      `${r.customersCreated} customers created, ${r.customersUpdated} updated, ${r.duplicatesInFile} duplicates in the file, ${r.invalid.length} invalid rows`,
    ...r.invalid.map((i) => `  line ${i.line}: ${i.reason}`),
  ];
  return lines.join('\n');
}

export async function importListCommand(args: readonly string[], out: (line: string) => void = console.log, err: (line: string) => void = console.error): Promise<number> {
  const a = parseArgs(args);
  const mapping = parseMapping(a.map);
  const config = loadConfig();
  const services = new ServiceManager({ logger: createLogger('warn', process.stderr) });
  services.register(storeService(config.dataDir));
  for (const def of crmServices({ modelFile: config.crm.model, defaultCountry: config.crm.defaultCountry, baseDir: config.baseDir })) services.register(def);
  await services.startAll();
  try {
    const db = services.get('store');
    await db.migrate(campaignMigrations);
    const importer = new ListImporter({ crm: services.get('crm'), lists: new ListsRepository(db) });
    const report = await importer.import(createReadStream(a.file), {
      list: a.list, mapping, country: (a.country ?? config.crm.defaultCountry).toUpperCase(),
      onProgress: (p) => err(`… ${p.rows} rows, ${p.imported} imported, ${p.invalid} invalid`),
    });
    out(formatReport(report));
    return report.invalid.length > 0 ? 1 : 0;
  } finally {
    await services.stopAll();
  }
}
