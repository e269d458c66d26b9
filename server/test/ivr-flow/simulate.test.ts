// The simulator on valid flows: given a caller, a time, digits and stubbed
// answers, the path taken, the prompts heard and where the call ends.

import t from 'tap';
import { simulateFlow } from '../../src/services/ivr/flow/index.js';
import { isTenorError } from '../../src/core/errors.js';
import { compileFile, compileText, route } from './helpers.js';

const CALLER = '+5511987654321';

t.test('two-level menu: 2 then 1 reaches the support queue with the English skill', async (t) => {
  const flow = compileFile('two-level.yaml');
  const r = await simulateFlow(flow, { caller: CALLER, digits: ['2', '1'] });
  t.same(r.outcome, { type: 'queue', queue: 'support', skills: { english: 5 } });
  t.same(route(r.path), ['main:2', 'support-menu:1', 'support-english']);
  t.same(r.prompts.map((p) => p.prompt), ['main-menu', 'agents-busy']);
});

t.test('two-level menu: * goes back to the main menu, then 1 is sales with its priority', async (t) => {
  const r = await simulateFlow(compileFile('two-level.yaml'), { caller: CALLER, digits: ['2', '*', '1'] });
  t.same(r.outcome, { type: 'queue', queue: 'sales', priority: 5 });
  t.same(route(r.path), ['main:2', 'support-menu:*', 'main:1', 'sales']);
});

t.test('an invalid digit re-prompts with the invalid-option prompt; a second one falls back', async (t) => {
  const flow = compileFile('two-level.yaml');
  const retried = await simulateFlow(flow, { caller: CALLER, digits: ['9', '1'] });
  t.same(route(retried.path), ['main:invalid', 'main:1', 'sales'], 'one retry, then a valid choice');
  t.same(retried.prompts.map((p) => p.prompt), ['main-menu', 'invalid-option', 'main-menu']);
  t.equal(retried.path[0]?.input, '9', 'the wrong digit is on the path');

  const fellBack = await simulateFlow(flow, { caller: CALLER, digits: ['9', '7'] });
  t.same(route(fellBack.path), ['main:invalid', 'main:invalid', 'operator']);
  t.same(fellBack.outcome, { type: 'voicemail', box: 'general' });
  t.same(fellBack.prompts.map((p) => p.prompt), ['main-menu', 'invalid-option', 'main-menu', 'leave-message']);
});

t.test('no input times out to its own branch, separate from the invalid fallback', async (t) => {
  const r = await simulateFlow(compileFile('two-level.yaml'), { caller: CALLER, digits: ['timeout', ''] });
  t.same(route(r.path), ['main:no-input', 'main:no-input', 'goodbye']);
  t.same(r.outcome, { type: 'hangup' });
  t.same(r.prompts.map((p) => p.prompt), ['main-menu', 'main-menu', 'goodbye']);
});

t.test('mixed misses: a wrong digit then silence uses the no-input branch once retries are spent', async (t) => {
  const r = await simulateFlow(compileFile('two-level.yaml'), { caller: CALLER, digits: ['8', 'timeout'] });
  t.same(route(r.path), ['main:invalid', 'main:no-input', 'goodbye']);
});

t.test('set language: the rest of the flow plays in the prompt set chosen', async (t) => {
  const flow = compileFile('language.yaml');
  const es = await simulateFlow(flow, { caller: CALLER, digits: ['2'] });
  t.same(
    es.prompts.map((p) => `${p.prompt}/${p.language}`),
    ['main-menu/en', 'welcome/es', 'thank-you/es', 'goodbye/es'],
  );
  const pt = await simulateFlow(compileFile('two-level.yaml'), { caller: CALLER, digits: ['2', '2'] });
  t.same(pt.prompts.map((p) => `${p.prompt}/${p.language}`), ['main-menu/en', 'agents-busy/en', 'thank-you/pt-BR']);
  const callerLanguage = await simulateFlow(flow, { caller: CALLER, digits: ['1'], language: 'pt-BR' });
  t.same(callerLanguage.prompts[0], { node: 'choose', prompt: 'main-menu', language: 'pt-BR' }, "the caller's own language wins over the flow's default");
});

