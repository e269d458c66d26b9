// The wallboard as a Tenor service (`wallboard`): it samples the ACD's waiting
// callers every 10 s into an hour-long history and serves GET /api/wallboard.

import { isTenorError } from '../../core/errors.js';
import { defineService } from '../../core/service-manager.js';
import '../acd/index.js';
import '../reports/index.js';
import { WaitingHistory } from './history.js';
import { Wallboard } from './wallboard.js';
import { wallboardRoutes } from './routes.js';

declare module '../../core/service-manager.js' {
  interface ServiceMap {
    wallboard: Wallboard;
  }
}

export interface WallboardOptions {
  /** Between two samples of the waiting callers (default 10 s). */
  sampleSeconds?: number;
}

export function wallboardService(opts: WallboardOptions = {}) {
  const sampleSeconds = opts.sampleSeconds ?? 10;
  let sampler: NodeJS.Timeout | undefined;
  return defineService<Wallboard>({
    name: 'wallboard',
    version: '1.0.0',
    description: 'Wallboard: waiting callers over the last hour, queue thresholds, today\'s service level (GET /api/wallboard)',
    dependsOn: ['acd'],
    routes: { plugin: ({ services }) => wallboardRoutes({ services }) },
    start(ctx) {
      const acd = ctx.get('acd');
      const history = new WaitingHistory({ spanMs: 3_600_000, sampleMs: sampleSeconds * 1000 });
      const sample = () => history.record(Date.now(), new Map(acd.queues().map((q) => [q.name, acd.figures(q.name)?.waiting ?? 0])));
      sample();
      sampler = setInterval(sample, sampleSeconds * 1000);
      sampler.unref();
      const reports = () => {
        try {
          return ctx.get('reports');
        } catch (err) {
          if (isTenorError(err, 'TENOR_ERR_SERVICE_NOT_FOUND')) return undefined;
          throw err;
        }
      };
      return new Wallboard({
        queues: () => acd.queues().map((q) => q.name),
        // Read on each request: a queue saved in the admin console brings its thresholds along.
        thresholds: (queue) => acd.queue(queue)?.thresholds ?? {},
        async today(queue) {
          const r = reports();
          if (!r) return null;
          const { total } = await r.inbound({ period: 'today', interval: 'day', queue });
          return { offered: total.offered, answered: total.answered, abandoned: total.abandoned, serviceLevelPercent: total.serviceLevelPercent };
        },
        history, sampleSeconds, log: ctx.logger,
      });
    },
    stop: () => clearInterval(sampler),
  });
}
