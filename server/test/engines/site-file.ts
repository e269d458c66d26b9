// Site files written for a test, and what loading one says: shared by the
// engines' site-setting tests, which check a key's problems by its message.

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Test } from 'tap';
import type { ConfigProblem } from '../../src/config/load.js';
import { isTenorError } from '../../src/core/errors.js';
import { loadConfig } from '../../src/services/index.js';
import { tempDir } from '../helpers.js';

/** Writes `site` as dir/site.yaml (JSON is YAML) and returns its path. */
export function siteFile(dir: string, site: Record<string, unknown>): string {
  const file = path.join(dir, 'site.yaml');
  writeFileSync(file, JSON.stringify(site, null, 2));
  return file;
}

/** The problems loading `site` reports; none when it loads. */
export function problemsOf(t: Test, site: Record<string, unknown>): ConfigProblem[] {
  const dir = tempDir(t, 'tenor-site-setting-');
  try {
    loadConfig({ TENOR_CONFIG: siteFile(dir, site) }, dir);
  } catch (err) {
    if (isTenorError(err, 'TENOR_ERR_CONFIG_INVALID')) return err.details as ConfigProblem[];
    throw err;
  }
  return [];
}

/** Whether a process with this PID runs. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
