// Call records and queue events as the ACD writes them: in the order they
// happen, through the write queue, so routing never waits for the disk and a
// segment's later updates always land after the segment itself.

import type { CallRecordsRepository, CallRecordUpdate, SegmentKind, SegmentUpdate } from './store/call-records.js';
import type { QueueEvent, QueueEventLog } from './store/queue-events.js';
import type { WriteQueue } from './write-queue.js';

export class CallRecorder {
  constructor(
    private readonly writes: WriteQueue,
    private readonly records: CallRecordsRepository,
    private readonly events: QueueEventLog,
  ) {}

  open(rec: Parameters<CallRecordsRepository['open']>[0]): void {
    this.writes.push(() => this.records.open(rec));
  }

  update(id: string, fields: CallRecordUpdate): void {
    this.writes.push(() => this.records.update(id, fields));
  }

  /** Each segment's number, or undefined when its write failed: what queued updates wait for. */
  readonly #written = new WeakMap<Promise<number>, Promise<number | undefined>>();

  /** Append a segment with its first fields; resolves with its number once written. */
  addSegment(
    recordId: string,
    seg: { kind: SegmentKind; queue?: string; agent?: string; startedAt: number; detail?: Record<string, unknown> },
    then: SegmentUpdate = {},
  ): Promise<number> {
    let settle: (seq: number | undefined) => void = () => {};
    const written = new Promise<number | undefined>((resolve) => (settle = resolve));
    const seqPromise = new Promise<number>((resolve) => {
      this.writes.push(async () => {
        try {
          const seq = await this.records.addSegment(recordId, seg);
          await this.records.updateSegment(recordId, seq, then);
          settle(seq);
          resolve(seq);
        } catch (err) {
          settle(undefined);
          throw err;
        }
      });
    });
    this.#written.set(seqPromise, written);
    return seqPromise;
  }

  /**
   * Update a segment added earlier (its number may not be known yet). Queued now, in order with
   * the other writes, so an event published after it waits for it too; the segment's own write
   * is earlier in the queue, so its number is known by the time this step runs.
   */
  updateSegment(recordId: string, seq: Promise<number> | undefined, fields: SegmentUpdate): void {
    if (!seq) return;
    const written = this.#written.get(seq) ?? seq;
    this.writes.push(async () => {
      const n = await written;
      if (n !== undefined) await this.records.updateSegment(recordId, n, fields);
    });
  }

  queueEvent(event: QueueEvent): void {
    this.writes.push(() => this.events.append(event));
  }
}
