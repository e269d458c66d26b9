// Dialogue-script runs kept on the server: the same run serves an agent's screen
// and a customer on the web. Each answer is checked by the runtime, the actions
// of the transition taken are executed, and the run's snapshot is saved, so a
// restart resumes it. A finished run becomes an interaction on the customer's
// timeline with its answers, outcome and disposition.

import { randomBytes } from 'node:crypto';
import { restoreRun, startRun, type ActionRequest, type AnswerError, type JsonValue, type RunSnapshot, type ScriptRun, type StepView } from '@tenor/scripts-dsl';
import type { ServiceContext } from '../../core/service-manager.js';
import { TenorError } from '../../core/errors.js';
import type { Database } from '../../store/database.js';
import type { ScriptLibrary } from './library.js';
import { executeAction, type ActionLogEntry } from './actions.js';

export type SessionChannel = 'web' | 'call' | 'callback' | 'chat' | 'email';

export interface SessionView {
  id: string;
  scriptId: string;
  scriptVersion: string;
  title: string;
  channel: SessionChannel;
  status: 'active' | 'done';
  step: StepView;
  outcome: string | null;
  disposition: string | null;
  answers: Record<string, unknown>;
  customerId: number | null;
  interactionId: number | null;
  /** The agent who started the run (null: a web self-service run); only they, supervisors and admins may work on it. */
  agent: string | null;
  actions: ActionLogEntry[];
}

export interface StartOptions {
  scriptId: string;
  channel: SessionChannel;
  customerId?: number;
  /** The interaction the run belongs to (an agent's call); without it one is created when the run ends. */
  interactionId?: number;
  callId?: string;
  agent?: string;
  /**
   * What the script sees as `customer` instead of the stored record: a
   * self-service visitor who has not proven who they are sees only what they typed.
   */
  customerContext?: Record<string, JsonValue>;
}

interface Row {
  id: string;
  script_id: string;
  script_version: string;
  channel: SessionChannel;
  customer_id: number | null;
  call_id: string | null;
  agent: string | null;
  status: 'active' | 'done';
  outcome: string | null;
  disposition: string | null;
  interaction_id: number | null;
  snapshot: string;
  action_log: string;
  created_at: string;
}

export class ScriptSessions {
  readonly #ctx: ServiceContext;
  readonly #db: Database;
  readonly #library: ScriptLibrary;
  readonly #now: () => Date;
  /** One change at a time per session: two answers racing must not both apply to the same step. */
  readonly #locks = new Map<string, Promise<unknown>>();

  constructor(opts: { ctx: ServiceContext; db: Database; library: ScriptLibrary; now?: () => Date }) {
    this.#ctx = opts.ctx;
    this.#db = opts.db;
    this.#library = opts.library;
    this.#now = opts.now ?? (() => new Date());
  }

  async start(opts: StartOptions): Promise<SessionView> {
    const script = this.#library.get(opts.scriptId);
    const context: Record<string, JsonValue> = {};
    if (opts.customerContext !== undefined) context['customer'] = opts.customerContext;
    else if (opts.customerId !== undefined) context['customer'] = (await this.#ctx.get('crm').entity('Customer').get(opts.customerId)) as JsonValue;
    const run = startRun(script, context, { today: this.#now().toISOString().slice(0, 10) });
    const id = randomBytes(16).toString('base64url');
    const now = this.#now().toISOString();
    await this.#db.run(
      `INSERT INTO script_sessions (id, script_id, script_version, channel, customer_id, call_id, agent, status, interaction_id, snapshot, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?, ?)`,
      [id, script.id, script.version, opts.channel, opts.customerId ?? null, opts.callId ?? null, opts.agent ?? null, opts.interactionId ?? null, JSON.stringify(run.snapshot()), now, now],
    );
    this.#ctx.logger.info({ session: id, script: script.id, channel: opts.channel, callId: opts.callId }, 'script run started');
    return this.get(id);
  }

  async get(id: string): Promise<SessionView> {
    const row = await this.#row(id);
    return this.#view(row, this.#restore(row));
  }

  /** Answer the current question; on a valid answer the run moves on and the transition's actions run. */
  answer(id: string, value: unknown): Promise<{ session: SessionView; errors: AnswerError[] }> {
    return this.#exclusive(id, async () => {
      const row = await this.#row(id);
      const run = this.#restore(row);
      if (row.status === 'done') return { session: this.#view(row, run), errors: [] };
      const result = run.answer(value);
      if (!result.ok) return { session: this.#view(row, run), errors: result.errors };
      await this.#afterMove(row, run, result.actions);
      return { session: await this.get(id), errors: [] };
    });
  }

  /** Move on from a step that only informs (no question). */
  next(id: string): Promise<SessionView> {
    return this.#exclusive(id, async () => {
      const row = await this.#row(id);
      const run = this.#restore(row);
      const result = run.next();
      if (result.ok) await this.#afterMove(row, run, result.actions);
      return this.get(id);
    });
  }

