// The CSV parser: RFC 4180 quoting, embedded delimiters and line breaks, BOM,
// delimiter detection, chunks split anywhere, line numbers of records.
import t from 'tap';
import { CsvParser, detectDelimiter, parseCsv } from '../../src/services/campaigns/lists/csv.js';

t.test('quoted fields keep commas, doubled quotes and line breaks; records know their first line', async (t) => {
  const text = 'Name,Phone,Note\r\n"Doe, Jane",+4930123456,"said ""call me""\r\nafter 5"\r\nBob,030 987,\r\n';
  const { rows, delimiter, problems } = parseCsv(text);
  t.equal(delimiter, ',');
  t.same(problems, []);
  t.same(rows.map((r) => r.fields), [['Name', 'Phone', 'Note'], ['Doe, Jane', '+4930123456', 'said "call me"\nafter 5'], ['Bob', '030 987', '']]);
  t.same(rows.map((r) => r.line), [1, 2, 4], 'the record after a two-line field starts on line 4');
});

t.test('a BOM is dropped and ";" is detected from the header', async (t) => {
  const { rows, delimiter } = parseCsv('\uFEFFName;Phone\nMüller;"0301,5"\n');
  t.equal(delimiter, ';');
  t.same(rows[0]?.fields, ['Name', 'Phone'], 'no BOM in the first header');
  t.same(rows[1]?.fields, ['Müller', '0301,5']);
  t.equal(detectDelimiter('"a;b",c'), ',', 'a delimiter inside quotes does not count');
});

t.test('blank lines are skipped, a missing final line break is fine, an unclosed quote is reported', async (t) => {
  const { rows, problems } = parseCsv('a,b\n\n1,2\n\n3,"4');
  t.same(rows.map((r) => [r.line, r.fields]), [[1, ['a', 'b']], [3, ['1', '2']], [5, ['3', '4']]]);
  t.match(problems, [{ line: 5, message: /not closed/ }]);
});

t.test('chunks split anywhere (inside quotes, between CR and LF) give the same records', async (t) => {
  const text = 'h1,h2\r\n"x\r\ny","a""b"\r\n1,2\r\n';
  const whole = parseCsv(text).rows;
  for (let size = 1; size <= 5; size++) {
    const p = new CsvParser();
    const rows = [];
    for (let i = 0; i < text.length; i += size) rows.push(...p.push(text.slice(i, i + size)));
    rows.push(...p.end());
    t.same(rows, whole, `chunks of ${size}`);
  }
});

t.test('100,000 rows stream through in bounded memory', async (t) => {
  const p = new CsvParser();
  let count = 0;
  p.push('Phone,Name\n');
  for (let i = 0; i < 100_000; i += 1000) {
    let chunk = '';
    for (let j = i; j < i + 1000; j++) chunk += `+4930${String(1_000_000 + j)},"Name ${j}"\n`;
    count += p.push(chunk).length;
  }
  count += p.end().length;
  t.equal(count, 100_000);
});
