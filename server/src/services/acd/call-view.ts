// A call record as the API shows it (GET /api/calls, /api/calls/:id) and as
// event webhooks deliver it: ISO times, durations in seconds, null for what is
// not known yet.

import type { CallRecord, CallSegment } from './store/call-records.js';

export const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());
export const seconds = (ms: number | undefined): number | null => (ms === undefined ? null : Math.round(ms / 100) / 10);

export function segmentView(s: CallSegment) {
  return {
    seq: s.seq, kind: s.kind, queue: s.queue ?? null, agent: s.agent ?? null, startedAt: iso(s.startedAt), offeredAt: iso(s.offeredAt),
    answeredAt: iso(s.answeredAt), endedAt: iso(s.endedAt), outcome: s.outcome ?? null, detail: s.detail ?? null,
  };
}

export function callView(r: CallRecord) {
  return {
    id: r.id, direction: r.direction, from: r.from, to: r.to, customerId: r.customerId ?? null, queue: r.queue ?? null, agent: r.agent ?? null,
    arrivedAt: iso(r.arrivedAt), queuedAt: iso(r.queuedAt), offeredAt: iso(r.offeredAt), answeredAt: iso(r.answeredAt), endedAt: iso(r.endedAt),
    waitSeconds: seconds(r.waitMs), talkSeconds: seconds(r.talkMs), holdSeconds: seconds(r.holdMs), wrapUpSeconds: seconds(r.wrapUpMs),
    outcome: r.outcome ?? null, endCause: r.endCause ?? null, live: r.live, segments: r.segments.map(segmentView),
  };
}
