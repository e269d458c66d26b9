import t from 'tap';
import { parseMessage, DEFAULT_MAX_MESSAGE_SIZE } from '../../src/embedded/sip/parse.js';
import type { ParseResult } from '../../src/embedded/sip/parse.js';
import { getHeader, getHeaders } from '../../src/embedded/sip/headers.js';
import type { SipMessage } from '../../src/embedded/sip/message.js';

const crlf = (lines: string[]): string => lines.join('\r\n');

// RFC 3261 §24.2, F1: Alice's INVITE to Bob (with its SDP).
const SDP = crlf([
  'v=0',
  'o=alice 2890844526 2890844526 IN IP4 client.atlanta.example.com',
  's=-',
  'c=IN IP4 192.0.2.101',
  't=0 0',
  'm=audio 49172 RTP/AVP 0',
  'a=rtpmap:0 PCMU/8000',
  '',
]);
const INVITE = crlf([
  'INVITE sip:bob@biloxi.example.com SIP/2.0',
  'Via: SIP/2.0/TCP client.atlanta.example.com:5060;branch=z9hG4bK74bf9',
  'Max-Forwards: 70',
  'From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl',
  'To: Bob <sip:bob@biloxi.example.com>',
  'Call-ID: 3848276298220188511@atlanta.example.com',
  'CSeq: 1 INVITE',
  'Contact: <sip:alice@client.atlanta.example.com;transport=tcp>',
  'Content-Type: application/sdp',
  `Content-Length: ${Buffer.byteLength(SDP)}`,
  '',
  SDP,
]);

function message(r: ParseResult): SipMessage {
  if (!r.ok) throw new Error(`expected a message, got ${JSON.stringify(r)}`);
  return r.message;
}

function errorOf(r: ParseResult): { reason: string; status: number; hasPartial: boolean } {
  if (r.ok || !('error' in r)) throw new Error(`expected an error, got ${JSON.stringify(r)}`);
  return { reason: r.error.reason, status: r.error.status, hasPartial: r.error.partial !== undefined };
}

t.test('RFC 3261 INVITE: start line, headers in order, body bounded', async (t) => {
  const r = parseMessage(Buffer.from(INVITE));
  const m = message(r);
  t.equal(m.kind, 'request');
  if (m.kind !== 'request') return;
  t.equal(m.method, 'INVITE');
  t.equal(m.uri, 'sip:bob@biloxi.example.com');
  t.same(m.headers.map((h) => h.name), ['Via', 'Max-Forwards', 'From', 'To', 'Call-ID', 'CSeq', 'Contact', 'Content-Type', 'Content-Length']);
  t.equal(m.body.toString(), SDP);
  t.equal(r.ok && r.consumed, Buffer.byteLength(INVITE));
});

t.test('responses, with an empty and an unusual reason phrase', async (t) => {
  const base = ['Via: SIP/2.0/UDP h;branch=z9hG4bK1', 'Content-Length: 0', '', ''];
  const ok = message(parseMessage(Buffer.from(crlf(['SIP/2.0 180 Ringing', ...base]))));
  t.ok(ok.kind === 'response' && ok.status === 180 && ok.reason === 'Ringing');
  const empty = message(parseMessage(Buffer.from(crlf(['SIP/2.0 100 ', ...base]))));
  t.ok(empty.kind === 'response' && empty.reason === '', 'empty reason phrase');
  const utf8 = message(parseMessage(Buffer.from(crlf(['SIP/2.0 200 Всё хорошо = 2**3', ...base]))));
  t.ok(utf8.kind === 'response' && utf8.reason === 'Всё хорошо = 2**3', 'UTF-8 reason phrase kept');
});

