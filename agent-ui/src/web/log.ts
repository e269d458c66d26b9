// Failures the page can live with: a background read (a list that refreshes, the names
// for a screen) keeps what it showed when one fails. The failure still goes to the
// browser console, at debug level, so it is never swallowed silently.

/** A rejection handler that logs `what` failed, with the error. */
export function logFailure(what: string): (err: unknown) => void {
  return (err) => { console.debug(`tenor: ${what} failed`, err); };
}
