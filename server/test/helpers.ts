// Shared test helpers: a silent logger, temp folders, free ports.

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Test } from 'tap';
import { pino } from 'pino';
import type { Logger } from '../src/core/logger.js';
import type { TenorConfig } from '../src/config/schema.js';
import { ServiceManager, type ServiceDefinition } from '../src/core/service-manager.js';
import { builtinServices, loadConfig } from '../src/services/index.js';
import { build, type TenorApp } from '../src/http/app.js';
import type { HealthCacheOptions } from '../src/http/health-cache.js';
import { uiRoot } from '@tenor/agent-ui';

export const silentLogger: Logger = pino({ level: 'silent' });

/** A new empty folder, removed when the test ends. */
export function tempDir(t: Pick<Test, 'teardown'>, prefix = 'tenor-test-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A configuration for a server under test: a new data folder, loopback only,
 * every port picked free (parallel tests never collide), a known admin password.
 */
export function testConfig(t: Test, env: NodeJS.ProcessEnv = {}): TenorConfig {
  const dir = tempDir(t);
  return loadConfig(
    { TENOR_DATA_DIR: dir, TENOR_BIND: '127.0.0.1', TENOR_HTTP_PORT: '0', TENOR_SIP_PORT: '0', TENOR_ADMIN_PASSWORD: 'pw-admin-secret', TENOR_LOG_LEVEL: 'silent', ...env },
    dir,
  );
}

export const ADMIN_AUTH = { authorization: 'Basic ' + Buffer.from('admin:pw-admin-secret').toString('base64') };

/** The whole app in process (every built-in service plus extras, which replace a built-in of their name), for `app.inject()`; stopped when the test ends. */
export async function startTestApp(
  t: Test,
  opts: { config?: TenorConfig; extraServices?: ServiceDefinition<object>[]; healthTimeoutMs?: number; health?: HealthCacheOptions } = {},
): Promise<{ app: TenorApp; services: ServiceManager; config: TenorConfig }> {
  const config = opts.config ?? testConfig(t);
  const services = new ServiceManager({ logger: silentLogger, ...(opts.healthTimeoutMs !== undefined ? { healthTimeoutMs: opts.healthTimeoutMs } : {}) });
  // An extra service named like a built-in one takes its place (a test double of it).
  const extras = opts.extraServices ?? [];
  const builtins = builtinServices(config).filter((def) => !extras.some((extra) => extra.name === def.name));
  for (const def of [...builtins, ...extras]) services.register(def);
  await services.startAll();
  const app = await build({ services, logger: silentLogger, version: '9.9.9', baseDir: config.baseDir, uiRoot, ...(opts.health ? { health: opts.health } : {}) });
  t.teardown(async () => {
    await app.close();
    await services.stopAll();
  });
  return { app, services, config };
}