t.test('compact names, odd case and whitespace before the colon are canonicalised', async (t) => {
  const text = crlf([
    'MESSAGE sip:a@b SIP/2.0',
    'v: SIP/2.0/UDP h;branch=z9hG4bK1',
    'f: <sip:x@y>;tag=1',
    't: <sip:a@b>',
    'i: abc@h',
    'CSEQ  : 2 MESSAGE',
    'c: text/plain',
    'k: 100rel',
    'm: <sip:x@h>',
    'e: gzip',
    's: hello',
    'o: presence',
    'u: dialog',
    'r: <sip:c@d>',
    'b: <sip:e@f>',
    'x: 1800',
    'www-authenticate: Digest realm="r"',
    'max-FORWARDS: 70',
    'l: 2',
    '',
    'hi',
  ]);
  const m = message(parseMessage(Buffer.from(text)));
  t.same(m.headers.map((h) => h.name), [
    'Via', 'From', 'To', 'Call-ID', 'CSeq', 'Content-Type', 'Supported', 'Contact', 'Content-Encoding',
    'Subject', 'Event', 'Allow-Events', 'Refer-To', 'Referred-By', 'Session-Expires', 'WWW-Authenticate',
    'Max-Forwards', 'Content-Length',
  ]);
  t.equal(getHeader(m, 'cseq'), '2 MESSAGE');
  t.equal(m.body.toString(), 'hi');
});

t.test('line folding: continuation lines join with one space', async (t) => {
  const text = crlf([
    'OPTIONS sip:a@b SIP/2.0',
    'Via: SIP/2.0/UDP h',
    '  ;branch=z9hG4bK1',
    'Subject: first',
    '\tsecond',
    '   third',
    'Content-Length: 0',
    '',
    '',
  ]);
  const m = message(parseMessage(Buffer.from(text)));
  t.equal(getHeader(m, 'Via'), 'SIP/2.0/UDP h ;branch=z9hG4bK1');
  t.equal(getHeader(m, 'Subject'), 'first second third');
});

t.test('repeated headers stay separate entries in wire order', async (t) => {
  const text = crlf(['OPTIONS sip:a@b SIP/2.0', 'Via: SIP/2.0/UDP a', 'Route: <sip:r1>', 'Via: SIP/2.0/UDP b, SIP/2.0/UDP c', 'Route: <sip:r2>', 'l: 0', '', '']);
  const m = message(parseMessage(Buffer.from(text)));
  t.same(m.headers.filter((h) => h.name === 'Via').map((h) => h.value), ['SIP/2.0/UDP a', 'SIP/2.0/UDP b, SIP/2.0/UDP c']);
  t.same(getHeaders(m, 'Via'), ['SIP/2.0/UDP a', 'SIP/2.0/UDP b', 'SIP/2.0/UDP c']);
});

t.test('bare LF line ends from sloppy peers are accepted', async (t) => {
  const m = message(parseMessage(Buffer.from('OPTIONS sip:a@b SIP/2.0\nVia: SIP/2.0/UDP h\nContent-Length: 3\n\nabc')));
  t.equal(getHeader(m, 'Via'), 'SIP/2.0/UDP h');
  t.equal(m.body.toString(), 'abc');
});

t.test('keep-alives', async (t) => {
  t.same(parseMessage(Buffer.from('\r\n\r\n')), { ok: false, keepAlive: true, consumed: 4 }, 'UDP ping');
  t.same(parseMessage(Buffer.from('\r\n\r\n'), { stream: true }), { ok: false, keepAlive: true, consumed: 4 }, 'TCP ping');
  t.same(parseMessage(Buffer.from('\r\n'), { stream: true }), { ok: false, keepAlive: true, consumed: 2 }, 'TCP pong');
  const r = parseMessage(Buffer.from('\r\n\r\n' + INVITE), { stream: true });
  t.ok(r.ok && r.consumed === 4 + Buffer.byteLength(INVITE), 'CRLFs before a message are consumed with it');
  t.same(parseMessage(Buffer.alloc(0), { stream: true }), { ok: false, incomplete: true }, 'nothing yet');
});

t.test('stream mode: partial input waits, several messages are framed one by one', async (t) => {
  const wire = Buffer.from(INVITE + INVITE);
  const first = parseMessage(wire, { stream: true });
  t.ok(first.ok);
  if (!first.ok) return;
  const second = parseMessage(wire.subarray(first.consumed), { stream: true });
  t.ok(second.ok && second.consumed === Buffer.byteLength(INVITE), 'second message framed by Content-Length');
  let incomplete = 0;
  for (let cut = 1; cut < Buffer.byteLength(INVITE); cut++) {
    const r = parseMessage(wire.subarray(0, cut), { stream: true });
    if (!r.ok && 'incomplete' in r) incomplete++;
  }
  t.equal(incomplete, Buffer.byteLength(INVITE) - 1, 'every strict prefix is incomplete');
});

