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

  /** Append a segment with its first fields; resolves with its number once written. */
  addSegment(
    recordId: string,
    seg: { kind: SegmentKind; queue?: string; agent?: string; startedAt: number; detail?: Record<string, unknown> },
    then: SegmentUpdate = {},
  ): Promise<number> {
    return new Promise<number>((resolve) => {
      this.writes.push(async () => {
        const seq = await this.records.addSegment(recordId, seg);
        await this.records.updateSegment(recordId, seq, then);
        resolve(seq);
      });
    });
  }

  /** Update a segment added earlier (its number may not be known yet). */
  updateSegment(recordId: string, seq: Promise<number> | undefined, fields: SegmentUpdate): void {
    void seq?.then((n) => this.writes.push(() => this.records.updateSegment(recordId, n, fields)));
  }

  queueEvent(event: QueueEvent): void {
    this.writes.push(() => this.events.append(event));
  }
}
