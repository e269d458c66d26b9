// The site file's `http.login` settings: how failed web and Basic logins are
// slowed down (login-limiter.ts). Every key is optional; defaults in
// defaultLoginLimits.

import { Type, type Static } from '@sinclair/typebox';
import { defaultLoginLimits, type LoginLimits } from './login-limiter.js';

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
