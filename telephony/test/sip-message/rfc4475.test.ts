// Every RFC 4475 torture message, as bytes, through parse then validate: what
// an endpoint does with it at the message layer (process, answer with a status,
// or drop a response). The expectations follow the corpus index.tsv.

import t from 'tap';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
// Through the folder's public surface, as the rest of the stack uses it.
import { getHeader, parseMessage, validateRequest, validateResponse } from '../../src/embedded/sip/index.js';
import { RFC4475, RFC4475_DIR } from '../corpus.js';

const CORPUS = RFC4475_DIR;

type Outcome = 'process' | 'drop' | number;

// What the message layer decides for each file. Where the index allows two
// answers we name the one this parser gives and why.
const EXPECTED: Record<string, Outcome> = {
  'wsinv.dat': 'process',
  'intmeth.dat': 'process', // unknown method: the UA answers 405/501, never 400
  'esc01.dat': 'process',
  'escnull.dat': 'process',
  'esc02.dat': 'process',
  'lwsdisp.dat': 'process',
  'longreq.dat': 'process',
  'dblreq.dat': 'process',
  'semiuri.dat': 'process',
  'transports.dat': 'process',
  'mpart01.dat': 'process',
  'unreason.dat': 'process',
  'noreason.dat': 'process',
  'badinv01.dat': 400,
  'clerr.dat': 400, // UDP: body shorter than Content-Length, never waited for
  'ncl.dat': 400,
  'scalar02.dat': 400,
  'scalarlg.dat': 'drop',
  'quotbal.dat': 400,
  'ltgtruri.dat': 400,
  'lwsruri.dat': 400,
  'lwsstart.dat': 400,
  'trws.dat': 400,
  'escruri.dat': 400,
  'baddate.dat': 'process', // lenient: Date is informational, the index allows it
  'regbadct.dat': 400,
  'badaspec.dat': 400, // strict: spaces inside <> are not an addr-spec
  'baddn.dat': 400,
  'badvers.dat': 505,
  'mismatch01.dat': 400,
  'mismatch02.dat': 400,
  'bigcode.dat': 'drop',
  'badbranch.dat': 'process', // transaction matching is the next layer's job
  'insuf.dat': 400,
  'unkscm.dat': 416,
  'novelsc.dat': 416,
  'unksm2.dat': 'process',
  'bext01.dat': 420,
  'invut.dat': 415,
  'regaut01.dat': 'process', // the registrar challenges it
  'multi01.dat': 400,
  'mcl01.dat': 400,
  'bcast.dat': 'drop',
  'zeromf.dat': 'process',
  'cparam01.dat': 'process',
  'cparam02.dat': 'process',
  'regescrt.dat': 'process',
  'sdp01.dat': 406,
  'inv2543.dat': 'process',
};

interface Decision {
  outcome: Outcome;
  detail: string;
}

/** What an endpoint receiving these bytes over UDP does, at the message layer. */
function decide(bytes: Buffer): Decision {
  const parsed = parseMessage(bytes);
  if (!parsed.ok) {
    if (!('error' in parsed)) return { outcome: 'drop', detail: 'not a message' };
    const { error } = parsed;
    // A broken request is answered when it could be addressed; anything else is dropped.
    if (error.partial) return { outcome: error.status, detail: error.reason };
    return { outcome: 'drop', detail: error.reason };
  }
  const message = parsed.message;
  if (message.kind === 'response') {
    const drop = validateResponse(message);
    return drop ? { outcome: 'drop', detail: drop.reason } : { outcome: 'process', detail: 'response' };
  }
  const rejection = validateRequest(message);
  return rejection ? { outcome: rejection.status, detail: rejection.reason } : { outcome: 'process', detail: message.method };
}

t.test('each of the 49 messages gets its expected outcome', RFC4475.options, async (t) => {
  const files = readdirSync(CORPUS).filter((f) => f.endsWith('.dat')).sort();
  t.equal(files.length, 49, 'the corpus holds the 49 RFC 4475 messages');
  t.same(files, Object.keys(EXPECTED).sort(), 'every corpus file has an expectation');
  for (const file of files) {
    const bytes = readFileSync(join(CORPUS, file));
    const { outcome, detail } = decide(bytes);
    t.equal(outcome, EXPECTED[file], `${file}: ${String(EXPECTED[file])} (${detail})`);
  }
});

t.test('details that the outcome alone does not show', RFC4475.options, async (t) => {
  const read = (f: string): Buffer => readFileSync(join(CORPUS, f));

  const dbl = parseMessage(read('dblreq.dat'));
  t.ok(dbl.ok && dbl.message.kind === 'request' && dbl.message.method === 'REGISTER', 'dblreq: the first request is the REGISTER');
  t.ok(dbl.ok && dbl.consumed < read('dblreq.dat').length, 'dblreq: the trailing INVITE is not part of it');

  const bext = parseMessage(read('bext01.dat'));
  const bextRejection = bext.ok && bext.message.kind === 'request' ? validateRequest(bext.message) : undefined;
  t.same(bextRejection?.headers, [{ name: 'Unsupported', value: 'nothingSupportsThis, nothingSupportsThisEither' }], 'bext01: 420 lists the Require tags only');

  const invut = parseMessage(read('invut.dat'));
  const invutRejection = invut.ok && invut.message.kind === 'request' ? validateRequest(invut.message) : undefined;
  t.same(invutRejection?.headers, [{ name: 'Accept', value: 'application/sdp' }], 'invut: 415 says Accept: application/sdp');

  const clerrTcp = parseMessage(read('clerr.dat'), { stream: true });
  t.same(clerrTcp, { ok: false, incomplete: true }, 'clerr over TCP: waits for the announced body');

  const wsinv = parseMessage(read('wsinv.dat'));
  t.ok(wsinv.ok, 'wsinv parses');
  if (wsinv.ok) {
    t.equal(getHeader(wsinv.message, 'Call-ID'), 'wsinv.ndaksdj@192.0.2.1');
    t.equal(getHeader(wsinv.message, 'cseq'), '0009 INVITE', 'folded CSeq is unfolded');
    t.equal(wsinv.message.body.length, 150, 'body bounded by Content-Length');
  }

  const bad = parseMessage(read('badvers.dat'));
  t.ok(!bad.ok && 'error' in bad && bad.error.partial && getHeader(bad.error.partial, 'Call-ID') === 'badvers.31417@c.example.com',
    'badvers: the partial request carries the Call-ID for the 505');
});
