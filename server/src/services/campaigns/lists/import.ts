// CSV list import: columns mapped onto customer fields, numbers in E.164,
// duplicates dropped (within the file and against the list), each bad row
// reported with its line number and why; customers created or updated in the
// CRM; list entries written in batches. Streaming: the file is read chunk by
// chunk and progress is reported as rows go by.

import { TenorError } from '../../../core/errors.js';
import { normalizePhone, type CrmService } from '../../crm/index.js';
import type { ListEntry, ListsRepository } from '../store/lists.js';
import { CsvParser, type CsvRow } from './csv.js';
import { isTimeZone, zoneOfNumber } from './zones.js';

/** Target field → CSV column header. `phone` is required; `timeZone` is optional; the rest are Customer attributes. */
export type ColumnMapping = Record<string, string>;

export interface InvalidRow {
  line: number;
  reason: string;
}

export interface ImportProgress {
  rows: number;
  imported: number;
  invalid: number;
}

export interface ImportReport {
  list: string;
  rows: number;
  imported: number;
  customersCreated: number;
  customersUpdated: number;
  duplicatesInFile: number;
  alreadyInList: number;
  invalid: InvalidRow[];
}

export interface ImportOptions {
  list: string;
  mapping: ColumnMapping;
  /** Country for numbers written without +/00 (ISO 3166 alpha-2). */
  country: string;
  onProgress?: (p: ImportProgress) => void;
  /** Progress every this many rows (default 1000). */
  progressEvery?: number;
  now?: () => number;
}

const BATCH = 500;

