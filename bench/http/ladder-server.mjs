// One rung of the HTTP comparison ladder (ladder.mjs): a server answering
// GET / with the same small JSON (an /api/auth/me-sized body), built up from
// bare node:http to Tenor's own fastify shell one piece at a time, each rung
// adding to the one before:
//   node     bare node:http, JSON.stringify
//   fastify  bare fastify 5 (no logger), the route returning the object
//   logger   + Tenor's pino logger as fastify's logger (level warn, request logging off, as `tenor start`)
//   options  + the rest of Tenor's fastify options (body limit, maxParamLength, trustProxy, ajv)
//   shell    Tenor's createShell (server/dist/http/shell.js: error handler, access decorators, route table)
//   schema   + a response schema on the route (fast-json-stringify instead of JSON.stringify)
//   plugins  + what build() adds around every route: the run-time routes' onRequest hook and the OpenAPI plugins
// Usage: node ladder-server.mjs <rung>   (prints "listening <port>"; npm run build first)

import { createServer } from 'node:http';
import Fastify, { LogController } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { Type } from '@sinclair/typebox';
import { createLogger } from '../../server/dist/core/logger.js';
import { ServiceManager } from '../../server/dist/core/service-manager.js';
import { createShell } from '../../server/dist/http/shell.js';
import { RuntimeRoutes } from '../../server/dist/http/runtime-routes.js';
import { RUNGS as LADDER } from './ladder-rungs.mjs';

const RUNGS = LADDER.map((r) => r.name);

const body = { username: 'alice', displayName: 'Alice Agent', role: 'agent', agent: 'alice', csrfToken: 'Vx2hY0bq7lS1n8d3kq0cZ5Jm4pF6tW9r' };
const Me = Type.Object({ username: Type.String(), displayName: Type.String(), role: Type.String(), agent: Type.String(), csrfToken: Type.String() });

const rung = process.argv[2];
if (!RUNGS.includes(rung)) {
  process.stderr.write(`usage: ladder-server.mjs <${RUNGS.join('|')}>\n`);
  process.exit(2);
}
const at = (name) => RUNGS.indexOf(rung) >= RUNGS.indexOf(name);

function announce(address) {
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
}

if (rung === 'node') {
  const server = createServer((_req, res) => {
    const text = JSON.stringify(body);
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  });
  server.listen(0, '127.0.0.1', () => announce(server.address()));
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
} else {
  const logger = createLogger('warn');
  const httpLogger = logger.child({ component: 'http' });
  let app;
  if (at('shell')) {
    app = createShell({ services: new ServiceManager({ logger }), logger: httpLogger, trustProxy: false, allowedOrigins: [] });
  } else {
    app = Fastify({
      ...(at('logger') ? { loggerInstance: httpLogger, logController: new LogController({ disableRequestLogging: true }) } : {}),
      ...(at('options') ? { bodyLimit: 1024 * 1024, maxParamLength: 600, trustProxy: false, ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } } } : {}),
    });
  }
  if (at('plugins')) {
    const runtimeRoutes = new RuntimeRoutes({ createShell: () => { throw new Error('no run-time services in the ladder'); }, http: { services: undefined }, logger, catchAllUrls: [] });
    app.addHook('onRequest', runtimeRoutes.dispatch);
    await app.register(swagger, { openapi: { openapi: '3.0.3', info: { title: 'ladder', version: '0' } } });
    await app.register(swaggerUi, { routePrefix: '/api/docs' });
  }
  app.get('/', at('schema') ? { schema: { response: { 200: Me } } } : {}, async () => body);
  await app.listen({ port: 0, host: '127.0.0.1' });
  announce(app.server.address());
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
}
