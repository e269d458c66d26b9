// Customer search: one query box. What was typed decides how it is read:
//   - a phone number in any format ("+49 30 1234567", "030/1234567",
//     "0049301234567") is normalised to E.164 with the site's default country,
//     as the ingress does for callers, and looked up in the phone index;
//   - a case number ("#42", "case 42", or bare digits) finds the case's customer;
//   - anything else is words, matched as word starts against names and e-mail
//     addresses, case- and accent-insensitive, through the word index.
// Exact matches (number, case) rank first, then words by relevance (bm25).
// `allowed` restricts the result to the customers a user may see (an agent's scope).

import { isTenorError } from '../../core/errors.js';
import type { Database, SqlValue } from '../../store/database.js';
import type { EntityDef } from './model.js';
import type { EntityRecord, EntityRepository } from './repository.js';
import { normalizePhone } from './phone.js';
import { searchableAttributes, searchTableOf, wordQuery } from './search-index.js';

export interface SearchQuery {
  q: string;
  limit: number;
  offset: number;
  /** Customer ids (as strings) the searcher may see; undefined: all. */
  allowed?: ReadonlySet<string>;
}

export type MatchKind = 'phone' | 'case' | 'words';

export interface SearchHit {
  customer: EntityRecord;
  matched: MatchKind;
}

export interface SearchResult {
  items: SearchHit[];
  total: number;
  /** How the query was read: the E.164 number searched, or null. */
  phone: string | null;
}

const CASE_NUMBER = /^(?:#|case\s*#?\s*)?(\d{1,12})$/i;
const PHONE_LIKE = /^[+\d\s()./-]+$/;

export class CustomerSearch {
  readonly #db: Database;
  readonly #customers: EntityRepository;
  readonly #cases: EntityRepository | undefined;
  readonly #defaultCountry: string;
  /** The word index exists (FTS5 in Tenor's store); else names are scanned. */
  readonly #indexed: boolean;

  constructor(opts: { db: Database; customers: EntityRepository; cases: EntityRepository | undefined; defaultCountry: string; indexed: boolean }) {
    this.#db = opts.db;
    this.#customers = opts.customers;
    this.#cases = opts.cases;
    this.#defaultCountry = opts.defaultCountry;
    this.#indexed = opts.indexed;
  }

  async search(query: SearchQuery): Promise<SearchResult> {
    const text = query.q.trim();
    const visible = (id: number): boolean => query.allowed === undefined || query.allowed.has(String(id));
    const exact: SearchHit[] = [];
    const seen = new Set<number>();
    const addExact = (customer: EntityRecord, matched: MatchKind): void => {
      if (seen.has(customer.id) || !visible(customer.id)) return;
      seen.add(customer.id);
      exact.push({ customer, matched });
    };

    const caseNumber = CASE_NUMBER.exec(text)?.[1];
    if (caseNumber !== undefined) {
      const customerId = await this.#customerOfCase(Number(caseNumber));
      const customer = customerId === undefined ? undefined : await this.#customers.get(customerId).catch(notFoundAsUndefined);
      if (customer !== undefined) addExact(customer, 'case');
    }
    const phone = PHONE_LIKE.test(text) ? normalizePhone(text, this.#defaultCountry) : undefined;
    if (phone !== undefined) for (const c of await this.#customers.findByPhone(phone)) addExact(c, 'phone');

    // A phone number or a case number is not also read as words.
    const words = phone === undefined && caseNumber === undefined ? await this.#byWords(text, query.allowed) : [];
    const wordIds = words.filter((id) => !seen.has(id));
    const total = exact.length + wordIds.length;
    const page: SearchHit[] = [];
    for (let i = query.offset; i < Math.min(total, query.offset + query.limit); i++) {
      if (i < exact.length) page.push(exact[i] as SearchHit);
      else page.push({ customer: await this.#customers.get(wordIds[i - exact.length] as number), matched: 'words' });
    }
    return { items: page, total, phone: phone ?? null };
  }

  /** Ids of the customers whose name or e-mail has words starting as typed, best first. */
  async #byWords(text: string, allowed: ReadonlySet<string> | undefined): Promise<number[]> {
    const entity = this.#customers.entity;
    const scopeOn = (column: string): string => (allowed === undefined ? '' : ` AND ${column} IN (SELECT value FROM json_each(?))`);
    const scopeParams: SqlValue[] = allowed === undefined ? [] : [JSON.stringify([...allowed].map(Number))];
    if (this.#indexed) {
      const match = wordQuery(text);
      if (match === undefined) return [];
      const fts = searchTableOf(entity);
      const rows = await this.#db.all<{ id: number }>(
        `SELECT rowid AS id FROM "${fts}" WHERE "${fts}" MATCH ?${scopeOn('rowid')} ORDER BY rank, rowid LIMIT ${MAX_MATCHES}`,
        [match, ...scopeParams],
      );
      return rows.map((r) => r.id);
    }
    return this.#scan(entity, text, scopeOn(`"${entity.key}"`), scopeParams);
  }

  /** Without the word index (a Customer table in an external database): a bounded LIKE scan, case-insensitive for ASCII. */
  async #scan(entity: EntityDef, text: string, scope: string, scopeParams: SqlValue[]): Promise<number[]> {
    const columns = searchableAttributes(entity);
    if (columns.length === 0 || text === '') return [];
    const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const where = columns.map((c) => `"${c.column}" LIKE ? ESCAPE '\\'`).join(' OR ');
    const rows = await this.#db.all<{ id: number }>(
      `SELECT "${entity.key}" AS id FROM "${entity.table}" WHERE (${where})${scope} ORDER BY "${entity.key}" LIMIT ${MAX_MATCHES}`,
      [...columns.map(() => pattern), ...scopeParams],
    );
    return rows.map((r) => r.id);
  }

  async #customerOfCase(caseId: number): Promise<number | undefined> {
    if (this.#cases === undefined || !Number.isSafeInteger(caseId) || caseId < 1) return undefined;
    const ref = this.#cases.entity.attributes.find((a) => a.type === 'ref' && a.entity === this.#customers.entity.name);
    if (ref === undefined) return undefined;
    const customer = (await this.#cases.get(caseId).catch(notFoundAsUndefined))?.[ref.name];
    return typeof customer === 'number' ? customer : undefined;
  }
}

/** A record that is not there (a case number nobody has, a case whose customer was deleted) is no match. */
function notFoundAsUndefined(err: unknown): undefined {
  if (isTenorError(err, 'TENOR_ERR_NOT_FOUND')) return undefined;
  throw err;
}

/** Words matching more customers than this are not ranked further: the searcher narrows the query. */
const MAX_MATCHES = 1000;
