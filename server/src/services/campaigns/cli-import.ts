// `tenor import-list FILE --list NAME --map phone=Phone,name=Name [--country DE]`:
// imports a CSV into a calling list with the store and the CRM only (no SIP,
// no HTTP), printing progress as it goes and the invalid rows at the end.

import { createReadStream } from 'node:fs';
import { loadConfig } from '../index.js';
import { CommandLineError, parseCommandLine, stringOption, type OptionSpecs } from '../../core/command-line.js';
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

export const importListOptions = {
  list: { type: 'string', value: 'NAME', help: 'the calling list to add the rows to (created if new)' },
  map: { type: 'string', value: 'MAP', help: 'which CSV column holds which field: phone=Phone,name=Name,... (phone is required)' },
  country: { type: 'string', value: 'CC', help: 'country of numbers written without +country code (default: crm.defaultCountry)' },
} as const satisfies OptionSpecs;

function parseImportArgs(args: readonly string[]): Args {
  const line = parseCommandLine('import-list', args, importListOptions, true);
  const [file, extra] = line.positionals;
  if (extra !== undefined) throw new CommandLineError(`unexpected argument '${extra}' for import-list (one FILE only)`, 'import-list');
  const list = stringOption(line, 'list');
  const map = stringOption(line, 'map');
  const missing = [file ? '' : 'a FILE', list ? '' : '--list NAME', map ? '' : '--map MAP'].filter(Boolean);
  if (!file || !list || !map) throw new CommandLineError(`import-list needs ${missing.join(' and ')}`, 'import-list');
  return { file, list, map, country: stringOption(line, 'country') };
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
  const a = parseImportArgs(args);
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
