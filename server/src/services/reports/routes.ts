// The reports over HTTP: GET /api/reports/{inbound,agents,voicemail,callbacks}.
// JSON by default; CSV with ?format=csv or `Accept: text/csv`. Supervisors
// and admins see every report; an agent sees only its own agent report.
// Registered by the HTTP shell:
//   if (opts.services.has('reports')) await app.register(reportRoutes({ services: opts.services }));

import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TenorError } from '../../core/errors.js';
import type { ServiceManager } from '../../core/service-manager.js';
import { currentUser, requireRole, seesEverything } from '../../http/auth.js';
import { intervals, presets } from './buckets.js';
import { reportCsv } from './csv.js';
import type { Report } from './reports.js';
import './service.js';
import { recentCallsOf } from './recent-calls.js';

const ReportQuerystring = Type.Object(
  {
    period: Type.Optional(Type.Union(presets.map((p) => Type.Literal(p)), { description: 'instead of from/to; default today (in the time zone)' })),
    from: Type.Optional(Type.String({ description: 'ISO 8601 date-time, inclusive' })),
    to: Type.Optional(Type.String({ description: 'ISO 8601 date-time, exclusive' })),
    interval: Type.Optional(Type.Union(intervals.map((i) => Type.Literal(i)), { description: 'bucket size; default 60m' })),
    tz: Type.Optional(Type.String({ description: "IANA time zone buckets align in; default reports.timeZone or the server's" })),
    queue: Type.Optional(Type.String()),
    agent: Type.Optional(Type.String()),
    campaign: Type.Optional(Type.String()),
    box: Type.Optional(Type.String({ description: 'voicemail box (voicemail report)' })),
    shortAbandonSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 600, description: 'default 5 (inbound report)' })),
    serviceLevelSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600, description: "overrides each queue's threshold (inbound report)" })),
    format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
  },
  { additionalProperties: false },
);
type ReportQuerystring = Static<typeof ReportQuerystring>;

function wantsCsv(request: FastifyRequest, format: ReportQuerystring['format']): boolean {
  if (format !== undefined) return format === 'csv';
  const accept = request.headers.accept ?? '';
  return /\btext\/csv\b/i.test(accept) && !/\bapplication\/json\b/i.test(accept);
}

function send(request: FastifyRequest, format: ReportQuerystring['format'], reply: FastifyReply, report: Report): FastifyReply {
  if (!wantsCsv(request, format)) return reply.type('application/json; charset=utf-8').send(report);
  const day = report.period.from.slice(0, 10);
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="tenor-${report.report}-${day}-${report.interval}.csv"`)
    .send(reportCsv(report));
}

export function reportRoutes(opts: { services: ServiceManager }): FastifyPluginAsyncTypebox {
  return async (app) => {
    const { services } = opts;
    const reports = () => services.get('reports');
    const users = services.get('users');
    const anyone = requireRole(users, 'agent', 'supervisor', 'admin');
    const supervisors = requireRole(users, 'supervisor', 'admin');
    const security = [{ basicAuth: [] }];
    const errors = { '4xx': { $ref: 'ErrorResponse#' } } as const;
    const schema = (summary: string) => ({
      summary, tags: ['reports'], security, querystring: ReportQuerystring,
      response: { 200: Type.Unknown({ description: '{ report, period, interval, filters, rows: [{ start, end, ...figures }], total, notes } — see docs/reports.md' }), ...errors },
    });

    app.get('/api/reports/inbound', { onRequest: supervisors, schema: schema('Inbound calls per interval: offered, answered, abandoned, service level, waits, talk, hold, wrap-up') },
      async (request, reply) => send(request, request.query.format, reply, await reports().inbound(request.query)));

    app.get('/api/reports/agents', { onRequest: anyone, schema: schema('Agent availability per interval and agent: logged in, ready, break by reason, on call, wrap-up, occupancy, calls') },
      async (request, reply) => {
        const query = { ...request.query };
        const user = currentUser(request);
        if (!seesEverything(user)) {
          // An agent: its own figures only.
          const me = user.agent ?? user.username;
          if (query.agent !== undefined && query.agent !== me) throw new TenorError('TENOR_ERR_FORBIDDEN');
          query.agent = me;
        }
        return send(request, request.query.format, reply, await reports().agents(query));
      });

    app.get('/api/agents/:login/day', {
      onRequest: anyone,
      schema: {
        summary: "An agent's day so far (reports' time zone): calls handled, average talk and wrap-up, time in each state, recent calls with their disposition. Agents: their own only",
        tags: ['reports'], security,
        params: Type.Object({ login: Type.String({ minLength: 1, maxLength: 64 }) }),
        querystring: Type.Object({ recent: Type.Integer({ minimum: 0, maximum: 50, default: 10 }) }, { additionalProperties: false }),
        response: { 200: Type.Unknown({ description: '{ agent, period, figures, recentCalls } — see docs/web-client.md' }), ...errors },
      },
    }, async (request) => {
      const user = currentUser(request);
      const { login } = request.params;
      if (!seesEverything(user) && user.agent !== login) throw new TenorError('TENOR_ERR_FORBIDDEN');
      if (services.get('acd').agent(login) === undefined) throw new TenorError('TENOR_ERR_NOT_FOUND', [`agent '${login}'`]);
      const day = await reports().agentDay(login);
      const recentCalls = await recentCallsOf(services, login, Date.parse(day.period.from), request.query.recent, user);
      return { ...day, recentCalls };
    });

    app.get('/api/reports/voicemail', { onRequest: supervisors, schema: schema('Voicemail per interval and box: received, handled, time to handle') },
      async (request, reply) => send(request, request.query.format, reply, await reports().voicemail(request.query)));

    app.get('/api/reports/callbacks', { onRequest: supervisors, schema: schema('Callback requests per interval: requested, attempted, connected, failed, pending') },
      async (request, reply) => send(request, request.query.format, reply, await reports().callbacks(request.query)));
  };
}
