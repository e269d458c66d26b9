// One repository per entity of the model: maps attribute values to columns and
// back, validates what it writes, keeps phone numbers in E.164 and indexed.

import { Value } from '@sinclair/typebox/value';
import type { TObject } from '@sinclair/typebox';
import type { Database, SqlExecutor, SqlValue } from '../../store/database.js';
import { TenorError } from '../../core/errors.js';
import type { AttributeDef, EntityDef } from './model.js';
import { createSchema, patchSchema } from './schemas.js';
import { normalizePhone } from './phone.js';

export type EntityRecord = { id: number } & Record<string, unknown>;

export interface ListQuery {
  /** attribute = value; a phone-list attribute matches any of its numbers. */
  where?: Record<string, string | number | boolean>;
  /** attribute >= value (times and numbers) */
  from?: { attribute: string; value: string | number };
  limit?: number;
  offset?: number;
  /** attribute to sort by, newest/highest first with desc */
  orderBy?: string;
  desc?: boolean;
}

export interface ListResult {
  items: EntityRecord[];
  total: number;
}

const MAX_LIMIT = 500;

/** One record to write by its phone number: `values` always, `create` only for a new record. */
export interface UpsertItem {
  phone: string;
  values: Record<string, unknown>;
  create: Record<string, unknown>;
}

export type UpsertResult = { id: number; change: 'created' | 'updated' | 'unchanged' } | { error: string };

export class EntityRepository {
  readonly entity: EntityDef;
  readonly #db: Database;
  readonly #defaultCountry: string;
  readonly #createSchema: TObject;
  readonly #patchSchema: TObject;
  readonly #tracksTimes: boolean;
  readonly #phoneAttrs: AttributeDef[];

  constructor(db: Database, entity: EntityDef, defaultCountry: string) {
    this.#db = db;
    this.entity = entity;
    this.#defaultCountry = defaultCountry;
    this.#createSchema = createSchema(entity);
    this.#patchSchema = patchSchema(entity);
    // Tables of an external database are mapped as they are: no bookkeeping columns there.
    this.#tracksTimes = entity.database === undefined;
    this.#phoneAttrs = entity.attributes.filter((a) => a.type === 'phone-list');
  }

  async get(id: number): Promise<EntityRecord> {
    const row = await this.#db.get<Record<string, unknown>>(`SELECT * FROM "${this.entity.table}" WHERE "${this.entity.key}" = ?`, [id]);
    if (!row) throw new TenorError('TENOR_ERR_NOT_FOUND', [`${this.entity.name} ${id}`]);
    return this.#fromRow(row);
  }

