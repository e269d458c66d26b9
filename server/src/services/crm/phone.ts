// Phone numbers are kept in E.164 (+4930123456) whatever way they were typed or
// presented by a trunk, so a caller is found by any of their numbers.

import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/** E.164 form of a number, or undefined when it cannot be a phone number. */
export function normalizePhone(input: string, defaultCountry: string): string | undefined {
  const cleaned = input.trim().replace(/^00/, '+');
  if (!/\d/.test(cleaned)) return undefined;
  const parsed = parsePhoneNumberFromString(cleaned, defaultCountry.toUpperCase() as CountryCode);
  return parsed?.isPossible() ? parsed.number : undefined;
}
