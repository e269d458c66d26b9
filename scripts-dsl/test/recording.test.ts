// The <recording> action: a script pauses the call's recording while card
// details are read out and resumes it after (PCI). The parser and checker
// name a wrong or missing action; the runtime hands the host a request with
// the reason filled in.
import t from 'tap';
import { checkScript } from '../src/check.js';
import { findProblems } from '../src/compile.js';
import { parseScript } from '../src/parse.js';
import { startRun } from '../src/runtime.js';
import { compileXml } from './helpers/examples.js';

const CARD_PAYMENT = `<script id="card-payment" title="Card payment">
  <step id="amount">
    <question id="amount" type="number" min="1"><prompt>How much will you pay today?</prompt></question>
    <go to="card">
      <recording action="pause" reason="card details for \${answer.amount} EUR"/>
    </go>
  </step>
  <step id="card">
    <info>Key the card into the payment terminal; the recording is paused.</info>
    <go to="done"><recording action="resume"/><set-disposition code="paid-by-card"/></go>
  </step>
  <end id="done" outcome="paid"/>
</script>`;

t.test('a script pauses the recording before card details and resumes it after', async (t) => {
  const run = startRun(compileXml(CARD_PAYMENT), {});
  const paused = run.answer(40);
  t.same(paused.ok === true ? paused.actions : [], [{ type: 'recording', action: 'pause', reason: 'card details for 40 EUR' }]);
  const resumed = run.next();
  t.same(resumed.ok === true ? resumed.actions : [], [{ type: 'recording', action: 'resume' }, { type: 'set-disposition', code: 'paid-by-card' }], 'no reason given: none sent');
  t.equal(run.outcome(), 'paid');
});

t.test('the parser reads the action and the reason, and refuses any other action', async (t) => {
  const parsed = parseScript(CARD_PAYMENT);
  t.ok(parsed.ok);
  const step = parsed.ok ? parsed.script.steps[0] : undefined;
  t.match(step?.kind === 'step' ? step.transitions[0]?.actions : [], [{ type: 'recording', action: 'pause', reason: { parts: ['card details for ', { path: ['answer', 'amount'] }, ' EUR'] }, pos: { line: 5, column: 7 } }]);
  for (const action of ['stop', 'Pause', 'start']) {
    const problems = findProblems(CARD_PAYMENT.replace('action="pause"', `action="${action}"`));
    t.same(problems.map((p) => `${p.line}:${p.column}: ${p.message}`), [`5:26: recording action must be pause or resume, not '${action}'`], action);
  }
});

t.test('the checker names a missing action, and checks the reason like any other text', async (t) => {
  const check = (xml: string): string[] => {
    const parsed = parseScript(xml);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    return checkScript(parsed.script).map((p) => `${p.line}:${p.column}: ${p.message}`);
  };
  t.same(check(CARD_PAYMENT), []);
  t.same(check(CARD_PAYMENT.replace('action="pause" ', '')), ["5:7: step 'amount': <recording> is missing 'action'"]);
  t.same(check(CARD_PAYMENT.replace('action="resume"', 'action=""')), ["10:19: step 'card': <recording> is missing 'action'"], 'a blank action counts as missing');
  t.match(check(CARD_PAYMENT.replace('${answer.amount}', '${customer.cardnumber}')), [/unknown field customer.cardnumber/]);
});
