// Paths built from names that came from outside (an HTTP parameter, a flow,
// a site file) must stay inside the folder they are meant for. Validating the
// name is the first guard; this is the second, so a name check forgotten on
// one route cannot turn into reading or writing anywhere on disk.

import path from 'node:path';
import { TenorError } from './errors.js';

/** `root` joined with `segments`, or TENOR_ERR_VALIDATION (400) when the result leaves `root`. */
export function pathInside(root: string, ...segments: string[]): string {
  const base = path.resolve(root);
  const full = path.resolve(base, ...segments);
  const rel = path.relative(base, full);
  if (rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel) || segments.some((s) => s.includes('\0'))) {
    throw new TenorError('TENOR_ERR_VALIDATION', [`'${segments.join('/')}' is not a name inside its folder`]);
  }
  return full;
}
