// The callee's time zone, which calling windows are checked in. A list column
// wins; otherwise the number's country (libphonenumber-js) gives it, and for
// countries spanning several zones the area code where we know it. When
// neither works the row is refused at import ("give a time zone column"):
// dialing someone at the wrong local hour is the mistake this prevents.

import { parsePhoneNumberFromString } from 'libphonenumber-js';

/** Countries with one civil time zone (the ones a contact center here is likely to call). */
const SINGLE_ZONE: Readonly<Record<string, string>> = {
  AT: 'Europe/Vienna', BE: 'Europe/Brussels', BG: 'Europe/Sofia', CH: 'Europe/Zurich', CZ: 'Europe/Prague', DE: 'Europe/Berlin',
  DK: 'Europe/Copenhagen', EE: 'Europe/Tallinn', ES: 'Europe/Madrid', FI: 'Europe/Helsinki', FR: 'Europe/Paris', GB: 'Europe/London',
  GR: 'Europe/Athens', HR: 'Europe/Zagreb', HU: 'Europe/Budapest', IE: 'Europe/Dublin', IS: 'Atlantic/Reykjavik', IT: 'Europe/Rome',
  LT: 'Europe/Vilnius', LU: 'Europe/Luxembourg', LV: 'Europe/Riga', MT: 'Europe/Malta', NL: 'Europe/Amsterdam', NO: 'Europe/Oslo',
  PL: 'Europe/Warsaw', PT: 'Europe/Lisbon', RO: 'Europe/Bucharest', RS: 'Europe/Belgrade', SE: 'Europe/Stockholm', SI: 'Europe/Ljubljana',
  SK: 'Europe/Bratislava', TR: 'Europe/Istanbul', UA: 'Europe/Kyiv', IL: 'Asia/Jerusalem', AE: 'Asia/Dubai', SA: 'Asia/Riyadh',
  IN: 'Asia/Kolkata', CN: 'Asia/Shanghai', HK: 'Asia/Hong_Kong', JP: 'Asia/Tokyo', KR: 'Asia/Seoul', SG: 'Asia/Singapore',
  TH: 'Asia/Bangkok', PH: 'Asia/Manila', MY: 'Asia/Kuala_Lumpur', NZ: 'Pacific/Auckland', ZA: 'Africa/Johannesburg', EG: 'Africa/Cairo',
  MA: 'Africa/Casablanca', NG: 'Africa/Lagos', KE: 'Africa/Nairobi', AR: 'America/Argentina/Buenos_Aires', CL: 'America/Santiago',
  CO: 'America/Bogota', PE: 'America/Lima', VE: 'America/Caracas', UY: 'America/Montevideo', CR: 'America/Costa_Rica', PA: 'America/Panama',
  DO: 'America/Santo_Domingo', PR: 'America/Puerto_Rico', JM: 'America/Jamaica',
};

/**
 * Area codes of multi-zone countries whose zone we know. Partial by design:
 * a number outside these needs a time-zone column (docs/campaigns.md).
 */
