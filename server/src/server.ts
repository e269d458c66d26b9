// The composition root: configuration in, a running Tenor out. The CLI and the
// end-to-end tests both start Tenor through here.

import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { uiRoot } from '@tenor/agent-ui';
import type { TenorConfig } from './config/schema.js';
import { createLogger, type Logger } from './core/logger.js';
import { ServiceManager } from './core/service-manager.js';
import { build, type TenorApp } from './http/app.js';
import { builtinServices } from './services/index.js';

export const version: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export interface TenorServer {
  readonly config: TenorConfig;
  readonly logger: Logger;
  readonly services: ServiceManager;
  readonly app: TenorApp;
  /** http://host:port of the API and web client (the real port when 0 was asked). */
  readonly httpUrl: string;
  /** Stop taking calls and requests, let calls end (up to the grace time), stop services in reverse order. */
  stop(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  /** Register extra services before start (tests, demo). */
  extraServices?: Parameters<ServiceManager['register']>[0][];
}

export async function startServer(config: TenorConfig, opts: StartOptions = {}): Promise<TenorServer> {
  const logger = opts.logger ?? createLogger(config.logLevel);
  // What the server runs with, for support (debug level); passwords and secrets are redacted by the logger.
  logger.debug({ config }, 'configuration loaded');
  const services = new ServiceManager({ logger });
  for (const def of builtinServices(config)) services.register(def);
  for (const def of opts.extraServices ?? []) services.register(def);
  for (const entry of config.services) {
    services.register(await ServiceManager.loadDefinition(entry.module, entry.options, config.baseDir), entry.module);
  }
  await services.startAll();

  let shuttingDown = false;
  let app: TenorApp;
  try {
    app = await build({
      services, logger, version, baseDir: config.baseDir, uiRoot, shuttingDown: () => shuttingDown,
      trustProxy: config.http.trustProxy, allowedOrigins: config.http.allowedOrigins,
    });
    await app.listen({ port: config.http.port, host: config.http.bind });
  } catch (err) {
    await services.stopAll();
    throw err;
  }
  const address = app.server.address() as AddressInfo;
  const host = config.http.bind === '0.0.0.0' || config.http.bind === '::' ? '127.0.0.1' : config.http.bind;
  const httpUrl = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;

  let stopping: Promise<void> | undefined;
  return {
    config,
    logger,
    services,
    app,
    httpUrl,
    stop() {
      stopping ??= (async () => {
        shuttingDown = true;
        logger.info({ graceSeconds: config.shutdownGraceSeconds }, 'shutting down: no new calls, waiting for calls to end');
        await services.drainAll(config.shutdownGraceSeconds * 1000);
        await app.close();
        await services.stopAll();
        logger.info('stopped');
      })();
      return stopping;
    },
  };
}
