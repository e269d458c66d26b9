// The API tokens admin API (admins only): make a token (its secret is in this
// one answer and nowhere else), list them without secrets, revoke one at once.

import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServiceManager } from '../../core/service-manager.js';
import { TenorError } from '../../core/errors.js';
import { currentUser, requireRole } from '../../http/auth.js';

const RoleSchema = Type.Union([Type.Literal('agent'), Type.Literal('supervisor'), Type.Literal('admin')]);
const TokenId = Type.String({ pattern: '^[0-9a-f]{16}$' });

export const ApiTokenView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: RoleSchema,
  agent: Type.Optional(Type.String()),
  createdBy: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.Optional(Type.String({ format: 'date-time' })),
  revokedAt: Type.Optional(Type.String({ format: 'date-time' })),
  lastUsedAt: Type.Optional(Type.String({ format: 'date-time', description: 'written about once a minute, not per request' })),
  status: Type.Union([Type.Literal('active'), Type.Literal('expired'), Type.Literal('revoked')]),
});

const NewTokenBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, pattern: '^[^\\x00-\\x1f\\x7f]+$', description: 'what the token is for (shown in the list and the logs)' }),
    role: RoleSchema,
    agent: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'for role agent (required then): the agent login the token acts as' })),
    expiresAt: Type.Optional(Type.String({ format: 'date-time', description: 'when the token stops working; omit for no end' })),
  },
  { additionalProperties: false },
);

const CreatedToken = Type.Intersect([ApiTokenView, Type.Object({ secret: Type.String({ description: 'the bearer token, shown this once: Authorization: Bearer <secret>' }) })]);

export function apiTokenRoutes(opts: { services: ServiceManager }): FastifyPluginAsyncTypebox {
  return async (app) => {
    const admins = requireRole(opts.services.get('users'), 'admin');
    const tokens = () => opts.services.get('apiTokens');
    const security: Record<string, string[]>[] = [{ basicAuth: [] }, { sessionCookie: [] }, { bearerAuth: [] }];
    const errors = { '4xx': { $ref: 'ErrorResponse#' } } as const;

    app.get('/api/tokens', {
      onRequest: admins,
      schema: { summary: 'API tokens (never their secrets)', tags: ['tokens'], security, response: { 200: Type.Array(ApiTokenView), ...errors } },
    }, async () => tokens().list());

    app.post('/api/tokens', {
      onRequest: admins,
      schema: {
        summary: 'Make an API token bound to a role (an agent token to one agent); the answer shows its secret once',
        tags: ['tokens'], security, body: NewTokenBody, response: { 201: CreatedToken, ...errors },
      },
    }, async (request, reply) => {
      const me = currentUser(request);
      const { name, role, agent, expiresAt } = request.body as Static<typeof NewTokenBody>;
      if (agent !== undefined && !(opts.services.has('acd') && opts.services.get('acd').agent(agent))) {
        throw new TenorError('TENOR_ERR_VALIDATION', [`no agent with login '${agent}'`]);
      }
      const expires = expiresAt === undefined ? undefined : Date.parse(expiresAt);
      if (expires !== undefined && Number.isNaN(expires)) throw new TenorError('TENOR_ERR_VALIDATION', ['expiresAt is not a date-time']);
      const { token, secret } = await tokens().create(
        { name, role, ...(agent !== undefined ? { agent } : {}), ...(expires !== undefined ? { expiresAt: expires } : {}) },
        { username: me.username, role: me.role },
      );
      return reply.status(201).send({ ...token, secret });
    });

    app.delete('/api/tokens/:id', {
      onRequest: admins,
      schema: { summary: 'Revoke an API token: it stops working at once', tags: ['tokens'], security, params: Type.Object({ id: TokenId }), response: { 204: Type.Null(), ...errors } },
    }, async (request, reply) => {
      if (!(await tokens().revoke(request.params.id, currentUser(request).username))) throw new TenorError('TENOR_ERR_NOT_FOUND', [`API token '${request.params.id}'`]);
      return reply.status(204).send(null);
    });
  };
}