t.test('time conditions are evaluated in the flow time zone, with holidays', async (t) => {
  const flow = compileFile('hours.yaml');
  const at = async (time: string): Promise<string> => {
    const r = await simulateFlow(flow, { caller: CALLER, time });
    return route(r.path).join(' ');
  };
  t.equal(await at('2026-11-24T10:00:00-03:00'), 'hours:case 2 open', 'Tuesday 10:00 in São Paulo: open');
  t.equal(await at('2026-11-24T20:30:00Z'), 'hours:case 2 open', '20:30 UTC is 17:30 in São Paulo: still open');
  t.equal(await at('2026-11-24T21:30:00Z'), 'hours:else closed', '21:30 UTC is 18:30 in São Paulo: closed');
  t.equal(await at('2026-11-24T15:30:00Z'), 'hours:else closed', '12:30 in São Paulo: lunch break');
  t.equal(await at('2026-11-28T10:00:00-03:00'), 'hours:case 3 open', 'Saturday morning: open');
  t.equal(await at('2026-11-28T14:00:00-03:00'), 'hours:else closed', 'Saturday afternoon: closed');
  t.equal(await at('2026-11-29T10:00:00-03:00'), 'hours:else closed', 'Sunday: closed');
  t.equal(await at('2026-12-25T10:00:00-03:00'), 'hours:case 1 holiday', 'Christmas (12-25 every year): holiday');
  t.equal(await at('2027-12-25T10:00:00-03:00'), 'hours:case 1 holiday', 'and the year after');
  t.equal(await at('2026-11-20T10:00:00-03:00'), 'hours:case 1 holiday', 'a one-off date');
  t.equal(await at('2026-12-25T02:30:00Z'), 'hours:else closed', 'already 25 December in UTC, but 24 December 23:30 in São Paulo');

  const inTokyo = compileFile('hours.yaml');
  const tokyo = compileText(
    (await import('node:fs')).readFileSync(new URL('./flows/hours.yaml', import.meta.url), 'utf8').replace('America/Sao_Paulo', 'Asia/Tokyo'),
  );
  const same = '2026-11-24T01:00:00Z'; // 22:00 Monday in São Paulo, 10:00 Tuesday in Tokyo
  t.equal(route((await simulateFlow(inTokyo, { caller: CALLER, time: same })).path).join(' '), 'hours:else closed');
  t.equal(route((await simulateFlow(tokyo, { caller: CALLER, time: same })).path).join(' '), 'hours:case 2 open', 'the same instant, open in Tokyo');
});

t.test('a time range may cross midnight, and tests combine with any / not', async (t) => {
  const flow = compileText(`
name: night
version: 1
timezone: Europe/Lisbon
start: check
nodes:
  check:
    type: condition
    cases:
      - when: { time: "22:00-06:00", not: { days: [sat-sun] } }
        next: night
      - when: { any: [ { var: caller.number, starts-with: "+351" }, { var: caller.number, matches: "^\\\\+34" } ] }
        next: iberia
    else: other
  night: { type: voicemail, box: general }
  iberia: { type: queue, queue: local }
  other: { type: queue, queue: world }
`);
  const at = async (time: string, caller = '+4930123'): Promise<string> => route((await simulateFlow(flow, { caller, time })).path).join(' ');
  t.equal(await at('2026-11-24T23:30:00Z'), 'check:case 1 night', 'Tuesday 23:30 Lisbon');
  t.equal(await at('2026-11-25T05:59:00Z'), 'check:case 1 night', 'Wednesday 05:59');
  t.equal(await at('2026-11-25T06:00:00Z'), 'check:else other', '06:00 is the end, not included');
  t.equal(await at('2026-11-28T23:30:00Z'), 'check:else other', 'Saturday night is excluded by not');
  t.equal(await at('2026-11-25T12:00:00Z', '+351911111111'), 'check:case 2 iberia');
  t.equal(await at('2026-11-25T12:00:00Z', '+34600000000'), 'check:case 2 iberia');
});

t.test('http: a 2xx answer fills variables from its JSON and the flow branches on them', async (t) => {
  const flow = compileFile('http-dip.yaml');
  const r = await simulateFlow(flow, {
    caller: CALLER,
    variables: { account: '4711' },
    http: { 'https://crm.test/route': { status: 200, body: { data: { segment: 'gold', queue: 'premium' } } } },
  });
  t.same(r.requests, [{ node: 'route-lookup', method: 'POST', url: 'https://crm.test/route', body: { caller: CALLER, account: '4711', source: 'ivr' } }]);
  t.same(route(r.path), ['route-lookup:next', 'by-segment:case 1', 'vip']);
  t.same(r.outcome, { type: 'queue', queue: 'premium', priority: 10 });
  t.equal(r.variables.segment, 'gold');

  const silver = await simulateFlow(flow, { caller: CALLER, http: { 'https://crm.test/route': { status: 201, body: { data: { segment: 'silver' } } } } });
  t.same(route(silver.path), ['route-lookup:next', 'by-segment:else', 'normal']);
});

