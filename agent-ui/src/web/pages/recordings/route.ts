// Where the recordings page is: '#/recordings' (the list, its filters in the
// query: '#/recordings?customerId=c-1&queue=sales') or '#/recordings/<id>' (one
// recording in the player). Links elsewhere in the client (the customer's
// history, the agent's day) use these to open a recording or a customer's list.

export interface RecordingFilters {
  from?: string;
  to?: string;
  queue?: string;
  agent?: string;
  customerId?: string;
  callId?: string;
  offset?: number;
}

export type RecordingsRoute = { kind: 'list'; filters: RecordingFilters } | { kind: 'player'; id: string };

const FILTER_NAMES = ['from', 'to', 'queue', 'agent', 'customerId', 'callId'] as const;

export function recordingsRoute(hash: string): RecordingsRoute {
  const rest = hash.replace(/^#\/?recordings/, '');
  const one = /^\/([A-Za-z0-9_-]{1,64})$/.exec(rest);
  if (one?.[1] !== undefined) return { kind: 'player', id: one[1] };
  const query = new URLSearchParams(rest.startsWith('?') ? rest.slice(1) : '');
  const filters: RecordingFilters = {};
  for (const name of FILTER_NAMES) {
    const value = query.get(name)?.trim();
    if (value) filters[name] = value;
  }
  const offset = Number(query.get('offset'));
  if (Number.isInteger(offset) && offset > 0) filters.offset = offset;
  return { kind: 'list', filters };
}

/** '#/recordings?…' for these filters (empty ones left out). */
export function recordingsListHref(filters: RecordingFilters): string {
  const query = new URLSearchParams();
  for (const name of FILTER_NAMES) {
    const value = filters[name];
    if (value) query.set(name, value);
  }
  if (filters.offset) query.set('offset', String(filters.offset));
  const text = query.toString();
  return text ? `#/recordings?${text}` : '#/recordings';
}

export const recordingHref = (id: string): string => `#/recordings/${encodeURIComponent(id)}`;
