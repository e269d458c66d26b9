// Admin actions need an admin's credentials. Until the web login exists, the API
// takes HTTP Basic authentication checked against the users store.

import type { FastifyRequest } from 'fastify';
import { TenorError } from '../core/errors.js';
import type { UsersService } from '../services/users.js';
import type { Role, User } from '../store/repos/users.js';

export function requireRole(users: UsersService, ...roles: Role[]) {
  return async (request: FastifyRequest): Promise<void> => {
    const user = await basicAuth(users, request.headers.authorization);
    if (!user) throw new TenorError('TENOR_ERR_UNAUTHORIZED');
    if (!roles.includes(user.role)) throw new TenorError('TENOR_ERR_FORBIDDEN');
  };
}

async function basicAuth(users: UsersService, header: string | undefined): Promise<User | undefined> {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return users.authenticate(decoded.slice(0, colon), decoded.slice(colon + 1));
}
