// What the CRM does beyond storing records: identify callers, turn unknown
// callers into prospects, give cases their due time from the SLA of their code,
// and put every case change on the customer's timeline.

import { TenorError } from '../../core/errors.js';
import type { BusinessModel } from './model.js';
import type { EntityRecord, EntityRepository } from './repository.js';
import type { SyncReport } from './schema-sync.js';
import { customerHistory, type CustomerHistory } from './history.js';
import { normalizePhone } from './phone.js';
import type { CustomerSearch, SearchQuery, SearchResult } from './search.js';

const HOUR_MS = 3_600_000;

export class CrmDomain {
  readonly model: BusinessModel;
  readonly sync: SyncReport[];
  readonly #repos: Map<string, EntityRepository>;
  readonly #defaultCountry: string;
  readonly #now: () => Date;
  readonly #search: CustomerSearch | undefined;

  constructor(opts: { model: BusinessModel; sync: SyncReport[]; repos: Map<string, EntityRepository>; defaultCountry: string; now?: () => Date; search?: CustomerSearch }) {
    this.#search = opts.search;
    this.model = opts.model;
    this.sync = opts.sync;
    this.#repos = opts.repos;
    this.#defaultCountry = opts.defaultCountry;
    this.#now = opts.now ?? (() => new Date());
  }

  /** True when the model has the Customer, Interaction and Case entities the contact history needs. */
  get hasContactHistory(): boolean {
    return ['Customer', 'Interaction', 'Case'].every((n) => this.#repos.has(n));
  }

  entity(name: string): EntityRepository {
    const repo = this.#repos.get(name);
    if (!repo) throw new TenorError('TENOR_ERR_NOT_FOUND', [`entity ${name}`]);
    return repo;
  }

  /** Create through the domain rules (cases get their SLA due time and a timeline entry). */
  async create(entity: string, values: Record<string, unknown>): Promise<EntityRecord> {
    if (entity === 'Case' && this.hasContactHistory) return this.openCase(values);
    return this.entity(entity).create(values);
  }

  async update(entity: string, id: number, patch: Record<string, unknown>): Promise<EntityRecord> {
    if (entity !== 'Case' || !this.hasContactHistory) return this.entity(entity).update(id, patch);
    const before = await this.entity('Case').get(id);
    const after = await this.entity('Case').update(id, patch);
    const changes = Object.keys(patch)
      .filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]))
      .map((k) => `${k}: ${String(before[k] ?? '—')} → ${String(after[k] ?? '—')}`);
    if (changes.length > 0 && typeof after['customer'] === 'number') {
      await this.recordInteraction({ customer: after['customer'], channel: 'case', direction: 'internal', notes: `Case ${String(after['code'])} #${id}: ${changes.join(', ')}` });
    }
    return after;
  }

  /** Customers by name, e-mail, phone number (any format) or case number; ranked and paged (search.ts). */
  searchCustomers(query: SearchQuery): Promise<SearchResult> {
    if (!this.#search) throw new TenorError('TENOR_ERR_NOT_FOUND', ['entity Customer']);
    return this.#search.search(query);
  }

  /** Customers having this number, as dialed or E.164. */
  findCustomersByPhone(phone: string): Promise<EntityRecord[]> {
    return this.entity('Customer').findByPhone(phone);
  }

  /** The customer behind a caller's number, or a new prospect for an unknown one. */
  async customerForCaller(phone: string): Promise<{ customer: EntityRecord; created: boolean }> {
    const normalized = normalizePhone(phone, this.#defaultCountry);
    if (!normalized) throw new TenorError('TENOR_ERR_VALIDATION', [`'${phone}' is not a phone number`]);
    const [known] = await this.findCustomersByPhone(normalized);
    if (known) return { customer: known, created: false };
    const customer = await this.entity('Customer').create({ name: normalized, phones: [normalized], prospect: true });
    return { customer, created: true };
  }

  async openCase(values: Record<string, unknown>): Promise<EntityRecord> {
    const code = String(values['code'] ?? '');
    const sla = this.model.caseSla[code] ?? this.model.caseSla['default'];
    const dueAt = values['dueAt'] ?? (sla ? new Date(this.#now().getTime() + sla.hours * HOUR_MS).toISOString() : undefined);
    const kase = await this.entity('Case').create({ ...values, ...(dueAt !== undefined ? { dueAt } : {}) });
    if (typeof kase['customer'] === 'number') {
      await this.recordInteraction({
        customer: kase['customer'],
        channel: 'case',
        direction: 'internal',
        notes: `Case ${code} #${kase.id} opened${kase['description'] ? `: ${String(kase['description'])}` : ''}`,
      });
    }
    return kase;
  }

  recordInteraction(values: Record<string, unknown>): Promise<EntityRecord> {
    return this.entity('Interaction').create({ occurredAt: this.#now().toISOString(), ...values });
  }

  history(customerId: number, page: { limit: number; offset: number }): Promise<CustomerHistory> {
    return customerHistory(
      { customers: this.entity('Customer'), interactions: this.entity('Interaction'), cases: this.entity('Case') },
      customerId,
      page,
      this.#now(),
    );
  }
}
