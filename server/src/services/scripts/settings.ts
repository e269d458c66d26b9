// The `selfService` key of the site file: how long links may live, how the
// one-time codes that prove who a visitor is are made and limited, and the SMS
// hook that delivers them where the site has one.
//
//   selfService:
//     linkMaxDays: 7              # a per-customer link lives at most this long
//     codeMinutes: 10             # a one-time code is good for this long
//     codeAttempts: 5             # wrong tries that burn a code
//     codesPerCustomerPerHour: 3  # codes sent to one customer
//     codesPerAddressPerHour: 10  # codes asked for from one client address
//     opensPerAddressPerHour: 60  # links opened or runs started from one client address
//     sms:                        # optional: an HTTP gateway that sends a text
//       url: "https://sms.example.com/send?to={phone}&text={message}"
//       method: POST
//       body: '{"to": "{phone}", "text": "{message}"}'

import { Type, type Static } from '@sinclair/typebox';
import { defineConfigSection } from '../../core/config-section.js';

export const SmsHookSchema = Type.Object(
  {
    /** {phone} and {message} are replaced, URL-encoded. */
    url: Type.String({ pattern: '^https?://', description: 'gateway URL; {phone} and {message} are replaced, URL-encoded' }),
    method: Type.Optional(Type.Union([Type.Literal('POST'), Type.Literal('GET')])),
    /** {phone} and {message} are replaced, escaped for a JSON string. */
    body: Type.Optional(Type.String({ description: 'request body; {phone} and {message} are replaced, escaped for a JSON string' })),
  },
  { additionalProperties: false },
);

export const SelfServiceSettingsSchema = Type.Object(
  {
    linkMaxDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 365 })),
    codeMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 60 })),
    codeAttempts: Type.Optional(Type.Integer({ minimum: 1, maximum: 10 })),
    codesPerCustomerPerHour: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    codesPerAddressPerHour: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    opensPerAddressPerHour: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    sms: Type.Optional(SmsHookSchema),
  },
  { additionalProperties: false },
);

export type SelfServiceSettings = Static<typeof SelfServiceSettingsSchema>;
export type SmsHook = Static<typeof SmsHookSchema>;

/** Self-service links and the one-time codes that prove who a visitor is (docs/scripts.md). */
export const selfServiceConfigSection = defineConfigSection({ key: 'selfService', schema: SelfServiceSettingsSchema, defaults: {} });

declare module '../../config/schema.js' {
  interface ServiceSettings {
    /** Self-service link lifetime, one-time codes and their limits, the SMS hook. */
    selfService: SelfServiceSettings;
  }
}

export const SELF_SERVICE_DEFAULTS = {
  linkMaxDays: 7,
  codeMinutes: 10,
  codeAttempts: 5,
  codesPerCustomerPerHour: 3,
  codesPerAddressPerHour: 10,
  opensPerAddressPerHour: 60,
} as const;

/** The settings with every default filled in. */
export type SelfServiceLimits = { -readonly [K in keyof typeof SELF_SERVICE_DEFAULTS]: number } & { sms: SmsHook | undefined };

export function selfServiceLimits(settings: SelfServiceSettings = {}): SelfServiceLimits {
  return {
    linkMaxDays: settings.linkMaxDays ?? SELF_SERVICE_DEFAULTS.linkMaxDays,
    codeMinutes: settings.codeMinutes ?? SELF_SERVICE_DEFAULTS.codeMinutes,
    codeAttempts: settings.codeAttempts ?? SELF_SERVICE_DEFAULTS.codeAttempts,
    codesPerCustomerPerHour: settings.codesPerCustomerPerHour ?? SELF_SERVICE_DEFAULTS.codesPerCustomerPerHour,
    codesPerAddressPerHour: settings.codesPerAddressPerHour ?? SELF_SERVICE_DEFAULTS.codesPerAddressPerHour,
    opensPerAddressPerHour: settings.opensPerAddressPerHour ?? SELF_SERVICE_DEFAULTS.opensPerAddressPerHour,
    sms: settings.sms,
  };
}
