// Quality scorecards end to end in process: the site file's scorecards and
// their validation, the admin API (admins write, supervisors read, agents
// neither), evaluations scored with weights and n/a, a scorecard edited after
// an evaluation leaving its score alone, who reads which evaluations, erasure
// dropping the comment, and bad input.

import t from 'tap';
import { ADMIN, ANN, BOB, STANDARD_SCORECARD, SUE, configOf, siteFile, startQualityApp } from './harness.js';
import { checkAnswers, scoreOf } from '../../src/services/quality/scoring.js';
import type { Criterion } from '../../src/services/quality/config-schema.js';

t.test('the score: weighted, n/a out of both sides, one decimal, none when all is n/a', async (t) => {
  const criteria: Criterion[] = [
    { id: 'a', label: 'A', weight: 1, kind: 'yes-no', allowNa: true },
    { id: 'b', label: 'B', weight: 2, kind: 'scale', max: 3, allowNa: true },
  ];
  t.equal(scoreOf(criteria, checkAnswers(criteria, { a: 'yes', b: 3 })), 100);
  t.equal(scoreOf(criteria, checkAnswers(criteria, { a: 'no', b: 0 })), 0, 'zero is a score');
  t.equal(scoreOf(criteria, checkAnswers(criteria, { a: 'no', b: 1 })), 22.2, '(0 + 2×1/3) / 3, rounded to one decimal');
  t.equal(scoreOf(criteria, checkAnswers(criteria, { a: 'n/a', b: 2 })), 66.7, 'only b counts');
  t.equal(scoreOf(criteria, checkAnswers(criteria, { a: 'n/a', b: 'n/a' })), null, 'all n/a: no score, not 0');
});

t.test('the site file: scorecards are checked, each problem named by its path', async (t) => {
  const bad = (yaml: string) => {
    try {
      configOf(t, siteFile(yaml));
      return 'accepted';
    } catch (err) {
      return (err as Error).message;
    }
  };
  t.match(bad(`
quality:
  scorecards:
    - name: standard
      title: Standard
      criteria:
        - { id: greeting, label: Greeting, weight: 10, kind: yes-no }
        - { id: greeting, label: Greeting again, weight: 10, kind: yes-no }
`), /quality\.scorecards\.0\.criteria\.1\.id.*declared twice/, 'a criterion id twice');
  t.match(bad(`
quality:
  scorecards:
    - name: standard
      title: Standard
      criteria:
        - { id: greeting, label: Greeting, weight: 0, kind: yes-no }
`), /tenor\.yaml:\d+:\d+: \/quality\/scorecards\/0\/criteria\/0\/weight/, 'a weight of 0 (the schema names the line too)');
  t.match(bad(`
quality:
  scorecards:
    - name: standard
      title: Standard
      criteria:
        - { id: resolution, label: Resolved, weight: 10, kind: scale }
`), /quality\.scorecards\.0\.criteria\.0\.max.*needs max/, 'a scale without max');
  t.match(bad(`
quality:
  scorecards:
    - { name: standard, title: One, criteria: [{ id: a, label: A, weight: 1, kind: yes-no }] }
    - { name: standard, title: Two, criteria: [{ id: a, label: A, weight: 1, kind: yes-no }] }
`), /quality\.scorecards\.1\.name.*declared twice/, 'a scorecard name twice');
  t.match(bad(`
quality:
  scorecards:
    - { name: "bad name", title: One, criteria: [{ id: a, label: A, weight: 1, kind: yes-no }] }
`), /\/quality\/scorecards\/0\/name/, 'a name with a space');
  t.equal(bad(STANDARD_SCORECARD), 'accepted', 'the standard scorecard is fine');
});

