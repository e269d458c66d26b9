// The dialing policy over HTTP: admins read the policy in force (the site
// file's `dialing:` with its defaults filled in); supervisors and admins read
// what it refused and the caps' use. docs/dialing-policy.md is the contract.

import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServiceManager } from '../../core/service-manager.js';
import { requireRole } from '../../http/auth.js';
import { NUMBER_CLASSES } from './config-schema.js';
import './service.js';

const CapsView = Type.Object({ concurrent: Type.Integer(), perHour: Type.Integer() });
const CapsUse = Type.Object({ active: Type.Integer({ description: 'outbound legs up now' }), lastHour: Type.Integer({ description: 'legs started in the last 60 minutes' }), caps: CapsView });

const PolicyView = Type.Object({
  country: Type.String(),
  allowClasses: Type.Array(Type.Union(NUMBER_CLASSES.map((c) => Type.Literal(c)))),
  allow: Type.Array(Type.String()),
  deny: Type.Array(Type.String()),
  agentsMayDialExternal: Type.Boolean(),
  callbackToOtherNumbers: Type.Boolean(),
  addressHosts: Type.Array(Type.String()),
  caps: Type.Object({ site: CapsView, perTrunk: CapsView, trunks: Type.Record(Type.String(), CapsView) }),
});

const StatsView = Type.Object({
  refused: Type.Integer({ description: 'outbound legs refused since the server started' }),
  byReason: Type.Record(Type.String(), Type.Integer()),
  byClass: Type.Record(Type.String(), Type.Integer()),
  caps: Type.Object({ site: CapsUse, trunks: Type.Record(Type.String(), CapsUse) }),
});

export function dialingRoutes(opts: { services: ServiceManager }): FastifyPluginAsyncTypebox {
  return async (app) => {
    const dialing = () => opts.services.get('dialing');
    const users = opts.services.get('users');
    const admins = requireRole(users, 'admin');
    const supervisors = requireRole(users, 'supervisor', 'admin');
    const security: Record<string, string[]>[] = [{ basicAuth: [] }, { sessionCookie: [] }];
    const errors = { '4xx': { $ref: 'ErrorResponse#' } } as const;
    const tags = ['dialing'];

    app.get('/api/dialing/policy', {
      onRequest: admins,
      schema: { summary: 'The dialing policy in force: allowed number classes, allow/deny prefixes, rights and caps', tags, security, response: { 200: PolicyView, ...errors } },
    }, async () => dialing().view());

    app.get('/api/dialing/stats', {
      onRequest: supervisors,
      schema: { summary: 'Outbound legs refused (by reason, by number class) and the caps in use now', tags, security, response: { 200: StatsView, ...errors } },
    }, async () => dialing().stats());
  };
}
