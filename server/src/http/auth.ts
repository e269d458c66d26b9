// Who is calling and may they do this. Every protected route declares the
// roles it admits with `requireRole(users, ...roles)` as its onRequest hook;
// the hook accepts either
//   - the web session cookie (`tenor_session`, see services/sessions/): state-changing
//     requests must also carry the session's `x-csrf-token` header, or
//   - HTTP Basic credentials (API clients and scripts; not sent by browsers
//     on their own since the server never asks for them), or
//   - an API token as `Authorization: Bearer tnr_…` (integrations; see
//     services/api-tokens/): the token's role, and for an agent token its agent,
// refuses a state-changing request whose `Origin` names another site, and
// sets `request.user`. Route handlers then narrow further (an agent may only
// act on their own agent, see services/acd/routes.ts).
//
// The access control itself is installed on the app by `installAccess` (in
// shell.ts, before any route); `requireRole` finds it through the fastify
// instance, so route modules keep their one-line guards.
//
// http/ imports no service: what this file needs of the users, sessions and
// ACD services is declared below (PasswordCheck, SessionAuthority,
// AgentDirectory) and found by name in the service manager.

import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction, RouteOptions } from 'fastify';
import { TenorError } from '../core/errors.js';
import { andThen, type MaybePromise } from '../core/maybe-promise.js';
import type { ServiceManager } from '../core/service-manager.js';
import type { Role } from '../store/repos/users.js';
import { SESSION_COOKIE, readCookie } from './cookies.js';
import { isStateChanging, originAllowed, type OriginPolicy } from './origin.js';

export type { Role } from '../store/repos/users.js';

/** A user as the password check and the session lookup return them. */
export interface AuthenticatedUser {
  username: string;
  displayName: string;
  role: Role;
}

/** What access needs of a web session (the sessions service's WebSession has more). */
export interface AuthSession {
  /** SHA-256 of the session id (hex): names the session without revealing it. */
  idHash: string;
  csrfToken: string;
  /** When the session ends if nothing else happens (ms since the epoch). */
  expiresAt: number;
}

/** The `users` service as a guard needs it: Basic credentials without the sessions service. */
export interface PasswordCheck {
  authenticate(username: string, password: string): Promise<AuthenticatedUser | undefined>;
}

/** The `sessions` service as access needs it: rate-limited password checks and session lookup. */
export interface SessionAuthority {
  checkPassword(username: string, password: string, client: { address: string }): Promise<AuthenticatedUser | undefined>;
  /** Synchronous when the session is found in memory and nothing needs writing. */
  resolve(id: string, opts: { touch: boolean }): MaybePromise<{ user: AuthenticatedUser; session: AuthSession } | undefined>;
}

/** The `apiTokens` service as access needs it: who a bearer token acts as. */
export interface TokenVerifier {
  verify(presented: string): { id: string; name: string; role: Role; agent: string | undefined } | undefined;
}

/** The `acd` service as access needs it: is this username an agent's login. */
export interface AgentDirectory {
  agent(login: string): object | undefined;
}

/** The caller of a request that passed `requireRole`. */
export interface AuthUser {
  username: string;
  displayName: string;
  role: Role;
  /** How the caller proved who they are. */
  via: 'session' | 'basic' | 'token';
  /** The web session (when via is 'session'). */
  session: AuthSession | undefined;
  /** The ACD agent login of this user (the same name), when they are an agent in the ACD. */
  agent: string | undefined;
  /** The API token (when via is 'token'): its id and name, for audit lines. */
  token?: { id: string; name: string };
}

/** Where credentials are read from: a fastify request or a raw upgrade request. */
export interface CredentialSource {
  headers: IncomingHttpHeaders;
  /** The client's address (rate limiting of Basic failures). */
  ip: string;
}

/** A route as registered, with the roles its guard admits (empty: no guard). */
export interface RouteRecord {
  method: string;
  url: string;
  roles: readonly Role[];
}

export interface AccessOptions extends OriginPolicy {
  services: ServiceManager;
}

/** What `installAccess` puts on the app. */
export interface AccessControl {
  readonly options: AccessOptions;
  /** Every route registered after installAccess, in registration order (the role matrix test walks it). */
  readonly routes: RouteRecord[];
  /**
   * Authenticate a request or a WebSocket upgrade (session cookie or Basic);
   * undefined when it carries no valid credentials. `touch: false` does not
   * count as activity for the idle timeout. (The route guards use the same
   * check without its promise when it needs no I/O.)
   */
  authenticate(request: CredentialSource, opts?: { touch?: boolean }): Promise<AuthUser | undefined>;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by requireRole; null on routes without a guard. */
    user: AuthUser | null;
  }
  interface FastifyInstance {
    access: AccessControl;
  }
}

