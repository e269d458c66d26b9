// The HTTP shell. `build()` makes the whole app without listening, so tests
// drive it with `app.inject()`; `listen` happens in server.ts. The core routes
// (health, services) are here; every other route, the web login's and the live
// events' included, comes with the service it belongs to (ServiceDefinition.routes).

import type { FastifyBaseLogger } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import type { Logger } from '../core/logger.js';
import type { ServiceHttpContext, ServiceManager } from '../core/service-manager.js';
import { HealthCache, type HealthCacheOptions } from './health-cache.js';
import { healthRoutes } from './routes/health.js';
import { serviceRoutes } from './routes/services.js';
import { createShell, type TenorApp } from './shell.js';
import { RuntimeRoutes } from './runtime-routes.js';

export type { TenorApp } from './shell.js';

export interface AppOptions {
  services: ServiceManager;
  logger: Logger;
  version: string;
  /** Folder module paths given to the services API are resolved against. */
  baseDir: string;
  /** Static web client to serve at `/` (absent: none). */
  uiRoot?: string;
  /** True once SIGTERM arrived: /health says so and load balancers drain. */
  shuttingDown?: () => boolean;
  /** Behind a reverse proxy: trust X-Forwarded-For/-Proto/-Host (client address, HTTPS for the Secure cookie, Origin checks). */
  trustProxy?: boolean;
  /** Origins other than the server's own allowed to use a session (e.g. a UI dev server), as scheme://host:port. */
  allowedOrigins?: string[];
  /** How often /health's checks run in the background, and how fresh a request wants them (health-cache.ts). */
  health?: HealthCacheOptions;
}

export async function build(opts: AppOptions): Promise<TenorApp> {
  const httpLogger: FastifyBaseLogger = opts.logger.child({ component: 'http' });
  const shell = (): TenorApp =>
    createShell({ services: opts.services, logger: httpLogger, trustProxy: opts.trustProxy ?? false, allowedOrigins: opts.allowedOrigins ?? [] });
  const app = shell();
  const http: ServiceHttpContext = { services: opts.services, uiRoot: opts.uiRoot };
  const runtimeRoutes = new RuntimeRoutes({
    createShell: shell, http, logger: opts.logger.child({ component: 'http' }),
    catchAllUrls: opts.uiRoot ? ['/*'] : [],
  });
  app.addHook('onRequest', runtimeRoutes.dispatch);
  app.addHook('onClose', async () => runtimeRoutes.closeAll());

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Tenor API', version: opts.version, description: 'Contact-center communication server' },
      components: { securitySchemes: { basicAuth: { type: 'http', scheme: 'basic' }, sessionCookie: { type: 'apiKey', in: 'cookie', name: 'tenor_session' }, bearerAuth: { type: 'http', scheme: 'bearer', description: 'an API token (POST /api/tokens)' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  const checks = new HealthCache(opts.services, opts.health);
  checks.start();
  app.addHook('onClose', async () => checks.stop());
  await app.register(healthRoutes({ checks, version: opts.version, shuttingDown: opts.shuttingDown ?? (() => false) }));
  await app.register(serviceRoutes({ services: opts.services, baseDir: opts.baseDir, runtimeRoutes }));

  // The services registered now serve their routes from the app itself (and its OpenAPI document).
  for (const def of opts.services.definitions()) {
    if (def.routes) await app.register(def.routes.plugin(http), def.routes.prefix === undefined ? {} : { prefix: def.routes.prefix });
  }

  if (opts.uiRoot) {
    await app.register(fastifyStatic, { root: opts.uiRoot, prefix: '/', index: 'index.html' });
  }
  await app.ready();
  return app;
}
