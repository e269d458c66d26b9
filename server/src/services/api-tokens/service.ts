// The `apiTokens` service: bearer tokens for integrations, made by admins and
// bound to a role (and, for an agent token, to one agent). A token is shown
// once, as `tnr_<id>_<secret>`; only its HMAC (token-key.ts) is stored. Tokens
// are few and checked on every request, so they are all kept in memory: a
// check is one HMAC and one constant-time compare, no database read, and a
// revocation applies to the next request. The last-used time is gathered in
// memory and written every `flushEveryMs` (and at stop), not once per request.

import { createHmac, hash as digest, randomBytes, timingSafeEqual } from 'node:crypto';
import { defineService } from '../../core/service-manager.js';
import { TenorError } from '../../core/errors.js';
import type { Role } from '../../store/repos/users.js';
import '../store.js';
import { apiTokenMigrations } from './migrations.js';
import { apiTokenKey } from './token-key.js';
import { ApiTokenStore, type StoredApiToken } from './token-store.js';
import { apiTokenRoutes } from './routes.js';

/** A token as listed: never its secret. */
export interface ApiTokenInfo {
  id: string;
  name: string;
  role: Role;
  agent?: string;
  createdBy: string;
  createdAt: string;
  expiresAt?: string;
  revokedAt?: string;
  lastUsedAt?: string;
  status: 'active' | 'expired' | 'revoked';
}

/** Who a valid token acts as. */
export interface ApiTokenPrincipal {
  id: string;
  name: string;
  role: Role;
  agent: string | undefined;
}

export interface NewApiToken {
  name: string;
  role: Role;
  /** Required for (and only for) role agent: the agent login the token acts as. */
  agent?: string;
  /** When the token stops working (ms since the epoch, in the future). */
  expiresAt?: number;
}

export interface ApiTokensService {
  /** Make a token; `by` is the admin making it (a token never gets a role above theirs). The secret is returned once. */
  create(token: NewApiToken, by: { username: string; role: Role }): Promise<{ token: ApiTokenInfo; secret: string }>;
  list(): ApiTokenInfo[];
  /** Revoke at once; false for an unknown id. */
  revoke(id: string, by: string): Promise<boolean>;
  /** The principal of a live token presented as a bearer credential, else undefined (unknown, wrong, expired, revoked). */
  verify(presented: string): ApiTokenPrincipal | undefined;
  /** Write the gathered last-used times now. */
  flushUses(): Promise<void>;
  /** Stop the periodic write and write what is gathered (the service is stopping). */
  close(): Promise<void>;
}

declare module '../../core/service-manager.js' {
  interface ServiceMap {
    apiTokens: ApiTokensService;
  }
}

export interface ApiTokensOptions {
  dataDir: string;
  now?: () => number;
  /** How often gathered last-used times are written (default 60 s). */
  flushEveryMs?: number;
}

