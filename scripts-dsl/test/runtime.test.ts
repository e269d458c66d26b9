// The runtime as an agent (or a web visitor) experiences it: which step
// comes next, what is refused, what going back does, and which actions
// the host is asked to perform.
import t from 'tap';
import { ScriptProblemsError, compile } from '../src/compile.js';
import { parseScript } from '../src/parse.js';
import { restoreRun, startRun } from '../src/runtime.js';
import type { AnswerResult, ScriptRun } from '../src/runtime.js';
import { compileXml, example } from './helpers/examples.js';

const TODAY = '2026-11-24';
const fault = example('report-a-fault');
const payment = example('payment-arrangement');

const ada = { name: 'Ada Jansen', segment: 'A', phones: ['+31 20 555 0101'], emails: ['ada@example.nl'] };
const carl = { name: 'Carl de Vries', segment: 'C', phones: [], emails: [] };

function answerAll(run: ScriptRun, inputs: unknown[]): AnswerResult[] {
  return inputs.map((input) => run.answer(input));
}

function stepAfter(result: AnswerResult | undefined): string | undefined {
  return result?.ok === true ? result.step.id : undefined;
}

t.test('branching on answers: an outage with danger escalates at once', async (t) => {
  const run = startRun(fault, { customer: ada }, { today: TODAY });
  t.equal(run.current().id, 'greet');
  const [first, second] = answerAll(run, ['outage', 'yes']);
  t.equal(stepAfter(first), 'safety');
  t.ok(second?.ok);
  t.ok(run.done);
  t.equal(run.outcome(), 'escalated');
  t.same(run.path(), ['greet', 'safety', 'emergency']);
  t.same(second?.ok === true ? second.actions : [], [
    { type: 'create-case', code: 'FAULT-DANGER', description: 'Dangerous situation reported by Ada Jansen' },
    { type: 'set-disposition', code: 'fault-emergency' },
  ]);
});

t.test('branching on answers: a meter problem takes the meter path', async (t) => {
  const run = startRun(fault, { customer: ada }, { today: TODAY });
  answerAll(run, ['meter', 'blank', 12345]);
  t.same(run.path(), ['greet', 'meter-problem', 'meter-reading', 'callback-number']);
  // A damaged meter goes through the safety question first.
  const damaged = startRun(fault, { customer: ada }, { today: TODAY });
  answerAll(damaged, ['meter', 'damaged']);
  t.equal(damaged.current().id, 'safety');
});

t.test('branching on customer fields: A and B customers get a faster callback', async (t) => {
  const inputs = ['outage', 'no', 'no', 'yes', '+31 6 1234 5678'];
  const priority = startRun(fault, { customer: ada }, { today: TODAY });
  const standard = startRun(fault, { customer: carl }, { today: TODAY });
  const lastPriority = answerAll(priority, inputs).at(-1);
  const lastStandard = answerAll(standard, inputs).at(-1);
  t.equal(priority.current().id, 'case-priority');
  t.equal(standard.current().id, 'case-standard');
  t.equal(priority.outcome(), 'case-created');
  t.same(lastPriority?.ok === true ? lastPriority.actions : [], [
    { type: 'create-case', code: 'FAULT-outage', description: 'Fault (outage) reported; meter reading: ' },
    { type: 'schedule-callback', number: '+31 6 1234 5678', inMinutes: 120 },
    { type: 'set-disposition', code: 'fault-case-priority' },
  ]);
  t.match(lastStandard?.ok === true ? lastStandard.actions : [], [{}, { type: 'schedule-callback', inMinutes: 1440 }, { code: 'fault-case' }]);
  t.same(standard.current().info, ['An engineer will call you on +31 6 1234 5678 tomorrow.']);
});

t.test('information items depend on customer data and show their placeholders filled', async (t) => {
  t.same(startRun(fault, { customer: ada }).current().info, [
    'Hello Ada Jansen, thank you for contacting us about a fault.',
    'Priority customer (segment A): handle with care.',
  ]);
  t.same(startRun(fault, { customer: carl }).current().info, ['Hello Carl de Vries, thank you for contacting us about a fault.']);
  // A customer unknown to the host: the placeholder reads as empty, nothing breaks.
  t.same(startRun(fault, {}).current().info, ['Hello , thank you for contacting us about a fault.']);
});

t.test('required answers are enforced and an invalid answer does not advance', async (t) => {
  const run = startRun(fault, { customer: ada }, { today: TODAY });
  for (const empty of [undefined, '', '   ', null]) {
    const result = run.answer(empty);
    t.same(result, { ok: false, errors: [{ code: 'required', message: 'an answer is required' }] });
  }
  t.equal(run.current().id, 'greet');
  t.same(run.answers(), {});
  t.equal(run.answer('fire').ok, false);
  t.equal(run.current().id, 'greet');
});

t.test('an optional question can be skipped; the skipped answer is not collected', async (t) => {
  const run = startRun(fault, { customer: ada }, { today: TODAY });
  answerAll(run, ['meter', 'wrong']);
  t.equal(run.current().question?.required, false);
  t.equal(stepAfter(run.answer('')), 'callback-number');
  t.same(run.answers(), { kind: 'meter', meter_issue: 'wrong' });
});

