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
import { callControlRoutes } from '../services/acd/call-control-routes.js';
import { monitorRoutes } from '../services/acd/monitor-routes.js';
import { promptRoutes } from '../services/prompts/routes.js';
import { voicemailRoutes } from '../services/voicemail/routes.js';
import { campaignRoutes } from '../services/campaigns/routes.js';
import { reportRoutes } from '../services/reports/routes.js';
import { ivrRoutes } from '../services/ivr/routes.js';
import { userRoutes } from './routes/users.js';
import { trunkRoutes } from '../services/trunks/routes.js';
import { dialingRoutes } from '../services/dialing/routes.js';
import { entryNumberRoutes } from '../services/entry-numbers/routes.js';
import { userSipSecretRoutes } from '../services/sip-credentials/routes.js';
import { installAccess } from './auth.js';
import { authRoutes } from './session/routes.js';
import { liveEventsGateway, type LiveEventsOptions } from './events/gateway.js';

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
  /** Timings of the /api/events WebSocket (tests shorten them). */
  liveEvents?: LiveEventsOptions;
}

export type TenorApp = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, TypeBoxTypeProvider>;

export async function build(opts: AppOptions): Promise<TenorApp> {
  const httpLogger: FastifyBaseLogger = opts.logger.child({ component: 'http' });
  const app = Fastify({
    loggerInstance: httpLogger,
    // One line per request is noise at a call center's volume; errors are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    // Self-service link tokens travel in the path (/s/:token): signed claims with an id and issue time run past the default 100.
    maxParamLength: 600,
    trustProxy: opts.trustProxy ?? false,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.addSchema(ErrorResponse);
  installErrorHandling(app);
  // Before any route: guards find the access control through the instance, and the route table sees every route.
  installAccess(app, { services: opts.services, trustProxy: opts.trustProxy ?? false, allowedOrigins: opts.allowedOrigins ?? [] });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Tenor API', version: opts.version, description: 'Contact-center communication server' },
      components: { securitySchemes: { basicAuth: { type: 'http', scheme: 'basic' }, sessionCookie: { type: 'apiKey', in: 'cookie', name: 'tenor_session' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  await app.register(healthRoutes({ services: opts.services, version: opts.version, shuttingDown: opts.shuttingDown ?? (() => false) }));
  await app.register(serviceRoutes({ services: opts.services, baseDir: opts.baseDir }));
  if (opts.services.has('sessions')) await app.register(authRoutes({ services: opts.services }));
  await app.register(liveEventsGateway({ services: opts.services, ...opts.liveEvents }));

  if (opts.services.has('crm')) {
    // Routes follow the model the CRM started with; a model change applies at the next start.
    const crm = opts.services.get('crm');
    await app.register(businessObjectRoutes({ services: opts.services, entities: crm.model.entities }));
    if (crm.hasContactHistory) await app.register(customerRoutes({ services: opts.services }));
  }

  if (opts.services.has('acd')) await app.register(acdRoutes({ services: opts.services }));
  if (opts.services.has('acd')) await app.register(callControlRoutes({ services: opts.services }));
  if (opts.services.has('monitoring')) await app.register(monitorRoutes({ services: opts.services }));
  if (opts.services.has('prompts')) await app.register(promptRoutes({ services: opts.services }));
  if (opts.services.has('voicemail')) {
    await app.register(voicemailRoutes({ services: opts.services }));
  }
  if (opts.services.has('campaigns')) await app.register(campaignRoutes({ services: opts.services }));
  if (opts.services.has('reports')) await app.register(reportRoutes({ services: opts.services }));
  if (opts.services.has('ivr')) await app.register(ivrRoutes({ services: opts.services }));
  await app.register(userRoutes({ services: opts.services }));
  if (opts.services.has('sipCredentials')) await app.register(userSipSecretRoutes({ services: opts.services }));
  if (opts.services.has('trunks')) await app.register(trunkRoutes({ services: opts.services }));
  if (opts.services.has('dialing')) await app.register(dialingRoutes({ services: opts.services }));
  if (opts.services.has('entryNumbers')) await app.register(entryNumberRoutes({ services: opts.services }));

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
