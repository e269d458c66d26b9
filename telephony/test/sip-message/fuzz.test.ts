// Property-based fuzzing of the message layer. Over 100,000 inputs in total:
// generated valid messages (in canonical and in "wire-creative" form: compact
// names, odd case, folding, padding) and mutations of those and of the RFC 4475
// corpus (byte flips, truncation, duplication, deletions, inserted header
// lines, huge values, CRLF runs, absurd Content-Lengths).
// Properties: parseMessage never throws, never returns a message over the size
// limit, never asks for more bytes past it; whatever it accepts, validation,
// the header parsers and serialize→parse handle without surprise; valid
// messages round-trip exactly. A failure prints fast-check's seed and path.

import t from 'tap';
import fc from 'fast-check';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_MAX_MESSAGE_SIZE, parseMessage } from '../../src/embedded/sip/parse.js';
import type { ParseOptions } from '../../src/embedded/sip/parse.js';
import { serializeMessage } from '../../src/embedded/sip/serialize.js';
import { validateRequest, validateResponse } from '../../src/embedded/sip/validate.js';
import { getHeaders, parseAuthHeader, parseCSeq, parseNameAddr, parseVia } from '../../src/embedded/sip/headers.js';
import { canonicalName, compactName } from '../../src/embedded/sip/names.js';
import { parseUri, SipSyntaxError } from '../../src/embedded/sip/uri.js';
import type { HeaderField, SipMessage } from '../../src/embedded/sip/message.js';
import { RFC4475, RFC4475_DIR } from '../corpus.js';
import { mutate, type Mutation } from './mutate.js';

const CORPUS = RFC4475_DIR;
const corpus = RFC4475.found ? readdirSync(CORPUS).filter((f) => f.endsWith('.dat')).sort().map((f) => readFileSync(join(CORPUS, f))) : [];

// ------------------------------------------------------------- generators

const chars = (s: string): fc.Arbitrary<string> => fc.constantFrom(...Array.from(s)); // by code point
const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const alnum = fc.string({ unit: chars(ALNUM), minLength: 1, maxLength: 10 });
const token = fc.string({ unit: chars(ALNUM + "-.!%*_+`'~"), minLength: 1, maxLength: 12 });
const label = fc.string({ unit: chars('abcdefghijklmnopqrstuvwxyz0123456789'), minLength: 1, maxLength: 8 });
const host = fc.oneof(
  fc.array(label, { minLength: 1, maxLength: 3 }).map((l) => l.join('.')),
  fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.')),
);
const port = fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }).map((p) => (p === undefined ? '' : `:${p}`));
// Free text: printable ASCII and some UTF-8, single spaces between words.
const word = fc.string({ unit: fc.oneof(chars('!#$%&()*+,-./0123456789:;<=>?@ABCXYZ[]^_`abcxyz{|}~\'"\\'), chars('éЖ中😀')), minLength: 1, maxLength: 8 });
const text = fc.array(word, { minLength: 1, maxLength: 5 }).map((w) => w.join(' '));
const quotedDisplay = text.map((s) => `"${s.replace(/(["\\])/g, '\\$1')}"`);
const sipUri = fc.tuple(fc.constantFrom('sip', 'sips'), alnum, host, port, fc.constantFrom('', ';transport=tcp', ';lr', ';user=phone;x=y'))
  .map(([scheme, user, h, p, params]) => `${scheme}:${user}@${h}${p}${params}`);
const nameAddr = fc.tuple(fc.option(fc.oneof(quotedDisplay, alnum), { nil: undefined }), sipUri, fc.option(alnum, { nil: undefined }))
  .map(([display, uri, tag]) => `${display !== undefined ? display + ' ' : ''}<${uri}>${tag !== undefined ? `;tag=${tag}` : ''}`);
const via = fc.tuple(fc.constantFrom('UDP', 'TCP', 'TLS', 'SCTP'), host, port, alnum, fc.boolean())
  .map(([tr, h, p, branch, rport]) => `SIP/2.0/${tr} ${h}${p};branch=z9hG4bK${branch}${rport ? ';rport' : ''}`);