  async list(query: ListQuery = {}): Promise<ListResult> {
    const clauses: string[] = [];
    const params: SqlValue[] = [];
    for (const [name, value] of Object.entries(query.where ?? {})) {
      const attr = this.#attr(name);
      if (attr.type === 'phone-list') {
        const phone = this.#phone(String(value), name);
        clauses.push(`"${this.entity.key}" IN (SELECT record_id FROM bo_phone_index WHERE entity = ? AND phone = ?)`);
        params.push(this.entity.name, phone);
      } else {
        clauses.push(`"${attr.column}" = ?`);
        params.push(toColumn(attr, value) ?? null);
      }
    }
    if (query.from) {
      clauses.push(`"${this.#attr(query.from.attribute).column}" >= ?`);
      params.push(query.from.value);
    }
    const where = clauses.length ? ` WHERE ${clauses.join(' AND ')}` : '';
    const order = query.orderBy ? this.#attr(query.orderBy).column : this.entity.key;
    const limit = Math.min(Math.max(query.limit ?? 50, 1), MAX_LIMIT);
    const offset = Math.max(query.offset ?? 0, 0);
    const rows = await this.#db.all<Record<string, unknown>>(
      `SELECT * FROM "${this.entity.table}"${where} ORDER BY "${order}" ${query.desc ? 'DESC' : 'ASC'}, "${this.entity.key}" ${query.desc ? 'DESC' : 'ASC'} LIMIT ? OFFSET ?`,
      [...params, limit, offset],
    );
    const count = await this.#db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM "${this.entity.table}"${where}`, params);
    return { items: rows.map((r) => this.#fromRow(r)), total: count?.n ?? 0 };
  }

  async create(values: Record<string, unknown>): Promise<EntityRecord> {
    const id = await this.#db.transaction((tx) => this.#insert(tx, values));
    return this.get(id);
  }

  /**
   * Create or update the record of each number, all in one transaction: a bulk
   * import pays for one disk sync per batch instead of one per row. An item that
   * does not validate gets its error and the others are still written.
   */
  async upsertByPhone(items: readonly UpsertItem[]): Promise<UpsertResult[]> {
    return this.#db.transaction(async (tx) => {
      const results: UpsertResult[] = [];
      for (const item of items) {
        try {
          const [known] = await this.findByPhone(item.phone, tx);
          if (!known) {
            results.push({ id: await this.#insert(tx, { ...item.create, ...item.values }), change: 'created' });
            continue;
          }
          const changed = Object.entries(item.values).some(([k, v]) => JSON.stringify(known[k]) !== JSON.stringify(v));
          if (changed) await this.#patch(tx, known.id, this.#validate(this.#patchSchema, item.values));
          results.push({ id: known.id, change: changed ? 'updated' : 'unchanged' });
        } catch (err) {
          // Validation happens before any statement, so a refused item left nothing half-written.
          if (err instanceof TenorError && err.code === 'TENOR_ERR_VALIDATION') results.push({ error: err.message });
          else throw err;
        }
      }
      return results;
    });
  }

  async #insert(db: SqlExecutor, values: Record<string, unknown>): Promise<number> {
    const clean = this.#validate(this.#createSchema, this.#withDefaults(values));
    const now = new Date().toISOString();
    const columns: string[] = [];
    const params: SqlValue[] = [];
    for (const [name, value] of Object.entries(clean)) {
      columns.push(`"${this.#attr(name).column}"`);
      params.push(toColumn(this.#attr(name), value));
    }
    if (this.#tracksTimes) {
      columns.push('"created_at"', '"updated_at"');
      params.push(now, now);
    }
    const sql = columns.length
      ? `INSERT INTO "${this.entity.table}" (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`
      : `INSERT INTO "${this.entity.table}" DEFAULT VALUES`;
    const { lastInsertId } = await db.run(sql, params);
    await this.#indexPhones(db, lastInsertId, clean);
    return lastInsertId;
  }

  async update(id: number, patch: Record<string, unknown>): Promise<EntityRecord> {
    const clean = this.#validate(this.#patchSchema, patch);
    await this.get(id);
    await this.#db.transaction((tx) => this.#patch(tx, id, clean));
    return this.get(id);
  }

  /** Write validated changes to one record. */
  async #patch(db: SqlExecutor, id: number, clean: Record<string, unknown>): Promise<void> {
    const sets: string[] = [];
    const params: SqlValue[] = [];
    for (const [name, value] of Object.entries(clean)) {
      sets.push(`"${this.#attr(name).column}" = ?`);
      params.push(toColumn(this.#attr(name), value));
    }
    if (this.#tracksTimes) {
      sets.push('"updated_at" = ?');
      params.push(new Date().toISOString());
    }
    await db.run(`UPDATE "${this.entity.table}" SET ${sets.join(', ')} WHERE "${this.entity.key}" = ?`, [...params, id]);
    await this.#indexPhones(db, id, clean);
  }

  async delete(id: number): Promise<void> {
    await this.get(id);
    await this.#db.transaction(async (tx) => {
      await tx.run(`DELETE FROM "${this.entity.table}" WHERE "${this.entity.key}" = ?`, [id]);
      if (this.#phoneAttrs.length) await tx.run('DELETE FROM bo_phone_index WHERE entity = ? AND record_id = ?', [this.entity.name, id]);
    });
  }

  /** Records having this number in any phone-list attribute (E.164 or as dialed). */
  async findByPhone(phone: string, db: SqlExecutor = this.#db): Promise<EntityRecord[]> {
    const normalized = normalizePhone(phone, this.#defaultCountry);
    if (!normalized || this.#phoneAttrs.length === 0) return [];
    const rows = await db.all<Record<string, unknown>>(
      `SELECT * FROM "${this.entity.table}" WHERE "${this.entity.key}" IN
         (SELECT record_id FROM bo_phone_index WHERE entity = ? AND phone = ?) ORDER BY "${this.entity.key}"`,
      [this.entity.name, normalized],
    );
    return rows.map((r) => this.#fromRow(r));
  }

  #attr(name: string): AttributeDef {
    const attr = this.entity.attributes.find((a) => a.name === name);
    if (!attr) throw new TenorError('TENOR_ERR_VALIDATION', [`${this.entity.name} has no attribute '${name}'`]);
    return attr;
  }

  #withDefaults(values: Record<string, unknown>): Record<string, unknown> {
    const out = { ...values };
    for (const a of this.entity.attributes) if (out[a.name] === undefined && a.default !== undefined) out[a.name] = a.default;
    return out;
  }

  #validate(schema: TObject, values: Record<string, unknown>): Record<string, unknown> {
    if (!Value.Check(schema, values)) {
      const details = [...Value.Errors(schema, values)].slice(0, 10).map((e) => ({ field: e.path || '/', problem: e.message }));
      throw new TenorError('TENOR_ERR_VALIDATION', [details.map((d) => `${this.entity.name}${d.field} ${d.problem}`).join('; ')], { details });
    }
    const out: Record<string, unknown> = { ...values };
    for (const a of this.#phoneAttrs) {
      const list = out[a.name];
      if (Array.isArray(list)) out[a.name] = [...new Set(list.map((p) => this.#phone(String(p), a.name)))];
    }
    return out;
  }

  #phone(input: string, attribute: string): string {
    const normalized = normalizePhone(input, this.#defaultCountry);
    if (!normalized) throw new TenorError('TENOR_ERR_VALIDATION', [`${this.entity.name}/${attribute}: '${input}' is not a phone number`]);
    return normalized;
  }

  async #indexPhones(db: SqlExecutor, id: number, values: Record<string, unknown>): Promise<void> {
    const touched = this.#phoneAttrs.filter((a) => a.name in values);
    if (touched.length === 0) return;
    // Rebuild the record's index from all its phone lists (an update may touch one of several).
    const row = await db.get<Record<string, unknown>>(`SELECT * FROM "${this.entity.table}" WHERE "${this.entity.key}" = ?`, [id]);
    await db.run('DELETE FROM bo_phone_index WHERE entity = ? AND record_id = ?', [this.entity.name, id]);
    const phones = new Set(this.#phoneAttrs.flatMap((a) => (fromColumn(a, row?.[a.column]) as string[] | null) ?? []));
    for (const phone of phones) await db.run('INSERT INTO bo_phone_index (entity, record_id, phone) VALUES (?, ?, ?)', [this.entity.name, id, phone]);
  }

  #fromRow(row: Record<string, unknown>): EntityRecord {
    const record: EntityRecord = { id: Number(row[this.entity.key]) };
    for (const a of this.entity.attributes) record[a.name] = fromColumn(a, row[a.column]);
    if (this.#tracksTimes) {
      record['createdAt'] = row['created_at'];
      record['updatedAt'] = row['updated_at'];
    }
    return record;
  }
}

function toColumn(attr: AttributeDef, value: unknown): SqlValue {
  if (value === null || value === undefined) return null;
  switch (attr.type) {
    case 'boolean':
      return value === true || value === 'true' || value === 1 || value === '1' ? 1 : 0;
    case 'json':
    case 'string-list':
    case 'phone-list':
      return JSON.stringify(value);
    case 'integer':
    case 'ref':
    case 'number':
      return Number(value);
    default:
      return String(value);
  }
}

function fromColumn(attr: AttributeDef, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (attr.type) {
    case 'boolean':
      return value === 1 || value === '1' || value === true;
    case 'json':
    case 'string-list':
    case 'phone-list':
      if (typeof value !== 'string') return value;
      try {
        return JSON.parse(value) as unknown;
      } catch {
        // A legacy column holding plain text: show it as it is rather than fail the read.
        return attr.type === 'json' ? value : [value];
      }
    default:
      return value;
  }
}
