// Header names: the compact forms peers may send and the canonical spelling we
// keep and write. Kept apart from headers.ts because the parser, the serializer
// and the header helpers all need it and nothing else.

/** RFC 3261 §7.3.3 and later RFCs' single-letter forms. */
const COMPACT: Record<string, string> = {
  a: 'Accept-Contact',
  b: 'Referred-By',
  c: 'Content-Type',
  d: 'Request-Disposition',
  e: 'Content-Encoding',
  f: 'From',
  i: 'Call-ID',
  j: 'Reject-Contact',
  k: 'Supported',
  l: 'Content-Length',
  m: 'Contact',
  n: 'Identity-Info',
  o: 'Event',
  r: 'Refer-To',
  s: 'Subject',
  t: 'To',
  u: 'Allow-Events',
  v: 'Via',
  x: 'Session-Expires',
  y: 'Identity',
};

/** Names whose conventional case is not plain Title-Case per dash segment. */
const KNOWN = [
  'Accept', 'Accept-Contact', 'Accept-Encoding', 'Accept-Language', 'Alert-Info', 'Allow',
  'Allow-Events', 'Authentication-Info', 'Authorization', 'Call-ID', 'Call-Info', 'Contact',
  'Content-Disposition', 'Content-Encoding', 'Content-Language', 'Content-Length',
  'Content-Type', 'CSeq', 'Date', 'Diversion', 'Error-Info', 'Event', 'Expires', 'From',
  'History-Info', 'Identity', 'Identity-Info', 'In-Reply-To', 'Info-Package', 'Max-Forwards',
  'MIME-Version', 'Min-Expires', 'Min-SE', 'Organization', 'P-Asserted-Identity',
  'P-Preferred-Identity', 'Path', 'Priority', 'Privacy', 'Proxy-Authenticate',
  'Proxy-Authorization', 'Proxy-Require', 'RAck', 'Reason', 'Record-Route', 'Recv-Info',
  'Refer-Sub', 'Refer-To', 'Referred-By', 'Reject-Contact', 'Remote-Party-ID', 'Replaces',
  'Reply-To', 'Request-Disposition', 'Require', 'Retry-After', 'Route', 'RSeq', 'Server',
  'Service-Route', 'Session-Expires', 'SIP-ETag', 'SIP-If-Match', 'Subject',
  'Subscription-State', 'Supported', 'Target-Dialog', 'Timestamp', 'To', 'Unsupported',
  'User-Agent', 'Via', 'Warning', 'WWW-Authenticate',
];

const BY_LOWER = new Map<string, string>();
for (const name of KNOWN) BY_LOWER.set(name.toLowerCase(), name);
/** The canonical spellings themselves: a name spelled exactly so names that header and no other. */
const CANONICAL = new Set<string>(KNOWN);
for (const [letter, name] of Object.entries(COMPACT)) BY_LOWER.set(letter, name);

/**
 * The canonical spelling of a header name: compact letters expand to the long
 * form, known names get their conventional case, unknown names are kept as
 * given (their case carries no meaning, and peers expect to see them back).
 */
export function canonicalName(name: string): string {
  // Parsed and built messages already carry canonical names: skip the lower-casing (issue 19 profile).
  if (CANONICAL.has(name)) return name;
  return BY_LOWER.get(name.toLowerCase()) ?? name;
}

/** Whether two header names denote the same header (case, compact form). */
export function sameHeaderName(a: string, b: string): boolean {
  return canonicalName(a).toLowerCase() === canonicalName(b).toLowerCase();
}

/**
 * A predicate matching header names equal to `name` (case, compact form).
 * Parsed messages carry canonical names, so the common case is one string compare.
 */
export function headerNameMatcher(name: string): (candidate: string) => boolean {
  let matcher = MATCHERS.get(name);
  if (!matcher) {
    matcher = makeMatcher(name);
    // The names asked for are the code's own literals; a bound keeps odd callers from growing it.
    if (MATCHERS.size < MAX_MATCHERS) MATCHERS.set(name, matcher);
  }
  return matcher;
}

/** Matchers by the name asked for: header lookups run many times per message (issue 19 profile). */
const MATCHERS = new Map<string, (candidate: string) => boolean>();
const MAX_MATCHERS = 512;

function makeMatcher(name: string): (candidate: string) => boolean {
  const canonical = canonicalName(name);
  const lower = canonical.toLowerCase();
  return (candidate) => {
    if (candidate === canonical) return true;
    // Only a same-length spelling or a compact letter can name the same header.
    if (candidate.length !== canonical.length && candidate.length !== 1) return false;
    // Parsed messages carry canonical names: another known header's exact spelling ("From" asked, "CSeq"
    // seen) is settled without lower-casing both (issue 19 profile: header lookups run ~100 times a call).
    if (CANONICAL.has(candidate)) return false;
    return canonicalName(candidate).toLowerCase() === lower;
  };
}

/** The compact letter of a canonical name, if it has one. */
export function compactName(name: string): string | undefined {
  const canonical = canonicalName(name);
  for (const [letter, long] of Object.entries(COMPACT)) if (long === canonical) return letter;
  return undefined;
}

/** RFC 3261 token characters (method names, header names, parameter names). */
export const TOKEN_RE = /^[A-Za-z0-9\-.!%*_+`'~]+$/;