const ROLE_RANK: Record<Role, number> = { agent: 0, supervisor: 1, admin: 2 };
const TOKEN_FORMAT = /^tnr_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export function apiTokensService(opts: ApiTokensOptions) {
  return defineService<ApiTokensService>({
    name: 'apiTokens',
    version: '1.0.0',
    description: 'API tokens for integrations (bearer credentials bound to a role)',
    dependsOn: ['store'],
    // POST /api/tokens, GET /api/tokens, DELETE /api/tokens/:id.
    routes: { plugin: (http) => apiTokenRoutes({ services: http.services }) },
    async start(ctx) {
      const db = ctx.get('store');
      await db.migrate(apiTokenMigrations);
      const store = new ApiTokenStore(db);
      const key = apiTokenKey(opts.dataDir);
      const now = opts.now ?? Date.now;
      const tokens = new Map<string, StoredApiToken>((await store.all()).map((t) => [t.id, t]));
      const pendingUses = new Map<string, number>();
      const hash = (secret: string): Buffer => createHmac('sha256', key).update(secret).digest();
      // Per token, the plain SHA-256 of the secret its last request proved with the keyed hash (memory only):
      // a repeated token costs a one-shot SHA-256 instead of an HMAC (the HMAC's construction was most of the
      // token path's extra cost over a session). The secrets are 256 random bits, so their SHA-256 reveals nothing.
      const proven = new Map<string, Buffer>();

      const flushUses = async (): Promise<void> => {
        if (pendingUses.size === 0) return;
        const uses = new Map(pendingUses);
        pendingUses.clear();
        try {
          await store.recordUse(uses);
        } catch (err) {
          ctx.logger.warn({ err, tokens: uses.size }, 'could not record API token use');
        }
      };
      const timer = setInterval(() => void flushUses(), opts.flushEveryMs ?? 60_000);
      timer.unref();

      const info = (t: StoredApiToken): ApiTokenInfo => {
        const at = now();
        const lastUsed = pendingUses.get(t.id) ?? t.lastUsedAt;
        return {
          id: t.id, name: t.name, role: t.role,
          ...(t.agent !== undefined ? { agent: t.agent } : {}),
          createdBy: t.createdBy, createdAt: new Date(t.createdAt).toISOString(),
          ...(t.expiresAt !== undefined ? { expiresAt: new Date(t.expiresAt).toISOString() } : {}),
          ...(t.revokedAt !== undefined ? { revokedAt: new Date(t.revokedAt).toISOString() } : {}),
          ...(lastUsed !== undefined ? { lastUsedAt: new Date(lastUsed).toISOString() } : {}),
          status: t.revokedAt !== undefined ? 'revoked' : t.expiresAt !== undefined && t.expiresAt <= at ? 'expired' : 'active',
        };
      };

      return {
        async create(input, by) {
          if (ROLE_RANK[input.role] > ROLE_RANK[by.role]) {
            throw new TenorError('TENOR_ERR_FORBIDDEN');
          }
          if ((input.role === 'agent') !== (input.agent !== undefined)) {
            throw new TenorError('TENOR_ERR_VALIDATION', [input.role === 'agent' ? 'an agent token needs the agent login it acts as' : 'only an agent token names an agent']);
          }
          const createdAt = now();
          if (input.expiresAt !== undefined && input.expiresAt <= createdAt) throw new TenorError('TENOR_ERR_VALIDATION', ['expiresAt must be in the future']);
          const id = randomBytes(8).toString('hex');
          const secret = `tnr_${id}_${randomBytes(32).toString('base64url')}`;
          const stored: StoredApiToken = {
            id, name: input.name, role: input.role, agent: input.agent, secretHash: hash(secret).toString('hex'),
            createdBy: by.username, createdAt, expiresAt: input.expiresAt, revokedAt: undefined, lastUsedAt: undefined,
          };
          await store.insert(stored);
          tokens.set(id, stored);
          ctx.logger.info({ token: id, name: input.name, role: input.role, agent: input.agent, by: by.username }, 'API token created');
          return { token: info(stored), secret };
        },
        list: () => [...tokens.values()].map(info),
        async revoke(id, by) {
          const t = tokens.get(id);
          if (!t) return false;
          if (t.revokedAt === undefined) {
            const at = now();
            await store.revoke(id, at);
            t.revokedAt = at;
            ctx.logger.info({ token: id, name: t.name, by }, 'API token revoked');
          }
          return true;
        },
        verify(presented) {
          const match = TOKEN_FORMAT.exec(presented);
          const t = match?.[1] === undefined ? undefined : tokens.get(match[1]);
          if (!t) return undefined;
          const quick = digest('sha256', presented, 'buffer');
          const known = proven.get(t.id);
          if (!known || !timingSafeEqual(quick, known)) {
            if (!timingSafeEqual(hash(presented), Buffer.from(t.secretHash, 'hex'))) return undefined;
            proven.set(t.id, quick);
          }
          const at = now();
          if (t.revokedAt !== undefined || (t.expiresAt !== undefined && t.expiresAt <= at)) return undefined;
          pendingUses.set(t.id, at);
          return { id: t.id, name: t.name, role: t.role, agent: t.agent };
        },
        flushUses,
        async close() {
          clearInterval(timer);
          await flushUses();
        },
      };
    },
    stop: (service) => service.close(),
  });
}
