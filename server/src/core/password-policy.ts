// What a new password must be. Checked wherever a password is set (users and
// admin APIs, the users service, site-file agents, TENOR_ADMIN_PASSWORD), so
// no path stores a short one. Existing passwords keep working until changed.

import { TenorError } from './errors.js';

/** NIST SP 800-63B and OWASP: length is what makes a password hard to guess. */
export const MIN_PASSWORD_LENGTH = 12;

/** Counted in characters (code points), not UTF-16 units or bytes. */
export function passwordLength(password: string): number {
  return [...password].length;
}

/** Why a new password is refused, or undefined when it may be used. */
export function newPasswordProblem(password: string): string | undefined {
  const length = passwordLength(password);
  return length < MIN_PASSWORD_LENGTH ? `a password needs at least ${MIN_PASSWORD_LENGTH} characters (this one has ${length})` : undefined;
}

/** Throws TENOR_ERR_PASSWORD_WEAK (400) for a password that may not be set. */
export function assertNewPassword(password: string): void {
  const problem = newPasswordProblem(password);
  if (problem !== undefined) throw new TenorError('TENOR_ERR_PASSWORD_WEAK', [problem]);
}
