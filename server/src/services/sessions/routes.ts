// The web login: POST /api/auth/login (password → session cookie and CSRF
// token), POST /api/auth/logout, GET /api/auth/me (who am I, my CSRF token).

import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { ServiceManager } from '../../core/service-manager.js';
import { TenorError } from '../../core/errors.js';
import { currentUser, requireRole, seesEverything, type AuthSession, type AuthUser } from '../../http/auth.js';
import { SESSION_COOKIE, clearedSessionCookie, readCookie, sessionCookie } from '../../http/cookies.js';
import { originAllowed } from '../../http/origin.js';
import './service.js';
import '../recordings/index.js';

export const Me = Type.Object({
  user: Type.Object({ username: Type.String(), displayName: Type.String(), role: Type.Union([Type.Literal('agent'), Type.Literal('supervisor'), Type.Literal('admin')]) }),
  agent: Type.Union([Type.String(), Type.Null()], { description: 'the ACD agent login of this user, if they are an agent' }),
  via: Type.Union([Type.Literal('session'), Type.Literal('basic'), Type.Literal('token')]),
  csrfToken: Type.Union([Type.String(), Type.Null()], { description: 'send as x-csrf-token on POST/PUT/PATCH/DELETE with the session cookie' }),
  expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'when the session ends without further activity' }),
  mayHearRecordings: Type.Boolean({ description: 'may list and play call recordings (supervisors and admins; agents where recording.agentsMayListen): the web client shows its Recordings page' }),
});
export type Me = Static<typeof Me>;

const LoginBody = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 100 }), password: Type.String({ minLength: 1, maxLength: 1000 }) },
  { additionalProperties: false },
);

/** Whether the recordings API answers this user: the same rule as GET /api/recordings. */
function mayHearRecordings(services: ServiceManager, user: AuthUser): boolean {
  if (!services.has('recordings')) return false;
  if (seesEverything(user)) return true;
  return user.agent !== undefined && services.get('recordings').agentsMayListen;
}

/**
 * A session's expiry as ISO text, formatted once per session view: the session store hands every
 * request of a session the same (frozen) object until the session is touched, and formatting the
 * date was a quarter of this route's own time.
 */
const expiryTexts = new WeakMap<AuthSession, string>();
export function expiryText(session: AuthSession): string {
  let text = expiryTexts.get(session);
  if (text === undefined) expiryTexts.set(session, (text = new Date(session.expiresAt).toISOString()));
  return text;
}

function meOf(user: AuthUser, services: ServiceManager): Me {
  return {
    user: { username: user.username, displayName: user.displayName, role: user.role },
    agent: user.agent ?? null,
    via: user.via,
    csrfToken: user.session?.csrfToken ?? null,
    expiresAt: user.session ? expiryText(user.session) : null,
    mayHearRecordings: mayHearRecordings(services, user),
  };
}

export function authRoutes(opts: { services: ServiceManager }): FastifyPluginAsyncTypebox {
  return async (app) => {
    const sessions = () => opts.services.get('sessions');
    const tags = ['auth'];
    const errors = { '4xx': { $ref: 'ErrorResponse#' } } as const;
    const secure = (request: FastifyRequest) => request.protocol === 'https';
    const refuseOtherSites = (request: FastifyRequest) => {
      if (!originAllowed(request.headers, app.access.options)) throw new TenorError('TENOR_ERR_CSRF', [`Origin '${request.headers.origin ?? ''}' is another site`]);
    };

    app.post('/api/auth/login', {
      schema: {
        summary: 'Log in with a password: sets the session cookie and returns the CSRF token',
        description: 'Failed logins are limited per username and per address; beyond the limit the answer is 429 with Retry-After.',
        tags, body: LoginBody, response: { 200: Me, ...errors },
      },
    }, async (request, reply) => {
      refuseOtherSites(request);
      const { username, password } = request.body;
      try {
        const userAgent = request.headers['user-agent'];
        const { id, session, user } = await sessions().login(username, password, { address: request.ip, ...(userAgent !== undefined ? { userAgent } : {}) });
        void reply.header('set-cookie', sessionCookie(id, { secure: secure(request), maxAgeSeconds: Math.floor(sessions().timeouts.absoluteMs / 1000) }));
        void reply.header('cache-control', 'no-store');
        const agent = opts.services.has('acd') && opts.services.get('acd').agent(user.username) ? user.username : undefined;
        return meOf({ username: user.username, displayName: user.displayName, role: user.role, via: 'session', session, agent }, opts.services);
      } catch (err) {
        if (err instanceof TenorError && err.code === 'TENOR_ERR_RATE_LIMITED') {
          const seconds = (err.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
          if (seconds !== undefined) void reply.header('retry-after', String(seconds));
        }
        throw err;
      }
    });

    app.post('/api/auth/logout', {
      schema: { summary: 'End the session (its open WebSockets close) and clear the cookie', tags, response: { 204: Type.Null(), ...errors } },
    }, async (request, reply) => {
      refuseOtherSites(request);
      const id = readCookie(request.headers.cookie, SESSION_COOKIE);
      if (id) await sessions().logout(id);
      return reply.status(204).header('set-cookie', clearedSessionCookie({ secure: secure(request) })).send(null);
    });

    app.get('/api/auth/me', {
      onRequest: requireRole(opts.services.get('users'), 'agent', 'supervisor', 'admin'),
      schema: { summary: 'The signed-in user, their role and agent login, and the CSRF token of the session', tags, security: [{ basicAuth: [] }], response: { 200: Me, ...errors } },
    }, async (request, reply) => {
      void reply.header('cache-control', 'no-store');
      return meOf(currentUser(request), opts.services);
    });
  };
}
