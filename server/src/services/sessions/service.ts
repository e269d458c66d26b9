// The `sessions` service: web login (password → session), session lookup with
// idle and absolute expiry, logout, and the failed-login limiter shared by the
// login form and HTTP Basic. Sessions live in the database (migration 0500),
// so they survive a restart; the clock is injectable so tests can expire them.

import { createHmac, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { defineService } from '../../core/service-manager.js';
import { TenorError } from '../../core/errors.js';
import { andThen, type MaybePromise } from '../../core/maybe-promise.js';
import { UsersRepository, type User } from '../../store/repos/users.js';
import '../store.js';
import '../users.js';
import { systemAccessClock, type AccessClock } from './clock.js';
import { LoginLimiter, defaultLoginLimits, type LoginLimits } from './login-limiter.js';
import { sessionMigrations } from './migrations.js';
import { authRoutes } from './routes.js';
import { SessionStore, defaultSessionTimeouts, type SessionTimeouts, type WebSession } from './session-store.js';

/** How long the user behind a session is taken as read (display name only: access changes end the sessions). */
const USER_CACHE_MS = 1_000;

export interface ClientMeta {
  /** The client's address (the proxy's view when a trusted proxy forwards it). */
  address: string;
  userAgent?: string;
}

export interface SessionsService {
  readonly clock: AccessClock;
  readonly timeouts: SessionTimeouts;
  readonly limits: LoginLimits;
  /**
   * Check a password under the failed-login limiter (see login-limiter.ts). Throws
   * TENOR_ERR_RATE_LIMITED (details.retryAfterSeconds) while this username from this
   * address backs off or the address is blocked; waits first during the global
   * slow-down; undefined for a wrong username or password.
   */
  checkPassword(username: string, password: string, client: ClientMeta): Promise<User | undefined>;
  /** Log in: a new session for a correct password, else TENOR_ERR_LOGIN_FAILED or TENOR_ERR_RATE_LIMITED. */
  login(username: string, password: string, client: ClientMeta): Promise<{ id: string; session: WebSession; user: User }>;
  /**
   * The live session and its user (a new role, password or deletion ends the session at once; the display name may be
   * up to a second old), or undefined. Synchronous when both are in memory and nothing needs writing (see
   * SessionStore.resolve): the session read path then makes no promise.
   */
  resolve(id: string, opts: { touch: boolean }): MaybePromise<{ session: WebSession; user: User } | undefined>;
  /** True while the session named by its hash is live (no activity counted). */
  isLive(idHash: string): Promise<boolean>;
  logout(id: string): Promise<void>;
  /** End every session of a user, e.g. after their password changed. */
  endAllOf(username: string): Promise<void>;
  /** Stop following password changes (the service is stopping). */
  close(): void;
  /** Called with the session's hash whenever a session is ended by logout (open WebSockets close at once). */
  onEnded(listener: (idHash: string) => void): () => void;
}

declare module '../../core/service-manager.js' {
  interface ServiceMap {
    sessions: SessionsService;
  }
}

export interface SessionsOptions {
  clock?: AccessClock;
  timeouts?: Partial<SessionTimeouts>;
  limits?: Partial<LoginLimits>;
}

export function sessionsService(opts: SessionsOptions = {}) {
  return defineService<SessionsService>({
    name: 'sessions',
    version: '1.0.0',
    description: 'Web login sessions (idle and absolute expiry) and the failed-login limiter',
    dependsOn: ['store', 'users'],
    // POST /api/auth/login, /api/auth/logout, GET /api/auth/me.
    routes: { plugin: (http) => authRoutes({ services: http.services }) },
    async start(ctx) {
      const db = ctx.get('store');
      await db.migrate(sessionMigrations);
      const users = ctx.get('users');
      const userRepo = new UsersRepository(db);
      const clock = opts.clock ?? systemAccessClock;
      const store = new SessionStore(db, clock, { ...defaultSessionTimeouts, ...opts.timeouts });
      const limiter = new LoginLimiter(clock, { ...defaultLoginLimits, ...opts.limits });
      const listeners = new Set<(idHash: string) => void>();
      const ended = (idHash: string) => {
        for (const listener of listeners) {
          try {
            listener(idHash);
          } catch (err) {
            ctx.logger.error({ err }, 'session-ended listener failed');
          }
        }
      };

      // Identical credentials checked in parallel (an API client's burst before the verified-password
      // cache knows them) share one check: one scrypt run, one in-flight slot of the address.
      const checking = new Map<string, Promise<User | undefined>>();
      const checkKey = randomBytes(32);
      const checkPassword = (username: string, password: string, client: ClientMeta): Promise<User | undefined> => {
        const key = createHmac('sha256', checkKey).update(client.address).update('\0').update(username).update('\0').update(password).digest('base64');
        const running = checking.get(key);
        if (running) return running;
        const check = limitedCheck(username, password, client).finally(() => checking.delete(key));
        checking.set(key, check);
        return check;
      };
      const limitedCheck = async (username: string, password: string, client: ClientMeta): Promise<User | undefined> => {
        const admission = limiter.admit(username, client.address);
        if (admission.kind === 'refused') {
          const retryAfterSeconds = Math.max(1, Math.ceil(admission.retryAfterMs / 1000));
          ctx.logger.warn({ username, address: client.address, retryAfterSeconds, reason: admission.reason }, 'login refused: too many failures');
          throw new TenorError('TENOR_ERR_RATE_LIMITED', [retryAfterSeconds], { details: { retryAfterSeconds } });
        }
        try {
          if (admission.delayMs > 0) {
            ctx.logger.warn({ username, address: client.address, delayMs: admission.delayMs }, 'login slowed down: many failed logins from all addresses');
            await sleep(admission.delayMs);
          }
          const user = await users.authenticate(username, password);
          if (user) limiter.succeeded(username, client.address);
          else {
            limiter.failed(username, client.address);
            ctx.logger.info({ username, address: client.address }, 'login failed');
          }
          return user;
        } finally {
          admission.release();
        }
      };

      const endAllOf = async (username: string): Promise<void> => {
        for (const idHash of await store.destroyAllOf(username)) ended(idHash);
      };
      // A new password ends the sessions opened with the old one (a stolen session dies with it);
      // a new role or a deleted user ends them too, and with them the live sockets opened under the old role.
      // The user behind a session, read at most once a second per user: a new role, password or a deletion
      // ends every session of the user (below), so what is kept can only be a display name up to a second old.
      // A read that an access change overtook is not kept (accessChanges counts them): a new session must see the new role.
      const users1s = new Map<string, { user: User; readAt: number }>();
      let accessChanges = 0;
      const userOf = (username: string): MaybePromise<User | undefined> => {
        const now = Date.now();
        const kept = users1s.get(username);
        if (kept && now - kept.readAt < USER_CACHE_MS) return kept.user;
        return readUser(username, now);
      };
      const readUser = async (username: string, now: number): Promise<User | undefined> => {
        const before = accessChanges;
        const user = await userRepo.findByUsername(username);
        if (user && before === accessChanges && users1s.size < 10_000) users1s.set(username, { user, readAt: now });
        else users1s.delete(username);
        return user;
      };
      const withUser = (session: WebSession): MaybePromise<{ session: WebSession; user: User } | undefined> =>
        andThen(userOf(session.username), (user) => (user ? { session, user } : undefined));
      const onAccessChanged = (username: string): Promise<void> => {
        accessChanges += 1;
        users1s.delete(username);
        return endAllOf(username);
      };
      let unsubscribe = users.onAccessChanged(onAccessChanged);
      // A new users service must end sessions too, or a changed password would leave the old sessions open.
      ctx.whenReplaced('users', () => {
        unsubscribe();
        unsubscribe = users.onAccessChanged(onAccessChanged);
      });

      return {
        clock,
        timeouts: store.timeouts,
        limits: limiter.limits,
        checkPassword,
        async login(username, password, client) {
          const user = await checkPassword(username, password, client);
          if (!user) throw new TenorError('TENOR_ERR_LOGIN_FAILED');
          const { id, session } = await store.create(user.username, { address: client.address, ...(client.userAgent !== undefined ? { userAgent: client.userAgent } : {}) });
          ctx.logger.info({ username: user.username, role: user.role, session: session.idHash.slice(0, 12) }, 'logged in');
          return { id, session, user };
        },
        resolve: (id, o) => andThen(store.resolve(id, o), (session) => (session ? withUser(session) : undefined)),
        isLive: (idHash) => store.isLive(idHash),
        async logout(id) {
          const idHash = await store.destroy(id);
          if (idHash) ended(idHash);
        },
        endAllOf,
        close: () => unsubscribe(),
        onEnded(listener) {
          listeners.add(listener);
          return () => listeners.delete(listener);
        },
      };
    },
    stop: (sessions) => sessions.close(),
  });
}
