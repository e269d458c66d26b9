// The `dialing:` section of the site file, as a TypeBox schema (leaf module:
// the service catalogue lists dialingConfigSection).
// docs/dialing-policy.md documents every key and its default.

import { Type, type Static } from '@sinclair/typebox';
import { defineConfigSection } from '../../core/config-section.js';

/** Number classes a site may allow besides its own country's ordinary and toll-free numbers. */
export const NUMBER_CLASSES = ['domestic', 'toll-free', 'international', 'premium-rate', 'shared-cost', 'special', 'unknown'] as const;
export type NumberClass = (typeof NUMBER_CLASSES)[number];

const Prefix = Type.String({ pattern: '^\\+[0-9]{1,15}$', description: 'an E.164 prefix: + and digits, e.g. +4420 or +1900' });
const Count = (max: number, description: string) => Type.Integer({ minimum: 0, maximum: max, description });
const TrunkName = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' });

const CapsSchema = Type.Object(
  {
    concurrent: Type.Optional(Count(10_000, 'outbound legs up at once (0: none allowed)')),
    perHour: Type.Optional(Count(1_000_000, 'outbound legs started in any 60 minutes (0: none allowed)')),
  },
  { additionalProperties: false },
);

export const DialingSettingsSchema = Type.Object(
  {
    /** Country whose ordinary numbers are 'domestic' (ISO 3166 alpha-2; default crm.defaultCountry). */
    country: Type.Optional(Type.String({ pattern: '^[A-Za-z]{2}$' })),
    /** Classes allowed besides the defaults (domestic, toll-free). */
    allowClasses: Type.Optional(Type.Array(Type.Union(NUMBER_CLASSES.map((c) => Type.Literal(c))), { uniqueItems: true })),
    /** E.164 prefixes allowed whatever their class (e.g. a partner country +31, a known service number). */
    allow: Type.Optional(Type.Array(Prefix)),
    /** E.164 prefixes never dialed, even when allowed above: a deny always wins. */
    deny: Type.Optional(Type.Array(Prefix)),
    /** Agents may transfer and consult to numbers (not only to agents and queues). */
    agentsMayDialExternal: Type.Optional(Type.Boolean()),
    /** A caller's callback may go to a number they type that is not their own caller ID. */
    callbackToOtherNumbers: Type.Optional(Type.Boolean()),
    /** SIP hosts besides the site's own that an engine address (a SIP URI) may reach. */
    addressHosts: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    /** Caps for the whole site (every trunk together). */
    site: Type.Optional(CapsSchema),
    /** Caps for each trunk (default), and per trunk by name. */
    perTrunk: Type.Optional(CapsSchema),
    trunks: Type.Optional(Type.Record(TrunkName, CapsSchema)),
  },
  { additionalProperties: false },
);

export type DialingSettings = Static<typeof DialingSettingsSchema>;
export type CapsSettings = Static<typeof CapsSchema>;

/** Where outbound calls may go, who may place them, how many (docs/dialing-policy.md). */
export const dialingConfigSection = defineConfigSection({ key: 'dialing', schema: DialingSettingsSchema, defaults: {} });

declare module '../../config/schema.js' {
  interface ServiceSettings {
    /** The dialing policy for every outbound leg. */
    dialing: DialingSettings;
  }
}

export const dialingDefaults = {
  allowClasses: ['domestic', 'toll-free'] as NumberClass[],
  agentsMayDialExternal: false,
  callbackToOtherNumbers: false,
  site: { concurrent: 30, perHour: 600 },
  perTrunk: { concurrent: 30, perHour: 600 },
};
