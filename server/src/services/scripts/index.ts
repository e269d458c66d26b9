// The scripts service: the script library (checked against the business-object
// model), server-side runs for agents and self-service, and signed links.

import path from 'node:path';
import { defineService } from '../../core/service-manager.js';
import { installationSecret } from '../../core/secret.js';
import { catalogueFromModel } from './catalogue.js';
import { ScriptLibrary } from './library.js';
import { ScriptSessions } from './sessions.js';
import { signLink, verifyLink, type LinkClaims } from './links.js';

export interface ScriptsService {
  readonly library: ScriptLibrary;
  readonly sessions: ScriptSessions;
  signLink(claims: LinkClaims): string;
  verifyLink(token: string): LinkClaims;
}

declare module '../../core/service-manager.js' {
  interface ServiceMap {
    scripts: ScriptsService;
  }
}

export function scriptsService(dataDir: string) {
  return defineService<ScriptsService>({
    name: 'scripts',
    version: '1.0.0',
    description: 'Dialogue scripts: library, runs for agents and web self-service',
    dependsOn: ['store', 'crm', 'mail', 'webhooks', 'events'],
    start(ctx) {
      const library = new ScriptLibrary({
        siteDir: path.join(dataDir, 'scripts'),
        catalogue: catalogueFromModel(ctx.get('crm').model),
        logger: ctx.logger,
      });
      const sessions = new ScriptSessions({ ctx, db: ctx.get('store'), library });
      const secret = installationSecret(dataDir);
      ctx.logger.info({ scripts: library.list().map((s) => s.id) }, 'scripts loaded');
      return {
        library,
        sessions,
        signLink: (claims) => signLink(secret, claims),
        verifyLink: (token) => verifyLink(secret, token),
      };
    },
  });
}
