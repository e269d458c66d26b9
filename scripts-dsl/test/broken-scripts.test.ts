// Each broken script has exactly one problem, reported at the line and
// column an author must look at, and `tenor check-script` fails on it.
import { readFile, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { findProblems } from '../src/compile.js';
import { checkScriptCommand } from '../src/node/check-file.js';

const brokenDir = fileURLToPath(new URL('./fixtures/broken/', import.meta.url));
const examplesDir = fileURLToPath(new URL('../examples/', import.meta.url));

/** file → [line:column, a fragment of the message] */
const EXPECTED: Record<string, [string, string]> = {
  // parser: XML, grammar, attribute values, expressions
  'xml-mismatched-tag.xml': ['4:34', 'closing tag </step> does not match <info> opened at 4:5'],
  'unknown-element.xml': ['4:5', 'unknown element <questoin>'],
  'unknown-attribute.xml': ['7:19', "<go> has no attribute 'if'"],
  'missing-attribute.xml': ['5:5', "<go> needs the attribute 'to'"],
  'out-of-order.xml': ['7:5', '<info> is out of order inside <step>'],
  'bad-question-type.xml': ['4:34', "unknown type 'multiple'"],
  'bad-bound.xml': ['4:46', "min must be a number, not 'ten'"],
  'bad-condition-syntax.xml': ['9:37', "use '==' to compare, not '='"],
  'bad-condition-after-entity.xml': ['7:76', "expected ']' to close the list, found the string 'B'"],
  'bad-placeholder.xml': ['5:9', "placeholder '${customer name}' must be a field path"],
  'bad-recording-action.xml': ['6:26', "recording action must be pause or resume, not 'stop'"],
  // checker
  'unknown-step.xml': ['8:13', "step 'ask': <go> leads to unknown step 'sumary'"],
  'unreachable-step.xml': ['9:3', "step 'forgotten' is unreachable"],
  'unknown-field.xml': ['7:44', "step 'ask': unknown field customer.segmnt"],
  'answer-not-yet.xml': ['7:27', "step 'ask': answer.sparks cannot have been answered yet"],
  'option-misspelled.xml': ['9:42', `step 'ask': answer.kind is never "outgae"`],
  'cycle-no-exit.xml': ['10:3', "step 'check-fuse' is in a cycle with no way out: 'check-fuse' → 'check-switch' → 'check-fuse'"],
  'action-missing-parameter.xml': ['8:7', "step 'ask': <create-case> is missing 'description'"],
  'no-way-forward.xml': ['3:3', "step 'ask' has no way forward when none of its conditions holds"],
  'duplicate-id.xml': ['10:3', "duplicate step id 'done' (first used at 9:3)"],
  'end-without-outcome.xml': ['9:3', "end 'done' has no outcome"],
};

t.test('every broken fixture is in the table', async (t) => {
  const files = (await readdir(brokenDir)).filter((f) => f.endsWith('.xml')).sort();
  t.same(files, Object.keys(EXPECTED).sort());
});

for (const [file, [where, message]] of Object.entries(EXPECTED)) {
  t.test(`${file}: one problem at ${where}`, async (t) => {
    const problems = findProblems(await readFile(brokenDir + file, 'utf8'));
    t.equal(problems.length, 1, JSON.stringify(problems));
    const [problem] = problems;
    t.equal(`${problem?.line}:${problem?.column}`, where);
    t.ok(problem?.message.includes(message), problem?.message ?? 'no problem reported');
  });
}

function capture(): { lines: { out: string[]; err: string[] }; output: { out: (l: string) => void; err: (l: string) => void } } {
  const lines = { out: [] as string[], err: [] as string[] };
  return { lines, output: { out: (l) => lines.out.push(l), err: (l) => lines.err.push(l) } };
}

t.test('check-script exits 1 on each broken script and prints file:line:column: message', async (t) => {
  for (const [file, [where, message]] of Object.entries(EXPECTED)) {
    const { lines, output } = capture();
    const code = await checkScriptCommand([brokenDir + file], output);
    t.equal(code, 1, file);
    t.equal(lines.err.length, 1, file);
    t.ok(lines.err[0]?.startsWith(`${brokenDir}${file}:${where}: `), lines.err[0] ?? 'no output');
    t.ok(lines.err[0]?.includes(message), lines.err[0] ?? 'no output');
  }
});

t.test('check-script exits 0 on every example', async (t) => {
  const examples = (await readdir(examplesDir)).filter((f) => f.endsWith('.xml')).map((f) => examplesDir + f);
  t.ok(examples.length >= 3);
  const { lines, output } = capture();
  t.equal(await checkScriptCommand(examples, output), 0, lines.err.join('\n'));
  t.same(lines.err, []);
  t.equal(lines.out.length, examples.length);
});

t.test('check-script: usage errors and unreadable files', async (t) => {
  const none = capture();
  t.equal(await checkScriptCommand([], none.output), 2);
  t.match(none.lines.err[0], /usage: tenor check-script/);
  const missing = capture();
  t.equal(await checkScriptCommand([brokenDir + 'no-such-file.xml'], missing.output), 1);
  t.match(missing.lines.err[0], /no-such-file\.xml:1:1: cannot read the file/);
});

t.test('check-script --catalogue: a host catalogue changes which fields are known', async (t) => {
  const dir = t.testdir({ 'catalogue.json': JSON.stringify({ customer: ['name', 'segmnt'] }) });
  const { lines, output } = capture();
  // With a catalogue where 'segmnt' exists, the misspelled field is fine.
  t.equal(await checkScriptCommand(['--catalogue', `${dir}/catalogue.json`, brokenDir + 'unknown-field.xml'], output), 0, lines.err.join('\n'));
  // The payment example reads customer.custom.* and customer.emails, unknown to that catalogue.
  const strict = capture();
  t.equal(await checkScriptCommand(['--catalogue', `${dir}/catalogue.json`, examplesDir + 'payment-arrangement.xml'], strict.output), 1);
  t.match(strict.lines.err.join('\n'), /unknown field customer\.custom\.balance/);
});
