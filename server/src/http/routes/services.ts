// The service manager over HTTP: list services, add one from a module at run
// time, and replace (or reload) one while the others keep running.

import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ServiceManager } from '../../core/service-manager.js';
import { TenorError } from '../../core/errors.js';
import { requireRole } from '../auth.js';
import type { RuntimeRoutes } from '../runtime-routes.js';

export const ServiceInfo = Type.Object({
  name: Type.String(),
  version: Type.String(),
  description: Type.String(),
  status: Type.String({ description: 'registered, starting, running, stopping, stopped or failed' }),
  health: Type.Object({ status: Type.String(), detail: Type.Optional(Type.String()) }),
  dependsOn: Type.Array(Type.String()),
  startedAt: Type.Union([Type.String(), Type.Null()]),
  origin: Type.String({ description: "'builtin' or the module path it was loaded from" }),
});

const ModuleBody = Type.Object(
  {
    module: Type.String({ minLength: 1, description: 'Path of an ES module whose default export is a service definition (or a factory of one), relative to the config folder' }),
    options: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);

/** runtimeRoutes: where a service added or replaced here serves its routes. */
export function serviceRoutes(opts: { services: ServiceManager; baseDir: string; runtimeRoutes: RuntimeRoutes }): FastifyPluginAsyncTypebox {
  return async (app) => {
    const { services } = opts;
    const adminOnly = requireRole(services.get('users'), 'admin');
    const security = [{ basicAuth: [] }];
    const infoOf = async (name: string) => {
      const info = (await services.list()).find((s) => s.name === name);
      if (!info) throw new TenorError('TENOR_ERR_SERVICE_NOT_FOUND', [name]);
      return info;
    };

    app.get(
      '/api/services',
      { onRequest: adminOnly, schema: { summary: 'Registered services with status, health and dependencies', tags: ['services'], security, response: { 200: Type.Array(ServiceInfo), '4xx': { $ref: 'ErrorResponse#' } } } },
      async () => services.list(),
    );

    app.post(
      '/api/services',
      {
        onRequest: adminOnly,
        schema: {
          summary: 'Load a new service from a module and start it',
          tags: ['services'],
          security,
          body: ModuleBody,
          response: { 201: ServiceInfo, '4xx': { $ref: 'ErrorResponse#' } },
        },
      },
      async (request, reply) => {
        const def = await ServiceManager.loadDefinition(request.body.module, request.body.options, opts.baseDir);
        await services.add(def, request.body.module);
        await opts.runtimeRoutes.mount(def);
        return reply.status(201).send(await infoOf(def.name));
      },
    );

    app.post(
      '/api/services/:name/replace',
      {
        onRequest: adminOnly,
        // No body at all means "reload": validate it as an empty object.
        preValidation: async (request) => {
          request.body ??= {};
        },
        schema: {
          summary: 'Replace a running service by a new version (from a module) or reload it (no module); callers switch without failing',
          tags: ['services'],
          security,
          params: Type.Object({ name: Type.String() }),
          body: Type.Partial(ModuleBody),
          response: { 200: ServiceInfo, '4xx': { $ref: 'ErrorResponse#' }, '5xx': { $ref: 'ErrorResponse#' } },
        },
      },
      async (request) => {
        const { name } = request.params;
        if (!services.has(name)) throw new TenorError('TENOR_ERR_SERVICE_NOT_FOUND', [name]);
        const modulePath = request.body?.module;
        if (modulePath) {
          const loaded = await ServiceManager.loadDefinition(modulePath, request.body?.options, opts.baseDir);
          // The running version may prepare its successor (a new telephony engine dials through the same dialing policy).
          const current = services.definitions().find((d) => d.name === name);
          const def = current?.prepareReplacement?.(loaded) ?? loaded;
          await services.replace(name, def, modulePath);
          // Routes registered at start keep answering (through the service's handle); the new version's routes answer what they do not.
          await opts.runtimeRoutes.mount(def);
        } else {
          await services.reload(name);
        }
        return infoOf(name);
      },
    );
  };
}
