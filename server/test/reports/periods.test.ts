// Periods and buckets as a user sees them in a report's rows: aligned on the
// wall clock of the time zone asked for, days of 23 and 25 hours at the
// daylight-saving changes, weeks from Monday, presets relative to the local
// day, and clear errors naming the parameter.

import t from 'tap';
import { parseReportRequest, type ReportRequest } from '../../src/services/reports/query.js';
import { isoInZone } from '../../src/services/reports/time-zone.js';
import { isTenorError } from '../../src/core/errors.js';

const NOW = Date.parse('2026-01-05T00:30:00+01:00');

function rows(req: ReportRequest, now = NOW): string[][] {
  const q = parseReportRequest(req, {}, now);
  return q.buckets.map((b) => [isoInZone(q.timeZone, b.start), isoInZone(q.timeZone, b.end)]);
}

t.test('days across the daylight-saving changes are 23 and 25 hours long', async (t) => {
  const spring = rows({ from: '2026-03-28T00:00:00+01:00', to: '2026-03-31T00:00:00+02:00', interval: 'day', tz: 'Europe/Amsterdam' });
  t.same(spring, [
    ['2026-03-28T00:00:00+01:00', '2026-03-29T00:00:00+01:00'],
    ['2026-03-29T00:00:00+01:00', '2026-03-30T00:00:00+02:00'],
    ['2026-03-30T00:00:00+02:00', '2026-03-31T00:00:00+02:00'],
  ]);
  const q = parseReportRequest({ from: '2026-10-25T00:00:00+02:00', to: '2026-10-26T00:00:00+01:00', interval: 'day', tz: 'Europe/Amsterdam' }, {}, NOW);
  t.equal((q.buckets[0]?.end ?? 0) - (q.buckets[0]?.start ?? 0), 25 * 3_600_000, 'the autumn day has 25 hours');
});

t.test('hours on the spring-forward night: 02:00 does not exist', async (t) => {
  const hours = rows({ from: '2026-03-29T00:00:00+01:00', to: '2026-03-29T06:00:00+02:00', interval: '60m', tz: 'Europe/Amsterdam' });
  t.same(hours.map(([start]) => start?.slice(11)), ['00:00:00+01:00', '01:00:00+01:00', '03:00:00+02:00', '04:00:00+02:00', '05:00:00+02:00']);
});

t.test('buckets align on the local clock, also at +05:45; a period that starts mid-bucket is clipped', async (t) => {
  const kathmandu = rows({ from: '2026-01-05T00:00:00Z', to: '2026-01-05T02:00:00Z', interval: '60m', tz: 'Asia/Kathmandu' });
  t.same(kathmandu, [
    ['2026-01-05T05:45:00+05:45', '2026-01-05T06:00:00+05:45'],
    ['2026-01-05T06:00:00+05:45', '2026-01-05T07:00:00+05:45'],
    ['2026-01-05T07:00:00+05:45', '2026-01-05T07:45:00+05:45'],
  ]);
  const quarter = rows({ from: '2026-01-05T09:10:00Z', to: '2026-01-05T09:45:00Z', interval: '15m', tz: 'UTC' });
  t.same(quarter, [
    ['2026-01-05T09:10:00Z', '2026-01-05T09:15:00Z'],
    ['2026-01-05T09:15:00Z', '2026-01-05T09:30:00Z'],
    ['2026-01-05T09:30:00Z', '2026-01-05T09:45:00Z'],
  ]);
});

t.test('weeks run Monday to Monday', async (t) => {
  // 7 January 2026 is a Wednesday.
  t.same(rows({ from: '2026-01-07T00:00:00+01:00', to: '2026-01-20T00:00:00+01:00', interval: 'week', tz: 'Europe/Amsterdam' }), [
    ['2026-01-07T00:00:00+01:00', '2026-01-12T00:00:00+01:00'],
    ['2026-01-12T00:00:00+01:00', '2026-01-19T00:00:00+01:00'],
    ['2026-01-19T00:00:00+01:00', '2026-01-20T00:00:00+01:00'],
  ]);
});

t.test('presets follow the local day: at 00:30 in Amsterdam it is still yesterday in UTC', async (t) => {
  const today = parseReportRequest({ period: 'today', tz: 'Europe/Amsterdam' }, {}, NOW);
  t.same([isoInZone(today.timeZone, today.span.start), isoInZone(today.timeZone, today.span.end), today.interval, today.buckets.length],
    ['2026-01-05T00:00:00+01:00', '2026-01-06T00:00:00+01:00', '60m', 24], 'default interval 60m: 24 rows');
  const utc = parseReportRequest({ tz: 'UTC' }, {}, NOW);
  t.same([isoInZone('UTC', utc.span.start), utc.preset], ['2026-01-04T00:00:00Z', 'today'], 'no period: today');
  const yesterday = parseReportRequest({ period: 'yesterday', tz: 'Europe/Amsterdam' }, {}, NOW);
  t.equal(isoInZone('Europe/Amsterdam', yesterday.span.start), '2026-01-04T00:00:00+01:00');
  const week = parseReportRequest({ period: 'last-7-days', interval: 'day', tz: 'Europe/Amsterdam' }, {}, NOW);
  t.same([isoInZone('Europe/Amsterdam', week.span.start), isoInZone('Europe/Amsterdam', week.span.end), week.buckets.length],
    ['2025-12-30T00:00:00+01:00', '2026-01-06T00:00:00+01:00', 7], 'today and the six days before');
  const configured = parseReportRequest({}, { timeZone: 'America/New_York' }, NOW);
  t.equal(isoInZone(configured.timeZone, configured.span.start), '2026-01-04T00:00:00-05:00', 'reports.timeZone is the default');
});

t.test('bad requests are refused with the parameter named', async (t) => {
  const refused = (req: ReportRequest, pattern: RegExp, what: string): void => {
    try {
      parseReportRequest(req, {}, NOW);
      t.fail(`${what}: accepted`);
    } catch (err) {
      t.ok(isTenorError(err, 'TENOR_ERR_VALIDATION'), `${what}: validation error`);
      t.match(err instanceof Error ? err.message : '', pattern, what);
    }
  };
  refused({ tz: 'Mars/Olympus_Mons' }, /tz 'Mars\/Olympus_Mons' is not a known IANA time zone/, 'unknown time zone');
  refused({ interval: '10m' }, /interval must be one of 15m, 30m, 60m, day, week/, 'unknown interval');
  refused({ period: 'last-year' }, /period must be one of today, yesterday, last-7-days/, 'unknown preset');
  refused({ from: '2026-01-05T09:00:00Z' }, /from and to go together/, 'from without to');
  refused({ from: '2026-01-05T09:00:00Z', to: '2026-01-05T08:00:00Z' }, /to must be after from/, 'to before from');
  refused({ from: '2026-01-05', to: '2026-01-06' }, /from must be an ISO 8601 date-time/, 'a date without a time');
  refused({ from: '2026-01-05T09:00:00Z', to: '2026-01-06T09:00:00Z', period: 'today' }, /either period or from and to/, 'both');
  refused({ from: '2026-01-01T00:00:00Z', to: '2026-12-31T00:00:00Z', interval: '15m' }, /more than 10000 buckets of 15m/, 'too many rows');
  refused({ shortAbandonSeconds: '2.5' }, /shortAbandonSeconds must be a whole number/, 'fractional seconds');
});
