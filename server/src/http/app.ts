// The HTTP shell. `build()` makes the whole app without listening, so tests
// drive it with `app.inject()`; `listen` happens in server.ts.

import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Logger } from '../core/logger.js';
import type { ServiceManager } from '../core/service-manager.js';
import { ErrorResponse, installErrorHandling } from './errors.js';
import { healthRoutes } from './routes/health.js';
import { serviceRoutes } from './routes/services.js';
import { businessObjectRoutes } from './routes/business-objects.js';
import { customerRoutes } from './routes/customers.js';
import { scriptRoutes } from './routes/scripts.js';
import { selfServiceRoutes } from './routes/self-service.js';
import { acdRoutes } from '../services/acd/routes.js';

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
}

export type TenorApp = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, TypeBoxTypeProvider>;

export async function build(opts: AppOptions): Promise<TenorApp> {
  const httpLogger: FastifyBaseLogger = opts.logger.child({ component: 'http' });
  const app = Fastify({
    loggerInstance: httpLogger,
    // One line per request is noise at a call center's volume; errors are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.addSchema(ErrorResponse);
  installErrorHandling(app);

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Tenor API', version: opts.version, description: 'Contact-center communication server' },
      components: { securitySchemes: { basicAuth: { type: 'http', scheme: 'basic' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  await app.register(healthRoutes({ services: opts.services, version: opts.version, shuttingDown: opts.shuttingDown ?? (() => false) }));
  await app.register(serviceRoutes({ services: opts.services, baseDir: opts.baseDir }));

  if (opts.services.has('crm')) {
    // Routes follow the model the CRM started with; a model change applies at the next start.
    const crm = opts.services.get('crm');
    await app.register(businessObjectRoutes({ services: opts.services, entities: crm.model.entities }));
    if (crm.hasContactHistory) await app.register(customerRoutes({ services: opts.services }));
  }

  if (opts.services.has('acd')) await app.register(acdRoutes({ services: opts.services }));

  if (opts.services.has('scripts')) {
    await app.register(scriptRoutes({ services: opts.services }));
    await app.register(selfServiceRoutes({ services: opts.services, uiRoot: opts.uiRoot }));
  }

  if (opts.uiRoot) {
    await app.register(fastifyStatic, { root: opts.uiRoot, prefix: '/', index: 'index.html' });
  }
  await app.ready();
  return app;
}
