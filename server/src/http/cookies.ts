// The session cookie: read from the Cookie header, written with the flags
// that keep it out of scripts (HttpOnly) and other sites' requests
// (SameSite=Strict), and off plain HTTP when the site is served over HTTPS.

export const SESSION_COOKIE = 'tenor_session';

/** The value of one cookie in a Cookie header, undefined when absent. Runs on every request with a session: no regex, no split. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  let start = 0;
  while (start < header.length) {
    let end = header.indexOf(';', start);
    if (end < 0) end = header.length;
    const eq = header.indexOf('=', start);
    if (eq >= 0 && eq < end && header.slice(start, eq).trim() === name) {
      let value = header.slice(eq + 1, end).trim();
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      return value === '' ? undefined : value;
    }
    start = end + 1;
  }
  return undefined;
}

export function sessionCookie(id: string, opts: { secure: boolean; maxAgeSeconds: number }): string {
  return [`${SESSION_COOKIE}=${id}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${opts.maxAgeSeconds}`, ...(opts.secure ? ['Secure'] : [])].join('; ');
}

export function clearedSessionCookie(opts: { secure: boolean }): string {
  return [`${SESSION_COOKIE}=`, 'Path=/', 'HttpOnly', 'SameSite=Strict', 'Max-Age=0', ...(opts.secure ? ['Secure'] : [])].join('; ');
}