/** Parse "phone=Phone,name=Name" (CLI, query string, header) into a mapping. */
export function parseMapping(text: string): ColumnMapping {
  const mapping: ColumnMapping = {};
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p.length > 0)) {
    const eq = part.indexOf('=');
    if (eq <= 0 || eq === part.length - 1) throw new TenorError('TENOR_ERR_LIST_IMPORT', [`mapping '${part}' is not field=Column`]);
    mapping[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  if (!mapping['phone']) throw new TenorError('TENOR_ERR_LIST_IMPORT', ['the mapping needs phone=<column>']);
  return mapping;
}

export class ListImporter {
  readonly #crm: CrmService;
  readonly #lists: ListsRepository;

  constructor(deps: { crm: CrmService; lists: ListsRepository }) {
    this.#crm = deps.crm;
    this.#lists = deps.lists;
  }

  async import(source: AsyncIterable<string | Buffer> | Iterable<string | Buffer>, opts: ImportOptions): Promise<ImportReport> {
    const now = opts.now ?? Date.now;
    const customerAttrs = new Map(this.#crm.entity('Customer').entity.attributes.map((a) => [a.name, a.type]));
    for (const field of Object.keys(opts.mapping)) {
      if (field !== 'phone' && field !== 'timeZone' && !customerAttrs.has(field)) {
        throw new TenorError('TENOR_ERR_LIST_IMPORT', [`'${field}' is not a Customer field (known: phone, timeZone, ${[...customerAttrs.keys()].join(', ')})`]);
      }
    }
    if (!opts.mapping['phone']) throw new TenorError('TENOR_ERR_LIST_IMPORT', ['the mapping needs phone=<column>']);
    await this.#lists.ensure(opts.list, now());

    const report: ImportReport = { list: opts.list, rows: 0, imported: 0, customersCreated: 0, customersUpdated: 0, duplicatesInFile: 0, alreadyInList: 0, invalid: [] };
    const parser = new CsvParser();
    const decoder = new TextDecoder('utf-8');
    const seen = new Map<string, number>();
    let columns: Map<string, number> | undefined;
    let batch: PendingRow[] = [];
    const every = opts.progressEvery ?? 1000;
    const customers = this.#crm.entity('Customer');

    // Customers of a whole batch are written in one transaction, then its list entries.
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      const results = await customers.upsertByPhone(batch.map((p) => ({ phone: p.entry.phone, values: p.values, create: { name: p.entry.phone, phones: [p.entry.phone] } })));
      const entries: ListEntry[] = [];
      for (const [i, result] of results.entries()) {
        const { line, entry } = batch[i]!;
        if ('error' in result) {
          report.invalid.push({ line, reason: result.error });
          continue;
        }
        if (result.change === 'created') report.customersCreated++;
        else if (result.change === 'updated') report.customersUpdated++;
        if (await this.#lists.has(opts.list, entry.phone)) report.alreadyInList++;
        entries.push({ ...entry, customerId: result.id });
      }
      report.imported += entries.length;
      await this.#lists.upsert(entries, now());
      batch = [];
    };
    const handle = async (row: CsvRow): Promise<void> => {
      if (!columns) {
        columns = new Map(row.fields.map((h, i) => [h.trim(), i]));
        for (const [field, column] of Object.entries(opts.mapping)) {
          if (!columns.has(column)) throw new TenorError('TENOR_ERR_LIST_IMPORT', [`line ${row.line}: no column '${column}' (mapped to ${field}) in the header (${[...columns.keys()].join(', ')})`]);
        }
        return;
      }
      report.rows++;
      const pending = this.#row(row, columns, opts, customerAttrs, seen, report);
      if (pending) {
        batch.push(pending);
        if (batch.length >= BATCH) await flush();
      }
      if (report.rows % every === 0) opts.onProgress?.({ rows: report.rows, imported: report.imported, invalid: report.invalid.length });
    };

    for await (const chunk of source) {
      const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
      for (const row of parser.push(text)) await handle(row);
    }
    const tail = decoder.decode();
    for (const row of [...parser.push(tail), ...parser.end()]) await handle(row);
    if (!columns) throw new TenorError('TENOR_ERR_LIST_IMPORT', ['the file is empty (a header line is needed)']);
    for (const p of parser.problems) report.invalid.push({ line: p.line, reason: p.message });
    await flush();
    report.invalid.sort((a, b) => a.line - b.line);
    opts.onProgress?.({ rows: report.rows, imported: report.imported, invalid: report.invalid.length });
    return report;
  }

  /** Check and convert one row; undefined (and a line in the report) when it is invalid. */
  #row(
    row: CsvRow, columns: Map<string, number>, opts: ImportOptions, attrs: Map<string, string>, seen: Map<string, number>, report: ImportReport,
  ): PendingRow | undefined {
    const cell = (field: string): string | undefined => {
      const column = opts.mapping[field];
      const i = column === undefined ? undefined : columns.get(column);
      const v = i === undefined ? undefined : row.fields[i]?.trim();
      return v === undefined || v === '' ? undefined : v;
    };
    const invalid = (reason: string): undefined => {
      report.invalid.push({ line: row.line, reason });
      return undefined;
    };
    if (row.fields.length !== columns.size) return invalid(`${row.fields.length} fields where the header has ${columns.size}`);
    const raw = cell('phone');
    if (raw === undefined) return invalid('no phone number');
    const phone = normalizePhone(raw, opts.country);
    if (!phone) return invalid(`'${raw}' is not a phone number (country ${opts.country})`);
    const first = seen.get(phone);
    if (first !== undefined) {
      report.duplicatesInFile++;
      return invalid(`duplicate of line ${first} (${phone})`);
    }
    seen.set(phone, row.line);

    let timeZone = cell('timeZone');
    if (timeZone !== undefined && !isTimeZone(timeZone)) return invalid(`'${timeZone}' is not a time zone (e.g. Europe/Berlin)`);
    if (timeZone === undefined) {
      const found = zoneOfNumber(phone);
      if (found.zone === undefined) return invalid(found.reason);
      timeZone = found.zone;
    }

    const values: Record<string, unknown> = {};
    for (const field of Object.keys(opts.mapping)) {
      if (field === 'phone' || field === 'timeZone') continue;
      const v = cell(field);
      if (v === undefined) continue;
      const converted = convert(v, attrs.get(field) ?? 'string');
      if (converted === undefined) return invalid(`${field}: '${v}' is not a ${attrs.get(field)}`);
      values[field] = converted;
    }
    const name = typeof values['name'] === 'string' ? values['name'] : undefined;
    return { line: row.line, values, entry: { list: opts.list, phone, name, timeZone } };
  }
}

/** A valid row waiting for its batch: its customer is written at the flush. */
interface PendingRow {
  line: number;
  values: Record<string, unknown>;
  entry: Omit<ListEntry, 'customerId'>;
}

function convert(value: string, type: string): unknown {
  switch (type) {
    case 'integer': {
      const n = Number(value);
      return Number.isInteger(n) ? n : undefined;
    }
    case 'number': {
      const n = Number(value);
      return Number.isFinite(n) ? n : undefined;
    }
    case 'boolean':
      if (/^(1|true|yes|y)$/i.test(value)) return true;
      if (/^(0|false|no|n)$/i.test(value)) return false;
      return undefined;
    case 'string-list':
    case 'phone-list':
      return value.split('|').map((s) => s.trim()).filter((s) => s.length > 0);
    default:
      return value;
  }
}
