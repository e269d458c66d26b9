// A customer's personal data across Tenor, for a data-protection request:
// found (export: a zip of JSON and audio) or erased. What belongs to a
// customer: their row; every record of the model referring to them
// (interactions, with their script answers, and cases); voicemail they left;
// recordings of their calls; scheduled callbacks, self-service codes and
// campaign entries for them; and their call records, which are kept for the
// reports but anonymised (their number and customer id removed; times, queue,
// agent and outcome stay).
//
// The tables belong to other services (ACD, voicemail, recordings, scripts,
// campaigns); the CRM reads them with plain SQL because none of those may
// depend on the CRM's routes, and a table whose service is not part of the
// install is skipped.
//
// Erasure is for real, not a flag: files are deleted first (the most
// sensitive part, and a retry after a failure finds nothing left to delete),
// then the rows in one transaction under SQLite's secure_delete, so freed
// bytes are zeroed; the customer search index is then merged (FTS keeps
// deleted words in its segments until a merge) and the write-ahead log
// checkpointed and truncated, so no copy of the number is left in the
// database files. No VACUUM: it would block every call for the time it takes
// to rewrite the whole database.

import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { TenorError } from '../../core/errors.js';
import type { ZipEntry } from '../../core/zip-stream.js';
import type { Database, Migration, SqlExecutor, SqlValue } from '../../store/database.js';
import type { CrmDomain } from './domain.js';
import type { EntityRecord } from './repository.js';

/** What is left of a number in an anonymised record (the column cannot be empty). */
export const ERASED_NUMBER = 'erased';

/** The vault's part this needs (structural: the recordings' RecordingVault). */
export interface CustomerRecordingFiles {
  read(path: string): Promise<Readable & { size: number }>;
  remove(path: string): Promise<void>;
}

export interface CustomerDataOptions {
  db: Database;
  crm: CrmDomain;
  /** `<dataDir>`: voicemail files outside it are never touched. */
  dataDir: string;
  /** Opened on first use, so a recordings key problem fails the request that needs it, not the CRM. */
  recordings: () => Promise<CustomerRecordingFiles>;
  /** The recordings' migrations (their tables hold the audit log), applied here too where recording never ran. */
  recordingTables: readonly Migration[];
  /** Where erasures and exports are logged (ids and counts only). */
  logger: { info(details: object, message: string): void };
  now?: () => Date;
}

export interface ErasureCounts {
  recordings: number;
  voicemail: number;
  /** Records of the model referring to the customer, by entity (Interaction, Case, …). */
  records: Record<string, number>;
  callRecordsAnonymised: number;
  scheduledCallbacks: number;
  campaignEntries: number;
  selfServiceCodes: number;
}

interface CallRecordRow {
  id: string; direction: string; from_number: string; to_number: string; customer_id: string | null;
  arrived_at: number; answered_at: number | null; ended_at: number | null; queue: string | null; agent: string | null;
  outcome: string | null; end_cause: string | null; talk_ms: number | null; hold_ms: number | null; live: number;
}
interface VoicemailRow { id: string; box: string; call_id: string; caller_number: string; customer_id: string | null; duration_ms: number; received_at: number; status: string; file: string }
interface RecordingRow { id: string; call_id: string; queue: string | null; agent: string | null; started_at: string; ended_at: string | null; duration_ms: number | null; path: string | null; state: string }
interface MarkerRow { recording_id: string; at_ms: number; kind: string; by: string | null; reason: string | null }

/** `?, ?, ?` for a list of parameters (never empty: callers skip empty lists). */
const marks = (n: number): string => new Array(n).fill('?').join(', ');

export class CustomerData {
  readonly #o: CustomerDataOptions;
  readonly #now: () => Date;

  constructor(opts: CustomerDataOptions) {
    this.#o = opts;
    this.#now = opts.now ?? (() => new Date());
  }