const method = fc.oneof(fc.constantFrom('INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'REGISTER', 'INFO', 'UPDATE', 'MESSAGE', 'NOTIFY'), token);
// Extra headers: any token name except one that means Content-Length.
const extraHeader = fc.tuple(token, text)
  .filter(([name]) => canonicalName(name) !== 'Content-Length')
  .map(([name, value]): HeaderField => ({ name: canonicalName(name), value }));

const validMessage: fc.Arbitrary<SipMessage> = fc
  .record({
    request: fc.boolean(),
    method,
    uri: sipUri,
    status: fc.integer({ min: 100, max: 699 }),
    reason: fc.oneof(fc.constant(''), text),
    vias: fc.array(via, { minLength: 1, maxLength: 3 }),
    from: nameAddr,
    to: nameAddr,
    callId: fc.tuple(alnum, host).map(([a, h]) => `${a}@${h}`),
    seq: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    extras: fc.array(fc.tuple(extraHeader, fc.nat()), { maxLength: 6 }),
    body: fc.uint8Array({ maxLength: 300, size: 'medium' }),
  })
  .map((g): SipMessage => {
    const headers: HeaderField[] = [
      ...g.vias.map((value) => ({ name: 'Via', value })),
      { name: 'From', value: g.from },
      { name: 'To', value: g.to },
      { name: 'Call-ID', value: g.callId },
      { name: 'CSeq', value: `${g.seq} ${g.request ? g.method : 'INVITE'}` },
      { name: 'Max-Forwards', value: '70' },
    ];
    for (const [field, at] of g.extras) headers.splice(at % (headers.length + 1), 0, field);
    const body = Buffer.from(g.body);
    return g.request
      ? { kind: 'request', method: g.method, uri: g.uri, headers, body }
      : { kind: 'response', status: g.status, reason: g.reason, headers, body };
  });

/** A message as a creative but valid peer would write it. */
const wireForm = (m: SipMessage): fc.Arbitrary<Buffer> =>
  fc
    .record({
      forms: fc.array(fc.record({ name: fc.nat(4), before: fc.constantFrom('', ' ', '\t', '   '), after: fc.constantFrom('', ' ', '  ', '\t'), fold: fc.array(fc.nat(), { maxLength: 3 }) }), {
        minLength: m.headers.length + 1, maxLength: m.headers.length + 1,
      }),
      lengthZeros: fc.constantFrom('', '0', '000'),
      lengthAt: fc.nat(),
      keepAlive: fc.constantFrom('', '\r\n', '\r\n\r\n'),
    })
    .map(({ forms, lengthZeros, lengthAt, keepAlive }) => {
      const fields = [...m.headers];
      fields.splice(lengthAt % (fields.length + 1), 0, { name: 'Content-Length', value: lengthZeros + String(m.body.length) });
      const lines = fields.map((h, i) => {
        const f = forms[i] ?? { name: 0, before: '', after: ' ', fold: [] };
        const compact = compactName(h.name);
        // Known names may arrive in any case or compact; unknown ones are kept as sent.
        const known = canonicalName(h.name.toLowerCase()) === h.name && canonicalName(h.name.toUpperCase()) === h.name;
        const names = known ? [h.name, h.name.toLowerCase(), h.name.toUpperCase(), compact ?? h.name, compact?.toUpperCase() ?? h.name.toLowerCase()] : [h.name];
        // Fold at some of the value's single spaces (equivalent to one SP).
        const parts = h.value.split(' ');
        let value = parts[0] ?? '';
        for (let p = 1; p < parts.length; p++) value += (f.fold.includes(p) ? '\r\n\t ' : ' ') + (parts[p] ?? '');
        return `${names[f.name] ?? h.name}${f.before}:${f.after}${value}`;
      });
      const start = m.kind === 'request' ? `${m.method} ${m.uri} SIP/2.0` : `SIP/2.0 ${m.status} ${m.reason}`;
      return Buffer.concat([Buffer.from(`${keepAlive}${start}\r\n${lines.join('\r\n')}\r\n\r\n`), m.body]);
    });

const insertedText = fc.oneof(
  fc.tuple(token, text).map(([n, v]) => `\r\n${n}: ${v}`),
  fc.tuple(fc.constantFrom('Content-Length', 'l', 'CSeq', 'Max-Forwards', 'Expires', 'Via', 'To', 'Contact'), fc.oneof(fc.constant('-1'), fc.constant('99999999999999999999999999'), fc.bigInt({ min: 0n, max: 10n ** 30n }).map(String), text))
    .map(([n, v]) => `\r\n${n}: ${v}`),
  fc.integer({ min: 1000, max: 100_000 }).map((n) => `\r\nX-Huge: ${'x'.repeat(n)}`),
  fc.constantFrom('\r\n', '\r\n\r\n', '\n', '\r', '\0', ' ', '\t', ',', ';', '"', '<', '>', '%', '%0', ':', '\r\n ', '\xff'),
);
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.nat(255) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), len: fc.nat(400), to: fc.nat() }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.nat(40) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: insertedText }),
);