/** Roles a guard admits, by guard function: lets the route table say which route admits whom. */
const guardRoles = new WeakMap<object, readonly Role[]>();

type Guard = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void;

/**
 * An onRequest hook admitting the given roles. 401 without valid credentials
 * (or with an expired session), 403 for another role, 403 TENOR_ERR_CSRF for a
 * cookie-authenticated state change without its CSRF token or from another site,
 * 429 while the username or address is blocked after failed Basic logins.
 *
 * Callback style, not async: when the credentials are checked from memory (a
 * session or an API token) the guard calls `done` at once and fastify goes on to
 * the handler in the same turn; an async hook would cost a promise and a
 * microtask turn per request. `done` is called outside any try, so an error
 * thrown later in the request's synchronous path is never reported as the guard's.
 */
export function requireRole(users: PasswordCheck, ...roles: Role[]): Guard {
  const admit = (request: FastifyRequest, user: AuthUser | undefined): TenorError | undefined => {
    if (!user) return new TenorError('TENOR_ERR_UNAUTHORIZED');
    if (!roles.includes(user.role)) return new TenorError('TENOR_ERR_FORBIDDEN');
    request.user = user;
    return undefined;
  };
  const guard: Guard = (request, reply, done) => {
    let user: MaybePromise<AuthUser | undefined>;
    try {
      const access = request.server.hasDecorator('access') ? request.server.access : undefined;
      user = access ? authenticateOrThrow(access, request, reply) : basicOnly(users, request);
    } catch (err) {
      done(err as Error);
      return;
    }
    if (user instanceof Promise) user.then((found) => done(admit(request, found)), done);
    else done(admit(request, user));
  };
  guardRoles.set(guard, roles);
  return guard;
}

/** The caller of a guarded route (throws 401 on a route without a guard: a programming error shows at once). */
export function currentUser(request: FastifyRequest): AuthUser {
  if (!request.user) throw new TenorError('TENOR_ERR_UNAUTHORIZED');
  return request.user;
}

/** Supervisors and admins see every agent, queue and call; agents only their own. */
export function seesEverything(user: AuthUser): boolean {
  return user.role === 'supervisor' || user.role === 'admin';
}

/** The roles the onRequest hooks of a route admit (empty when none is a requireRole guard). */
export function rolesOfRoute(onRequest: RouteOptions['onRequest']): Role[] {
  const hooks = onRequest === undefined ? [] : Array.isArray(onRequest) ? onRequest : [onRequest];
  return hooks.flatMap((h) => [...(guardRoles.get(h as object) ?? [])]);
}

/**
 * Install session and Basic authentication on the app: `request.user`, the
 * `access` decorator used by every guard, and the route table. Call before
 * registering routes.
 */
export function installAccess(app: FastifyInstance, options: AccessOptions): AccessControl {
  const routes: RouteRecord[] = [];
  const access: AccessControl = {
    options,
    routes,
    authenticate: async (request, opts) => authenticate(options, request, opts?.touch ?? true),
  };
  app.decorateRequest('user', null);
  app.decorate('access', access);
  app.addHook('onRoute', (route) => {
    const roles = rolesOfRoute(route.onRequest);
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) routes.push({ method, url: route.url, roles });
  });
  return access;
}

