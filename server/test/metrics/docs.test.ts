// The operating doc and the sample Grafana dashboard stay true: every metric
// the server publishes is described in docs/metrics.md, and every metric the
// dashboard queries is one the server publishes.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { ADMIN_AUTH, startTestApp } from '../helpers.js';
import { parseExposition } from './exposition.js';

const docs = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../docs');

t.test('docs/metrics.md lists every metric; the Grafana dashboard queries only published ones', async (t) => {
  const { app } = await startTestApp(t);
  const res = await app.inject({ method: 'GET', url: '/metrics', headers: ADMIN_AUTH });
  t.equal(res.statusCode, 200);
  const published = [...parseExposition(res.body).families.keys()];
  t.ok(published.length >= 15, `${published.length} metrics published`);

  const operating = readFileSync(path.join(docs, 'metrics.md'), 'utf8');
  for (const name of published) t.ok(operating.includes(`| \`${name}\` |`), `${name} has a row in docs/metrics.md`);

  const dashboard = JSON.parse(readFileSync(path.join(docs, 'grafana/tenor-dashboard.json'), 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] };
  const queried = new Set(dashboard.panels.flatMap((p) => p.targets.flatMap((q) => q.expr.match(/\b(?:tenor|process|nodejs)_[a-z_]+/g) ?? [])));
  t.ok(queried.size >= 12, `${queried.size} metrics queried by the dashboard`);
  for (const name of queried) {
    const family = name.replace(/_(bucket|sum|count)$/, '');
    t.ok(published.includes(family), `the dashboard's ${name} is published`);
  }
});
