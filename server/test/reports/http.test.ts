// The reports over HTTP in the whole app (every built-in service, a real
// SQLite file): JSON and CSV, who may read what, and errors naming the field.

import t from 'tap';
import { ADMIN_AUTH, startTestApp } from '../helpers.js';
import { writeHour } from './fixtures.js';

const basic = (user: string, password: string) => ({ authorization: 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64') });
const SUE = basic('sue', 'pw-sue-12345');
const ANN = basic('ann', 'pw-ann-12345');

const hour = 'from=2026-01-05T09:00:00%2B01:00&to=2026-01-05T10:00:00%2B01:00&interval=30m&tz=Europe/Amsterdam';

t.test('reports over HTTP: JSON, CSV, roles', async (t) => {
  const { app, services } = await startTestApp(t);
  await writeHour(services.get('store'));
  const users = services.get('users');
  await users.create({ username: 'sue', password: 'pw-sue-12345', role: 'supervisor' });
  await users.create({ username: 'ann', password: 'pw-ann-12345', role: 'agent' });

  const inbound = await app.inject({ method: 'GET', url: `/api/reports/inbound?${hour}&queue=sales`, headers: SUE });
  t.equal(inbound.statusCode, 200);
  t.match(inbound.headers['content-type'], /^application\/json/);
  const body = inbound.json<{ period: unknown; rows: { start: string; offered: number }[]; total: Record<string, unknown> }>();
  t.same(body.period, { from: '2026-01-05T09:00:00+01:00', to: '2026-01-05T10:00:00+01:00', timeZone: 'Europe/Amsterdam', preset: null });
  t.same(body.rows.map((r) => [r.start, r.offered]), [['2026-01-05T09:00:00+01:00', 4], ['2026-01-05T09:30:00+01:00', 2]]);
  t.match(body.total, { offered: 6, answered: 4, serviceLevelPercent: 40, avgSpeedOfAnswerSeconds: 21.25, avgWaitSeconds: 24.67, p90WaitSeconds: 60 });

  const csv = await app.inject({ method: 'GET', url: `/api/reports/inbound?${hour}&queue=sales&format=csv`, headers: SUE });
  t.equal(csv.statusCode, 200);
  t.match(csv.headers['content-type'], /^text\/csv/);
  t.match(csv.headers['content-disposition'], /attachment; filename="tenor-inbound-2026-01-05-30m.csv"/);
  const lines = csv.body.split('\r\n');
  t.match(lines[0], /^row,start,end,offered,answered,abandoned,shortAbandoned,/);
  t.equal(lines[3], 'total,2026-01-05T09:00:00+01:00,2026-01-05T10:00:00+01:00,6,4,1,1,2,40,21.25,24.67,60,1,120,3.75,15,0,0,0');

  const byAccept = await app.inject({ method: 'GET', url: `/api/reports/callbacks?${hour}`, headers: { ...SUE, accept: 'text/csv' } });
  t.match(byAccept.headers['content-type'], /^text\/csv/, 'Accept: text/csv gives CSV');
  t.match(byAccept.body, /^row,start,end,requested,attempted,attempts,connected,failed,pending\r\n/);

  const vm = await app.inject({ method: 'GET', url: `/api/reports/voicemail?${hour}`, headers: ADMIN_AUTH });
  t.equal(vm.statusCode, 200, 'admins read reports too');

  // Roles.
  t.equal((await app.inject({ method: 'GET', url: `/api/reports/inbound?${hour}` })).statusCode, 401, 'no credentials');
  for (const report of ['inbound', 'voicemail', 'callbacks']) {
    t.equal((await app.inject({ method: 'GET', url: `/api/reports/${report}?${hour}`, headers: ANN })).statusCode, 403, `an agent may not read the ${report} report`);
  }
  const own = await app.inject({ method: 'GET', url: `/api/reports/agents?${hour}`, headers: ANN });
  t.equal(own.statusCode, 200);
  const ownBody = own.json<{ rows: { agent: string }[]; filters: { agent: string } }>();
  t.same([...new Set(ownBody.rows.map((r) => r.agent))], ['ann'], "an agent gets its own rows only, not bob's");
  t.equal(ownBody.filters.agent, 'ann');
  t.equal((await app.inject({ method: 'GET', url: `/api/reports/agents?${hour}&agent=bob`, headers: ANN })).statusCode, 403, "an agent may not ask for another agent's report");
  const all = await app.inject({ method: 'GET', url: `/api/reports/agents?${hour}`, headers: SUE });
  t.same([...new Set(all.json<{ rows: { agent: string }[] }>().rows.map((r) => r.agent))], ['ann', 'bob'], 'a supervisor sees every agent');

  // Errors name the field.
  const badTz = await app.inject({ method: 'GET', url: `/api/reports/inbound?period=today&tz=Nowhere/City`, headers: SUE });
  t.equal(badTz.statusCode, 400);
  t.match(badTz.json(), { error: { code: 'TENOR_ERR_VALIDATION', message: /tz 'Nowhere\/City' is not a known IANA time zone/ } });
  const badInterval = await app.inject({ method: 'GET', url: `/api/reports/inbound?interval=7m`, headers: SUE });
  t.equal(badInterval.statusCode, 400);
  t.match(badInterval.json(), { error: { code: 'TENOR_ERR_VALIDATION', message: /interval/ } });
  const today = await app.inject({ method: 'GET', url: '/api/reports/inbound', headers: SUE });
  t.match(today.json(), { period: { preset: 'today' }, interval: '60m' }, 'defaults: today, hourly');
});