t.test('scorecards: the file declares them, admins edit them, supervisors read them, agents neither', async (t) => {
  const h = await startQualityApp(t, siteFile(STANDARD_SCORECARD));
  const list = await h.as(SUE).get('/api/quality/scorecards');
  t.equal(list.statusCode, 200);
  t.match(list.json(), [{ name: 'standard', title: 'Standard call review', queues: ['sales', 'support'], version: 1, origin: 'config' }]);
  t.same(list.json()[0].criteria.map((c: { id: string; weight: number }) => [c.id, c.weight]), [['greeting', 10], ['resolution', 30], ['upsell', 20]]);
  t.equal((await h.as(ANN).get('/api/quality/scorecards')).statusCode, 403, 'an agent does not read scorecards');

  const brief = { title: 'Brief review', criteria: [{ id: 'polite', label: 'Was polite', weight: 1, kind: 'yes-no' }] };
  t.equal((await h.as(SUE).put('/api/quality/scorecards/brief', brief)).statusCode, 403, 'a supervisor cannot edit scorecards');
  t.equal((await h.as(ANN).put('/api/quality/scorecards/brief', brief)).statusCode, 403, 'nor can an agent');
  t.equal((await h.as(SUE).delete('/api/quality/scorecards/standard')).statusCode, 403, 'nor delete one');
  const created = await h.as(ADMIN).put('/api/quality/scorecards/brief', brief);
  t.equal(created.statusCode, 200);
  t.match(created.json(), { name: 'brief', version: 1, origin: 'api' });
  t.equal((await h.as(ADMIN).put('/api/quality/scorecards/brief', brief)).json().version, 1, 'saving it unchanged keeps the version');
  t.equal((await h.as(SUE).get('/api/quality/scorecards/brief')).json().title, 'Brief review');

  const dup = await h.as(ADMIN).put('/api/quality/scorecards/brief', { ...brief, criteria: [...brief.criteria, ...brief.criteria] });
  t.same([dup.statusCode, dup.json().error.code], [400, 'TENOR_ERR_VALIDATION']);
  t.match(dup.json().error.message, /body\.criteria\.1\.id.*declared twice/);
  t.equal((await h.as(ADMIN).put('/api/quality/scorecards/brief', { ...brief, criteria: [{ ...brief.criteria[0], weight: -3 }] })).statusCode, 400, 'a negative weight');
  t.equal((await h.as(ADMIN).put('/api/quality/scorecards/brief', { ...brief, criteria: [] })).statusCode, 400, 'no criteria');
  t.equal((await h.as(ADMIN).put('/api/quality/scorecards/brief', { ...brief, criteria: [{ ...brief.criteria[0], kind: 'stars' }] })).statusCode, 400, 'an unknown kind');
  t.equal((await h.as(ADMIN).put('/api/quality/scorecards/..%2Fx', brief)).statusCode, 400, 'a name that is not a name');

  t.equal((await h.as(ADMIN).delete('/api/quality/scorecards/brief')).statusCode, 204);
  t.equal((await h.as(SUE).get('/api/quality/scorecards/brief')).statusCode, 404);
  t.equal((await h.as(ADMIN).delete('/api/quality/scorecards/brief')).statusCode, 404, 'gone');
});

