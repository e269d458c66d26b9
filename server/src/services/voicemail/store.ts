// Voicemail messages and box settings in the database: plain rows in, domain
// objects out.

import type { Database, SqlValue } from '../../store/database.js';
import type { MessageFilter, VoicemailMessage, VoicemailStatus } from './types.js';

interface MessageRow {
  id: string;
  box: string;
  call_id: string;
  caller_number: string;
  customer_id: string | null;
  duration_ms: number;
  received_at: number;
  status: VoicemailStatus;
  heard_at: number | null;
  handled_at: number | null;
  handled_by: string | null;
  file: string;
  notified_at: number | null;
  notify_attempts: number;
  notify_error: string | null;
  callback_entry_id: string | null;
}

const iso = (ms: number | null): string | undefined => (ms === null ? undefined : new Date(ms).toISOString());

function toMessage(r: MessageRow): VoicemailMessage {
  return {
    id: r.id, box: r.box, callId: r.call_id, callerNumber: r.caller_number, customerId: r.customer_id ?? undefined, durationMs: r.duration_ms,
    receivedAt: new Date(r.received_at).toISOString(), status: r.status, heardAt: iso(r.heard_at), handledAt: iso(r.handled_at),
    handledBy: r.handled_by ?? undefined, file: r.file, notifiedAt: iso(r.notified_at), notifyError: r.notify_error ?? undefined, callbackEntryId: r.callback_entry_id ?? undefined,
  };
}

export interface NewMessage {
  id: string;
  box: string;
  callId: string;
  callerNumber: string;
  customerId: string | undefined;
  durationMs: number;
  receivedAt: number;
  file: string;
}

export interface PendingNotification {
  id: string;
  attempts: number;
}

export class VoicemailStore {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  async insert(m: NewMessage): Promise<VoicemailMessage> {
    await this.#db.run(
      `INSERT INTO voicemail_messages (id, box, call_id, caller_number, customer_id, duration_ms, received_at, status, file)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'new', ?)`,
      [m.id, m.box, m.callId, m.callerNumber, m.customerId ?? null, m.durationMs, m.receivedAt, m.file],
    );
    return (await this.get(m.id)) as VoicemailMessage;
  }

  async get(id: string): Promise<VoicemailMessage | undefined> {
    const row = await this.#db.get<MessageRow>('SELECT * FROM voicemail_messages WHERE id = ?', [id]);
    return row && toMessage(row);
  }

  async list(filter: MessageFilter = {}): Promise<VoicemailMessage[]> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (filter.boxes !== undefined) {
      if (filter.boxes.length === 0) return [];
      where.push(`box IN (${filter.boxes.map(() => '?').join(', ')})`);
      params.push(...filter.boxes);
    }
    if (filter.box !== undefined) {
      where.push('box = ?');
      params.push(filter.box);
    }
    if (filter.status !== undefined) {
      where.push('status = ?');
      params.push(filter.status);
    }
    const rows = await this.#db.all<MessageRow>(
      `SELECT * FROM voicemail_messages ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY received_at DESC, id LIMIT ? OFFSET ?`,
      [...params, filter.limit ?? 100, filter.offset ?? 0],
    );
    return rows.map(toMessage);
  }

  async byCalls(callIds: readonly string[]): Promise<VoicemailMessage[]> {
    if (callIds.length === 0) return [];
    const rows = await this.#db.all<MessageRow>(
      `SELECT * FROM voicemail_messages WHERE call_id IN (${callIds.map(() => '?').join(', ')}) ORDER BY received_at`,
      [...callIds],
    );
    return rows.map(toMessage);
  }

  async setStatus(id: string, status: VoicemailStatus, at: number, by: string): Promise<void> {
    if (status === 'heard') {
      await this.#db.run("UPDATE voicemail_messages SET status = 'heard', heard_at = COALESCE(heard_at, ?) WHERE id = ?", [at, id]);
    } else if (status === 'handled') {
      await this.#db.run(
        "UPDATE voicemail_messages SET status = 'handled', heard_at = COALESCE(heard_at, ?), handled_at = ?, handled_by = ? WHERE id = ?",
        [at, at, by, id],
      );
    }
  }

  async setCallback(id: string, entryId: string): Promise<void> {
    await this.#db.run('UPDATE voicemail_messages SET callback_entry_id = ? WHERE id = ?', [entryId, id]);
  }

  async markNotified(id: string, at: number): Promise<void> {
    await this.#db.run('UPDATE voicemail_messages SET notified_at = ?, notify_attempts = notify_attempts + 1, notify_error = NULL WHERE id = ?', [at, id]);
  }

  async markNotifyFailed(id: string, error: string): Promise<void> {
    await this.#db.run('UPDATE voicemail_messages SET notify_attempts = notify_attempts + 1, notify_error = ? WHERE id = ?', [error, id]);
  }

  /** Messages received since `since` whose e-mail has not gone out yet and that have attempts left. */
  async pendingNotifications(maxAttempts: number, since = 0): Promise<PendingNotification[]> {
    const rows = await this.#db.all<{ id: string; notify_attempts: number }>(
      'SELECT id, notify_attempts FROM voicemail_messages WHERE notified_at IS NULL AND notify_attempts < ? AND received_at >= ? ORDER BY received_at',
      [maxAttempts, since],
    );
    return rows.map((r) => ({ id: r.id, attempts: r.notify_attempts }));
  }

  async receivedBefore(ms: number): Promise<VoicemailMessage[]> {
    return (await this.#db.all<MessageRow>('SELECT * FROM voicemail_messages WHERE received_at < ? ORDER BY received_at', [ms])).map(toMessage);
  }

  async delete(id: string): Promise<void> {
    await this.#db.run('DELETE FROM voicemail_messages WHERE id = ?', [id]);
  }

  async greetings(): Promise<Map<string, string>> {
    const rows = await this.#db.all<{ box: string; greeting: string | null }>('SELECT box, greeting FROM voicemail_box_settings');
    return new Map(rows.filter((r) => r.greeting !== null).map((r) => [r.box, r.greeting as string]));
  }

  async setGreeting(box: string, greeting: string | undefined, at: number): Promise<void> {
    await this.#db.run(
      `INSERT INTO voicemail_box_settings (box, greeting, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (box) DO UPDATE SET greeting = excluded.greeting, updated_at = excluded.updated_at`,
      [box, greeting ?? null, at],
    );
  }
}
