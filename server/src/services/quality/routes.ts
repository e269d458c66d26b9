// Quality scorecards over HTTP (docs/recording.md, "Quality scorecards"; roles in docs/access.md):
//   GET    /api/quality/scorecards[/:name]          supervisors, admins
//   PUT    /api/quality/scorecards/:name            admins (create or replace; the version goes up when it changes)
//   DELETE /api/quality/scorecards/:name            admins (past evaluations keep their criteria)
//   POST   /api/recordings/:id/evaluations          supervisors, admins: { scorecard, answers, comment? }
//   GET    /api/recordings/:id/evaluations          supervisors, admins; the agent evaluated, for a call they were on
//   GET    /api/quality/evaluations?agent=&queue=&from=&to=&limit=   an agent: their own only (another's: 403)
//   DELETE /api/quality/evaluations/:id             admins
//   GET    /api/reports/quality?period=&from=&to=&interval=&tz=&queue=&agent=&format=   as /api/reports/agents: an agent only their own

import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { ServiceManager } from '../../core/service-manager.js';
import { TenorError } from '../../core/errors.js';
import { currentUser, requireRole, seesEverything, type AuthUser } from '../../http/auth.js';
import type { RecordingRow } from '../recordings/index.js';
import { intervals, presets } from '../reports/index.js';
import { CriterionSchema, ScorecardBody, ScorecardName } from './config-schema.js';
import { qualityCsv } from './report.js';
import type { Evaluation, Scorecard } from './repository.js';
import './service.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const RecordingId = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' });
const EvaluationId = Type.String({ pattern: '^[A-Za-z0-9-]{1,64}$' });
const Login = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' });
const AnswerValue = Type.Union([Type.Literal('yes'), Type.Literal('no'), Type.Literal('n/a'), Type.Integer({ minimum: 0, maximum: 100 })], {
  description: "yes-no: 'yes' | 'no'; scale: 0..max; 'n/a' where the criterion allows it",
});

export const ScorecardView = Type.Object({
  name: Type.String(),
  ...ScorecardBody.properties,
  version: Type.Integer({ description: 'goes up by one each time the definition changes' }),
  origin: Type.Union([Type.Literal('config'), Type.Literal('api')], { description: "'config': from the site file, written again at every start" }),
  updatedAt: Type.String(),
});

export const EvaluationView = Type.Object({
  id: Type.String(),
  recordingId: Type.String(),
  callId: Type.String(),
  agent: Nullable(Type.String()),
  queue: Nullable(Type.String()),
  callStartedAt: Type.String({ format: 'date-time' }),
  scorecard: Type.String(),
  scorecardVersion: Type.Integer(),
  scorecardTitle: Type.String(),
  criteria: Type.Array(CriterionSchema, { description: 'the criteria as they were when scored' }),
  answers: Type.Record(Type.String(), AnswerValue),
  score: Nullable(Type.Number({ description: 'weighted percentage, one decimal; null when every criterion is n/a' })),
  comment: Nullable(Type.String({ description: "null when none, or after the customer's data was erased" })),
  evaluator: Type.String(),
  evaluatedAt: Type.String({ format: 'date-time' }),
});

const scorecardView = (s: Scorecard): Static<typeof ScorecardView> => ({ ...s });
const evaluationView = (e: Evaluation): Static<typeof EvaluationView> => ({ ...e, callStartedAt: new Date(e.callStartedAt).toISOString() });

const EvaluationBody = Type.Object({
  scorecard: ScorecardName,
  answers: Type.Record(Type.String({ minLength: 1, maxLength: 64 }), AnswerValue, { description: 'criterion id → answer; every criterion once' }),
  comment: Type.Optional(Type.String({ maxLength: 4000 })),
}, { additionalProperties: false });