t.test('answers are validated by type, options, pattern and bounds', async (t) => {
  const run = startRun(fault, { customer: ada }, { today: TODAY });
  t.match(run.answer('fire'), { ok: false, errors: [{ code: 'option', message: 'choose one of: No power (outage), Problem with the meter' }] });
  run.answer('meter');
  run.answer('blank');
  t.match(run.answer('lots'), { ok: false, errors: [{ code: 'type' }] });
  t.match(run.answer(1234567), { ok: false, errors: [{ code: 'max', message: 'A reading has at most six digits' }] });
  t.match(run.answer(-1), { ok: false, errors: [{ code: 'min' }] });
  t.equal(stepAfter(run.answer('4711')), 'callback-number', 'a number typed as text is accepted');
  t.equal(run.answers().reading, 4711);
  t.match(run.answer('call me'), { ok: false, errors: [{ code: 'pattern', message: 'Enter a phone number: digits, spaces and an optional leading +' }] });
  t.equal(run.current().id, 'callback-number');

  const yesno = startRun(fault, { customer: ada });
  yesno.answer('outage');
  t.match(yesno.answer('maybe'), { ok: false, errors: [{ code: 'type', message: 'answer yes or no' }] });
  t.equal(stepAfter(yesno.answer(false)), 'neighbours');
});

t.test('date bounds relative to today use the run date', async (t) => {
  const customer = { ...ada, custom: { balance: 900, arrears_count: 0 } };
  const run = startRun(payment, { customer }, { today: TODAY });
  answerAll(run, ['income', 100, '6']);
  t.equal(run.current().id, 'first-payment');
  t.same(run.current().question?.validation, { min: '2026-11-25', max: '2026-12-24' });
  t.match(run.answer('2026-11-24'), { ok: false, errors: [{ code: 'min', message: 'must be on or after 2026-11-25' }] });
  t.match(run.answer('2027-01-10'), { ok: false, errors: [{ code: 'max' }] });
  t.match(run.answer('2026-02-30'), { ok: false, errors: [{ code: 'type' }] });
  t.equal(stepAfter(run.answer('2026-12-01')), 'confirm');
  t.same(run.current().info, ['Plan: 100 EUR a month over 6 months, first payment on 2026-12-01.']);
});

t.test('back returns to the previous step, forgets its answer and offers it for pre-filling', async (t) => {
  const run = startRun(fault, { customer: ada }, { today: TODAY });
  t.equal(run.back(), false, 'nothing before the first step');
  answerAll(run, ['outage', 'no']);
  t.equal(run.current().id, 'neighbours');
  t.equal(run.back(), true);
  t.equal(run.current().id, 'safety');
  t.same(run.answers(), { kind: 'outage' });
  t.equal(run.current().question?.previous, false);
  t.equal(run.back(), true);
  t.equal(run.current().question?.previous, 'outage');
  // A different answer now takes the other branch.
  t.equal(stepAfter(run.answer('meter')), 'meter-problem');
  t.same(run.path(), ['greet', 'meter-problem']);
  t.same(run.answers(), { kind: 'meter' });
});

t.test('back from an end state reopens the last question', async (t) => {
  const run = startRun(fault, { customer: ada }, { today: TODAY });
  answerAll(run, ['outage', 'yes']);
  t.equal(run.outcome(), 'escalated');
  t.match(run.answer('no'), { ok: false, errors: [{ code: 'finished' }] });
  run.back();
  t.equal(run.done, false);
  t.equal(run.outcome(), undefined);
  t.equal(stepAfter(run.answer('no')), 'neighbours');
  // The log keeps the actions the host already executed, in order.
  t.same(run.actions().map((a) => [a.seq, a.from, a.to, a.request.type]), [
    [1, 'safety', 'emergency', 'create-case'],
    [2, 'safety', 'emergency', 'set-disposition'],
  ]);
});

t.test('payment arrangement: customer data decides the path', async (t) => {
  const balance = { balance: 900, arrears_count: 1 };
  // Repeat offenders in segment C are referred to collections.
  const referred = startRun(payment, { customer: { ...carl, custom: { balance: 900, arrears_count: 3 } } }, { today: TODAY });
  const result = referred.answer('costs');
  t.equal(referred.outcome(), 'referred');
  t.same(result.ok === true ? result.actions : [], [
    { type: 'create-case', code: 'COLLECTIONS-REVIEW', description: 'Arrangement requested again (costs); balance 900' },
    { type: 'set-disposition', code: 'payment-referred' },
  ]);
  // Paying the whole balance needs no plan.
  const full = startRun(payment, { customer: { ...ada, custom: balance } }, { today: TODAY });
  answerAll(full, ['illness', 900, undefined]);
  t.equal(full.outcome(), 'pays-in-full');
  // A C customer asking for 12 months is offered shorter plans, then continues.
  const longPlan = startRun(payment, { customer: { ...carl, custom: balance } }, { today: TODAY });
  answerAll(longPlan, ['income', 75, '12']);
  t.equal(longPlan.current().id, 'plan-refused');
  longPlan.next();
  t.equal(stepAfter(longPlan.answer('6')), 'first-payment');
  t.same(longPlan.path(), ['situation', 'amount', 'plan', 'plan-refused', 'plan', 'first-payment']);
});

