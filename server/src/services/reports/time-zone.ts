// Wall-clock arithmetic in an IANA time zone with nothing but Intl: report
// buckets start at local quarter hours, hours, midnights and Mondays, and a
// day across a daylight-saving change is 23 or 25 hours long.
//
// A "wall" time is the local date and time written as if it were UTC epoch
// milliseconds (Date.UTC of the local fields), so calendar steps (next day,
// Monday) are plain arithmetic on it.

import { TenorError } from '../../core/errors.js';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The time zone's canonical name; a TenorError naming `field` when Intl does not know it. */
export function checkTimeZone(timeZone: string, field = 'tz'): string {
  try {
    return formatter(timeZone).resolvedOptions().timeZone;
  } catch {
    throw new TenorError('TENOR_ERR_VALIDATION', [`${field} '${timeZone}' is not a known IANA time zone (e.g. Europe/Amsterdam, UTC)`]);
  }
}

/** Local time minus UTC at `instant`, in ms (e.g. +3,600,000 in Amsterdam in winter). */
export function offsetAt(timeZone: string, instant: number): number {
  const whole = Math.floor(instant / 1000) * 1000;
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(whole))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const wall = Date.UTC(parts['year'] ?? 1970, (parts['month'] ?? 1) - 1, parts['day'] ?? 1, parts['hour'] ?? 0, parts['minute'] ?? 0, parts['second'] ?? 0);
  return wall - whole;
}

export function wallOf(timeZone: string, instant: number): number {
  return instant + offsetAt(timeZone, instant);
}

/**
 * The instant a wall time happens. Of two (the hour repeated when clocks go
 * back) the earlier; of none (the hour skipped when they go forward) the
 * instant the clocks jumped over it.
 */
export function instantOf(timeZone: string, wall: number): number {
  const HALF_DAY = 14 * 3_600_000;
  const before = offsetAt(timeZone, wall - HALF_DAY);
  const after = offsetAt(timeZone, wall + HALF_DAY);
  const fits = [wall - before, wall - after].filter((t) => wallOf(timeZone, t) === wall);
  if (fits.length > 0) return Math.min(...fits);
  return wall - before;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** ISO 8601 with the zone's offset at that instant, e.g. 2026-01-05T10:00:00+01:00 (Z for UTC). */
export function isoInZone(timeZone: string, instant: number): string {
  const offset = offsetAt(timeZone, instant);
  const wall = new Date(instant + offset);
  const date = `${pad(wall.getUTCFullYear(), 4)}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())}`;
  const ms = wall.getUTCMilliseconds();
  const time = `${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}:${pad(wall.getUTCSeconds())}${ms ? `.${pad(ms, 3)}` : ''}`;
  if (offset === 0) return `${date}T${time}Z`;
  const sign = offset > 0 ? '+' : '-';
  const minutes = Math.round(Math.abs(offset) / 60_000);
  return `${date}T${time}${sign}${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}
