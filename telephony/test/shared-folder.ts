// Test data kept outside the repository, in the shared folder beside the
// checkout (../shared: corpora, vendor sources). Where a folder is absent, the
// tests that need it are skipped with "skipped: <what> not found at <path>"
// on a developer's machine, and under CI=true the file fails with that same
// message: CI must never pass by skipping what it is there to run.

import { existsSync } from 'node:fs';
import t from 'tap';

export interface SharedFolder {
  /** Where the folder is (or was looked for). */
  readonly dir: string;
  readonly found: boolean;
  /** Options for `t.test` of a test that reads the folder: skipped, with the reason, when it is absent. */
  readonly options: { skip?: string };
}

/**
 * Looks for a shared folder once per test file. `what` says what is missing in
 * words (e.g. "the RFC 4475 torture messages"), `override` names the
 * environment variable that points elsewhere.
 */
export function sharedFolder(what: string, dir: string, override: string): SharedFolder {
  if (existsSync(dir)) return { dir, found: true, options: {} };
  const reason = `skipped: ${what} not found at ${dir} (put ../shared beside the checkout, or set ${override})`;
  if (process.env['CI'] === 'true') t.fail(reason);
  return { dir, found: false, options: { skip: reason } };
}
