// Quality scorecards as a Tenor service: the scorecards (the site file's,
// written again at every start, and the admin API's), evaluations of
// recordings against them, and the quality report. An evaluation is about the
// agent: it names the recording's agent and queue and keeps the criteria it was
// scored against, so later edits to the scorecard never change it.

import { randomUUID } from 'node:crypto';
import type { TenorConfig } from '../../config/schema.js';
import { TenorError } from '../../core/errors.js';
import { defineService } from '../../core/service-manager.js';
import '../store.js';
import type { RecordingRow } from '../recordings/index.js';
import { parseReportRequest, type ReportRequest } from '../reports/index.js';
import { scorecardProblems, type ScorecardDefinition } from './config-schema.js';
import { qualityMigrations } from './migrations.js';
import { qualityReport, type QualityReport } from './report.js';
import { QualityRepository, type Evaluation, type EvaluationFilter, type Scorecard } from './repository.js';
import { qualityRoutes } from './routes.js';
import { checkAnswers, scoreOf } from './scoring.js';

export interface EvaluationInput {
  scorecard: string;
  answers: Record<string, unknown>;
  comment?: string;
  evaluator: string;
}

export interface QualityService {
  scorecards(): Promise<Scorecard[]>;
  scorecard(name: string): Promise<Scorecard | undefined>;
  /** Create or replace (origin 'api'); TENOR_ERR_VALIDATION naming the field on a bad definition. */
  saveScorecard(name: string, definition: ScorecardDefinition): Promise<Scorecard>;
  removeScorecard(name: string): Promise<boolean>;
  /** Score `recording` against a scorecard that applies to its queue; the answers are checked against the criteria. */
  evaluate(recording: RecordingRow, input: EvaluationInput): Promise<Evaluation>;
  evaluations(filter: EvaluationFilter): Promise<Evaluation[]>;
  evaluation(id: string): Promise<Evaluation | undefined>;
  removeEvaluation(id: string): Promise<boolean>;
  report(req: ReportRequest): Promise<QualityReport>;
}

declare module '../../core/service-manager.js' {
  interface ServiceMap {
    quality: QualityService;
  }
}

export interface QualityServiceOptions {
  now?: () => number;
}

export function qualityService(config: Pick<TenorConfig, 'quality' | 'reports'>, opts: QualityServiceOptions = {}) {
  return defineService<QualityService>({
    name: 'quality',
    version: '1.0.0',
    description: 'Quality scorecards: criteria and weights, evaluations of recordings, the quality report',
    dependsOn: ['store', 'recordings'],
    routes: { plugin: qualityRoutes },
    async start(ctx) {
      const now = opts.now ?? Date.now;
      const db = ctx.get('store');
      await db.migrate(qualityMigrations);
      const repo = new QualityRepository(db);
      const fileCards = config.quality.scorecards ?? [];
      const inFile = new Set(fileCards.map((c) => c.name));
      for (const { name, ...definition } of fileCards) await repo.saveScorecard(name, definition, 'config', new Date(now()).toISOString());
      for (const card of await repo.scorecards()) {
        if (card.origin === 'config' && !inFile.has(card.name)) {
          await repo.removeScorecard(card.name);
          ctx.logger.info({ scorecard: card.name }, 'scorecard no longer in the site file: removed (its evaluations keep their criteria)');
        }
      }
      ctx.logger.info({ scorecards: (await repo.scorecards()).length }, 'quality ready');

      return {
        scorecards: () => repo.scorecards(),
        scorecard: (name) => repo.scorecard(name),
        async saveScorecard(name, definition) {
          const problem = scorecardProblems(definition, 'body')[0];
          if (problem) throw new TenorError('TENOR_ERR_VALIDATION', [`${problem.path}: ${problem.message}`]);
          const saved = await repo.saveScorecard(name, definition, 'api', new Date(now()).toISOString());
          ctx.logger.info({ scorecard: name, version: saved.version, criteria: saved.criteria.length }, 'scorecard saved');
          return saved;
        },
        async removeScorecard(name) {
          const removed = await repo.removeScorecard(name);
          if (removed) ctx.logger.info({ scorecard: name }, 'scorecard removed');
          return removed;
        },
        async evaluate(recording, input) {
          const card = await repo.scorecard(input.scorecard);
          if (!card) throw new TenorError('TENOR_ERR_VALIDATION', [`scorecard: no scorecard '${input.scorecard}'`]);
          if (card.queues !== undefined && (recording.queue === null || !card.queues.includes(recording.queue))) {
            throw new TenorError('TENOR_ERR_VALIDATION', [`scorecard: '${card.name}' applies to queues ${card.queues.join(', ')}, not to this recording's (${recording.queue ?? 'none'})`]);
          }
          const answers = checkAnswers(card.criteria, input.answers);
          const comment = input.comment?.trim();
          const evaluation: Evaluation = {
            id: randomUUID(), recordingId: recording.id, callId: recording.callId, agent: recording.agent, queue: recording.queue,
            callStartedAt: Date.parse(recording.startedAt), scorecard: card.name, scorecardVersion: card.version, scorecardTitle: card.title,
            criteria: card.criteria, answers, score: scoreOf(card.criteria, answers),
            comment: comment === undefined || comment === '' ? null : comment, evaluator: input.evaluator, evaluatedAt: new Date(now()).toISOString(),
          };
          await repo.insertEvaluation(evaluation);
          ctx.logger.info({ evaluation: evaluation.id, recording: recording.id, callId: recording.callId, agent: recording.agent, scorecard: card.name, score: evaluation.score, by: input.evaluator }, 'recording evaluated');
          return evaluation;
        },
        evaluations: (filter) => repo.evaluations(filter),
        evaluation: (id) => repo.evaluation(id),
        async removeEvaluation(id) {
          const removed = await repo.removeEvaluation(id);
          if (removed) ctx.logger.info({ evaluation: id }, 'evaluation removed');
          return removed;
        },
        async report(req) {
          const q = parseReportRequest(req, config.reports, now());
          const evaluations = await repo.evaluations({
            from: q.span.start, to: q.span.end, ...(q.queue !== undefined ? { queue: q.queue } : {}), ...(q.agent !== undefined ? { agent: q.agent } : {}),
          });
          return qualityReport(q, evaluations);
        },
      };
    },
  });
}
