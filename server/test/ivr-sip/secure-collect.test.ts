// A card number typed into an IVR `collect` with `secure: true`, on a real call
// (SIPp sends RFC 4733 digits): the flow sends it on to a payment service (an
// http node to a local server, which receives it), yet the digits appear in no
// log line at any level (the server logs to a file at trace), in no event on
// the bus, and in no file under the data folder (the SQLite database and its
// journal included). The caller's account number, typed into an ordinary
// collect on the same call, does show up in the log and the flow's path: the
// search would find a leak.
import t from 'tap';
import { Writable } from 'node:stream';
import { appendFileSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createLogger } from '../../src/core/logger.js';
import { tempDir } from '../helpers.js';
import { within } from '../acd-sip/site.js';
import { keysCaller, startIvrSite } from './site.js';

const ACCOUNT = '918273645';
const CARD = '4929137168230117';

const PAY = (port: number): string => `
name: pay
version: 1
language: en
timezone: UTC
start: account
nodes:
  account:
    type: collect
    prompts: [thank-you]
    into: account
    min-digits: 9
    max-digits: 9
    timeout: 20s
    next: card
    fallback: operator
  card:
    type: collect
    prompts: [thank-you]
    into: card
    secure: true
    min-digits: 16
    max-digits: 16
    pattern: "[0-9]{16}"
    timeout: 20s
    next: charge
    fallback: operator
  charge:
    type: http
    method: POST
    url: http://127.0.0.1:${port}/charge
    body: { account: '\${vars.account}', card: '\${vars.card}' }
    timeout: 5s
    next: paid
    failure: operator
  paid: { type: queue, queue: paid }
  operator: { type: queue, queue: operator }
`;

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? filesUnder(file) : [file];
  });
}

t.test('secure digits reach the payment service and nothing else', { timeout: 120_000 }, async (t) => {
  const logFile = path.join(tempDir(t, 'tenor-secure-log-'), 'server.log');
  const toFile = new Writable({ write(chunk: Buffer, _encoding, done) { appendFileSync(logFile, chunk); done(); } });
  const charges: Record<string, string>[] = [];
  const payments = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString(); });
    req.on('end', () => {
      charges.push(JSON.parse(body) as Record<string, string>);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => payments.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => payments.close(() => resolve())));
  const port = (payments.address() as AddressInfo).port;

  const s = await startIvrSite(t, {
    site: { queues: [{ name: 'paid' }, { name: 'operator' }], entryNumbers: [{ number: '+15550400', flow: 'pay' }] },
    flows: { pay: PAY(port) },
    logger: createLogger('trace', toFile),
  });
  // The account number, then the card number: each collect takes a fixed number of digits.
  await keysCaller(t, s, { number: '+15550400', caller: '+31201110021', keys1: ACCOUNT, keys2: CARD, gapMs: 8000 });
  const done = await s.bus.wait('flow_ended', () => true, 60_000);
  t.match(done.payload, { how: 'completed', outcome: { type: 'queue', queue: 'paid' } }, `the flow took both entries and reached the paid queue: ${JSON.stringify(done.payload.path)}`);
  t.same(charges, [{ account: ACCOUNT, card: CARD }], 'the payment service received the card number: the flow can use it');
  const ended = await s.bus.wait('call_ended', () => true, 60_000);
  t.ok(ended, 'the caller hung up');

  const flowEnded = s.bus.of('flow_ended')[0];
  t.match(flowEnded?.payload.path, [{ node: 'account', exit: 'next', input: ACCOUNT }, { node: 'card', exit: 'next' }, { node: 'charge', exit: 'next', input: '200' }, { node: 'paid' }],
    "the path shows the account number, and the card step without what was typed");
  t.notOk(flowEnded?.payload.path.some((st) => 'input' in st && st.node === 'card'), 'the card step has no input at all');
  t.notOk(JSON.stringify(s.bus.events).includes(CARD), 'no event on the bus carries the card number');

  // The log: every line, every level.
  await within(s.services.get('acd').flush(), 10_000, 'the ACD to write its records');
  const lines = readFileSync(logFile, 'utf8').split('\n').filter((l) => l !== '');
  t.ok(lines.some((l) => (JSON.parse(l) as { level: number }).level <= 20), 'the log has debug and trace lines: nothing was held back by level');
  const collected = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['msg'] === 'digits collected');
  t.match(collected, [{ node: 'account', digits: ACCOUNT }, { node: 'card', secure: true, digitCount: 16 }], 'the account number is logged; the card entry only as 16 digits');
  t.same(lines.filter((l) => l.includes(CARD)), [], 'no log line holds the card number');
  // Digit by digit: no line names a single key or a run of keys (the telephony engine logs that a key arrived, not which).
  const digitFields = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => typeof l['digit'] === 'string' || (typeof l['digits'] === 'string' && l['digits'] !== ACCOUNT));
  t.same(digitFields, [], 'no log line carries a digit of the card');

  // Every file under the data folder, as bytes (the SQLite database, its journal, anything else).
  const files = filesUnder(s.dataDir);
  t.ok(files.some((f) => f.endsWith('.db') || f.endsWith('.sqlite')), `the data folder holds the database (${files.map((f) => path.relative(s.dataDir, f)).join(', ')})`);
  const holding = files.filter((f) => readFileSync(f).includes(CARD));
  t.same(holding, [], 'no file under the data folder holds the card number');
  t.ok(readFileSync(logFile).includes(ACCOUNT), 'while the account number typed the same way is in the log (the search finds what is there)');
});
