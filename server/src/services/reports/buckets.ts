// The report's period and its buckets: 15, 30 or 60 minutes, a day or a week
// (Monday to Monday), aligned on the wall clock of the report's time zone.
// Rows are the buckets clipped to the period, so a period from 09:10 with
// 15-minute buckets starts with a row 09:10–09:15.

import { TenorError } from '../../core/errors.js';
import { instantOf, wallOf } from './time-zone.js';

export const intervals = ['15m', '30m', '60m', 'day', 'week'] as const;
export type Interval = (typeof intervals)[number];

export const presets = ['today', 'yesterday', 'last-7-days'] as const;
export type Preset = (typeof presets)[number];

/** [from, to) in epoch ms. */
export interface Span {
  start: number;
  end: number;
}

const MINUTE = 60_000;
const DAY = 86_400_000;

const minutesOf: Partial<Record<Interval, number>> = { '15m': 15, '30m': 30, '60m': 60 };

function wallMidnight(wall: number): number {
  return Math.floor(wall / DAY) * DAY;
}

/** Start of the bucket `instant` falls in. */
export function bucketStart(timeZone: string, interval: Interval, instant: number): number {
  const minutes = minutesOf[interval];
  const wall = wallOf(timeZone, instant);
  if (minutes !== undefined) {
    const size = minutes * MINUTE;
    return instant - (((wall % size) + size) % size);
  }
  const midnight = wallMidnight(wall);
  if (interval === 'day') return instantOf(timeZone, midnight);
  const sinceMonday = (new Date(midnight).getUTCDay() + 6) % 7;
  return instantOf(timeZone, midnight - sinceMonday * DAY);
}

/** Start of the bucket after the one starting at `start`. */
export function nextBucketStart(timeZone: string, interval: Interval, start: number): number {
  const minutes = minutesOf[interval];
  if (minutes !== undefined) {
    // Absolute steps stay aligned unless the offset changes by a part of the bucket (e.g. a 30-minute DST shift).
    const next = start + minutes * MINUTE;
    const aligned = bucketStart(timeZone, interval, next);
    return aligned > start ? aligned : next;
  }
  const midnight = wallMidnight(wallOf(timeZone, start));
  return instantOf(timeZone, midnight + (interval === 'day' ? 1 : 7) * DAY);
}

/** The buckets covering [period.start, period.end), each clipped to the period. */
export function bucketsOf(timeZone: string, interval: Interval, period: Span, maxBuckets: number): Span[] {
  const out: Span[] = [];
  for (let start = bucketStart(timeZone, interval, period.start); start < period.end; ) {
    const next = nextBucketStart(timeZone, interval, start);
    out.push({ start: Math.max(start, period.start), end: Math.min(next, period.end) });
    if (out.length > maxBuckets) {
      throw new TenorError('TENOR_ERR_VALIDATION', [`the period has more than ${maxBuckets} buckets of ${interval}; choose a longer interval or a shorter period`]);
    }
    start = next;
  }
  return out;
}

/** today, yesterday, last-7-days (today and the six days before), in the time zone's days. */
export function presetPeriod(timeZone: string, preset: Preset, now: number): Span {
  const today = wallMidnight(wallOf(timeZone, now));
  const at = (wall: number): number => instantOf(timeZone, wall);
  switch (preset) {
    case 'today':
      return { start: at(today), end: at(today + DAY) };
    case 'yesterday':
      return { start: at(today - DAY), end: at(today) };
    case 'last-7-days':
      return { start: at(today - 6 * DAY), end: at(today + DAY) };
  }
}

/** Index of the span holding `instant` (spans sorted and adjacent), or -1. */
export function spanIndex(spans: readonly Span[], instant: number): number {
  let lo = 0;
  let hi = spans.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = spans[mid];
    if (!s) return -1;
    if (instant < s.start) hi = mid - 1;
    else if (instant >= s.end) lo = mid + 1;
    else return mid;
  }
  return -1;
}
