// What the parser makes of a script file: the typed model hosts and the
// editor rely on, and positions that match the file.
import t from 'tap';
import { parseScript } from '../src/parse.js';
import type { QuestionStep } from '../src/model.js';
import { exampleXml } from './helpers/examples.js';

t.test('the report-a-fault example becomes a typed model', async (t) => {
  const parsed = parseScript(exampleXml('report-a-fault'));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  const { script } = parsed;
  t.equal(script.id, 'report-a-fault');
  t.equal(script.title, 'Report a fault');
  t.equal(script.start, 'greet');
  t.match(script.description, /^Inbound call or web form: the customer reports/);
  t.same(script.steps.map((s) => `${s.kind}:${s.id}`).slice(0, 3), ['step:greet', 'step:safety', 'step:neighbours']);
  const greet = script.steps[0] as QuestionStep;
  t.same(greet.pos, { line: 11, column: 3 });
  t.match(greet.question, { id: 'kind', type: 'choice', required: true, options: [{ value: 'outage', label: 'No power (outage)' }, { value: 'meter' }] });
  t.same(greet.transitions.map((tr) => tr.to), ['safety', 'meter-problem']);
  t.same(greet.transitions[0]?.toPos, { line: 19, column: 13 });
  const reading = script.steps.find((s) => s.id === 'meter-reading') as QuestionStep;
  t.match(reading.question, { type: 'number', required: false, min: { kind: 'number', value: 0 }, max: { kind: 'number', value: 999999 }, message: 'A reading has at most six digits' });
  const callback = script.steps.find((s) => s.id === 'callback-number') as QuestionStep;
  t.match(callback.transitions[0]?.actions, [{ type: 'create-case' }, { type: 'schedule-callback', inMinutes: 120 }, { type: 'set-disposition' }]);
  t.match(script.steps.find((s) => s.id === 'emergency'), { kind: 'end', outcome: 'escalated' });
});

t.test('a script without start begins at its first step', async (t) => {
  const parsed = parseScript('<script id="s"><step id="one"><go to="two"/></step><end id="two" outcome="ok"/></script>');
  t.equal(parsed.ok && parsed.script.start, 'one');
});

t.test('multi-line text reads as one paragraph', async (t) => {
  const parsed = parseScript(`<script id="s">
  <step id="one">
    <info>
      Our engineers work
      day and night.
    </info>
    <go to="two"/>
  </step>
  <end id="two" outcome="ok"/>
</script>`);
  t.same(parsed.ok && (parsed.script.steps[0] as QuestionStep).info[0]?.text.parts, ['Our engineers work day and night.']);
});

t.test('positions inside conditions count from the file, across lines and entities', async (t) => {
  const parsed = parseScript(`<script id="s">
  <step id="one">
    <question id="amount" type="number"><prompt>How much?</prompt></question>
    <go to="two" when="answer.amount &gt;= 10
                       and customer.segmnt == 'A'"/>
    <go to="two"/>
  </step>
  <end id="two" outcome="ok"/>
</script>`);
  t.ok(parsed.ok);
  const when = parsed.ok ? (parsed.script.steps[0] as QuestionStep).transitions[0]?.when : undefined;
  // The path customer.segmnt starts on line 5, column 28.
  t.match(when, { kind: 'binary', op: 'and', right: { kind: 'binary', left: { kind: 'path', path: ['customer', 'segmnt'], pos: { line: 5, column: 28 } } } });
});

t.test('XML syntax errors are reported with the line and column from the XML parser', async (t) => {
  t.same(parseScript('<script id="s">\n  <step id="a" title="x>\n</script>').problems.length, 1);
  t.match(parseScript('<script id="s">\n  <step id="a">\n').problems, [{ line: 2, column: 3, message: '<step> is never closed' }]);
  t.match(parseScript('<script id="s">&nbsp;</script>').problems, [{ line: 1, column: 16, message: 'XML syntax: undefined entity &nbsp;' }]);
  t.match(parseScript('<dialogue id="s"/>').problems, [{ line: 1, column: 1, message: 'the root element must be <script>, not <dialogue>' }]);
  t.match(parseScript('').problems, [{ line: 1, column: 1 }]);
});

t.test('values that do not fit their attribute are reported at the value', async (t) => {
  const problems = (xml: string): string[] => parseScript(xml).problems.map((p) => `${p.line}:${p.column}: ${p.message}`);
  const step = (question: string): string => `<script id="s"><step id="a">${question}<go to="b"/></step><end id="b" outcome="ok"/></script>`;
  t.match(problems(step('<question id="q" type="text" pattern="[a-"><prompt>?</prompt></question>')), [/^1:67: question 'q': invalid pattern: /]);
  t.match(problems(step('<question id="q" type="yesno" min="1"><prompt>?</prompt></question>')), [/min does not apply to yesno questions/]);
  t.match(problems(step('<question id="q" type="date" max="2026-02-30"><prompt>?</prompt></question>')), [/max must be a date YYYY-MM-DD or 'today'/]);
  t.match(problems(step('<question id="meter-ok" type="yesno"><prompt>?</prompt></question>')), [/invalid id 'meter-ok' on <question>: a question id is used in conditions/]);
  t.match(problems(step('<question id="q" type="yesno" required="maybe"><prompt>?</prompt></question>')), [/required must be 'yes' or 'no'/]);
  t.match(problems(step('<question id="q" type="yesno"></question>')), [/question 'q' has no <prompt>/]);
  t.match(problems(step('<question id="q" type="text"><prompt>?</prompt><option value="a"/></question>')), [/<option> belongs only in a choice question/]);
  t.match(problems(`<script id="s"><step id="a"><go to="b"><schedule-callback in="soon" number="1"/></go></step><end id="b" outcome="ok"/></script>`), [/'in' must be a delay such as 30m, 2h or 1d/]);
  t.match(problems(`<script id="s"><step id="a"><go to="b"><webhook url="u" method="DELETE"/></go></step><end id="b" outcome="ok"/></script>`), [/webhook method must be POST, PUT or GET/]);
});

t.test('positions of placeholders survive entities, comments and > in text', async (t) => {
  const xml = `<script id="s">
  <step id="one">
    <info>Costs &gt; 100 EUR? <!-- note --> Ask ${'$'}{customer.nme}.</info>
    <info><![CDATA[a<b]]> and <?pi x?>${'$'}{customer.nam}</info>
    <go to="two"/>
  </step>
  <end id="two" outcome="ok"/>
</script>`;
  const { findProblems } = await import('../src/compile.js');
  t.match(findProblems(xml), [
    { line: 3, column: 51, message: "step 'one': unknown field customer.nme (customer has: name, phones, emails, segment, language, prospect, custom, custom.*)" },
    { line: 4, column: 41, message: /unknown field customer.nam/ },
  ]);
  const parsed = parseScript(xml);
  t.same(parsed.ok && (parsed.script.steps[0] as QuestionStep).info[0]?.text.parts.filter((p) => typeof p === 'string'), ['Costs > 100 EUR? Ask ', '.']);
});
