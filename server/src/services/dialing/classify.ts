// What kind of number a dialed string is, from libphonenumber-js's full
// metadata ('max': it knows premium-rate, shared-cost and UAN ranges, which
// the default 'min' metadata cannot tell apart). A number is classed against
// the site's country: an ordinary number elsewhere is 'international'.

import { parsePhoneNumberFromString, type CountryCode, type NumberType } from 'libphonenumber-js/max';
import type { NumberClass } from './config-schema.js';

export interface ClassifiedNumber {
  /** E.164 when the number could be read as one; otherwise the dialed string without separators. */
  e164: string;
  class: NumberClass;
  /** The country the number belongs to, when known. */
  country: string | undefined;
}

/** Types that cost the caller more than an ordinary call or reach a service rather than a subscriber. */
const CLASS_OF_TYPE: Record<NonNullable<NumberType>, NumberClass | 'ordinary'> = {
  FIXED_LINE: 'ordinary',
  MOBILE: 'ordinary',
  FIXED_LINE_OR_MOBILE: 'ordinary',
  VOIP: 'ordinary',
  TOLL_FREE: 'toll-free',
  PREMIUM_RATE: 'premium-rate',
  SHARED_COST: 'shared-cost',
  UAN: 'special',
  PERSONAL_NUMBER: 'special',
  PAGER: 'special',
  VOICEMAIL: 'special',
};

export function classifyNumber(dialed: string, country: string): ClassifiedNumber {
  const cleaned = dialed.trim().replace(/[\s().-]/g, '').replace(/^00/, '+');
  const parsed = /\d/.test(cleaned) ? parsePhoneNumberFromString(cleaned, country.toUpperCase() as CountryCode) : undefined;
  if (!parsed || !parsed.isValid()) {
    // Not a number of any known plan (or a short code): nothing says what it costs.
    return { e164: parsed?.number ?? cleaned, class: 'unknown', country: parsed?.country };
  }
  const type = parsed.getType();
  const byType = type === undefined ? 'unknown' : CLASS_OF_TYPE[type];
  // Premium, shared-cost and special ranges keep their class wherever they are; anything else abroad is international.
  if (byType !== 'ordinary' && byType !== 'toll-free') return { e164: parsed.number, class: byType, country: parsed.country };
  const home = parsed.country === country.toUpperCase();
  const cls: NumberClass = !home ? 'international' : byType === 'toll-free' ? 'toll-free' : 'domestic';
  return { e164: parsed.number, class: cls, country: parsed.country };
}