t.test('evaluations: weighted scores with n/a left out; edits to the scorecard leave past scores alone; who reads what', async (t) => {
  const h = await startQualityApp(t, siteFile(STANDARD_SCORECARD));
  const annCall = await h.seedRecording('ann', 'sales', '2026-03-02T10:00:00.000Z');
  const bobCall = await h.seedRecording('bob', 'support', '2026-03-02T11:00:00.000Z');
  const url = `/api/recordings/${annCall}/evaluations`;

  const first = await h.as(SUE).post(url, { scorecard: 'standard', answers: { greeting: 'yes', resolution: 4, upsell: 'n/a' }, comment: 'Good call, see 01:20' });
  t.equal(first.statusCode, 201);
  t.match(first.json(), {
    recordingId: annCall, agent: 'ann', queue: 'sales', scorecard: 'standard', scorecardVersion: 1, scorecardTitle: 'Standard call review',
    score: 85, comment: 'Good call, see 01:20', evaluator: 'sue', callStartedAt: '2026-03-02T10:00:00.000Z',
  }, '(10×1 + 30×4/5) / (10 + 30) = 85%: upsell n/a is out of both sides');
  const second = await h.as(ADMIN).post(url, { scorecard: 'standard', answers: { greeting: 'no', resolution: 5, upsell: 'yes' } });
  t.same([second.statusCode, second.json().score, second.json().comment], [201, 83.3, null], '(0 + 30 + 20) / 60 = 83.3%');
  const bobs = await h.as(SUE).post(`/api/recordings/${bobCall}/evaluations`, { scorecard: 'standard', answers: { greeting: 'yes', resolution: 0, upsell: 'no' } });
  t.equal(bobs.json().score, 16.7, '10 / 60');

  // The scorecard changes: resolution weighs more and greeting goes.
  const edited = await h.as(ADMIN).put('/api/quality/scorecards/standard', {
    title: 'Standard call review', queues: ['sales', 'support'],
    criteria: [{ id: 'resolution', label: 'Resolved the issue', weight: 90, kind: 'scale', max: 5 }, { id: 'upsell', label: 'Offered the upgrade', weight: 10, kind: 'yes-no', allowNa: true }],
  });
  t.same([edited.statusCode, edited.json().version], [200, 2], 'a changed scorecard is a new version');
  const past = (await h.as(SUE).get(url)).json();
  t.same(past.map((e: { score: number; scorecardVersion: number }) => [e.score, e.scorecardVersion]).sort(), [[83.3, 1], [85, 1]], 'past scores and their criteria are as they were');
  t.same(past.find((e: { score: number }) => e.score === 85).criteria.map((c: { id: string }) => c.id), ['greeting', 'resolution', 'upsell'], 'the criteria scored against are kept');
  const third = await h.as(SUE).post(url, { scorecard: 'standard', answers: { resolution: 5, upsell: 'n/a' } });
  t.same([third.statusCode, third.json().score, third.json().scorecardVersion], [201, 100, 2], 'a new evaluation uses the new version');

  // Who reads what.
  t.equal((await h.as(ANN).get(url)).json().length, 3, 'ann reads the evaluations of her call');
  const bobReads = await h.as(BOB).get(url);
  t.same([bobReads.statusCode, bobReads.json().error.code], [404, 'TENOR_ERR_RECORDING_NOT_FOUND'], "bob cannot read ann's (her recording is not his to know)");
  t.equal((await h.as(ANN).post(url, { scorecard: 'standard', answers: { resolution: 5, upsell: 'yes' } })).statusCode, 403, 'an agent cannot evaluate');
  const annsOwn = await h.as(ANN).get('/api/quality/evaluations');
  t.same([annsOwn.statusCode, annsOwn.json().items.length, annsOwn.json().canListen], [200, 3, false], 'ann lists her own three; this site does not let agents listen');
  t.ok(annsOwn.json().items.every((e: { agent: string }) => e.agent === 'ann'));
  t.equal((await h.as(ANN).get('/api/quality/evaluations?agent=bob')).statusCode, 403, "another agent's evaluations: 403");
  t.equal((await h.as(ANN).get('/api/quality/evaluations?agent=ann')).json().items.length, 3);
  const sues = (await h.as(SUE).get('/api/quality/evaluations?agent=bob')).json();
  t.same([sues.items.length, sues.items[0].score, sues.canListen], [1, 16.7, true], 'a supervisor lists any agent');
  t.equal((await h.as(SUE).get('/api/quality/evaluations?from=2026-03-02T10:30:00Z&to=2026-03-03T00:00:00Z')).json().items.length, 1, 'from/to on the call time');

  // Only admins delete.
  const victim = first.json().id as string;
  t.equal((await h.as(SUE).delete(`/api/quality/evaluations/${victim}`)).statusCode, 403);
  t.equal((await h.as(ANN).delete(`/api/quality/evaluations/${victim}`)).statusCode, 403);
  t.equal((await h.as(ADMIN).delete(`/api/quality/evaluations/${victim}`)).statusCode, 204);
  t.equal((await h.as(ADMIN).delete(`/api/quality/evaluations/${victim}`)).statusCode, 404);
  t.equal((await h.as(SUE).get(url)).json().length, 2);
});