t.test('http: an error status, a failed connection or no answer all take the failure branch', async (t) => {
  const flow = compileFile('http-dip.yaml');
  const status = await simulateFlow(flow, { caller: CALLER, http: { 'https://crm.test/route': { status: 503, body: { error: 'down' } } } });
  t.same(route(status.path), ['route-lookup:failure', 'fallback']);
  t.equal(status.path[0]?.input, '503');
  t.same(status.outcome, { type: 'queue', queue: 'support' });
  const failed = await simulateFlow(flow, { caller: CALLER, http: { 'https://crm.test/route': 'fail' } });
  t.same(route(failed.path), ['route-lookup:failure', 'fallback']);
  const none = await simulateFlow(flow, { caller: CALLER });
  t.same(route(none.path), ['route-lookup:failure', 'fallback']);
});

t.test('subflow: runs the other flow, shares variables, and continues at next on return', async (t) => {
  const auth = compileFile('auth.yaml');
  const main = compileFile('with-auth.yaml', { subflow: (name) => (name === 'auth' ? auth : undefined) });
  const r = await simulateFlow(main, { caller: CALLER, digits: ['1234#'], http: { 'https://auth.test/pin/1234': { status: 200, body: { valid: true } } } });
  t.same(route(r.path), ['welcome:next', 'auth/ask-pin:next', 'auth/verify:next', 'auth/verdict:case 1', 'auth/priority:next', 'auth/back', 'authenticate:next', 'support']);
  t.same(r.outcome, { type: 'queue', queue: 'support', priority: 7 }, 'a variable the subflow set reaches the caller flow');
  t.equal(r.variables.pin, '1234');
});

t.test('subflow: an outcome reached inside the subflow ends the whole call', async (t) => {
  const auth = compileFile('auth.yaml');
  const main = compileFile('with-auth.yaml');
  const r = await simulateFlow(main, { caller: CALLER, digits: ['12', '123'], subflows: { auth } });
  t.same(route(r.path), ['welcome:next', 'auth/ask-pin:invalid', 'auth/ask-pin:invalid', 'auth/denied', 'authenticate:outcome']);
  t.same(r.outcome, { type: 'hangup' });
  t.same(r.prompts.map((p) => p.prompt), ['welcome', 'main-menu', 'invalid-option', 'main-menu', 'goodbye']);
});

t.test('subflow: a missing subflow stops the flow with a coded error naming the node', async (t) => {
  const main = compileFile('with-auth.yaml');
  const err = await simulateFlow(main, { caller: CALLER }).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(isTenorError(err, 'TENOR_ERR_FLOW_FAILED'));
  t.match(err, { message: "Flow 'with-auth' stopped at node 'authenticate': subflow 'auth' is not available", path: [{ node: 'welcome' }] });
});

t.test('lookup-customer: found customers are routed by their fields', async (t) => {
  const flow = compileText(`
name: known
version: 1
start: who
nodes:
  who:
    type: lookup-customer
    found: greet
    not-found: sales
  greet:
    type: condition
    cases:
      - when: { var: customer.segment, in: [gold, platinum] }
        next: vip
    else: sales
  vip:
    type: queue
    queue: sales
    priority: \${customer.priority}
    skills: { "\${customer.language}": 3 }
  sales:
    type: queue
    queue: sales
`);
  const gold = await simulateFlow(flow, { caller: CALLER, customer: { id: 'c1', segment: 'gold', priority: 9, language: 'spanish' } });
  t.same(route(gold.path), ['who:found', 'greet:case 1', 'vip']);
  t.same(gold.outcome, { type: 'queue', queue: 'sales', priority: 9, skills: { spanish: 3 } });
  const unknown = await simulateFlow(flow, { caller: CALLER });
  t.same(route(unknown.path), ['who:not-found', 'sales']);
});

