// Small display helpers shared by the pages.
import { useEffect, useState } from 'preact/hooks';
import type { MessageKey, Translate } from './i18n/index.js';

/** Seconds as m:ss or h:mm:ss. */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

export function dateTime(iso: string | null | undefined, lang: string): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(lang, { dateStyle: 'short', timeStyle: 'short' });
}

export function percent(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : `${value.toFixed(1)} %`;
}

/** The current time, re-rendering the caller every second (times in state tick). */
export function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/** Seconds since `since` (server time), corrected by the local clock's skew. */
export function secondsSince(since: string, now: number, skewMs: number): number {
  return (now - skewMs - Date.parse(since)) / 1000;
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const breakReasonKeys: Record<string, MessageKey> = {
  lunch: 'reasonLunch', coffee: 'reasonCoffee', meeting: 'reasonMeeting', training: 'reasonTraining', other: 'reasonOther',
  supervisor: 'reasonSupervisor', 'no answer': 'reasonNoAnswer', 'line lost': 'reasonLineLost',
};

/** A break reason in the user's language; a site's own reasons are shown as written. */
export function breakReasonLabel(t: Translate, reason: string): string {
  const key = breakReasonKeys[reason];
  return key ? t(key) : reason;
}