// ------------------------------------------------------------- properties

const withoutLength = (m: SipMessage): SipMessage => ({ ...m, headers: m.headers.filter((h) => h.name !== 'Content-Length') });

/** Same message, Content-Length aside (it is rewritten on serialize). */
function sameMessage(a: SipMessage, b: SipMessage): boolean {
  const startA = a.kind === 'request' ? [a.kind, a.method, a.uri] : [a.kind, a.status, a.reason];
  const startB = b.kind === 'request' ? [b.kind, b.method, b.uri] : [b.kind, b.status, b.reason];
  return (
    JSON.stringify(startA) === JSON.stringify(startB) &&
    JSON.stringify(withoutLength(a).headers) === JSON.stringify(withoutLength(b).headers) &&
    a.body.equals(b.body)
  );
}

/** Run a structured parser: it may reject with SipSyntaxError, nothing else. */
function strictly(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof SipSyntaxError)) throw err;
  }
}

/**
 * Everything the stack does with untrusted bytes at this layer. Throws (failing
 * the property) on any broken promise.
 */
const outcomes = { accepted: 0, rejected: 0, incomplete: 0, keepAlive: 0 };

function exercise(buf: Buffer, opts: ParseOptions): void {
  const max = opts.maxSize ?? DEFAULT_MAX_MESSAGE_SIZE;
  const r = parseMessage(buf, opts);
  outcomes[r.ok ? 'accepted' : 'incomplete' in r ? 'incomplete' : 'keepAlive' in r ? 'keepAlive' : 'rejected']++;
  let lead = 0;
  while (lead < buf.length && (buf[lead] === 0x0d || buf[lead] === 0x0a)) lead++;
  if (r.ok) {
    if (r.consumed > buf.length || r.consumed - lead > max) throw new Error(`accepted ${r.consumed - lead} bytes over a limit of ${max}`);
    const m = r.message;
    const verdict = m.kind === 'request' ? validateRequest(m) : validateResponse(m);
    if (verdict && /[\x00-\x1f\x7f]/.test(verdict.reason)) throw new Error('control character in a validation reason');
    for (const v of getHeaders(m, 'Via')) strictly(() => parseVia(v));
    for (const name of ['From', 'To', 'Contact', 'Route']) for (const v of getHeaders(m, name)) strictly(() => parseNameAddr(v));
    for (const v of getHeaders(m, 'CSeq')) strictly(() => parseCSeq(v));
    for (const v of getHeaders(m, 'Authorization')) strictly(() => parseAuthHeader(v));
    if (m.kind === 'request') strictly(() => parseUri(m.uri));
    // What we accepted we can write back, and read again as the same message.
    const again = parseMessage(serializeMessage(m), { stream: true, maxSize: Number.MAX_SAFE_INTEGER });
    if (!again.ok) throw new Error(`re-serialized message does not parse: ${JSON.stringify(again)}`);
    if (!sameMessage(again.message, m)) throw new Error('re-serialized message differs');
  } else if ('incomplete' in r) {
    if (!opts.stream) throw new Error('incomplete on a datagram');
    if (buf.length - lead >= max) throw new Error('waits for more bytes past the size limit');
  } else if ('keepAlive' in r) {
    if (r.consumed !== lead || lead !== buf.length) throw new Error('keep-alive miscounted');
  } else {
    if (typeof r.error.reason !== 'string' || r.error.reason === '') throw new Error('error without a reason');
    if (/[\x00-\x1f\x7f]/.test(r.error.reason)) throw new Error('control character in an error reason');
    if (![400, 505, 513].includes(r.error.status)) throw new Error(`unexpected status ${r.error.status}`);
    for (const h of r.error.partial?.headers ?? []) if (/[\r\n]/.test(h.value)) throw new Error('CR/LF in a partial header');
  }
}

