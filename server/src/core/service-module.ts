// Services that come from an ES module path: the site file's `services:` entries and
// `POST /api/services`. This is how a site wraps its legacy system without forking Tenor.

import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { TenorError } from './errors.js';
import type { ServiceDefinition } from './service-manager.js';

/** Import a module and take its service definition: the default (or `service`) export, or what that function returns for the options. */
export async function loadServiceModule(modulePath: string, options: unknown, baseDir: string): Promise<ServiceDefinition<object>> {
  const resolved = path.resolve(baseDir, modulePath);
  let mod: Record<string, unknown>;
  try {
    // A query string makes a re-load of a changed file import the new code.
    mod = (await import(`${pathToFileURL(resolved).href}?v=${Date.now()}`)) as Record<string, unknown>;
  } catch (err) {
    throw new TenorError('TENOR_ERR_SERVICE_MODULE_INVALID', [modulePath, errorText(err)], { cause: err });
  }
  const exported = mod['default'] ?? mod['service'];
  const candidate: unknown = typeof exported === 'function' ? await (exported as (o: unknown) => unknown)(options) : exported;
  if (!isDefinition(candidate)) {
    throw new TenorError('TENOR_ERR_SERVICE_MODULE_INVALID', [
      modulePath,
      'expected a default export with a string `name` and a `start` function (or a function returning one)',
    ]);
  }
  return candidate;
}

function isDefinition(value: unknown): value is ServiceDefinition<object> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { name?: unknown }).name === 'string' &&
    typeof (value as { start?: unknown }).start === 'function'
  );
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
