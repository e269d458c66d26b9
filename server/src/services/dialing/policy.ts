// The dialing policy: may this number be dialed, and may this person, for this
// purpose, dial it? Pure decisions (no I/O); the dialing service counts,
// logs and publishes what it refuses. Order: a deny prefix always refuses; an
// allow prefix admits the number whatever its class; otherwise its class must
// be allowed. docs/dialing-policy.md is the contract.

import { classifyNumber, type ClassifiedNumber } from './classify.js';
import { dialingDefaults, type DialingSettings, type NumberClass } from './config-schema.js';

/** Why an outbound leg is placed: rights differ by purpose. */
export type DialPurpose =
  | 'caller-callback'     // a waiting caller asked to be called back
  | 'callback'            // a callback asked for another way (voicemail, campaign, API)
  | 'transfer'
  | 'consult'
  | 'monitor'             // a supervisor listening in from a phone number
  | 'campaign'
  | 'agent-device'        // an agent's home phone or persistent line
  | 'agent-call'          // a call an agent places from the desktop (dial pad, click-to-call)
  | 'unspecified';        // reached the engine without a purpose check (the guard's view)

export type RefusalReason =
  | 'denied-prefix' | 'number-class' | 'external-not-allowed' | 'callback-other-number'
  | 'site-concurrent' | 'site-per-hour' | 'trunk-concurrent' | 'trunk-per-hour' | 'address-not-allowed';

export interface Refusal {
  reason: RefusalReason;
  /** One sentence for the person refused and the log. */
  detail: string;
}

export type NumberDecision = { allowed: true; number: ClassifiedNumber } | { allowed: false; number: ClassifiedNumber; refusal: Refusal };

export interface RightsRequest {
  purpose: DialPurpose;
  /** Who asks: an agent has fewer rights than a supervisor or admin. */
  role?: 'agent' | 'supervisor' | 'admin';
  /** The caller's own number (their caller ID), for callbacks they ask for. */
  ownNumber?: string;
}

export interface ResolvedDialingSettings {
  country: string;
  allowClasses: NumberClass[];
  allow: string[];
  deny: string[];
  agentsMayDialExternal: boolean;
  callbackToOtherNumbers: boolean;
}

export function resolveDialingSettings(settings: DialingSettings, defaultCountry: string): ResolvedDialingSettings {
  return {
    country: (settings.country ?? defaultCountry).toUpperCase(),
    allowClasses: [...new Set([...dialingDefaults.allowClasses, ...(settings.allowClasses ?? [])])],
    allow: settings.allow ?? [],
    deny: settings.deny ?? [],
    agentsMayDialExternal: settings.agentsMayDialExternal ?? dialingDefaults.agentsMayDialExternal,
    callbackToOtherNumbers: settings.callbackToOtherNumbers ?? dialingDefaults.callbackToOtherNumbers,
  };
}

export class DialingPolicy {
  constructor(readonly settings: ResolvedDialingSettings) {}

  /** May this number be dialed at all (prefixes and class)? */
  checkNumber(dialed: string): NumberDecision {
    const number = classifyNumber(dialed, this.settings.country);
    const denied = longestPrefix(this.settings.deny, number.e164);
    if (denied !== undefined) {
      return { allowed: false, number, refusal: { reason: 'denied-prefix', detail: `${number.e164} starts with ${denied}, which the site never dials` } };
    }
    if (longestPrefix(this.settings.allow, number.e164) !== undefined) return { allowed: true, number };
    if (this.settings.allowClasses.includes(number.class)) return { allowed: true, number };
    return {
      allowed: false, number,
      refusal: { reason: 'number-class', detail: `${number.e164} is ${article(number.class)} ${number.class} number, which the site does not dial (dialing.allowClasses, dialing.allow)` },
    };
  }

  /** May this person, for this purpose, dial this number? (The number's own check comes first.) */
  check(dialed: string, rights: RightsRequest): NumberDecision {
    const decision = this.checkNumber(dialed);
    if (!decision.allowed) return decision;
    const refusal = this.#rights(decision.number, rights);
    return refusal ? { allowed: false, number: decision.number, refusal } : decision;
  }

  #rights(number: ClassifiedNumber, r: RightsRequest): Refusal | undefined {
    if ((r.purpose === 'transfer' || r.purpose === 'consult') && r.role === 'agent' && !this.settings.agentsMayDialExternal) {
      return { reason: 'external-not-allowed', detail: 'agents transfer and consult to agents and queues only on this site (dialing.agentsMayDialExternal)' };
    }
    if (r.purpose === 'caller-callback' && !this.settings.callbackToOtherNumbers) {
      const own = r.ownNumber === undefined ? undefined : classifyNumber(r.ownNumber, this.settings.country).e164;
      if (own !== number.e164) {
        return { reason: 'callback-other-number', detail: `a callback goes only to the caller's own number on this site, not to ${number.e164} (dialing.callbackToOtherNumbers)` };
      }
    }
    return undefined;
  }
}

function longestPrefix(prefixes: readonly string[], e164: string): string | undefined {
  let best: string | undefined;
  for (const p of prefixes) if (e164.startsWith(p) && (best === undefined || p.length > best.length)) best = p;
  return best;
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}