t.test('bad input: unknown recordings and scorecards, answers out of range or missing, n/a where not allowed', async (t) => {
  const h = await startQualityApp(t, siteFile(`${STANDARD_SCORECARD}
    - name: sales-only
      title: Sales
      queues: [sales]
      criteria: [{ id: closed, label: Closed the sale, weight: 1, kind: yes-no }]
`));
  const rec = await h.seedRecording('ann', 'support', '2026-03-02T10:00:00.000Z');
  const url = `/api/recordings/${rec}/evaluations`;
  const ok = { greeting: 'yes', resolution: 3, upsell: 'no' };
  const refused = async (body: object, code = 'TENOR_ERR_VALIDATION', status = 400, at = url) => {
    const res = await h.as(SUE).post(at, body);
    return [res.statusCode, res.json().error?.code, res.json().error?.message as string];
  };
  t.same((await refused({ scorecard: 'standard', answers: ok }, '', 0, '/api/recordings/nope/evaluations')).slice(0, 2), [404, 'TENOR_ERR_RECORDING_NOT_FOUND'], 'no such recording');
  t.same((await refused({ scorecard: 'standard', answers: ok }, '', 0, '/api/recordings/..%2F..%2Fetc/evaluations')).slice(0, 2), [400, 'TENOR_ERR_VALIDATION'], 'a recording id that is no id');
  t.match(await refused({ scorecard: 'nope', answers: ok }), [400, 'TENOR_ERR_VALIDATION', /no scorecard 'nope'/]);
  t.match(await refused({ scorecard: 'sales-only', answers: { closed: 'yes' } }), [400, 'TENOR_ERR_VALIDATION', /applies to queues sales, not to this recording's \(support\)/]);
  t.match(await refused({ scorecard: 'standard', answers: { ...ok, resolution: 6 } }), [400, 'TENOR_ERR_VALIDATION', /answers\.resolution: answer a whole number from 0 to 5/]);
  t.match(await refused({ scorecard: 'standard', answers: { ...ok, resolution: -1 } }), [400, 'TENOR_ERR_VALIDATION'], 'below 0');
  t.match(await refused({ scorecard: 'standard', answers: { ...ok, resolution: 2.5 } }), [400, 'TENOR_ERR_VALIDATION'], 'not whole');
  t.match(await refused({ scorecard: 'standard', answers: { ...ok, greeting: 3 } }), [400, 'TENOR_ERR_VALIDATION', /answers\.greeting: answer yes or no/]);
  t.match(await refused({ scorecard: 'standard', answers: { ...ok, greeting: 'n/a' } }), [400, 'TENOR_ERR_VALIDATION', /does not allow n\/a/]);
  t.match(await refused({ scorecard: 'standard', answers: { greeting: 'yes', resolution: 3 } }), [400, 'TENOR_ERR_VALIDATION', /answers\.upsell: every criterion needs an answer/]);
  t.match(await refused({ scorecard: 'standard', answers: { ...ok, extra: 'yes' } }), [400, 'TENOR_ERR_VALIDATION', /answers\.extra: the scorecard has no such criterion/]);
  t.match(await refused({ scorecard: 'standard', answers: { ...ok, greeting: 'maybe' } }), [400, 'TENOR_ERR_VALIDATION']);
  t.match(await refused({ scorecard: 'standard', answers: ok, comment: 'x'.repeat(4001) }), [400, 'TENOR_ERR_VALIDATION'], 'a comment too long');
  t.match(await refused({ scorecard: 'standard', answers: ok, agent: 'bob' }), [400, 'TENOR_ERR_VALIDATION'], 'no other fields (the agent is the recording’s)');
  const live = 'live-recording';
  await h.services.get('recordings').repo.insert({ id: live, callId: 'call-live@test', queue: 'support', campaign: null, agent: 'ann', customerId: null, startedAt: '2026-03-02T12:00:00.000Z', state: 'recording' });
  t.match(await refused({ scorecard: 'standard', answers: ok }, '', 0, `/api/recordings/${live}/evaluations`), [409, 'TENOR_ERR_RECORDING_STATE', /evaluate the recording: it is recording/], 'a recording still in progress is not evaluated');
  t.equal((await h.as(SUE).get(url)).json().length, 0, 'nothing was stored');
  t.equal((await h.as(SUE).get('/api/quality/evaluations?from=yesterday')).statusCode, 400, 'a bad date');
});

t.test("erasing a customer keeps their calls' evaluations and scores, without the comment", async (t) => {
  const h = await startQualityApp(t, siteFile(STANDARD_SCORECARD));
  const customer = await h.as(ADMIN).post('/api/customers', { name: 'Carla Klant', phones: ['+31205550001'] });
  t.equal(customer.statusCode, 201, 'a customer');
  const customerId = String(customer.json().id);
  const rec = await h.seedRecording('ann', 'sales', '2026-03-02T10:00:00.000Z', customerId);
  await h.as(SUE).post(`/api/recordings/${rec}/evaluations`, { scorecard: 'standard', answers: { greeting: 'yes', resolution: 5, upsell: 'yes' }, comment: 'Carla said her card ends 4242' });
  const erased = await h.as(ADMIN).post(`/api/customers/${customerId}/erase`, { reason: 'access request 17' });
  t.equal(erased.statusCode, 200, 'erased');
  const after = (await h.as(SUE).get(`/api/recordings/${rec}/evaluations`)).json();
  t.same(after.map((e: { score: number; comment: string | null; agent: string }) => [e.score, e.comment, e.agent]), [[100, null, 'ann']]);
});
