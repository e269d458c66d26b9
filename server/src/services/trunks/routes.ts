// The trunks admin API (admins only). A change is applied to the running
// telephony engine and persisted; passwords are never returned (hasPassword).

import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { TrunkSchema } from '../../config/schema.js';
import type { ServiceManager } from '../../core/service-manager.js';
import { TenorError } from '../../core/errors.js';
import { requireRole } from '../../http/auth.js';
import './service.js';

// A trunk's `ca` is a file on the server: the site file may name one, the API may not.
// Direct media is a site-file setting too (the trunks store keeps the API's fields only).
const { name: trunkName, ca: trunkCaFile, directMedia: trunkDirectMedia, ...trunkFields } = TrunkSchema.properties;
const TrunkBody = Type.Object(
  { ...trunkFields, password: Type.Optional(Type.String({ description: 'kept when omitted; an empty string removes it' })) },
  { additionalProperties: false },
);

export const TrunkView = Type.Object({
  name: Type.String(),
  host: Type.String(),
  port: Type.Integer(),
  transport: Type.Union([Type.Literal('udp'), Type.Literal('tcp'), Type.Literal('tls')]),
  username: Type.Union([Type.String(), Type.Null()]),
  hasPassword: Type.Boolean(),
  register: Type.Boolean(),
  fromDomain: Type.Union([Type.String(), Type.Null()]),
  callerId: Type.Union([Type.String(), Type.Null()]),
  inboundAddresses: Type.Array(Type.String()),
  origin: Type.Union([Type.Literal('config'), Type.Literal('api')]),
  registration: Type.Union([Type.Object({ state: Type.String(), detail: Type.Union([Type.String(), Type.Null()]) }), Type.Null()]),
});

export function trunkRoutes(opts: { services: ServiceManager }): FastifyPluginAsyncTypebox {
  return async (app) => {
    const trunks = () => opts.services.get('trunks');
    const admins = requireRole(opts.services.get('users'), 'admin');
    const security: Record<string, string[]>[] = [{ basicAuth: [] }, { sessionCookie: [] }];
    const errors = { '4xx': { $ref: 'ErrorResponse#' }, '5xx': { $ref: 'ErrorResponse#' } } as const;

    app.get('/api/trunks', { onRequest: admins, schema: { summary: 'SIP trunks with their registration state', tags: ['trunks'], security, response: { 200: Type.Array(TrunkView), ...errors } } },
      async () => trunks().list());

    app.put('/api/trunks/:name', {
      onRequest: admins,
      schema: {
        summary: 'Create or replace a trunk: used by the next call, persisted (the password is kept when omitted)', tags: ['trunks'], security,
        params: Type.Object({ name: trunkName }), body: TrunkBody, response: { 200: TrunkView, ...errors },
      },
    }, async (request) => trunks().save(request.params.name, request.body));

    app.delete('/api/trunks/:name', {
      onRequest: admins,
      schema: { summary: 'Delete a trunk (calls in progress through it go on)', tags: ['trunks'], security, params: Type.Object({ name: Type.String() }), response: { 204: Type.Null(), ...errors } },
    }, async (request, reply) => {
      if (!(await trunks().remove(request.params.name))) throw new TenorError('TENOR_ERR_NOT_FOUND', [`trunk '${request.params.name}'`]);
      return reply.status(204).send(null);
    });
  };
}
