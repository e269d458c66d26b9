// Calendar arithmetic in a flow's time zone, through Intl only (no tz library):
// the weekday, minute of the day and date a given instant has in that zone.

export const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const LONG_DAY_NAMES = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    // RangeError: Intl does not know the zone; that is the answer, not a failure.
    return false;
  }
}

/** A day name ('mon', 'Monday') → 0..6 (Sunday = 0), or undefined. */
export function dayNumber(name: string): number | undefined {
  const n = name.trim().toLowerCase();
  const short = DAY_NAMES.indexOf(n as (typeof DAY_NAMES)[number]);
  if (short >= 0) return short;
  const long = LONG_DAY_NAMES.indexOf(n);
  return long >= 0 ? long : undefined;
}

/** 'mon-fri' / 'sat' / 'fri-mon' (wraps) → day numbers; undefined when a name is wrong. */
export function parseDays(spec: string): number[] | undefined {
  const parts = spec.split('-');
  if (parts.length === 1) {
    const d = dayNumber(spec);
    return d === undefined ? undefined : [d];
  }
  if (parts.length !== 2) return undefined;
  const from = dayNumber(parts[0] ?? '');
  const to = dayNumber(parts[1] ?? '');
  if (from === undefined || to === undefined) return undefined;
  const days: number[] = [];
  for (let d = from; ; d = (d + 1) % 7) {
    days.push(d);
    if (d === to) break;
  }
  return days;
}

/** 'HH:MM' → minutes since midnight; '24:00' is allowed as an end. */
export function parseClock(s: string, allowEndOfDay: boolean): number | undefined {
  const m = /^(\d{1,2}):(\d{2})$/.exec(s.trim());
  if (!m) return undefined;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (min > 59) return undefined;
  if (h === 24 && min === 0 && allowEndOfDay) return 24 * 60;
  if (h > 23) return undefined;
  return h * 60 + min;
}

/** 'YYYY-MM-DD' or 'MM-DD' (every year) with a real day of that month. */
export function isValidCalendarDate(s: string): boolean {
  const m = /^(?:(\d{4})-)?(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const year = m[1] === undefined ? 2024 : Number(m[1]); // a leap year, so 02-29 is a valid yearly date
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export interface ZonedParts {
  /** 0 = Sunday. */
  weekday: number;
  /** Minutes since local midnight. */
  minute: number;
  /** 'YYYY-MM-DD' local date. */
  date: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

export function zonedParts(instant: Date, timeZone: string): ZonedParts {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(instant).map((p) => [p.type, p.value]));
  const weekday = dayNumber(parts.weekday ?? '') ?? 0;
  return {
    weekday,
    minute: Number(parts.hour) * 60 + Number(parts.minute),
    date: `${parts.year}-${parts.month}-${parts.day}`,
  };
}

/** Whether a local date is in a calendar of 'YYYY-MM-DD' and yearly 'MM-DD' entries. */
export function dateInCalendar(date: string, calendar: readonly string[]): boolean {
  const monthDay = date.slice(5);
  return calendar.some((d) => d === date || d === monthDay);
}

/** A time-of-day range [from, to); to < from wraps past midnight. */
export function inTimeRange(minute: number, range: { from: number; to: number }): boolean {
  return range.from < range.to ? minute >= range.from && minute < range.to : minute >= range.from || minute < range.to;
}
