// The events a webhook subscription may name: bus events other systems care
// about (a CRM, a ticketing tool, a warehouse), by the bus's own names. Each
// entry says what it means and the shape of `data` in the body delivered, so
// the admin API, the site file check and the OpenAPI document share one list.
// alert_raised / alert_cleared are published by the alerts (issue 20 item 5);
// webhooks deliver them like any other event.

import { Type, type TSchema } from '@sinclair/typebox';

const Str = Type.String();
const OptStr = Type.Optional(Type.String());
const Time = Type.String({ description: 'ISO 8601 time' });
const open = { additionalProperties: true } as const;

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const NStr = Nullable(Type.String());
const NTime = Nullable(Type.String({ description: 'ISO 8601 time' }));
const NSeconds = Nullable(Type.Number());

/** A call record as GET /api/calls/:id shows it (with the site's extra record fields, e.g. a disposition). */
const CallRecordData = Type.Object({
  id: Str, direction: Type.Union([Type.Literal('inbound'), Type.Literal('outbound')]), from: Str, to: Str, customerId: NStr, queue: NStr, agent: NStr,
  arrivedAt: NTime, queuedAt: NTime, offeredAt: NTime, answeredAt: NTime, endedAt: NTime,
  waitSeconds: NSeconds, talkSeconds: NSeconds, holdSeconds: NSeconds, wrapUpSeconds: NSeconds,
  outcome: NStr, endCause: NStr, live: Type.Boolean(),
  segments: Type.Array(Type.Object({}, open)),
}, { ...open, description: 'the call record as GET /api/calls/:id shows it' });

export interface DeliverableEvent {
  type: string;
  description: string;
  data: TSchema;
}

export const deliverableEvents: readonly DeliverableEvent[] = [
  {
    type: 'call_arrived',
    description: 'A call to an entry number was answered and queued (the call started).',
    data: Type.Object({ callId: Str, from: Str, to: Str, queue: Str, customerId: OptStr }, open),
  },
  {
    type: 'call_answered',
    description: 'An agent answered a queued call; record is the call record so far.',
    data: Type.Object({ callId: Str, entryId: Str, queue: Str, kind: Str, agent: Str, waitMs: Type.Number(), record: Type.Optional(CallRecordData) }, open),
  },
  {
    type: 'call_abandoned',
    description: 'The caller hung up while waiting in a queue.',
    data: Type.Object({ callId: Str, entryId: Str, queue: Str, waitMs: Type.Number() }, open),
  },
  {
    type: 'call_ended',
    description: 'A call ended; record is its final call record.',
    data: Type.Object({ callId: Str, recordId: Str, customerId: OptStr, queue: OptStr, agent: OptStr, outcome: Str, cause: Str, record: Type.Optional(CallRecordData) }, open),
  },
  {
    type: 'agent_state_changed',
    description: 'An agent went from one state to another (ready, on call, wrap-up, break, logged out...).',
    data: Type.Object({ login: Str, from: Str, to: Str, reason: Str, callId: OptStr, at: Time }, open),
  },
  {
    type: 'voicemail_received',
    description: 'A caller left a voicemail.',
    data: Type.Object({ id: Str, box: Str, callId: Str, callerNumber: Str, customerId: OptStr, durationMs: Type.Number(), receivedAt: Time }, open),
  },
  {
    type: 'callback_requested',
    description: 'A waiting caller asked to be called back (they keep their place in the queue).',
    data: Type.Object({ callId: Str, entryId: Str, queue: Str, number: Str }, open),
  },
  {
    type: 'callback_scheduled',
    description: 'A script scheduled a callback for a time.',
    data: Type.Object({ number: Str, at: Time, customerId: Type.Union([Type.Number(), Type.Null()]), source: Str }, open),
  },
  {
    type: 'campaign_attempt',
    description: 'A campaign attempt finished (its outcome: connected, no answer, busy, machine, abandoned...).',
    data: Type.Object({
      campaign: Str, attemptId: Str, phone: Str, attempt: Type.Number(), outcome: Str, amd: OptStr, agent: OptStr, callId: OptStr,
      identificationPlayed: Type.Boolean(), durationMs: Type.Number(),
    }, open),
  },
  ...(['started', 'paused', 'resumed', 'stopped'] as const).map((what) => ({
    type: `recording_${what}`,
    description: `A call's recording ${what === 'stopped' ? 'stopped and its file stored' : what} (docs/recording.md).`,
    data: Type.Object({ recordingId: Str, callId: Str, at: Time, by: OptStr, reason: OptStr, agent: OptStr }, open),
  })),
  {
    type: 'alert_raised',
    description: 'An alert rule fired (service level low, a caller waiting too long, too few agents ready...).',
    data: Type.Object({
      id: Str, rule: Str, severity: Type.Union([Type.Literal('warning'), Type.Literal('critical')]), queue: OptStr,
      message: Str, value: Type.Number(), threshold: Type.Number(), at: Time,
    }, open),
  },
  {
    type: 'alert_cleared',
    description: 'The condition of a raised alert is over.',
    data: Type.Object({ id: Str, rule: Str, queue: OptStr, at: Time }, open),
  },
];

export const deliverableEventNames: ReadonlySet<string> = new Set(deliverableEvents.map((e) => e.type));

/** The body every delivery POSTs (Content-Type application/json). */
export const WebhookBodySchema = Type.Union(
  deliverableEvents.map((e) => Type.Object({
    id: Type.String({ description: 'the delivery id (also in the Tenor-Delivery header): the same on every retry, for idempotency' }),
    type: Type.Literal(e.type),
    at: Type.String({ description: 'ISO 8601 time the event happened' }),
    data: e.data,
  }, { description: e.description, title: e.type })),
  { description: 'A webhook delivery: { id, type, at, data }; data depends on type' },
);

/** Problems with the event names of a subscription: the index of each unknown name and why. */
export function unknownEvents(events: readonly string[]): { index: number; message: string }[] {
  return events.flatMap((name, index) => deliverableEventNames.has(name)
    ? []
    : [{ index, message: `'${name}' is not an event webhooks deliver (one of ${[...deliverableEventNames].join(', ')})` }]);
}
