// Checker rules beyond the one-problem fixtures: what it accepts, and how
// the host's field catalogue decides which fields exist.
import t from 'tap';
import { DEFAULT_CATALOGUE, catalogueFromEntities } from '../src/catalogue.js';
import { checkScript } from '../src/check.js';
import type { FieldCatalogue } from '../src/catalogue.js';
import { parseScript } from '../src/parse.js';

function messages(xml: string, catalogue?: FieldCatalogue): string[] {
  const parsed = parseScript(xml);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return checkScript(parsed.script, catalogue).map((p) => `${p.line}:${p.column}: ${p.message}`);
}

/** A one-question script; pass `ends` = '' when only end 'a' is used. */
const withQuestion = (question: string, transitions: string, ends = '<end id="b" outcome="b"/>'): string => `<script id="s">
  <step id="ask">
    ${question}
    ${transitions}
  </step>
  <end id="a" outcome="a"/>${ends}
</script>`;

t.test('conditions covering every answer of a required question need no fallback <go>', async (t) => {
  const choice = '<question id="kind" type="choice"><prompt>?</prompt><option value="x"/><option value="y"/></question>';
  t.same(messages(withQuestion(choice, `<go to="a" when="answer.kind == 'x'"/><go to="b" when="'y' == answer.kind"/>`)), []);
  t.same(messages(withQuestion(choice, `<go to="a" when="answer.kind in ['x', 'y']"/><go to="b" when="answer.kind == 'x'"/>`)), []);
  const yesno = '<question id="ok" type="yesno"><prompt>?</prompt></question>';
  t.same(messages(withQuestion(yesno, '<go to="a" when="answer.ok"/><go to="b" when="not answer.ok"/>')), []);
  t.same(messages(withQuestion(yesno, '<go to="a" when="answer.ok == true"/><go to="b" when="answer.ok == false"/>')), []);
  // An optional question may be left empty, and then neither condition holds.
  const optional = '<question id="ok" type="yesno" required="no"><prompt>?</prompt></question>';
  t.match(messages(withQuestion(optional, '<go to="a" when="answer.ok"/><go to="b" when="not answer.ok"/>')), [/step 'ask' has no way forward/]);
  t.match(messages(withQuestion(choice, `<go to="a" when="answer.kind == 'x'"/>`, '')), [/step 'ask' has no way forward/]);
});

t.test("a step cannot read its own question's answer in its text, but its transitions can", async (t) => {
  const question = '<question id="ok" type="yesno"><prompt>You said ${answer.ok}?</prompt></question>';
  t.match(messages(withQuestion(question, '<go to="a"><set-disposition code="${answer.ok}"/></go>', '')), [/3:55: step 'ask': answer.ok cannot have been answered yet/]);
});

t.test('the catalogue decides which business-object fields exist', async (t) => {
  const script = withQuestion('', `<go to="a" when="customer.custom.contract_type == 'fixed' and interaction.channel == 'web'"/><go to="b" when="case.status == 'open'"/><go to="b"/>`);
  t.same(messages(script), [], 'customer.custom.* is open-ended in the default catalogue');
  const custom: FieldCatalogue = { ...DEFAULT_CATALOGUE, customer: ['name'], contract: ['type'] };
  t.same(messages(script, custom), [
    '4:22: step \'ask\': unknown field customer.custom.contract_type (customer has: name)',
  ]);
  t.match(messages(withQuestion('', `<go to="a" when="contract.type == 'fixed' or order.total > 1"/><go to="b"/>`), custom), [
    /unknown field order.total: 'order' is not one of answer, customer, case, interaction, contract/,
  ]);
});

t.test('update-field must name a known field of a business object, never an answer', async (t) => {
  t.match(messages(withQuestion('', '<go to="a"><update-field entity="customer" field="segmnt" value="A"/></go>', '')), [/unknown field customer.segmnt/]);
  t.match(messages(withQuestion('<question id="q" type="text"><prompt>?</prompt></question>', '<go to="a"><update-field entity="answer" field="q" value="x"/></go>', '')), [/update-field cannot change answers/]);
  t.same(messages(withQuestion('', '<go to="a"><update-field entity="customer" field="custom.payment_plan" value=""/></go>', '')), [], 'an empty value clears a field');
});

t.test('action parameters: each action names what it lacks', async (t) => {
  const go = (action: string): string[] => messages(withQuestion('', `<go to="a">${action}</go>`, ''));
  t.match(go('<send-email subject="Hi"/>'), [/<send-email> is missing 'to'/]);
  t.match(go('<send-email to="${customer.emails}"/>'), [/<send-email> is missing 'template or subject'/]);
  t.match(go('<webhook/>'), [/<webhook> is missing 'url'/]);
  t.match(go('<update-field entity="customer"/>'), [/<update-field> is missing 'field' and 'value'/]);
  t.match(go('<schedule-callback in="1h"/>'), [/<schedule-callback> is missing 'number'/]);
  t.match(go('<schedule-callback number="1"/>'), [/<schedule-callback> is missing 'at or in'/]);
  t.match(go('<schedule-callback number="1" at="2026-12-01T10:00" in="1h"/>'), [/takes 'at' or 'in', not both/]);
  t.match(go('<set-disposition/>'), [/<set-disposition> is missing 'code'/]);
});

t.test('a loop with a way out is fine; comparing a yes/no answer with text is not', async (t) => {
  t.same(messages(`<script id="s">
  <step id="ask"><question id="ok" type="yesno"><prompt>Try again?</prompt></question>
    <go to="retry" when="answer.ok"/><go to="a"/></step>
  <step id="retry"><info>Once more.</info><go to="ask"/></step>
  <end id="a" outcome="a"/>
</script>`), []);
  t.match(messages(withQuestion('<question id="ok" type="yesno"><prompt>?</prompt></question>', `<go to="a" when="answer.ok == 'yes'"/><go to="b"/>`)), [
    /answer.ok is a yes\/no answer: compare it with true or false, not "yes"/,
  ]);
});

t.test("a catalogue built from the host's business-object model", async (t) => {
  const catalogue = catalogueFromEntities({
    Customer: { attributes: { name: { type: 'string' }, segment: { type: 'enum' }, custom: { type: 'json' } } },
    Account: { attributes: { balance: { type: 'number' } } },
  });
  t.same(catalogue, { customer: ['name', 'segment', 'custom', 'custom.*'], account: ['balance'] });
  const script = withQuestion('', `<go to="a" when="account.balance > 100 and customer.custom.contract_type == 'fixed'"/><go to="b" when="customer.phones == null"/><go to="b"/>`);
  t.match(messages(script, catalogue), [/unknown field customer.phones \(customer has: name, segment, custom, custom.\*\)/]);
});
