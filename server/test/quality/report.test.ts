// The quality report: evaluations seeded across two agents, two queues and two
// days, counted in the interval of the call they are about; averages and counts
// per interval, per agent, per queue and in total; the CSV; an agent only sees
// their own figures.

import t from 'tap';
import { ADMIN, ANN, STANDARD_SCORECARD, SUE, siteFile, startQualityApp } from './harness.js';

t.test('averages and counts per agent and queue per day, totals, CSV, and an agent sees only their own', async (t) => {
  const h = await startQualityApp(t, siteFile(`reports:\n  timeZone: UTC\n${STANDARD_SCORECARD}`));
  const evaluate = async (agent: string, queue: string, at: string, resolution: number) => {
    const rec = await h.seedRecording(agent, queue, at);
    const res = await h.as(SUE).post(`/api/recordings/${rec}/evaluations`, { scorecard: 'standard', answers: { greeting: 'yes', resolution, upsell: 'n/a' } });
    if (res.statusCode !== 201) throw new Error(res.body);
    return res.json().score as number;
  };
  // Day 1: ann in sales 100 and 70 (resolution 5 and 3: (10 + 18) / 40), bob in support 25 (resolution 0).
  t.same([await evaluate('ann', 'sales', '2026-03-02T09:00:00Z', 5), await evaluate('ann', 'sales', '2026-03-02T15:00:00Z', 3), await evaluate('bob', 'support', '2026-03-02T10:00:00Z', 0)], [100, 70, 25]);
  // Day 2: ann in support 85, bob in sales 55.
  t.same([await evaluate('ann', 'support', '2026-03-03T09:00:00Z', 4), await evaluate('bob', 'sales', '2026-03-03T12:00:00Z', 2)], [85, 55]);
  // Outside the period: not counted.
  await evaluate('ann', 'sales', '2026-03-04T09:00:00Z', 0);

  const query = 'from=2026-03-02T00:00:00Z&to=2026-03-04T00:00:00Z&interval=day';
  const res = await h.as(SUE).get(`/api/reports/quality?${query}`);
  t.equal(res.statusCode, 200);
  const report = res.json();
  t.match(report, { report: 'quality', interval: 'day', period: { from: '2026-03-02T00:00:00Z', to: '2026-03-04T00:00:00Z', timeZone: 'UTC' } });
  t.same(report.rows.map((r: { start: string; agent: string; queue: string; evaluations: number; averageScore: number }) => [r.start.slice(0, 10), r.agent, r.queue, r.evaluations, r.averageScore]), [
    ['2026-03-02', 'ann', 'sales', 2, 85],
    ['2026-03-02', 'bob', 'support', 1, 25],
    ['2026-03-03', 'ann', 'support', 1, 85],
    ['2026-03-03', 'bob', 'sales', 1, 55],
  ], 'per day, agent and queue: the call day counts');
  t.same(report.byAgent, [{ agent: 'ann', evaluations: 3, averageScore: 85 }, { agent: 'bob', evaluations: 2, averageScore: 40 }]);
  t.same(report.byQueue, [{ queue: 'sales', evaluations: 3, averageScore: 75 }, { queue: 'support', evaluations: 2, averageScore: 55 }]);
  t.same(report.total, { evaluations: 5, averageScore: 67 });

  const sales = (await h.as(ADMIN).get(`/api/reports/quality?${query}&queue=sales`)).json();
  t.same([sales.filters, sales.total], [{ queue: 'sales', agent: null }, { evaluations: 3, averageScore: 75 }], 'filtered by queue');

  const csv = await h.as(SUE).get(`/api/reports/quality?${query}&format=csv`);
  t.equal(csv.headers['content-type'], 'text/csv; charset=utf-8');
  t.equal(csv.headers['content-disposition'], 'attachment; filename="tenor-quality-2026-03-02-day.csv"');
  t.same(csv.body.trimEnd().split('\r\n'), [
    'row,start,end,agent,queue,evaluations,averageScore',
    'bucket,2026-03-02T00:00:00Z,2026-03-03T00:00:00Z,ann,sales,2,85',
    'bucket,2026-03-02T00:00:00Z,2026-03-03T00:00:00Z,bob,support,1,25',
    'bucket,2026-03-03T00:00:00Z,2026-03-04T00:00:00Z,ann,support,1,85',
    'bucket,2026-03-03T00:00:00Z,2026-03-04T00:00:00Z,bob,sales,1,55',
    'agent-total,2026-03-02T00:00:00Z,2026-03-04T00:00:00Z,ann,,3,85',
    'agent-total,2026-03-02T00:00:00Z,2026-03-04T00:00:00Z,bob,,2,40',
    'queue-total,2026-03-02T00:00:00Z,2026-03-04T00:00:00Z,,sales,3,75',
    'queue-total,2026-03-02T00:00:00Z,2026-03-04T00:00:00Z,,support,2,55',
    'total,2026-03-02T00:00:00Z,2026-03-04T00:00:00Z,,,5,67',
  ]);
  t.equal((await h.as(SUE).get(`/api/reports/quality?${query}`, { accept: 'text/csv' })).headers['content-type'], 'text/csv; charset=utf-8', 'Accept: text/csv');

  const anns = await h.as(ANN).get(`/api/reports/quality?${query}`);
  t.same([anns.statusCode, anns.json().filters.agent, anns.json().total], [200, 'ann', { evaluations: 3, averageScore: 85 }], 'an agent gets their own figures');
  t.equal((await h.as(ANN).get(`/api/reports/quality?${query}&agent=bob`)).statusCode, 403, "another agent's: 403");
  t.equal((await h.as(SUE).get('/api/reports/quality?from=2026-03-02&to=2026-03-04T00:00:00Z')).statusCode, 400, 'a date without a time');
  t.equal((await h.as(SUE).get('/api/reports/quality?interval=fortnight')).statusCode, 400, 'an unknown interval');
  const empty = (await h.as(SUE).get('/api/reports/quality?period=today')).json();
  t.same([empty.rows, empty.total], [[], { evaluations: 0, averageScore: null }], 'nothing evaluated: no average, not 0');
});
