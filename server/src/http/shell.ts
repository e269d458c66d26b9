// The fastify instance every route of Tenor runs in: its options, coded error
// answers and the access control the guards use. The main app is one; each
// service added at run time gets another (see runtime-routes.ts), so its
// routes answer and refuse exactly like the others.

import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ServiceManager } from '../core/service-manager.js';
import { ErrorResponse, installErrorHandling } from './errors.js';
import { installAccess } from './auth.js';
import { lazyRequestLogger } from './request-logger.js';
import { buildResponseSerializers } from './response-serializers.js';

export type TenorApp = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, TypeBoxTypeProvider>;

export interface ShellOptions {
  services: ServiceManager;
  logger: FastifyBaseLogger;
  trustProxy: boolean;
  allowedOrigins: string[];
}

export function createShell(opts: ShellOptions): TenorApp {
  const app = Fastify({
    loggerInstance: opts.logger,
    // One line per request is noise at a call center's volume; errors are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    // request.log binds the request id on its first line, not on every request (request-logger.ts).
    childLoggerFactory: lazyRequestLogger,
    bodyLimit: 1024 * 1024,
    // Self-service link tokens travel in the path (/s/:token): signed claims with an id and issue time run past the default 100.
    maxParamLength: 600,
    trustProxy: opts.trustProxy,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
    // Unions of literals and nullable scalars serialised without an ajv check per value (response-serializers.ts).
    schemaController: { compilersFactory: { buildSerializer: buildResponseSerializers() } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.addSchema(ErrorResponse);
  installErrorHandling(app);
  // Before any route: guards find the access control through the instance, and the route table sees every route.
  installAccess(app, { services: opts.services, trustProxy: opts.trustProxy, allowedOrigins: opts.allowedOrigins });
  return app;
}
