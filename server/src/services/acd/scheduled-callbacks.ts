// An agent's scheduled callbacks: a customer to call back at a time, asked for
// by a script run (`schedule-callback`) or by the agent. The desktop lists the
// open ones in due order (overdue marked); "Call" places the call through the
// agent's own phone (agent-calls.ts); a reached customer makes it done, an
// unanswered attempt leaves it open; the agent may reschedule or close one
// with a reason. Numbers pass the dialing policy when scheduled.

import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { TenorError } from '../../core/errors.js';
import type { DialingService } from '../dialing/index.js';
import type { Clock } from './clock.js';
import type { ScheduledCallback, ScheduledCallbacksRepository } from './store/scheduled-callbacks-repo.js';

export interface ScheduleRequest {
  agent: string;
  number: string;
  customerId?: string;
  dueAt: number;
  source: string;
  note?: string;
}

export interface ScheduledCallbacksDeps {
  repo: ScheduledCallbacksRepository;
  clock: Clock;
  dialing: Pick<DialingService, 'authorize'>;
  log: Logger;
  /** True when `login` is an ACD agent. */
  isAgent(login: string): boolean;
}

export class ScheduledCallbacks {
  readonly #d: ScheduledCallbacksDeps;

  constructor(deps: ScheduledCallbacksDeps) {
    this.#d = deps;
  }

  /** Store a callback for the agent; the number in E.164, refused by the dialing policy before it is kept. */
  async schedule(req: ScheduleRequest): Promise<ScheduledCallback> {
    if (!this.#d.isAgent(req.agent)) throw new TenorError('TENOR_ERR_NOT_FOUND', [`agent '${req.agent}'`]);
    const number = this.#d.dialing.authorize(req.number, { purpose: 'agent-call', agent: req.agent }).e164;
    const now = this.#d.clock.now();
    const callback: ScheduledCallback = {
      id: `scheduled-${randomUUID()}`, agent: req.agent, number, customerId: req.customerId, dueAt: req.dueAt, source: req.source, note: req.note,
      status: 'open', closeReason: undefined, attempts: 0, lastRecord: undefined, createdAt: now, updatedAt: now,
    };
    await this.#d.repo.insert(callback);
    this.#d.log.info({ callback: callback.id, agent: req.agent, number, dueAt: new Date(req.dueAt).toISOString(), source: req.source }, 'callback scheduled');
    return callback;
  }

  /** The agent's open callbacks, soonest due first. */
  list(agent: string): Promise<ScheduledCallback[]> {
    return this.#d.repo.openFor(agent);
  }

  /** One of the agent's open callbacks; 404 for anyone else's (nobody learns it exists). */
  async openOf(agent: string, id: string): Promise<ScheduledCallback> {
    const callback = await this.#d.repo.get(id);
    if (!callback || callback.agent !== agent) throw new TenorError('TENOR_ERR_NOT_FOUND', [`callback '${id}'`]);
    if (callback.status !== 'open') throw new TenorError('TENOR_ERR_CALL_STATE', [`work on callback '${id}'`, `it is ${callback.status}`]);
    return callback;
  }

  async reschedule(agent: string, id: string, dueAt: number): Promise<ScheduledCallback> {
    await this.openOf(agent, id);
    await this.#d.repo.update(id, { dueAt }, this.#d.clock.now());
    return this.#required(id);
  }

  async close(agent: string, id: string, reason: string): Promise<ScheduledCallback> {
    await this.openOf(agent, id);
    await this.#d.repo.update(id, { status: 'closed', closeReason: reason }, this.#d.clock.now());
    this.#d.log.info({ callback: id, agent, reason }, 'scheduled callback closed');
    return this.#required(id);
  }

  /** A call was placed for it: done when the customer answered, open for another try when not. */
  async attempted(id: string, recordId: string | undefined, reached: boolean): Promise<void> {
    const callback = await this.#d.repo.get(id);
    if (!callback) return;
    await this.#d.repo.update(id, {
      attempts: callback.attempts + 1, ...(recordId !== undefined ? { lastRecord: recordId } : {}), ...(reached ? { status: 'done' as const } : {}),
    }, this.#d.clock.now());
  }

  async #required(id: string): Promise<ScheduledCallback> {
    const callback = await this.#d.repo.get(id);
    if (!callback) throw new TenorError('TENOR_ERR_NOT_FOUND', [`callback '${id}'`]);
    return callback;
  }
}
