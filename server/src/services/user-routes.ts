// The users admin API (admins only): list, create or change, delete. A new
// password or role, or a deletion, ends the user's web sessions (see
// UsersService.onAccessChanged); deleting yourself or the last admin is refused.

import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServiceManager } from '../core/service-manager.js';
import { TenorError } from '../core/errors.js';
import type { User } from '../store/repos/users.js';
import { MIN_PASSWORD_LENGTH } from '../core/password-policy.js';
import { currentUser, requireRole } from '../http/auth.js';

const Username = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' });
const RoleSchema = Type.Union([Type.Literal('agent'), Type.Literal('supervisor'), Type.Literal('admin')]);


export const UserView = Type.Object({ username: Type.String(), displayName: Type.String(), role: RoleSchema });

const UserBody = Type.Object(
  {
    displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    role: RoleSchema,
    password: Type.Optional(Type.String({ minLength: MIN_PASSWORD_LENGTH, maxLength: 200, description: `at least ${MIN_PASSWORD_LENGTH} characters; required to create a user` })),
  },
  { additionalProperties: false },
);

const userView = (u: User): Static<typeof UserView> => ({ username: u.username, displayName: u.displayName, role: u.role });

export function userRoutes(opts: { services: ServiceManager }): FastifyPluginAsyncTypebox {
  return async (app) => {
    const users = opts.services.get('users');
    const admins = requireRole(users, 'admin');
    const security: Record<string, string[]>[] = [{ basicAuth: [] }, { sessionCookie: [] }];
    const errors = { '4xx': { $ref: 'ErrorResponse#' } } as const;
    const params = Type.Object({ username: Username });

    app.get('/api/users', { onRequest: admins, schema: { summary: 'Users who may log in, with their role', tags: ['users'], security, response: { 200: Type.Array(UserView), ...errors } } },
      async () => (await users.list()).map(userView));

    app.put('/api/users/:username', {
      onRequest: admins,
      schema: {
        summary: 'Create a user (password required) or change one; a new password or role ends their web sessions', tags: ['users'], security,
        params, body: UserBody, response: { 200: UserView, ...errors },
      },
    }, async (request) => {
      const { username } = request.params;
      const { displayName, role, password } = request.body;
      const existing = await users.get(username);
      if (!existing) {
        if (password === undefined) throw new TenorError('TENOR_ERR_VALIDATION', [`a new user needs a password (at least ${MIN_PASSWORD_LENGTH} characters)`]);
        request.log.info({ username, role, by: currentUser(request).username }, 'user created');
        return userView(await users.create({ username, role, password, ...(displayName !== undefined ? { displayName } : {}) }));
      }
      const updated = await users.update(username, { role, ...(displayName !== undefined ? { displayName } : {}), ...(password !== undefined ? { password } : {}) });
      if (!updated) throw new TenorError('TENOR_ERR_NOT_FOUND', [`user '${username}'`]);
      return userView(updated);
    });

    app.delete('/api/users/:username', {
      onRequest: admins,
      schema: { summary: 'Delete a user (not yourself, not the last admin); their web sessions end', tags: ['users'], security, params, response: { 204: Type.Null(), ...errors } },
    }, async (request, reply) => {
      const { username } = request.params;
      if (currentUser(request).username === username) throw new TenorError('TENOR_ERR_USER_REFUSED', [username, 'deleted', 'you cannot delete yourself']);
      if (!(await users.remove(username))) throw new TenorError('TENOR_ERR_NOT_FOUND', [`user '${username}'`]);
      return reply.status(204).send(null);
    });
  };
}
