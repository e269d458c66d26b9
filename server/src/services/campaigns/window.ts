// Calling windows are in the callee's local time: 09:00–21:00 in Berlin is a
// different instant from 09:00–21:00 in Los Angeles. The clock is injected, so
// tests check the rule at any instant without waiting for it.

import { DAYS, type CallingWindow, type Day } from './model.js';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(zone, f);
  }
  return f;
}

/** Day of week and "HH:MM" at instant `ms` in `zone`. */
export function localTime(ms: number, zone: string): { day: Day; hhmm: string } {
  const parts = formatter(zone).formatToParts(new Date(ms));
  const get = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '';
  const day = get('weekday').slice(0, 3).toLowerCase() as Day;
  if (!DAYS.includes(day)) throw new Error(`unexpected weekday '${get('weekday')}' for zone ${zone}`);
  return { day, hhmm: `${get('hour').padStart(2, '0')}:${get('minute').padStart(2, '0')}` };
}

/** True when `ms` falls inside the window in `zone` (from inclusive, to exclusive). */
export function insideWindow(ms: number, zone: string, window: CallingWindow): boolean {
  const { day, hhmm } = localTime(ms, zone);
  return window.days.includes(day) && hhmm >= window.from && hhmm < window.to;
}
