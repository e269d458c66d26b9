// What the ACD wrote, for reading: call records, the agent state log and the
// queue events; and the call-record extensions other services register to add
// their own fields to the call records the API returns (voicemail adds the
// messages left on a call).

import type { AgentStateChange } from './agent-state.js';
import type { AgentStateLog } from './store/agent-state-log.js';
import type { CallRecord, CallRecordFilter, CallRecordsRepository } from './store/call-records.js';
import type { QueueEvent, QueueEventLog } from './store/queue-events.js';
import type { WriteQueue } from './write-queue.js';

/** Extra fields of one call record, as the call-record API returns them. */
export type CallRecordFields = Readonly<Record<string, unknown>>;

/** Another service's fields on the call records the API returns (GET /api/calls, /api/calls/:id). */
export interface CallRecordExtension {
  /** The fields to add, by record id; a record missing from the map gets none. */
  fieldsFor(recordIds: readonly string[]): Promise<ReadonlyMap<string, CallRecordFields>>;
}

export type AgentStateLogFilter = Parameters<AgentStateLog['list']>[0];
export type QueueEventFilter = Parameters<QueueEventLog['list']>[0];

export interface AcdRecordsDeps {
  records: CallRecordsRepository;
  stateLog: AgentStateLog;
  queueEvents: QueueEventLog;
  writes: WriteQueue;
}

export class AcdRecords {
  readonly #d: AcdRecordsDeps;
  readonly #extensions = new Set<CallRecordExtension>();

  constructor(deps: AcdRecordsDeps) {
    this.#d = deps;
  }

  /** Wait until every record and log line asked for so far is written. */
  flush(): Promise<void> {
    return this.#d.writes.flush();
  }

  callRecords(filter: CallRecordFilter = {}): Promise<CallRecord[]> {
    return this.#d.records.list(filter);
  }

  callRecord(id: string): Promise<CallRecord | undefined> {
    return this.#d.records.get(id);
  }

  agentStateLog(filter: AgentStateLogFilter = {}): Promise<AgentStateChange[]> {
    return this.#d.stateLog.list(filter);
  }

  queueEvents(filter: QueueEventFilter = {}): Promise<QueueEvent[]> {
    return this.#d.queueEvents.list(filter);
  }

  /** Register an extension; the function returned removes it (when its service stops). */
  addCallRecordExtension(extension: CallRecordExtension): () => void {
    this.#extensions.add(extension);
    return () => {
      this.#extensions.delete(extension);
    };
  }

  /** The fields every registered extension adds to these records, by record id (in registration order). */
  async callRecordFields(recordIds: readonly string[]): Promise<Map<string, CallRecordFields>> {
    const merged = new Map<string, CallRecordFields>();
    if (recordIds.length === 0) return merged;
    for (const extension of this.#extensions) {
      for (const [id, fields] of await extension.fieldsFor(recordIds)) merged.set(id, { ...merged.get(id), ...fields });
    }
    return merged;
  }
}
