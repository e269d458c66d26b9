// A collect with `secure: true` (a card number, a PIN): the flow may send the
// digits on with an http node, and nowhere else. The checker refuses the
// variable in prompts, conditions and targets; a run keeps the digits out of
// its path and shows the variable only as '(secure)' once it leaves the flow;
// an http request that carries them says so, so the runtime logs only its host.

import t from 'tap';
import { checkFlow, parseFlow, runFlow, simulateFlow } from '../../src/services/ivr/flow/index.js';
import type { HttpRequest } from '../../src/services/ivr/flow/index.js';
import { compileText } from './helpers.js';

const flow = (extra: string, charge = "method: POST\n    url: https://pay.test/charge\n    body: { card: '${vars.card}' }"): string => `
name: pay
version: 1
language: en
timezone: UTC
start: card
nodes:
  card:
    type: collect
    prompts: [main-menu]
    into: card
    secure: true
    min-digits: 16
    max-digits: 16
    next: charge
    fallback: operator
  charge:
    type: http
    ${charge}
    next: paid
    failure: operator
  paid: { type: queue, queue: paid }
  operator: { type: queue, queue: operator }
${extra}`;

function problems(text: string): string[] {
  // parseFlow runs the checker too: a flow with problems comes back without a definition.
  const parsed = parseFlow(text, 'pay.yaml');
  const found = parsed.flow ? checkFlow(parsed.flow, {}) : parsed.problems;
  return found.map((p) => `${p.node ?? ''}@${p.line ?? '?'}: ${p.message}`);
}

t.test('the checker accepts secure digits sent on by an http node, in its body or its url', async (t) => {
  t.same(problems(flow('')), []);
  t.same(problems(flow('', 'method: GET\n    url: https://pay.test/charge?card=${vars.card}')), []);
  t.match(problems(flow('').replace('secure: true', 'secure: maybe')), [/secure/], 'secure is true or false');
});

t.test('the checker refuses secure digits anywhere they would be played, logged or stored', async (t) => {
  const readBack = flow(`  confirm:
    type: play
    prompts: ['you-typed-\${vars.card}']
    next: paid`).replace('next: paid\n    failure', 'next: confirm\n    failure');
  t.match(problems(readBack), [/^confirm@\d+: vars\.card holds the secure digits of collect 'card': only an http node may send them on/]);
  const branch = flow(`  check:
    type: condition
    cases:
      - when: { var: vars.card, starts-with: '4' }
        next: paid
    else: operator`).replace('next: paid\n    failure', 'next: check\n    failure');
  t.match(problems(branch), [/^check@\d+: vars\.card holds the secure digits/], 'a condition naming it (without ${})');
  const toQueue = flow('').replace('paid: { type: queue, queue: paid }', "paid: { type: queue, queue: 'q-${vars.card}' }");
  t.match(problems(toQueue), [/^paid@\d+: vars\.card holds the secure digits/]);
});

t.test('a run sends the digits on, yet its path and variables do not show them', async (t) => {
  const r = await simulateFlow(compileText(flow('')), { caller: '+5511987654321', digits: ['4929137168230117'], http: { 'https://pay.test/charge': { status: 200, body: {} } } });
  t.same(r.outcome, { type: 'queue', queue: 'paid' });
  t.same(r.requests.map((q) => q.body), [{ card: '4929137168230117' }], 'the payment service gets the card number');
  t.match(r.path[0], { node: 'card', exit: 'next' });
  t.notOk('input' in (r.path[0] ?? {}), 'the step has no input');
  t.equal(r.variables['card'], '(secure)', 'the variables show only that there was an entry');
  t.notOk(JSON.stringify(r.path).includes('4929137168230117'));
});

t.test('an http request carrying secure digits is marked, an ordinary one is not', async (t) => {
  const seen: HttpRequest[] = [];
  const compiled = compileText(flow('', 'method: POST\n    url: https://pay.test/charge/${vars.card}'));
  await runFlow(compiled, {
    caller: { callId: 'c1', number: '+5511987654321', dialed: '+15550400' },
    io: {
      play: async () => ({}),
      collect: async (req) => { t.equal(req.secure, true, 'the collect asks for secure digits'); return { digits: '4929137168230117', reason: 'complete' }; },
      lookupCustomer: async () => undefined,
      http: async (req) => { seen.push(req); return { status: 200, body: {} }; },
      now: () => new Date('2026-12-01T10:00:00Z'),
    },
  });
  t.match(seen, [{ url: 'https://pay.test/charge/4929137168230117', secure: true }]);
  const plain = compileText(flow('').replace('secure: true', 'secure: false'));
  const plainSeen: HttpRequest[] = [];
  await runFlow(plain, {
    caller: { callId: 'c2', number: '+5511987654321', dialed: '+15550400' },
    io: {
      play: async () => ({}),
      collect: async (req) => { t.notOk(req.secure); return { digits: '4929137168230117', reason: 'complete' }; },
      lookupCustomer: async () => undefined,
      http: async (req) => { plainSeen.push(req); return { status: 200, body: {} }; },
      now: () => new Date('2026-12-01T10:00:00Z'),
    },
  });
  t.notOk(plainSeen[0]?.secure, 'an ordinary collect leaves the request unmarked');
});