t.test('Content-Length rules', async (t) => {
  const head = (cl: string[]): string =>
    crlf(['MESSAGE sip:a@b SIP/2.0', 'Via: SIP/2.0/UDP h;branch=z9hG4bK1', 'From: <sip:x@y>;tag=1', 'To: <sip:a@b>', 'Call-ID: c1', 'CSeq: 1 MESSAGE', ...cl.map((v) => `Content-Length: ${v}`), '', '']);
  const udpExtra = parseMessage(Buffer.from(head(['5']) + 'helloEXTRA'));
  t.equal(message(udpExtra).body.toString(), 'hello', 'UDP: trailing octets beyond Content-Length ignored');
  t.equal(message(parseMessage(Buffer.from(head([]) + 'whole rest'))).body.toString(), 'whole rest', 'UDP: no Content-Length, body is the rest');
  t.match(errorOf(parseMessage(Buffer.from(head([]) + 'x'), { stream: true })).reason, /Content-Length is required/, 'TCP: Content-Length required');
  const short = errorOf(parseMessage(Buffer.from(head(['50']) + 'short')));
  t.match(short.reason, /shorter than Content-Length/, 'UDP: short body is an error');
  t.ok(short.hasPartial, 'and still answerable');
  t.same(parseMessage(Buffer.from(head(['50']) + 'short'), { stream: true }), { ok: false, incomplete: true }, 'TCP: short body waits');
  t.match(errorOf(parseMessage(Buffer.from(head(['-1'])))).reason, /not a non-negative integer/, 'negative');
  t.match(errorOf(parseMessage(Buffer.from(head(['abc'])))).reason, /not a non-negative integer/, 'non-numeric');
  t.match(errorOf(parseMessage(Buffer.from(head(['3', '4']) + 'abcd'))).reason, /multiple differing/, 'differing');
  t.equal(message(parseMessage(Buffer.from(head(['4', '0004']) + 'abcd'))).body.toString(), 'abcd', 'equal repeats and leading zeros are fine here');
  const absurd = errorOf(parseMessage(Buffer.from(head(['99999999999999999999999'])), { stream: true }));
  t.match(absurd.reason, /too large/, 'an absurd Content-Length is a malformed scalar, not waited for');
  t.equal(absurd.status, 400);
  const big = errorOf(parseMessage(Buffer.from(head(['1000000'])), { stream: true }));
  t.match(big.reason, /size limit/, 'a Content-Length past the size limit is refused, not waited for');
  t.equal(big.status, 513);
});

t.test('size limit: never unbounded buffering', async (t) => {
  const endless = Buffer.from('INVITE sip:a@b SIP/2.0\r\nX-Junk: ' + 'a'.repeat(DEFAULT_MAX_MESSAGE_SIZE));
  t.match(errorOf(parseMessage(endless, { stream: true })).reason, /exceeds the size limit of 65536 bytes/);
  const small = parseMessage(Buffer.from(INVITE), { maxSize: 400 });
  t.match(errorOf(small).reason, /size limit of 400/, 'maxSize option applies');
  t.ok(errorOf(small).hasPartial, 'an oversized request can still be answered (513)');
});

t.test('start line errors carry what a 400 needs', async (t) => {
  const withHeaders = (start: string): string =>
    crlf([start, 'Via: SIP/2.0/UDP h;branch=z9hG4bK1', 'From: <sip:x@y>;tag=1', 'To: <sip:a@b>', 'Call-ID: c1', 'CSeq: 1 INVITE', 'l: 0', '', '']);
  for (const bad of ['INVITE  sip:a@b SIP/2.0', 'INVITE sip:a@b SIP/2.0 ', 'INVITE <sip:a@b> SIP/2.0', 'INVITE sip:a@b?Route=x SIP/2.0', 'INVITE sip:a@b; lr SIP/2.0', 'INVITE sip:a@ SIP/2.0', 'INVITE sip:a@b SIP/2']) {
    const e = errorOf(parseMessage(Buffer.from(withHeaders(bad))));
    t.equal(e.status, 400, `${JSON.stringify(bad)}: ${e.reason}`);
    t.ok(e.hasPartial, `${JSON.stringify(bad)}: partial present`);
  }
  const r = parseMessage(Buffer.from(withHeaders('INVITE sip:a@b SIP/3.0')));
  t.equal(errorOf(r).status, 505, 'other SIP version: 505');
  if (!r.ok && 'error' in r && r.error.partial) {
    t.same(r.error.partial.headers.map((h) => h.name), ['Via', 'From', 'To', 'Call-ID', 'CSeq']);
    t.equal(r.error.partial.method, 'INVITE');
  }
  t.notOk(errorOf(parseMessage(Buffer.from(crlf(['SIP/2.0 OK', 'l: 0', '', ''])))).hasPartial, 'a broken response has no partial');
  t.notOk(errorOf(parseMessage(Buffer.from(crlf(['INVITE sip:a@b SIP/2.0 ', 'l: 0', '', ''])))).hasPartial, 'no partial without the addressing headers');
});