t.test('payment arrangement: the confirmation e-mail and field updates carry the answers', async (t) => {
  const run = startRun(payment, { customer: { ...ada, custom: { balance: 900, arrears_count: 0 } } }, { today: TODAY });
  const last = answerAll(run, ['income', 150, '6', '2026-12-01', 'yes']).at(-1);
  t.equal(run.outcome(), 'arranged');
  t.same(last?.ok === true ? last.actions : [], [
    { type: 'update-field', entity: 'customer', field: 'custom.payment_plan', value: '6 x 150 EUR from 2026-12-01' },
    // A value that is one placeholder keeps the answer's type: a number.
    { type: 'update-field', entity: 'customer', field: 'custom.monthly_amount', value: 150 },
    {
      type: 'send-email',
      to: 'ada@example.nl',
      template: 'payment-arrangement-confirmation',
      subject: 'Your payment arrangement',
      body: 'Dear Ada Jansen, you will pay 150 EUR a month over 6 months, starting 2026-12-01.',
    },
    { type: 'set-disposition', code: 'payment-arranged' },
  ]);
  // Without an e-mail address on file, no e-mail is sent even when asked for.
  const noEmail = startRun(payment, { customer: { ...carl, custom: { balance: 900, arrears_count: 0 } } }, { today: TODAY });
  const lastNoEmail = answerAll(noEmail, ['income', 150, '6', '2026-12-01', 'yes']).at(-1);
  t.same(lastNoEmail?.ok === true ? lastNoEmail.actions.map((a) => a.type) : [], ['update-field', 'update-field', 'set-disposition']);
});

t.test('a snapshot survives JSON and the restored run continues exactly as the original', async (t) => {
  const context = { customer: ada };
  const original = startRun(fault, context, { today: TODAY });
  answerAll(original, ['outage', 'no']);
  const wire = JSON.stringify(original.snapshot());
  const restored = restoreRun(fault, JSON.parse(wire));
  t.same(restored.current(), original.current());
  const rest = ['no', 'yes', '+31 6 1234 5678'];
  t.same(answerAll(restored, rest), answerAll(original, rest));
  t.same(restored.snapshot(), original.snapshot());
  t.throws(() => restoreRun(payment, JSON.parse(wire)), /snapshot is of script report-a-fault/);
});

t.test('the same inputs always give the same run', async (t) => {
  const inputs = ['meter', 'blank', '', '+31 20 555 0101'];
  const runs = [1, 2].map(() => {
    const run = startRun(fault, { customer: carl }, { today: TODAY });
    answerAll(run, inputs);
    return run.snapshot();
  });
  t.same(runs[0], runs[1]);
});

t.test('compile refuses a script with problems and lists them', async (t) => {
  const parsed = parseScript(`<script id="x">
  <step id="a"><go to="b"/></step>
  <end id="c" outcome="ok"/>
</script>`);
  t.ok(parsed.ok);
  if (!parsed.ok) return;
  const error = t.throws(() => compile(parsed.script));
  t.ok(error instanceof ScriptProblemsError);
  t.match(error instanceof ScriptProblemsError ? error.problems.map((p) => p.message) : [], [/unknown step 'b'/, /end 'c' is unreachable/]);
});

t.test('a step of information only moves on with next()', async (t) => {
  const compiled = compileXml(`<script id="info-only">
  <step id="hello"><info>Welcome, ${'$'}{customer.name}.</info><go to="bye"/></step>
  <end id="bye" outcome="greeted"/>
</script>`);
  const run = startRun(compiled, { customer: { name: 'Ada' } });
  t.same(run.current(), { id: 'hello', kind: 'step', info: ['Welcome, Ada.'], canGoBack: false });
  t.equal(stepAfter(run.next()), 'bye');
  t.equal(run.outcome(), 'greeted');
});

t.test("the host's own objects work as context, and read the same after a snapshot", async (t) => {
  interface Customer { name: string; segment: 'A' | 'B' | 'C'; phones: string[]; emails: string[]; language?: string }
  interface Case { code: string; dueAt: Date }
  const customer: Customer = { name: 'Ada', segment: 'B', phones: [], emails: [], language: undefined };
  const openCase: Case = { code: 'FAULT-1', dueAt: new Date('2026-12-01T09:00:00Z') };
  const compiled = compileXml(`<script id="due">
  <step id="s">
    <info when="case.dueAt &lt; '2026-12-02'">Due ${'$'}{case.dueAt}, language '${'$'}{customer.language}'.</info>
    <go to="e"/>
  </step>
  <end id="e" outcome="ok"/>
</script>`);
  const run = startRun(compiled, { customer, case: openCase });
  t.same(run.current().info, ["Due 2026-12-01T09:00:00.000Z, language ''."]);
  const restored = restoreRun(compiled, JSON.parse(JSON.stringify(run.snapshot())));
  t.same(restored.current(), run.current());
});
