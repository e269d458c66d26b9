// A recording's markers as the player shows them: the spans to shade (paused,
// on hold) and each marker's label.
import type { RecordingMarker } from '../../wire.js';

export interface Span {
  kind: 'paused' | 'hold';
  startMs: number;
  endMs: number;
}

/**
 * The paused spans (pause → resume) and hold spans (hold → unhold), in the
 * order they start; a span still open at the end runs to the end of the file.
 */
export function spansOf(markers: readonly RecordingMarker[], durationMs: number): Span[] {
  const spans: Span[] = [];
  const open: Partial<Record<Span['kind'], number>> = {};
  for (const m of [...markers].sort((a, b) => a.atMs - b.atMs)) {
    const kind = m.kind === 'pause' || m.kind === 'resume' ? 'paused' : m.kind === 'hold' || m.kind === 'unhold' ? 'hold' : undefined;
    if (kind === undefined) continue;
    const starts = m.kind === 'pause' || m.kind === 'hold';
    const since = open[kind];
    if (starts && since === undefined) open[kind] = m.atMs;
    if (!starts && since !== undefined) {
      spans.push({ kind, startMs: since, endMs: m.atMs });
      delete open[kind];
    }
  }
  for (const kind of ['paused', 'hold'] as const) {
    const since = open[kind];
    if (since !== undefined) spans.push({ kind, startMs: since, endMs: Math.max(since, durationMs) });
  }
  return spans.sort((a, b) => a.startMs - b.startMs);
}

/**
 * What a transfer or consult marker's detail names: the server keeps the
 * target as JSON ({"kind":"agent","agent":"bob"} …), shown here as its name.
 */
export function markerTarget(detail: string | null): string | null {
  if (detail === null) return null;
  try {
    const parsed: unknown = JSON.parse(detail);
    if (typeof parsed === 'string') return parsed;
    if (typeof parsed === 'object' && parsed !== null) {
      const values = Object.entries(parsed as Record<string, unknown>).filter(([k, v]) => k !== 'kind' && (typeof v === 'string' || typeof v === 'number'));
      if (values.length > 0) return values.map(([, v]) => String(v)).join(' ');
    }
  } catch {
    // Not JSON (an agent marker's detail is the agent's login): shown as written.
  }
  return detail;
}
