// The condition language as script authors write it: what conditions mean,
// and where a mistake is reported.
import t from 'tap';
import { evaluate, renderTemplate, templateValue } from '../src/evaluate.js';
import type { JsonValue, Scope } from '../src/evaluate.js';
import { ExpressionSyntaxError, parseExpression, parseTemplate } from '../src/expression.js';

// Positions here are "column = index + 1" on line 1.
const at = (index: number): { line: number; column: number } => ({ line: 1, column: index + 1 });
const scope: Scope = {
  answer: { kind: 'outage', amount: 120, danger: false, first_date: '2026-12-01' },
  customer: { name: 'Ada', segment: 'B', phones: ['+31 20 555 0101'], emails: [], custom: { contract_type: 'fixed', balance: 900 } },
};
const value = (text: string): JsonValue => evaluate(parseExpression(text, at), scope);

t.test('comparisons, lists and boolean logic', async (t) => {
  t.equal(value("answer.kind == 'outage' and customer.segment in ['A', 'B']"), true);
  t.equal(value("customer.segment not in ['A', 'B']"), false);
  t.equal(value('answer.amount >= 100 and answer.amount < 200'), true);
  t.equal(value('not answer.danger'), true);
  t.equal(value("answer.kind == 'meter' or customer.custom.contract_type == 'fixed'"), true);
  t.equal(value("not (answer.kind == 'outage' or answer.danger)"), false);
  t.equal(value("answer.first_date < '2027-01-01'"), true, 'ISO dates compare in date order');
  t.equal(value('answer.amount * 2 > customer.custom.balance - 700'), true, 'arithmetic binds tighter than comparison');
  t.equal(value('-answer.amount < 0'), true);
});

t.test('precedence: and binds tighter than or, not applies to one comparison', async (t) => {
  t.equal(value("answer.kind == 'x' and answer.danger or customer.name == 'Ada'"), true);
  t.equal(value("answer.kind == 'x' and (answer.danger or customer.name == 'Ada')"), false);
  t.equal(value("not answer.kind == 'x'"), true);
});

t.test('missing data reads as null: comparisons are false, empty() is true', async (t) => {
  t.equal(value("answer.reading > 10"), false);
  t.equal(value("answer.reading == null"), true);
  t.equal(value('empty(answer.reading)'), true);
  t.equal(value('empty(customer.emails)'), true);
  t.equal(value('empty(customer.phones)'), false);
  t.equal(value("case.status == 'open'"), false, 'no case in this conversation');
  t.equal(value('length(customer.phones) == 1'), true);
  t.equal(value("contains(customer.name, 'd')"), true);
  t.equal(value("'+31 20 555 0101' in customer.phones"), true);
});

function syntaxError(text: string): { index: number; message: string } {
  try {
    parseExpression(text, at);
  } catch (error) {
    if (error instanceof ExpressionSyntaxError) return { index: error.index, message: error.message };
    throw error;
  }
  return { index: -1, message: 'no error' };
}

t.test('syntax errors point at the offending character', async (t) => {
  t.same(syntaxError("answer.kind = 'outage'"), { index: 12, message: "use '==' to compare, not '='" });
  t.same(syntaxError('answer.kind == '), { index: 15, message: 'expression ends too early: a value is missing' });
  t.same(syntaxError("answer.kind == 'outage"), { index: 15, message: 'string starting here is not closed with \'' });
  t.same(syntaxError('(answer.amount > 1'), { index: 18, message: "expected ')' to close the parenthesis, found the end of the expression" });
  t.same(syntaxError("answer.kind == 'a' 'b'"), { index: 19, message: "unexpected ''b'' after a complete expression" });
  t.same(syntaxError('answer.a && answer.b'), { index: 9, message: "use 'and' / 'or', not '&&'" });
  t.same(syntaxError('kind == 1'), { index: 0, message: "'kind' is not a field path: write answer.kind, customer.kind, ... or quote it as a string" });
  t.same(syntaxError('upper(customer.name)'), { index: 0, message: "unknown function 'upper' (known: empty, length, contains)" });
  t.same(syntaxError('empty(answer.a, answer.b)'), { index: 0, message: 'empty() takes 1 argument, not 2' });
  t.same(syntaxError('   '), { index: 0, message: 'the condition is empty' });
});

t.test('templates fill placeholders; a lone placeholder keeps its type', async (t) => {
  const greeting = parseTemplate('Dear ${customer.name}, we will call ${customer.phones} about ${answer.kind}.', at);
  t.equal(renderTemplate(greeting, scope), 'Dear Ada, we will call +31 20 555 0101 about outage.');
  t.equal(renderTemplate(parseTemplate('Danger: ${answer.danger}; reading: ${answer.reading}', at), scope), 'Danger: no; reading: ');
  t.equal(templateValue(parseTemplate('${answer.amount}', at), scope), 120);
  t.equal(templateValue(parseTemplate('${answer.amount} EUR', at), scope), '120 EUR');
  t.equal(renderTemplate(parseTemplate('Costs $5, not ${ answer.amount }', at), scope), 'Costs $5, not 120');
  t.throws(() => parseTemplate('Hello ${customer.name', at), /not closed/);
});
