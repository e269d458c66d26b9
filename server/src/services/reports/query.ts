// A report request as it comes over HTTP (strings) turned into what the
// reports compute with: the period in epoch ms, the buckets, the time zone,
// filters and thresholds. Every problem is a TENOR_ERR_VALIDATION naming the
// parameter.

import { TenorError } from '../../core/errors.js';
import { bucketsOf, intervals, presetPeriod, presets, type Interval, type Preset, type Span } from './buckets.js';
import type { ReportsSettings } from './config-schema.js';
import { checkTimeZone } from './time-zone.js';

/** What a caller of the reports API may give; all optional. */
export interface ReportRequest {
  /** ISO 8601 date-time, inclusive. With `to`, instead of `period`. */
  from?: string;
  /** ISO 8601 date-time, exclusive. */
  to?: string;
  /** today (default), yesterday or last-7-days, in the report's time zone. */
  period?: string;
  /** 15m, 30m, 60m (default), day or week. */
  interval?: string;
  /** IANA time zone, e.g. Europe/Amsterdam. */
  tz?: string;
  queue?: string;
  agent?: string;
  campaign?: string;
  /** Voicemail box (voicemail report). */
  box?: string;
  shortAbandonSeconds?: string | number;
  serviceLevelSeconds?: string | number;
}

export interface ReportQuery {
  span: Span;
  preset: Preset | undefined;
  interval: Interval;
  timeZone: string;
  buckets: Span[];
  queue: string | undefined;
  agent: string | undefined;
  campaign: string | undefined;
  box: string | undefined;
  shortAbandonMs: number;
  /** Given in the request: overrides every queue's own threshold. */
  serviceLevelMs: number | undefined;
  /** When the report is computed: state intervals still open end here, not in the future. */
  now: number;
}

export const DEFAULT_SERVICE_LEVEL_SECONDS = 20;
export const DEFAULT_SHORT_ABANDON_SECONDS = 5;
export const DEFAULT_INTERVAL: Interval = '60m';
/** Rows per report at most: 15-minute buckets over about three months. */
export const MAX_BUCKETS = 10_000;

function invalid(message: string): TenorError {
  return new TenorError('TENOR_ERR_VALIDATION', [message]);
}

function parseInstant(value: string, field: string): number {
  // Date-only strings would be read as UTC midnight, not the report's midnight: ask for a full date-time.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) throw invalid(`${field} must be an ISO 8601 date-time (e.g. 2026-01-05T09:00:00Z), not '${value}'`);
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw invalid(`${field} '${value}' is not a valid date-time`);
  return ms;
}

function parseSeconds(value: string | number | undefined, field: string, min: number, max: number): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw invalid(`${field} must be a whole number of seconds from ${min} to ${max}`);
  return n;
}

function oneOf<T extends string>(value: string, allowed: readonly T[], field: string): T {
  const found = allowed.find((a) => a === value);
  if (found === undefined) throw invalid(`${field} must be one of ${allowed.join(', ')}, not '${value}'`);
  return found;
}

const text = (value: string | undefined): string | undefined => (value === undefined || value === '' ? undefined : value);

export function defaultTimeZone(settings: ReportsSettings): string {
  return settings.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
}

export function parseReportRequest(req: ReportRequest, settings: ReportsSettings, now: number): ReportQuery {
  const timeZone = checkTimeZone(text(req.tz) ?? defaultTimeZone(settings), req.tz ? 'tz' : 'reports.timeZone');
  const interval = req.interval ? oneOf(req.interval, intervals, 'interval') : DEFAULT_INTERVAL;
  let span: Span;
  let preset: Preset | undefined;
  const from = text(req.from);
  const to = text(req.to);
  if (from !== undefined || to !== undefined) {
    if (req.period) throw invalid('give either period or from and to, not both');
    if (from === undefined || to === undefined) throw invalid('from and to go together');
    span = { start: parseInstant(from, 'from'), end: parseInstant(to, 'to') };
    if (span.end <= span.start) throw invalid('to must be after from');
  } else {
    preset = oneOf(req.period || 'today', presets, 'period');
    span = presetPeriod(timeZone, preset, now);
  }
  const shortAbandon = parseSeconds(req.shortAbandonSeconds, 'shortAbandonSeconds', 0, 600) ?? settings.shortAbandonSeconds ?? DEFAULT_SHORT_ABANDON_SECONDS;
  const serviceLevel = parseSeconds(req.serviceLevelSeconds, 'serviceLevelSeconds', 1, 3600);
  return {
    span, preset, interval, timeZone, buckets: bucketsOf(timeZone, interval, span, MAX_BUCKETS),
    queue: text(req.queue), agent: text(req.agent), campaign: text(req.campaign), box: text(req.box),
    shortAbandonMs: shortAbandon * 1000,
    serviceLevelMs: serviceLevel === undefined ? undefined : serviceLevel * 1000,
    now,
  };
}
