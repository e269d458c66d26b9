// Device secrets of users' softphones (admins only). A supervisor who listens
// to calls on a softphone (docs/acd.md, monitoring) registers it as their user
// name with a device secret given here, never with their web password. Agents'
// devices get theirs through /api/agents (acd/routes.ts).

import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServiceManager } from '../../core/service-manager.js';
import { TenorError } from '../../core/errors.js';
import { requireRole } from '../../http/auth.js';
import { DeviceDigestSchema } from '../../config/schema.js';
import { MIN_DEVICE_SECRET_LENGTH } from './secret-policy.js';

const SecretBody = Type.Object(
  {
    secret: Type.Optional(Type.String({ minLength: MIN_DEVICE_SECRET_LENGTH, maxLength: 200, description: 'omit to have one generated' })),
    digest: Type.Optional(DeviceDigestSchema),
  },
  { additionalProperties: false },
);
const DigestBody = Type.Object({ digest: DeviceDigestSchema }, { additionalProperties: false });
const Status = Type.Union([Type.Literal('missing'), Type.Literal('set')]);

export function userSipSecretRoutes(opts: { services: ServiceManager }): FastifyPluginAsyncTypebox {
  return async (app) => {
    const users = opts.services.get('users');
    const sipCredentials = () => opts.services.get('sipCredentials');
    const admins = requireRole(users, 'admin');
    const security: Record<string, string[]>[] = [{ basicAuth: [] }, { sessionCookie: [] }];
    const errors = { '4xx': { $ref: 'ErrorResponse#' } } as const;
    const params = Type.Object({ username: Type.String() });
    const requireUser = async (username: string): Promise<void> => {
      if (!(await users.get(username))) throw new TenorError('TENOR_ERR_NOT_FOUND', [`user '${username}'`]);
    };

    app.get('/api/users/:username/sip-secret', {
      onRequest: admins,
      schema: { summary: "Whether the user's softphone has a device secret", tags: ['users'], security, params, response: { 200: Type.Object({ sipUser: Type.String(), sipSecret: Status, sipDigest: Type.Optional(DeviceDigestSchema) }), ...errors } },
    }, async (request) => {
      const { username } = request.params;
      await requireUser(username);
      const digest = sipCredentials().digest(username);
      const status = sipCredentials().status(username);
      return { sipUser: username, sipSecret: status === 'set' ? 'set' : 'missing', ...(digest !== undefined ? { sipDigest: digest } : {}) } as const;
    });

    app.put('/api/users/:username/sip-secret/digest', {
      onRequest: admins,
      schema: {
        summary: "Choose the digest algorithms the user's softphone is offered: 'sha-256' (SHA-256 first, then MD5) or 'md5' (an older phone); the secret is kept",
        tags: ['users'], security, params, body: DigestBody, response: { 200: Type.Object({ sipUser: Type.String(), sipDigest: DeviceDigestSchema }), ...errors },
      },
    }, async (request) => {
      const { username } = request.params;
      await requireUser(username);
      if (!(await sipCredentials().setDigest({ kind: 'user', name: username }, request.body.digest))) {
        throw new TenorError('TENOR_ERR_NOT_FOUND', [`a device secret for user '${username}'`]);
      }
      return { sipUser: username, sipDigest: request.body.digest };
    });

    app.post('/api/users/:username/sip-secret', {
      onRequest: admins,
      schema: {
        summary: "Give the user's softphone (SIP user = their user name) a new device secret, generated unless given; the answer shows it once",
        tags: ['users'], security, params, body: SecretBody, response: { 200: Type.Object({ sipUser: Type.String(), secret: Type.String() }), ...errors },
      },
    }, async (request) => {
      const { username } = request.params;
      await requireUser(username);
      const secret = await sipCredentials().setSecret({ kind: 'user', name: username }, username, request.body.secret, request.body.digest);
      return { sipUser: username, secret };
    });

    app.delete('/api/users/:username/sip-secret', {
      onRequest: admins,
      schema: { summary: "Remove the user's device secret: their softphone can no longer register", tags: ['users'], security, params, response: { 204: Type.Null(), ...errors } },
    }, async (request, reply) => {
      await requireUser(request.params.username);
      await sipCredentials().forget({ kind: 'user', name: request.params.username });
      return reply.status(204).send(null);
    });
  };
}
