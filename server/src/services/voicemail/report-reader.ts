// What the reports read of voicemail: the messages received in a period,
// with when they were handled. The SQL over `voicemail_messages` lives here,
// with its owner; the reports see typed rows.

import type { Database } from '../../store/database.js';

export interface VoicemailMessageFacts {
  box: string;
  /** Epoch ms. */
  receivedAt: number;
  handledAt: number | undefined;
  status: string;
}

export class VoicemailReportReader {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  /** Messages received in [span.start, span.end) (epoch ms), in the order they arrived. */
  async messages(span: { start: number; end: number }): Promise<VoicemailMessageFacts[]> {
    const rows = await this.#db.all<{ box: string; received_at: number; status: string; handled_at: number | null }>(
      'SELECT box, received_at, status, handled_at FROM voicemail_messages WHERE received_at >= ? AND received_at < ? ORDER BY received_at, id',
      [span.start, span.end],
    );
    return rows.map((r) => ({ box: r.box, receivedAt: r.received_at, handledAt: r.handled_at === null ? undefined : r.handled_at, status: r.status }));
  }
}