const US_CA_AREA: Readonly<Record<string, string>> = {
  // Eastern
  '201': 'America/New_York', '202': 'America/New_York', '203': 'America/New_York', '212': 'America/New_York', '215': 'America/New_York',
  '216': 'America/New_York', '301': 'America/New_York', '302': 'America/New_York', '305': 'America/New_York', '313': 'America/Detroit',
  '347': 'America/New_York', '404': 'America/New_York', '410': 'America/New_York', '412': 'America/New_York', '415': 'America/Los_Angeles',
  '416': 'America/Toronto', '437': 'America/Toronto', '514': 'America/Toronto', '613': 'America/Toronto', '617': 'America/New_York',
  '646': 'America/New_York', '703': 'America/New_York', '718': 'America/New_York', '786': 'America/New_York', '917': 'America/New_York',
  // Central
  '204': 'America/Winnipeg', '214': 'America/Chicago', '312': 'America/Chicago', '314': 'America/Chicago', '504': 'America/Chicago',
  '512': 'America/Chicago', '612': 'America/Chicago', '615': 'America/Chicago', '713': 'America/Chicago', '773': 'America/Chicago',
  '816': 'America/Chicago', '972': 'America/Chicago',
  // Mountain
  '303': 'America/Denver', '403': 'America/Edmonton', '480': 'America/Phoenix', '505': 'America/Denver', '602': 'America/Phoenix',
  '720': 'America/Denver', '780': 'America/Edmonton', '801': 'America/Denver',
  // Pacific
  '206': 'America/Los_Angeles', '213': 'America/Los_Angeles', '310': 'America/Los_Angeles', '408': 'America/Los_Angeles',
  '503': 'America/Los_Angeles', '604': 'America/Vancouver', '619': 'America/Los_Angeles', '650': 'America/Los_Angeles',
  '702': 'America/Los_Angeles', '778': 'America/Vancouver', '818': 'America/Los_Angeles', '858': 'America/Los_Angeles',
  // Alaska, Hawaii
  '907': 'America/Anchorage', '808': 'Pacific/Honolulu',
};

const BR_AREA: Readonly<Record<string, string>> = {
  '11': 'America/Sao_Paulo', '21': 'America/Sao_Paulo', '31': 'America/Sao_Paulo', '41': 'America/Sao_Paulo', '51': 'America/Sao_Paulo',
  '61': 'America/Sao_Paulo', '71': 'America/Bahia', '81': 'America/Recife', '85': 'America/Fortaleza', '92': 'America/Manaus',
  '65': 'America/Cuiaba', '67': 'America/Campo_Grande', '68': 'America/Rio_Branco', '69': 'America/Porto_Velho', '91': 'America/Belem',
};

const MX_AREA: Readonly<Record<string, string>> = {
  '55': 'America/Mexico_City', '33': 'America/Mexico_City', '81': 'America/Monterrey', '664': 'America/Tijuana', '662': 'America/Hermosillo',
  '998': 'America/Cancun',
};

const AU_AREA: Readonly<Record<string, string>> = {
  '2': 'Australia/Sydney', '3': 'Australia/Melbourne', '7': 'Australia/Brisbane', '8': 'Australia/Perth',
};

const RU_AREA: Readonly<Record<string, string>> = {
  '495': 'Europe/Moscow', '499': 'Europe/Moscow', '812': 'Europe/Moscow', '343': 'Asia/Yekaterinburg', '383': 'Asia/Novosibirsk',
  '423': 'Asia/Vladivostok',
};

const MULTI_ZONE: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  US: US_CA_AREA, CA: US_CA_AREA, BR: BR_AREA, MX: MX_AREA, AU: AU_AREA, RU: RU_AREA,
};

/** True for a name the runtime knows as an IANA zone ("Europe/Berlin"). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return name.length > 0;
  } catch {
    // RangeError: not a zone the runtime knows; the caller reports the row.
    return false;
  }
}

export type ZoneLookup = { zone: string } | { zone: undefined; reason: string };

/** The time zone of an E.164 number, from its country and, in multi-zone countries, its area code. */
export function zoneOfNumber(e164: string): ZoneLookup {
  const parsed = parsePhoneNumberFromString(e164);
  const country = parsed?.country;
  if (!parsed || !country) return { zone: undefined, reason: `no country known for ${e164}` };
  const single = SINGLE_ZONE[country];
  if (single) return { zone: single };
  const areas = MULTI_ZONE[country];
  if (!areas) return { zone: undefined, reason: `no time zone known for country ${country}; give a time-zone column` };
  const national = parsed.nationalNumber;
  // Longest prefix first: Mexico mixes 2- and 3-digit area codes.
  for (const len of [3, 2, 1]) {
    const zone = areas[national.slice(0, len)];
    if (zone) return { zone };
  }
  return { zone: undefined, reason: `${country} spans several time zones and area ${national.slice(0, 3)} is not in Tenor's table; give a time-zone column` };
}