  back(id: string): Promise<SessionView> {
    return this.#exclusive(id, async () => {
      const row = await this.#row(id);
      const run = this.#restore(row);
      if (row.status === 'active' && run.back()) await this.#save(row, run, {});
      return this.get(id);
    });
  }

  async #afterMove(row: Row, run: ScriptRun, actions: ActionRequest[]): Promise<void> {
    const log = JSON.parse(row.action_log) as ActionLogEntry[];
    let disposition = row.disposition;
    for (const request of actions) {
      const { log: entry, effect } = await executeAction(this.#ctx, request, {
        sessionId: row.id,
        scriptId: row.script_id,
        callId: row.call_id ?? undefined,
        customerId: row.customer_id ?? undefined,
        interactionId: row.interaction_id ?? undefined,
        agent: row.agent,
        now: this.#now(),
      });
      log.push(entry);
      if (effect.disposition !== undefined) disposition = effect.disposition;
    }
    let interactionId = row.interaction_id;
    if (run.done) interactionId = await this.#recordOnTimeline(row, run, disposition);
    await this.#save(row, run, { action_log: JSON.stringify(log), disposition, interaction_id: interactionId, done: run.done });
  }

  /** A finished run goes on the customer's timeline with its answers, outcome and disposition. */
  async #recordOnTimeline(row: Row, run: ScriptRun, disposition: string | null): Promise<number | null> {
    const crm = this.#ctx.get('crm');
    const fields = { scriptAnswers: run.answers() as JsonValue, outcome: run.outcome() ?? null, disposition };
    if (row.interaction_id !== null) {
      await crm.update('Interaction', row.interaction_id, fields);
      return row.interaction_id;
    }
    if (row.customer_id === null) return null;
    const interaction = await crm.recordInteraction({
      customer: row.customer_id,
      channel: row.channel === 'web' ? 'web' : 'script',
      direction: 'inbound',
      occurredAt: row.created_at,
      notes: `${this.#title(row)}${row.channel === 'web' ? ' (web self-service)' : ''}`,
      ...(row.call_id !== null ? { callId: row.call_id } : {}),
      ...(row.agent !== null ? { agent: row.agent } : {}),
      ...fields,
    });
    return interaction.id;
  }

  async #save(row: Row, run: ScriptRun, change: { action_log?: string; disposition?: string | null; interaction_id?: number | null; done?: boolean }): Promise<void> {
    await this.#db.run(
      `UPDATE script_sessions SET snapshot = ?, status = ?, outcome = ?, action_log = ?, disposition = ?, interaction_id = ?, updated_at = ? WHERE id = ?`,
      [
        JSON.stringify(run.snapshot()),
        change.done ? 'done' : row.status,
        run.outcome() ?? null,
        change.action_log ?? row.action_log,
        change.disposition !== undefined ? change.disposition : row.disposition,
        change.interaction_id !== undefined ? change.interaction_id : row.interaction_id,
        this.#now().toISOString(),
        row.id,
      ],
    );
    if (change.done) this.#ctx.logger.info({ session: row.id, script: row.script_id, outcome: run.outcome(), callId: row.call_id }, 'script run finished');
  }

  async #row(id: string): Promise<Row> {
    const row = await this.#db.get<Row>('SELECT * FROM script_sessions WHERE id = ?', [id]);
    if (!row) throw new TenorError('TENOR_ERR_NOT_FOUND', ['script session']);
    return row;
  }

  #restore(row: Row): ScriptRun {
    // A run finishes on the version it started with, even if the script was saved since.
    const script = this.#library.version(row.script_id, row.script_version) ?? this.#library.get(row.script_id);
    return restoreRun(script, JSON.parse(row.snapshot) as RunSnapshot);
  }

  #title(row: Row): string {
    return (this.#library.version(row.script_id, row.script_version) ?? this.#library.get(row.script_id)).title;
  }

  #view(row: Row, run: ScriptRun): SessionView {
    return {
      id: row.id,
      scriptId: row.script_id,
      scriptVersion: row.script_version,
      title: this.#title(row),
      channel: row.channel,
      status: run.done ? 'done' : row.status,
      step: run.current(),
      outcome: run.outcome() ?? null,
      disposition: row.disposition,
      answers: run.answers(),
      customerId: row.customer_id,
      interactionId: row.interaction_id,
      agent: row.agent,
      actions: JSON.parse(row.action_log) as ActionLogEntry[],
    };
  }

  async #exclusive<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#locks.get(id) ?? Promise.resolve();
    const current = previous.then(fn, fn);
    this.#locks.set(id, current);
    try {
      return await current;
    } finally {
      if (this.#locks.get(id) === current) this.#locks.delete(id);
    }
  }
}