t.test('header line errors', async (t) => {
  const base = ['OPTIONS sip:a@b SIP/2.0', 'Via: SIP/2.0/UDP h;branch=z9hG4bK1', 'From: <sip:x@y>;tag=1', 'To: <sip:a@b>', 'Call-ID: c1', 'CSeq: 1 OPTIONS'];
  const noColon = errorOf(parseMessage(Buffer.from(crlf([...base, 'this line has no colon', 'l: 0', '', '']))));
  t.match(noColon.reason, /no colon/);
  t.ok(noColon.hasPartial);
  t.match(errorOf(parseMessage(Buffer.from(crlf([...base, 'Bad Name: x', 'l: 0', '', ''])))).reason, /invalid name/);
  t.match(errorOf(parseMessage(Buffer.from(crlf(['OPTIONS sip:a@b SIP/2.0', ' folded-first: x', 'l: 0', '', ''])))).reason, /continuation/);
  t.match(errorOf(parseMessage(Buffer.from(crlf(['OPTIONS sip:a@b SIP/2.0', 'l: 0'])))).reason, /not terminated/, 'UDP: headers must end with an empty line');
});

t.test('body bytes are copied, not shared with the input buffer', async (t) => {
  const wire = Buffer.from(INVITE);
  const m = message(parseMessage(wire));
  wire.fill(0);
  t.equal(m.body.toString(), SDP);
});

t.test('adversarial inputs at the size limit stay linear (no regex blow-up)', async (t) => {
  const { validateRequest } = await import('../../src/embedded/sip/validate.js');
  const { parseVia, parseNameAddr, parseAuthHeader } = await import('../../src/embedded/sip/headers.js');
  const { tryParseUri, SipSyntaxError } = await import('../../src/embedded/sip/uri.js');
  const rejects = (fn: () => unknown): void => {
    try {
      fn();
    } catch (err) {
      if (!(err instanceof SipSyntaxError)) throw err;
    }
  };
  const n = 60_000;
  const cases: [string, () => unknown][] = [
    ['many headers', () => {
      const lines = ['OPTIONS sip:a@b SIP/2.0', 'Via: SIP/2.0/UDP h;branch=z9hG4bK1', 'From: <sip:x@y>;tag=1', 'To: <sip:a@b>', 'Call-ID: c', 'CSeq: 1 OPTIONS'];
      for (let i = 0; i < 5000; i++) lines.push(`X-H${i}: v`);
      const r = parseMessage(Buffer.from(crlf([...lines, 'l: 0', '', ''])));
      if (r.ok && r.message.kind === 'request') validateRequest(r.message);
    }],
    ['many folds', () => parseMessage(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nSubject: x' + '\r\n y'.repeat(n / 4) + '\r\nl: 0\r\n\r\n'))],
    ['long Via list', () => getHeaders({ headers: [{ name: 'Via', value: 'SIP/2.0/UDP h,'.repeat(n / 15) }] }, 'Via')],
    ['long Via host', () => rejects(() => parseVia('SIP/2.0/UDP ' + 'a'.repeat(n) + '!'))],
    ['long display name', () => rejects(() => parseNameAddr('a '.repeat(n / 2) + '!<sip:a@b>'))],
    ['long host labels', () => tryParseUri('sip:a@' + 'a-'.repeat(n / 2) + '!')],
    ['long auth', () => rejects(() => parseAuthHeader('Digest ' + 'a=b, '.repeat(n / 5) + '!'))],
  ];
  for (const [name, fn] of cases) {
    const started = performance.now();
    fn();
    const ms = performance.now() - started;
    t.ok(ms < 2000, `${name}: ${ms.toFixed(1)} ms`);
  }
});