const parseOptions: fc.Arbitrary<ParseOptions> = fc.record({
  stream: fc.boolean(),
  maxSize: fc.oneof(fc.constant(DEFAULT_MAX_MESSAGE_SIZE), fc.integer({ min: 64, max: 4096 })),
});

/** Run a property; the message names the runs, time and, on failure, seed and counterexample. */
function check<Ts extends unknown[]>(name: string, property: fc.IProperty<Ts>, numRuns: number): { ok: boolean; message: string } {
  const started = Date.now();
  const details = fc.check(property, { numRuns });
  const summary = `${name}: ${numRuns} runs in ${Date.now() - started} ms`;
  return { ok: !details.failed, message: details.failed ? `${summary}\n${fc.defaultReportMessage(details) ?? ''}` : summary };
}

let total = 0;
const count = (n: number): number => ((total += n), n);

t.test('valid messages: serialize → parse is the identity', async (t) => {
  const r = check('canonical round-trip', fc.property(validMessage, (m) => {
    const r = parseMessage(serializeMessage(m), { stream: true });
    if (!r.ok) throw new Error(JSON.stringify(r));
    return sameMessage(r.message, m);
  }), count(10_000));
  t.ok(r.ok, r.message);
});

t.test('valid messages in creative wire form parse to the same message', async (t) => {
  const arb = validMessage.chain((m) => fc.tuple(fc.constant(m), wireForm(m), fc.boolean()));
  const r = check('wire forms', fc.property(arb, ([m, wire, stream]) => {
    const r = parseMessage(wire, { stream });
    if (!r.ok) throw new Error(JSON.stringify(r));
    return sameMessage(r.message, m);
  }), count(10_000));
  t.ok(r.ok, r.message);
});

t.test('mutated corpus messages never break the parser', RFC4475.options, async (t) => {
  const arb = fc.tuple(fc.constantFrom(...corpus), fc.array(mutation, { minLength: 1, maxLength: 5 }), parseOptions);
  const r = check('corpus mutations', fc.property(arb, ([source, mutations, opts]) => {
    exercise(mutate(source, mutations), opts);
  }), count(55_000));
  t.ok(r.ok, r.message);
});

t.test('mutated generated messages never break the parser', async (t) => {
  const arb = fc.tuple(validMessage.chain(wireForm), fc.array(mutation, { minLength: 1, maxLength: 5 }), parseOptions);
  const r = check('generated mutations', fc.property(arb, ([source, mutations, opts]) => {
    exercise(mutate(source, mutations), opts);
  }), count(20_000));
  t.ok(r.ok, r.message);
});

t.test('random bytes and every prefix of the corpus', RFC4475.options, async (t) => {
  const r = check('random bytes', fc.property(fc.uint8Array({ maxLength: 2000, size: 'max' }), parseOptions, (bytes, opts) => {
    exercise(Buffer.from(bytes), opts);
  }), count(5_000));
  t.ok(r.ok, r.message);
  // Every prefix in stream mode: a TCP peer's message cut anywhere.
  let prefixes = 0;
  for (const source of corpus) {
    for (let cut = 0; cut <= source.length; cut += 7) {
      exercise(source.subarray(0, cut), { stream: true });
      prefixes++;
    }
  }
  total += prefixes;
  t.pass(`${prefixes} corpus prefixes in stream mode`);
});

t.test('total', RFC4475.options, async (t) => {
  t.ok(total >= 100_000, `${total} fuzzed inputs in all`);
  // The mutations must reach the deep paths, not stop at the first byte.
  const exercised = outcomes.accepted + outcomes.rejected + outcomes.incomplete + outcomes.keepAlive;
  t.ok(outcomes.accepted > exercised / 10, `accepted ${outcomes.accepted} of ${exercised} mutated inputs`);
  t.ok(outcomes.rejected > exercised / 10, `rejected ${outcomes.rejected}, incomplete ${outcomes.incomplete}, keep-alive ${outcomes.keepAlive}`);
});