t.test('collect: digits into a variable, a pattern with an invalid branch, a terminator', async (t) => {
  const flow = compileText(`
name: account
version: 1
start: ask
nodes:
  ask:
    type: collect
    prompts: [main-menu]
    into: account
    min-digits: 3
    max-digits: 6
    pattern: "4[0-9]+"
    terminator: "#"
    retries: 1
    invalid-prompts: [invalid-option]
    next: done
    fallback: { invalid: wrong, no-input: silent }
  done: { type: transfer, number: "+1555\${vars.account}" }
  wrong: { type: hangup, prompts: [goodbye] }
  silent: { type: voicemail, box: general }
`);
  const ok = await simulateFlow(flow, { caller: CALLER, digits: ['4711#'] });
  t.same(ok.outcome, { type: 'transfer', target: { kind: 'number', number: '+15554711' } });
  t.same(route(ok.path), ['ask:next', 'done']);
  t.equal(ok.variables.account, '4711');
  const full = await simulateFlow(flow, { caller: CALLER, digits: ['4123456789'] });
  t.equal(full.variables.account, '412345', 'input stops at max-digits');
  const wrong = await simulateFlow(flow, { caller: CALLER, digits: ['5711#', '47'] });
  t.same(route(wrong.path), ['ask:invalid', 'ask:invalid', 'wrong'], 'not matching the pattern, then too short');
  const silent = await simulateFlow(flow, { caller: CALLER, digits: [] });
  t.same(route(silent.path), ['ask:no-input', 'ask:no-input', 'silent']);
});

t.test('transfer to an agent or to another flow is an outcome for the runtime', async (t) => {
  const flow = compileText(`
name: t
version: 1
start: m
nodes:
  m: { type: menu, prompts: [main-menu], options: { "1": alice, "2": other }, fallback: m-out }
  alice: { type: transfer, agent: alice }
  other: { type: transfer, flow: demo-main }
  m-out: { type: hangup }
`);
  t.same((await simulateFlow(flow, { caller: CALLER, digits: ['1'] })).outcome, { type: 'transfer', target: { kind: 'agent', agent: 'alice' } });
  t.same((await simulateFlow(flow, { caller: CALLER, digits: ['2'] })).outcome, { type: 'transfer', target: { kind: 'flow', flow: 'demo-main' } });
});

t.test('a script that runs out of digits while the flow keeps asking stops with a clear error', async (t) => {
  const flow = compileText(`
name: forever
version: 1
start: m
nodes:
  m: { type: menu, prompts: [main-menu], options: { "1": q }, fallback: m }
  q: { type: queue, queue: sales }
`);
  const err = await simulateFlow(flow, { caller: CALLER, digits: ['9'] }).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(isTenorError(err, 'TENOR_ERR_FLOW_FAILED'));
  t.match(err, { message: /stopped at node 'm': the script's digits ran out and the flow kept asking/ });
});

t.test('a bad script is refused before anything runs', async (t) => {
  const flow = compileFile('two-level.yaml');
  await t.rejects(simulateFlow(flow, { caller: CALLER, time: 'yesterday' }), { code: 'TENOR_ERR_VALIDATION', message: /time 'yesterday'/ });
  await t.rejects(simulateFlow(flow, { caller: CALLER, digits: ['1a'] }), { code: 'TENOR_ERR_VALIDATION', message: /'1a'/ });
});

t.test('the demo main flow: open hours menu, after-hours voicemail', async (t) => {
  const { readFileSync } = await import('node:fs');
  const { demoFlowFile } = await import('./cases.js');
  const demo = compileText(readFileSync(demoFlowFile, 'utf8'));
  const monday = '2026-11-23T09:00:00-03:00';
  const sales = await simulateFlow(demo, { caller: CALLER, time: monday, digits: ['1'] });
  t.same(sales.outcome, { type: 'queue', queue: 'sales' });
  const support = await simulateFlow(demo, { caller: CALLER, time: monday, digits: ['2'] });
  t.same(support.outcome, { type: 'queue', queue: 'support' });
  const message = await simulateFlow(demo, { caller: CALLER, time: monday, digits: ['3'] });
  t.same(message.outcome, { type: 'voicemail', box: 'general' });
  t.same(message.prompts.map((p) => p.prompt), ['welcome', 'main-menu', 'leave-message']);
  const night = await simulateFlow(demo, { caller: CALLER, time: '2026-11-23T19:00:00-03:00' });
  t.same(route(night.path), ['welcome:next', 'office-hours:else', 'closed:next', 'message']);
  t.same(night.outcome, { type: 'voicemail', box: 'general' });
  const saturday = await simulateFlow(demo, { caller: CALLER, time: '2026-11-28T10:00:00-03:00' });
  t.same(saturday.outcome, { type: 'voicemail', box: 'general' });
});
