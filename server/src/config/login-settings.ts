// The site file's `http.login` settings: how failed web and Basic logins are
// slowed down (services/sessions/login-limiter.ts). Every key is optional;
// defaults in defaultLoginLimits. The limits and their defaults live here, not
// with the sessions service, because the site file's schema documents the
// defaults and config/ imports no service.

import { Type, type Static } from '@sinclair/typebox';

export interface LoginLimits {
  /** Failures per (username, address) before backoff starts. */
  freeFailures: number;
  /** The first backoff; each further failure doubles it. */
  baseBackoffMs: number;
  /** The longest backoff. */
  maxBackoffMs: number;
  /** Failures of one (username, address) are forgotten after this long without one. */
  forgetAfterMs: number;
  /** The per-address sliding window. */
  windowMs: number;
  /** Failures from one address (any usernames) within `windowMs` that block the address. */
  maxPerAddress: number;
  /** Failures from all addresses within one minute above which every login is slowed down. */
  globalFailuresPerMinute: number;
  /** How long each password check waits while the global slow-down is on. */
  slowDownMs: number;
}

export const defaultLoginLimits: LoginLimits = {
  freeFailures: 3,
  baseBackoffMs: 1000,
  maxBackoffMs: 15 * 60_000,
  forgetAfterMs: 60 * 60_000,
  windowMs: 15 * 60_000,
  maxPerAddress: 20,
  globalFailuresPerMinute: 60,
  slowDownMs: 1000,
};

export const LoginSettingsSchema = Type.Object(
  {
    /** Wrong passwords for one username from one address before each further try waits (1 s, 2 s, 4 s …). */
    failuresBeforeBackoff: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, description: `default ${defaultLoginLimits.freeFailures}` })),
    /** The longest such wait. */
    maxBackoffSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400, description: `default ${defaultLoginLimits.maxBackoffMs / 1000}` })),
    /** Failed logins from one address (any usernames) within 15 minutes that hold that address back. */
    failuresPerAddress: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, description: `default ${defaultLoginLimits.maxPerAddress}` })),
    /** Failed logins from all addresses per minute above which every login is slowed down. */
    globalFailuresPerMinute: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, description: `default ${defaultLoginLimits.globalFailuresPerMinute}` })),
    /** How long each login waits while slowed down. */
    slowDownMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000, description: `default ${defaultLoginLimits.slowDownMs}` })),
  },
  { additionalProperties: false },
);

export type LoginSettings = Static<typeof LoginSettingsSchema>;

/** The limiter's limits for these settings (defaults where a key is absent). */
export function loginLimitsFrom(settings: LoginSettings): LoginLimits {
  const d = defaultLoginLimits;
  return {
    ...d,
    freeFailures: settings.failuresBeforeBackoff ?? d.freeFailures,
    maxBackoffMs: settings.maxBackoffSeconds !== undefined ? settings.maxBackoffSeconds * 1000 : d.maxBackoffMs,
    maxPerAddress: settings.failuresPerAddress ?? d.maxPerAddress,
    globalFailuresPerMinute: settings.globalFailuresPerMinute ?? d.globalFailuresPerMinute,
    slowDownMs: settings.slowDownMs ?? d.slowDownMs,
  };
}