const EvaluationsQuery = Type.Object({
  agent: Type.Optional(Login),
  queue: Type.Optional(Login),
  from: Type.Optional(Type.String({ format: 'date-time', description: 'calls started at or after' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'calls started before' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
}, { additionalProperties: false });

const ReportQuery = Type.Object({
  period: Type.Optional(Type.Union(presets.map((p) => Type.Literal(p)))),
  from: Type.Optional(Type.String({ description: 'ISO 8601 date-time, inclusive' })),
  to: Type.Optional(Type.String({ description: 'ISO 8601 date-time, exclusive' })),
  interval: Type.Optional(Type.Union(intervals.map((i) => Type.Literal(i)))),
  tz: Type.Optional(Type.String()),
  queue: Type.Optional(Type.String({ maxLength: 64 })),
  agent: Type.Optional(Type.String({ maxLength: 64 })),
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
}, { additionalProperties: false });

/** An agent's own login; a user who is not an ACD agent has no evaluations. */
const loginOf = (user: AuthUser): string => user.agent ?? user.username;

export function qualityRoutes(opts: { services: ServiceManager }): FastifyPluginAsyncTypebox {
  return async (app) => {
    const quality = () => opts.services.get('quality');
    const recordings = () => opts.services.get('recordings');
    const users = opts.services.get('users');
    const anyone = requireRole(users, 'agent', 'supervisor', 'admin');
    const supervisors = requireRole(users, 'supervisor', 'admin');
    const admins = requireRole(users, 'admin');
    const security: { [label: string]: string[] }[] = [{ basicAuth: [] }, { sessionCookie: [] }];
    const tags = ['quality'];
    const errors = { '4xx': { $ref: 'ErrorResponse#' } } as const;

    const recordingOf = async (id: string): Promise<RecordingRow> => {
      const r = await recordings().repo.get(id);
      if (!r) throw new TenorError('TENOR_ERR_RECORDING_NOT_FOUND', [`recording '${id}'`]);
      return r;
    };

    /** The agent asking for their own evaluations: another agent's is forbidden. */
    const ownAgent = (request: FastifyRequest, asked: string | undefined): string | undefined => {
      const user = currentUser(request);
      if (seesEverything(user)) return asked;
      if (asked !== undefined && asked !== loginOf(user)) throw new TenorError('TENOR_ERR_FORBIDDEN');
      return loginOf(user);
    };

    app.get('/api/quality/scorecards', {
      onRequest: supervisors,
      schema: { summary: 'The scorecards, by name', tags, security, response: { 200: Type.Array(ScorecardView), ...errors } },
    }, async () => (await quality().scorecards()).map(scorecardView));

    app.get('/api/quality/scorecards/:name', {
      onRequest: supervisors,
      schema: { summary: 'One scorecard', tags, security, params: Type.Object({ name: ScorecardName }), response: { 200: ScorecardView, ...errors } },
    }, async (request) => {
      const card = await quality().scorecard(request.params.name);
      if (!card) throw new TenorError('TENOR_ERR_NOT_FOUND', [`scorecard '${request.params.name}'`]);
      return scorecardView(card);
    });

    app.put('/api/quality/scorecards/:name', {
      onRequest: admins,
      schema: {
        summary: 'Create or replace a scorecard (past evaluations keep the criteria they were scored against)', tags, security,
        params: Type.Object({ name: ScorecardName }), body: ScorecardBody, response: { 200: ScorecardView, ...errors },
      },
    }, async (request) => scorecardView(await quality().saveScorecard(request.params.name, request.body)));

    app.delete('/api/quality/scorecards/:name', {
      onRequest: admins,
      schema: { summary: 'Remove a scorecard (its evaluations stay)', tags, security, params: Type.Object({ name: ScorecardName }), response: { 204: Type.Null(), ...errors } },
    }, async (request, reply) => {
      if (!(await quality().removeScorecard(request.params.name))) throw new TenorError('TENOR_ERR_NOT_FOUND', [`scorecard '${request.params.name}'`]);
      return reply.status(204).send(null);
    });

    app.post('/api/recordings/:id/evaluations', {
      onRequest: supervisors,
      schema: {
        summary: "Evaluate a recording against a scorecard: the score is the weighted percentage of the answers (n/a left out)", tags, security,
        params: Type.Object({ id: RecordingId }), body: EvaluationBody, response: { 201: EvaluationView, ...errors },
      },
    }, async (request, reply) => {
      const recording = await recordingOf(request.params.id);
      // Only a finished recording is reviewed: a live one is not whole yet, an erased or failed one has nothing to hear.
      if (recording.state !== 'stored') throw new TenorError('TENOR_ERR_RECORDING_STATE', ['evaluate', `it is ${recording.state}`]);
      const { scorecard, answers, comment } = request.body;
      const evaluation = await quality().evaluate(recording, { scorecard, answers, ...(comment !== undefined ? { comment } : {}), evaluator: currentUser(request).username });
      return reply.status(201).send(evaluationView(evaluation));
    });

    app.get('/api/recordings/:id/evaluations', {
      onRequest: anyone,
      schema: {
        summary: "A recording's evaluations, newest first (an agent: their own, of calls they were on)", tags, security,
        params: Type.Object({ id: RecordingId }), response: { 200: Type.Array(EvaluationView), ...errors },
      },
    }, async (request) => {
      const user = currentUser(request);
      const recording = await recordingOf(request.params.id);
      const all = await quality().evaluations({ recordingId: recording.id });
      if (seesEverything(user)) return all.map(evaluationView);
      // Another agent's recording is "not found", as the recordings' own routes answer.
      if (user.agent === undefined || !(await recordings().repo.agentWasOn(recording.id, user.agent))) {
        throw new TenorError('TENOR_ERR_RECORDING_NOT_FOUND', [`recording '${recording.id}'`]);
      }
      return all.filter((e) => e.agent === user.agent).map(evaluationView);
    });

    app.get('/api/quality/evaluations', {
      onRequest: anyone,
      schema: {
        summary: 'Evaluations, newest call first (an agent: their own only)', tags, security, querystring: EvaluationsQuery,
        response: {
          200: Type.Object({
            items: Type.Array(EvaluationView),
            canListen: Type.Boolean({ description: 'whether this user may play the recordings (agents: recording.agentsMayListen)' }),
          }),
          ...errors,
        },
      },
    }, async (request) => {
      const q = request.query;
      const agent = ownAgent(request, q.agent);
      const items = await quality().evaluations({
        ...(agent !== undefined ? { agent } : {}), ...(q.queue !== undefined ? { queue: q.queue } : {}),
        ...(q.from !== undefined ? { from: Date.parse(q.from) } : {}), ...(q.to !== undefined ? { to: Date.parse(q.to) } : {}),
        limit: q.limit ?? 100,
      });
      return { items: items.map(evaluationView), canListen: seesEverything(currentUser(request)) || recordings().agentsMayListen };
    });

    app.delete('/api/quality/evaluations/:id', {
      onRequest: admins,
      schema: { summary: 'Remove an evaluation', tags, security, params: Type.Object({ id: EvaluationId }), response: { 204: Type.Null(), ...errors } },
    }, async (request, reply) => {
      if (!(await quality().removeEvaluation(request.params.id))) throw new TenorError('TENOR_ERR_NOT_FOUND', [`evaluation '${request.params.id}'`]);
      return reply.status(204).send(null);
    });

    app.get('/api/reports/quality', {
      onRequest: anyone,
      schema: {
        summary: 'Quality per interval: evaluations and average score per agent and queue (an agent: their own)', tags: ['reports'], security, querystring: ReportQuery,
        response: { 200: Type.Unknown({ description: '{ report, period, interval, filters, rows: [{ start, end, agent, queue, evaluations, averageScore }], byAgent, byQueue, total } — see docs/reports.md' }), ...errors },
      },
    }, async (request, reply) => {
      const { format, ...query } = request.query;
      const agent = ownAgent(request, query.agent === '' ? undefined : query.agent);
      const report = await quality().report({ ...query, ...(agent !== undefined ? { agent } : {}) });
      const csv = format === 'csv' || (format === undefined && /\btext\/csv\b/i.test(request.headers.accept ?? '') && !/\bapplication\/json\b/i.test(request.headers.accept ?? ''));
      if (!csv) return reply.type('application/json; charset=utf-8').send(report);
      return reply.type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="tenor-quality-${report.period.from.slice(0, 10)}-${report.interval}.csv"`)
        .send(qualityCsv(report));
    });
  };
}
