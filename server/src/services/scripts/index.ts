// The scripts service: the script library (checked against the business-object
// model), server-side runs for agents and self-service, signed links (capped
// lifetime, revocable, key rotation) and the one-time codes that prove who a
// self-service visitor is.

import path from 'node:path';
import { defineService } from '../../core/service-manager.js';
import { installationSecret } from '../../core/secret.js';
import { TenorError } from '../../core/errors.js';
import { catalogueFromModel } from './catalogue.js';
import { ScriptLibrary } from './library.js';
import { ScriptSessions } from './sessions.js';
import { newLinkId, signLink, verifyLink, type LinkClaims } from './links.js';
import { LinkKeys } from './link-keys.js';
import { OwnershipCodes } from './ownership.js';
import { RateWindow } from './rate-window.js';
import { scriptMigrations } from './migrations.js';
import { unverifiedVisitor } from './visitor.js';
import type { JsonValue } from '@tenor/scripts-dsl';
import { selfServiceLimits, type SelfServiceLimits, type SelfServiceSettings } from './settings.js';
import { scriptRoutes } from './routes.js';
import { selfServiceRoutes } from './self-service-routes.js';

export { selfServiceConfigSection } from './settings.js';

const HOUR_MS = 3_600_000;

export interface ScriptsService {
  readonly library: ScriptLibrary;
  readonly sessions: ScriptSessions;
  readonly limits: SelfServiceLimits;
  readonly codes: OwnershipCodes;
  /** Sign a link; it gets an id and its issue time unless given. Its lifetime is not checked here (the route refuses too long a one). */
  signLink(claims: LinkClaims): string;
  /** The claims of a good link: not altered, expired, beyond the lifetime cap, signed before the last rotation, or revoked. */
  verifyLink(token: string): Promise<LinkClaims>;
  /** Withdraw one link by its id. */
  revokeLink(linkId: string, by: string): Promise<void>;
  /** A new signing key: every link made before stops working. Returns the new key generation. */
  rotateLinkKey(by: string): Promise<number>;
  /** A new unverified contact for a visitor who typed this number, and what their run may see of it. */
  unverifiedVisitor(phone: string): Promise<{ customerId: number; context: Record<string, JsonValue> }>;
  /** Count a self-service request from a client address; TENOR_ERR_SELF_SERVICE_LIMIT beyond the hourly limit. */
  countRequest(kind: 'open' | 'code', address: string): void;
}

declare module '../../core/service-manager.js' {
  interface ServiceMap {
    scripts: ScriptsService;
  }
}

export function scriptsService(dataDir: string, opts: { selfService?: SelfServiceSettings; defaultCountry?: string } = {}) {
  return defineService<ScriptsService>({
    name: 'scripts',
    version: '1.1.0',
    description: 'Dialogue scripts: library, runs for agents and web self-service',
    dependsOn: ['store', 'crm', 'mail', 'webhooks', 'events'],
    routes: {
      plugin: (http) => async (app) => {
        await app.register(scriptRoutes(http));
        await app.register(selfServiceRoutes(http));
      },
    },
    async start(ctx) {
      const db = ctx.get('store');
      await db.migrate(scriptMigrations);
      const library = new ScriptLibrary({
        siteDir: path.join(dataDir, 'scripts'),
        catalogue: catalogueFromModel(ctx.get('crm').model),
        logger: ctx.logger,
      });
      const sessions = new ScriptSessions({ ctx, db, library });
      const secret = installationSecret(dataDir);
      const keys = await LinkKeys.load(db, secret);
      const limits = selfServiceLimits(opts.selfService);
      const maxLifetimeSeconds = limits.linkMaxDays * 24 * 3600;
      const codes = new OwnershipCodes({ ctx, db, secret, limits, defaultCountry: opts.defaultCountry ?? 'US' });
      const windows = {
        open: new RateWindow({ max: limits.opensPerAddressPerHour, windowMs: HOUR_MS }),
        code: new RateWindow({ max: limits.codesPerAddressPerHour, windowMs: HOUR_MS }),
      };
      ctx.logger.info({ scripts: library.list().map((s) => s.id) }, 'scripts loaded');
      return {
        library,
        sessions,
        limits,
        codes,
        signLink: (claims) => signLink(keys.current(), { ...claims, id: claims.id ?? newLinkId(), issuedAt: claims.issuedAt ?? Math.floor(Date.now() / 1000) }),
        async verifyLink(token) {
          const claims = verifyLink(keys.current(), token, { maxLifetimeSeconds });
          await keys.requireNotRevoked(claims);
          return claims;
        },
        async revokeLink(linkId, by) {
          await keys.revoke(linkId, by, Date.now() + maxLifetimeSeconds * 1000);
          ctx.logger.info({ link: linkId, by }, 'self-service link revoked');
        },
        async rotateLinkKey(by) {
          const generation = await keys.rotate(by);
          ctx.logger.warn({ generation, by }, 'self-service link key rotated: every link made before no longer works');
          return generation;
        },
        unverifiedVisitor: (phone) => unverifiedVisitor(ctx.get('crm'), phone, opts.defaultCountry ?? 'US'),
        countRequest(kind, address) {
          const waitMs = windows[kind].hit(address);
          if (waitMs > 0) {
            ctx.logger.warn({ address, kind }, 'self-service request refused: hourly limit for this address');
            throw new TenorError('TENOR_ERR_SELF_SERVICE_LIMIT', [Math.ceil(waitMs / 1000)], { details: { retryAfterSeconds: Math.ceil(waitMs / 1000) } });
          }
        },
      };
    },
  });
}