/** The caller of a guarded request, with the origin and CSRF rules of state changes; throws (or rejects) their errors. */
function authenticateOrThrow(access: AccessControl, request: FastifyRequest, reply: FastifyReply): MaybePromise<AuthUser | undefined> {
  const stateChanging = isStateChanging(request.method);
  if (stateChanging && !originAllowed(request.headers, access.options)) {
    throw new TenorError('TENOR_ERR_CSRF', [`Origin '${request.headers.origin ?? ''}' is another site`]);
  }
  const checked = (user: AuthUser | undefined): AuthUser | undefined => {
    if (user?.via === 'session' && stateChanging && !csrfTokenMatches(request.headers['x-csrf-token'], user.session?.csrfToken)) {
      throw new TenorError('TENOR_ERR_CSRF', ['missing or wrong x-csrf-token header (GET /api/auth/me returns it)']);
    }
    return user;
  };
  const rateLimited = (err: unknown): never => {
    if (err instanceof TenorError && err.code === 'TENOR_ERR_RATE_LIMITED') {
      const seconds = (err.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
      if (seconds !== undefined) void reply.header('retry-after', String(seconds));
    }
    throw err;
  };
  let user: MaybePromise<AuthUser | undefined>;
  try {
    user = authenticate(access.options, request, true);
  } catch (err) {
    return rateLimited(err);
  }
  return user instanceof Promise ? user.then(checked, rateLimited) : checked(user);
}

/**
 * The caller a request's credentials name, or undefined. Synchronous for a session found in memory and
 * for an API token; a promise when a check needs I/O (a session or user read, a last-seen write, a password).
 */
function authenticate(options: AccessOptions, request: CredentialSource, touch: boolean): MaybePromise<AuthUser | undefined> {
  const { services } = options;
  const authorization = request.headers.authorization;
  if (!services.has('sessions')) return basicWithoutSessions(services, authorization);
  if (authorization !== undefined) {
    const bearer = parseBearer(authorization);
    if (bearer !== undefined) return tokenUser(services, bearer);
    const basic = parseBasic(authorization);
    if (basic) return basicUser(options, basic, request.ip);
  }
  const id = readCookie(request.headers.cookie, SESSION_COOKIE);
  if (!id) return undefined;
  return andThen(services.get<SessionAuthority>('sessions').resolve(id, { touch }), (found) => {
    if (!found) return undefined;
    const { user, session } = found;
    return { username: user.username, displayName: user.displayName, role: user.role, via: 'session', session, agent: agentLogin(services, user.username) };
  });
}

/** HTTP Basic through the sessions service's rate-limited password check. */
async function basicUser(options: AccessOptions, basic: { username: string; password: string }, address: string): Promise<AuthUser | undefined> {
  const user = await options.services.get<SessionAuthority>('sessions').checkPassword(basic.username, basic.password, { address });
  return user && { username: user.username, displayName: user.displayName, role: user.role, via: 'basic', session: undefined, agent: agentLogin(options.services, user.username) };
}

/** A server assembled without the sessions service: Basic only, no rate limit. */
async function basicWithoutSessions(services: ServiceManager, authorization: string | undefined): Promise<AuthUser | undefined> {
  const basic = parseBasic(authorization);
  const user = basic && (await services.get<PasswordCheck>('users').authenticate(basic.username, basic.password));
  return user ? { username: user.username, displayName: user.displayName, role: user.role, via: 'basic', session: undefined, agent: agentLogin(services, user.username) } : undefined;
}

/**
 * The caller a bearer token names. An agent token acts as its agent (username = the agent
 * login, so agent scoping works as for that agent's session; refused once the login is no
 * longer an agent); other tokens act as `token:<id>`, a name no user can have.
 */
function tokenUser(services: ServiceManager, presented: string): AuthUser | undefined {
  if (!services.has('apiTokens')) return undefined;
  const token = services.get<TokenVerifier>('apiTokens').verify(presented);
  if (!token) return undefined;
  let agent: string | undefined;
  if (token.role === 'agent') {
    agent = token.agent === undefined ? undefined : agentLogin(services, token.agent);
    if (agent === undefined) return undefined;
  }
  return {
    username: agent ?? `token:${token.id}`, displayName: token.name, role: token.role, via: 'token', session: undefined,
    agent, token: { id: token.id, name: token.name },
  };
}

function parseBearer(header: string | undefined): string | undefined {
  if (header === undefined || !/^Bearer\s/i.test(header)) return undefined;
  return header.slice(7).trim();
}

/** ACD agents log in with their agent login as username (services/acd/service.ts creates their users so). */
function agentLogin(services: ServiceManager, username: string): string | undefined {
  return services.has('acd') && services.get<AgentDirectory>('acd').agent(username) ? username : undefined;
}

function csrfTokenMatches(given: string | string[] | undefined, expected: string | undefined): boolean {
  if (typeof given !== 'string' || expected === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function parseBasic(header: string | undefined): { username: string; password: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Without installAccess (an app assembled by hand): Basic only, no rate limit. */
async function basicOnly(users: PasswordCheck, request: FastifyRequest): Promise<AuthUser | undefined> {
  const basic = parseBasic(request.headers.authorization);
  const user = basic && (await users.authenticate(basic.username, basic.password));
  return user ? { username: user.username, displayName: user.displayName, role: user.role, via: 'basic', session: undefined, agent: undefined } : undefined;
}