  /** Everything Tenor holds about the customer, as the export's `customer.json` and its audio files. */
  async exportEntries(customerId: number, by: string): Promise<ZipEntry[]> {
    const found = await this.#find(customerId);
    const withFiles = found.recordings.filter((r) => r.path !== null);
    const markers = await this.#markers(found.recordings.map((r) => r.id));
    const files = withFiles.length > 0 ? await this.#o.recordings() : undefined;
    // Each file is opened (header and key checked) before the archive starts: one that is
    // missing or unreadable is named in customer.json instead of cutting the download short.
    const problems = new Map<string, string>();
    for (const r of withFiles) {
      try {
        (await (files as CustomerRecordingFiles).read(r.path as string)).destroy();
      } catch (err) {
        problems.set(r.id, (err as Error).message);
      }
    }
    const recordings = withFiles.filter((r) => !problems.has(r.id));
    const voicemail = found.voicemail.filter((v) => this.#inDataDir(v.file));
    const document = {
      exportedAt: this.#now().toISOString(),
      customer: found.customer,
      records: found.records,
      callRecords: found.calls.map((c) => ({
        id: c.id, direction: c.direction, from: c.from_number, to: c.to_number,
        arrivedAt: iso(c.arrived_at), answeredAt: iso(c.answered_at), endedAt: iso(c.ended_at),
        queue: c.queue, agent: c.agent, outcome: c.outcome, endCause: c.end_cause, talkMs: c.talk_ms, holdMs: c.hold_ms,
      })),
      voicemail: found.voicemail.map((v) => ({
        id: v.id, box: v.box, callId: v.call_id, callerNumber: v.caller_number, receivedAt: iso(v.received_at), durationMs: v.duration_ms, status: v.status,
        file: voicemail.includes(v) ? `voicemail/${v.id}.wav` : null,
      })),
      recordings: found.recordings.map((r) => ({
        id: r.id, callId: r.call_id, queue: r.queue, agent: r.agent, startedAt: r.started_at, endedAt: r.ended_at, durationMs: r.duration_ms, state: r.state,
        markers: markers.filter((m) => m.recording_id === r.id).map((m) => ({ atMs: m.at_ms, kind: m.kind, by: m.by, reason: m.reason })),
        file: recordings.includes(r) ? `recordings/${r.id}.wav` : null,
        ...(problems.has(r.id) ? { fileProblem: problems.get(r.id) } : {}),
      })),
      scheduledCallbacks: found.scheduledCallbacks,
    };
    await this.#audit('export', by, customerId, { recordings: recordings.length, voicemail: voicemail.length, unreadable: problems.size });
    this.#o.logger.info({ customerId, by, recordings: recordings.length, voicemail: voicemail.length, unreadable: [...problems.keys()] }, 'customer data exported');
    return [
      { name: 'customer.json', data: Buffer.from(`${JSON.stringify(document, null, 2)}\n`, 'utf8') },
      ...voicemail.map((v) => ({ name: `voicemail/${v.id}.wav`, data: () => chunks(createReadStream(v.file)) })),
      ...recordings.map((r) => ({
        name: `recordings/${r.id}.wav`,
        // Decrypted as the archive is written: one recording open at a time.
        data: async function* () {
          yield* chunks(await (files as CustomerRecordingFiles).read(r.path as string));
        },
      })),
    ];
  }

  /** Erases the customer (see the top of this file); `reason` goes to the audit entry, never their data. */
  async erase(customerId: number, by: string, reason: string): Promise<ErasureCounts> {
    const { db } = this.#o;
    const found = await this.#find(customerId);
    if (found.calls.some((c) => c.live === 1)) throw new TenorError('TENOR_ERR_CALL_STATE', ['erase the customer', 'they are on a call; try again when it has ended']);
    if (await this.#waitingCallback(found.key, found.phones)) throw new TenorError('TENOR_ERR_CALL_STATE', ['erase the customer', 'their callback request is waiting in a queue']);
    if (await this.#campaignCallInProgress(customerId, found.phones)) throw new TenorError('TENOR_ERR_CALL_STATE', ['erase the customer', 'a campaign is calling them']);

    const withFiles = found.recordings.filter((r) => r.path !== null);
    if (withFiles.length > 0) {
      const files = await this.#o.recordings();
      for (const r of withFiles) await files.remove(r.path as string);
    }
    for (const v of found.voicemail) if (this.#inDataDir(v.file)) await rm(v.file, { force: true });

    // Which optional tables exist is asked before the transaction: a query outside it would wait for it to end.
    const present = new Set<string>();
    for (const table of ['acd_scheduled_callbacks', 'campaign_list_entries', 'campaign_records', 'campaign_attempts', 'self_service_codes', 'quality_evaluations']) {
      if (await this.#has(table)) present.add(table);
    }
    const secureDelete = await this.#secureDelete(true);
    const counts = await db.transaction(async (tx) => {
      const c: ErasureCounts = {
        recordings: found.recordings.length, voicemail: found.voicemail.length, records: {}, callRecordsAnonymised: found.calls.length,
        scheduledCallbacks: 0, campaignEntries: 0, selfServiceCodes: 0,
      };
      if (found.recordings.length > 0) {
        const ids = found.recordings.map((r) => r.id);
        await tx.run(`UPDATE recordings SET path = NULL, key_id = NULL, customer_id = NULL, state = 'erased' WHERE id IN (${marks(ids.length)})`, ids);
        await tx.run(`UPDATE recording_markers SET detail = NULL WHERE recording_id IN (${marks(ids.length)})`, ids);
        // Quality evaluations are about the agent: their scores stay, the evaluator's free text (which may quote the customer) goes.
        if (present.has('quality_evaluations')) await tx.run(`UPDATE quality_evaluations SET comment = NULL WHERE recording_id IN (${marks(ids.length)})`, ids);
      }
      if (found.voicemail.length > 0) {
        const ids = found.voicemail.map((v) => v.id);
        await tx.run(`DELETE FROM voicemail_messages WHERE id IN (${marks(ids.length)})`, ids);
      }
      for (const { entity, column } of this.#referringEntities()) {
        if (entity.attributes.some((a) => a.type === 'phone-list')) {
          await tx.run(`DELETE FROM bo_phone_index WHERE entity = ? AND record_id IN (SELECT "${entity.key}" FROM "${entity.table}" WHERE "${column}" = ?)`, [entity.name, customerId]);
        }
        c.records[entity.name] = (await tx.run(`DELETE FROM "${entity.table}" WHERE "${column}" = ?`, [customerId])).changes;
      }
      for (const call of found.calls) await this.#anonymise(tx, call, found.phones);
      const deleteWhere = async (table: string, idColumn: string, numberColumn: string, id: string | number): Promise<number> => {
        if (!present.has(table)) return 0;
        const [where, params] = matchCustomer(idColumn, numberColumn, id, found.phones);
        return (await tx.run(`DELETE FROM ${table} WHERE ${where}`, params)).changes;
      };
      c.scheduledCallbacks = await deleteWhere('acd_scheduled_callbacks', 'customer_id', 'number', found.key);
      c.campaignEntries = (await deleteWhere('campaign_list_entries', 'customer_id', 'phone', customerId)) + (await deleteWhere('campaign_records', 'customer_id', 'phone', customerId));
      if (present.has('campaign_attempts')) {
        const [where, params] = matchCustomer('customer_id', 'phone', customerId, found.phones);
        await tx.run(`UPDATE campaign_attempts SET phone = ?, customer_id = NULL WHERE ${where}`, [ERASED_NUMBER, ...params]);
      }
      if (present.has('self_service_codes')) {
        c.selfServiceCodes = (await tx.run('DELETE FROM self_service_codes WHERE customer_id = ?', [customerId])).changes;
      }
      return c;
    });
    // Through the repository: it also drops the customer's numbers from the phone index.
    await this.#o.crm.entity('Customer').delete(customerId);
    await this.#scrub();
    await this.#secureDelete(secureDelete);
    await this.#audit('erase', by, customerId, { reason, ...counts });
    this.#o.logger.info({ customerId, by, ...counts }, 'customer data erased');
    return counts;
  }

  async #find(customerId: number) {
    const crm = this.#o.crm;
    const customer = await crm.entity('Customer').get(customerId);
    const key = String(customerId);
    const phones = phonesOf(customer, crm);
    const records: Record<string, EntityRecord[]> = {};
    for (const { entity, attribute } of this.#referringEntities()) {
      const repo = crm.entity(entity.name);
      const items: EntityRecord[] = [];
      for (let offset = 0; ; offset += 500) {
        const page = await repo.list({ where: { [attribute]: customerId }, limit: 500, offset });
        items.push(...page.items);
        if (items.length >= page.total || page.items.length === 0) break;
      }
      records[entity.plural] = items;
    }
    const calls = (await this.#has('acd_call_records')) ? await this.#select<CallRecordRow>('acd_call_records', 'customer_id', ['from_number', 'to_number'], key, phones, 'arrived_at') : [];
    const voicemail = (await this.#has('voicemail_messages')) ? await this.#select<VoicemailRow>('voicemail_messages', 'customer_id', ['caller_number'], key, phones, 'received_at') : [];
    let recordings: RecordingRow[] = [];
    await this.#ensureRecordingTables();
    const callIds = calls.map((c) => c.id);
    recordings = await this.#o.db.all<RecordingRow>(
      `SELECT id, call_id, queue, agent, started_at, ended_at, duration_ms, path, state FROM recordings
        WHERE customer_id = ?${callIds.length > 0 ? ` OR call_id IN (${marks(callIds.length)})` : ''} ORDER BY started_at`,
      [key, ...callIds],
    );
    const scheduledCallbacks = (await this.#has('acd_scheduled_callbacks'))
      ? await this.#select<Record<string, unknown>>('acd_scheduled_callbacks', 'customer_id', ['number'], key, phones, 'due_at')
      : [];
    return { customer, key, phones, records, calls, voicemail, recordings, scheduledCallbacks };
  }

  /** Entities in Tenor's database with a reference to Customer (an external database is not Tenor's to erase). */
  #referringEntities() {
    return this.#o.crm.model.entities.flatMap((entity) =>
      entity.database !== undefined
        ? []
        : entity.attributes.filter((a) => a.type === 'ref' && a.entity === 'Customer').map((a) => ({ entity, attribute: a.name, column: a.column })),
    );
  }

  /** Rows of the customer: theirs by id, or by one of their numbers where no customer was linked (a shared number linked to someone else is not theirs). */
  async #select<T extends object>(table: string, idColumn: string, numberColumns: string[], key: string, phones: string[], order: string): Promise<T[]> {
    const numberTest = phones.length > 0 ? ` OR (${idColumn} IS NULL AND (${numberColumns.map((c) => `${c} IN (${marks(phones.length)})`).join(' OR ')}))` : '';
    const params: SqlValue[] = [key, ...numberColumns.flatMap(() => phones)];
    return this.#o.db.all<T>(`SELECT * FROM ${table} WHERE ${idColumn} = ?${numberTest} ORDER BY ${order}`, params);
  }

  /** The customer's side of the call loses its number; the record keeps its times, queue, agent and outcome. */
  async #anonymise(tx: SqlExecutor, call: CallRecordRow, phones: string[]): Promise<void> {
    const customerSide = (column: 'from_number' | 'to_number', value: string): boolean =>
      phones.includes(value) || (column === 'from_number' ? call.direction === 'inbound' : call.direction === 'outbound');
    const from = customerSide('from_number', call.from_number) ? ERASED_NUMBER : call.from_number;
    const to = customerSide('to_number', call.to_number) ? ERASED_NUMBER : call.to_number;
    await tx.run('UPDATE acd_call_records SET from_number = ?, to_number = ?, customer_id = NULL WHERE id = ?', [from, to, call.id]);
    // Segment and queue-event details can hold numbers dialled during the call (a transfer's target).
    await tx.run('UPDATE acd_call_segments SET detail = NULL WHERE record_id = ?', [call.id]);
    await tx.run('UPDATE acd_queue_events SET detail = NULL WHERE call_id = ?', [call.id]);
  }

  async #waitingCallback(key: string, phones: string[]): Promise<boolean> {
    if (!(await this.#has('acd_callback_requests'))) return false;
    const [where, params] = matchCustomer('customer_id', 'number', key, phones);
    return (await this.#o.db.get(`SELECT 1 AS yes FROM acd_callback_requests WHERE ${where} LIMIT 1`, params)) !== undefined;
  }

  async #campaignCallInProgress(customerId: number, phones: string[]): Promise<boolean> {
    if (!(await this.#has('campaign_records'))) return false;
    const [where, params] = matchCustomer('customer_id', 'phone', customerId, phones);
    return (await this.#o.db.get(`SELECT 1 AS yes FROM campaign_records WHERE state = 'in-progress' AND (${where}) LIMIT 1`, params)) !== undefined;
  }

  async #markers(ids: string[]): Promise<MarkerRow[]> {
    if (ids.length === 0) return [];
    return this.#o.db.all<MarkerRow>(`SELECT recording_id, at_ms, kind, by, reason FROM recording_markers WHERE recording_id IN (${marks(ids.length)}) ORDER BY at_ms`, ids);
  }

  /** Sets SQLite's secure_delete (freed bytes zeroed) and returns what it was, to put it back. */
  async #secureDelete(on: boolean): Promise<boolean> {
    if (this.#o.db.engine !== 'sqlite') return false;
    const [before] = await this.#o.db.all<{ secure_delete: number }>('PRAGMA secure_delete');
    await this.#o.db.all(`PRAGMA secure_delete = ${on ? 1 : 0}`);
    return before?.secure_delete === 1;
  }

  /** Bytes of erased rows can survive in the search index's segments and in the write-ahead log: merge and truncate them. */
  async #scrub(): Promise<void> {
    const { db } = this.#o;
    if (db.engine !== 'sqlite') return;
    const customers = this.#o.crm.entity('Customer').entity;
    const search = `${customers.table}_search`;
    if (await this.#has(search)) await db.run(`INSERT INTO "${search}"("${search}") VALUES ('optimize')`);
    await db.all('PRAGMA wal_checkpoint(TRUNCATE)');
  }

  /** The audit entry names who, when, why and how many; never the customer's data (only their id). */
  async #audit(action: 'erase' | 'export', by: string, customerId: number, detail: Record<string, unknown>): Promise<void> {
    await this.#ensureRecordingTables();
    await this.#o.db.run('INSERT INTO recording_audit (at, user, action, recording_id, customer_id, detail) VALUES (?, ?, ?, NULL, ?, ?)', [
      this.#now().toISOString(), by, action, String(customerId), JSON.stringify(detail),
    ]);
  }

  /** The recordings' tables hold the audit log too, so they are there even where recording was never switched on. */
  async #ensureRecordingTables(): Promise<void> {
    await this.#o.db.migrate(this.#o.recordingTables);
  }

  async #has(table: string): Promise<boolean> {
    return (await this.#o.db.tableColumns(table)) !== undefined;
  }

  #inDataDir(file: string): boolean {
    const root = path.resolve(this.#o.dataDir) + path.sep;
    return path.resolve(file).startsWith(root);
  }
}

/** `id = ? OR (id IS NULL AND number IN (…))`: the customer's rows by id, or by number where no customer was linked. */
function matchCustomer(idColumn: string, numberColumn: string, id: string | number, phones: string[]): [string, SqlValue[]] {
  if (phones.length === 0) return [`${idColumn} = ?`, [id]];
  return [`(${idColumn} = ? OR (${idColumn} IS NULL AND ${numberColumn} IN (${marks(phones.length)})))`, [id, ...phones]];
}

/** The numbers in the customer's phone-list attributes (E.164, as the repository keeps them). */
function phonesOf(customer: EntityRecord, crm: CrmDomain): string[] {
  const attributes = crm.entity('Customer').entity.attributes.filter((a) => a.type === 'phone-list');
  return [...new Set(attributes.flatMap((a) => (Array.isArray(customer[a.name]) ? (customer[a.name] as unknown[]).filter((p): p is string => typeof p === 'string' && p !== '') : [])))];
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

async function* chunks(stream: NodeJS.ReadableStream): AsyncGenerator<Buffer> {
  for await (const piece of stream) yield Buffer.isBuffer(piece) ? piece : Buffer.from(piece);
}
