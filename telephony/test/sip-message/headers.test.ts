import t from 'tap';
import {
  appendHeader, createResponse, formatAuthHeader, formatNameAddr, formatVia, getHeader, getHeaders,
  parseAuthHeader, parseCSeq, parseNameAddr, parseParams, parseVia, prependHeader, reasonPhrase,
  removeHeader, setHeader, splitList,
} from '../../src/embedded/sip/headers.js';
import type { SipRequest } from '../../src/embedded/sip/message.js';
import { SipSyntaxError } from '../../src/embedded/sip/uri.js';

function request(headers: [string, string][]): SipRequest {
  return { kind: 'request', method: 'INVITE', uri: 'sip:bob@biloxi.com', headers: headers.map(([name, value]) => ({ name, value })), body: Buffer.alloc(0) };
}

t.test('getHeader / getHeaders: names by case and compact form, lists split', async (t) => {
  const msg = request([
    ['Via', 'SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/TCP b;branch=z9hG4bK2'],
    ['Contact', '"Doe, John" <sip:j@h;x=a,b>;q=0.5, <sip:k@h>'],
    ['Via', 'SIP/2.0/UDP c;branch=z9hG4bK3'],
    ['Call-ID', 'abc'],
    ['Date', 'Sat, 13 Nov 2010 23:29:00 GMT'],
    ['WWW-Authenticate', 'Digest realm="a, b", nonce="n"'],
    ['X-Custom', 'one, two'],
  ]);
  t.same(getHeaders(msg, 'v'), ['SIP/2.0/UDP a;branch=z9hG4bK1', 'SIP/2.0/TCP b;branch=z9hG4bK2', 'SIP/2.0/UDP c;branch=z9hG4bK3']);
  t.equal(getHeader(msg, 'VIA'), 'SIP/2.0/UDP a;branch=z9hG4bK1', 'first value of the first line');
  t.same(getHeaders(msg, 'm'), ['"Doe, John" <sip:j@h;x=a,b>;q=0.5', '<sip:k@h>'], 'commas in quotes and <> do not split');
  t.equal(getHeader(msg, 'i'), 'abc');
  t.equal(getHeader(msg, 'call-id'), 'abc');
  t.equal(getHeader(msg, 'Date'), 'Sat, 13 Nov 2010 23:29:00 GMT', 'Date is not a list');
  t.same(getHeaders(msg, 'www-authenticate'), ['Digest realm="a, b", nonce="n"'], 'auth headers are not lists');
  t.same(getHeaders(msg, 'X-Custom'), ['one, two'], 'unknown headers are not split');
  t.equal(getHeader(msg, 'Subject'), undefined);
  t.same(splitList('a, "b,\\"c", <d,e>,, f'), ['a', '"b,\\"c"', '<d,e>', 'f']);
});

t.test('setHeader / appendHeader / prependHeader / removeHeader', async (t) => {
  const msg = request([['Via', 'v1'], ['Max-Forwards', '70'], ['Supported', 'a'], ['k', 'b'], ['To', 't']]);
  setHeader(msg, 'supported', 'timer');
  t.same(msg.headers.map((h) => `${h.name}:${h.value}`), ['Via:v1', 'Max-Forwards:70', 'Supported:timer', 'To:t'], 'replaces every field, also compact ones, in place');
  setHeader(msg, 'subject', 'new');
  t.same(msg.headers.at(-1), { name: 'Subject', value: 'new' }, 'appends when absent, with the canonical name');
  prependHeader(msg, 'v', 'v0');
  t.same(msg.headers[0], { name: 'Via', value: 'v0' });
  appendHeader(msg, 'Route', '<sip:r>');
  t.same(msg.headers.at(-1), { name: 'Route', value: '<sip:r>' });
  t.equal(removeHeader(msg, 'VIA'), 2);
  t.equal(getHeader(msg, 'Via'), undefined);
});

t.test('parseVia: RFC 4475 whitespace, several values, params', async (t) => {
  t.same(parseVia('SIP  /   2.0 /UDP 192.0.2.2;branch=390skdjuw'), [{ protocol: 'SIP/2.0', transport: 'UDP', host: '192.0.2.2', params: { branch: '390skdjuw' } }]);
  const two = parseVia('SIP  / 2.0  / TCP     spindle.example.com   ; branch  =   z9hG4bK9ikj8  , SIP  /    2.0   / UDP  192.168.255.111   ; branch= z9hG4bK30239');
  t.same(two.map((v) => [v.transport, v.host, v.params['branch']]), [['TCP', 'spindle.example.com', 'z9hG4bK9ikj8'], ['UDP', '192.168.255.111', 'z9hG4bK30239']]);
  const v = parseVia('SIP/2.0/udp [2001:db8::9]:5070;rport;received=2001:db8::1;branch=z9hG4bKx');
  t.same(v[0], { protocol: 'SIP/2.0', transport: 'UDP', host: '[2001:db8::9]', port: 5070, params: { rport: null, received: '2001:db8::1', branch: 'z9hG4bKx' } });
  t.equal(formatVia(v[0]!), 'SIP/2.0/UDP [2001:db8::9]:5070;rport;received=2001:db8::1;branch=z9hG4bKx');
  for (const bad of ['SIP/2.0/UDP 192.0.2.15;;,;,,', 'SIP/2.0 host', 'SIP/2.0/UDP', 'SIP/2.0/UDP host:99999', '', 'SIP/2.0/UDP host;branch="unterminated']) {
    t.throws(() => parseVia(bad), SipSyntaxError, JSON.stringify(bad));
  }
});

t.test('parseNameAddr: display names, <uri>, bare addr-spec, params', async (t) => {
  t.same(parseNameAddr('"J Rosenberg \\\\\\""       <sip:jdrosen@example.com>\t;\t tag = 98asjd8'), {
    displayName: 'J Rosenberg \\"', uri: { scheme: 'sip', user: 'jdrosen', host: 'example.com', params: {}, headers: {} }, params: { tag: '98asjd8' },
  });
  t.same(parseNameAddr('Bob <sip:bob@biloxi.com>;tag=a6c85cf').displayName, 'Bob');
  t.same(parseNameAddr("token1~` token2'+_ token3*%!.- <sip:mundane@example.com>").displayName, "token1~` token2'+_ token3*%!.-");
  t.same(parseNameAddr('caller<sip:caller@example.com>;tag=323').displayName, 'caller', 'no LWS before <');
  const bare = parseNameAddr('sip:+19725552222@gw1.example.net;unknownparam');
  t.same([bare.uri.params, bare.params], [{}, { unknownparam: null }], 'bare addr-spec: params belong to the header');
  const bracketed = parseNameAddr('<sip:+19725552222@gw1.example.net;unknownparam>');
  t.same([bracketed.uri.params, bracketed.params], [{ unknownparam: null }, {}], 'in <>: params belong to the URI');
  t.same(parseNameAddr('<sip:a@b>;expires=60;q=0.7;+sip.instance="<urn:uuid:1>"').params, { expires: '60', q: '0.7', '+sip.instance': '<urn:uuid:1>' });
  t.equal(parseNameAddr('isbn:2983792873').uri.scheme, 'isbn', 'unknown schemes are carried');
  for (const bad of ['"Mr. J. User <sip:j.user@example.com>', 'Bell, Alexander <sip:a.g.bell@example.com>;tag=43', '"Watson, Thomas" < sip:t.watson@example.org >', 'sip:user@example.com?Route=%3Csip:sip.example.com%3E', '<sip:a@b', '"Joe" <sip:joe@example.org>;;;;', '<sip:a@b> junk']) {
    t.throws(() => parseNameAddr(bad), SipSyntaxError, JSON.stringify(bad));
  }
  const formatted = formatNameAddr({ displayName: 'Doe, "J"', uri: { scheme: 'sip', user: 'j', host: 'h', params: { lr: null }, headers: {} }, params: { tag: 'x' } });
  t.equal(formatted, '"Doe, \\"J\\"" <sip:j@h;lr>;tag=x');
  t.same(parseNameAddr(formatted).displayName, 'Doe, "J"');
});

t.test('parseCSeq and parseParams', async (t) => {
  t.same(parseCSeq('0009\t INVITE'), { seq: 9, method: 'INVITE' });
  t.same(parseCSeq('2147483647 BYE'), { seq: 2147483647, method: 'BYE' });
  for (const bad of ['2147483648 INVITE', '36893488147419103232 REGISTER', 'INVITE', '1', '-1 INVITE', '1 INVITE extra']) {
    t.throws(() => parseCSeq(bad), SipSyntaxError, bad);
  }
  t.same(parseParams(' ; a = 1 ;b; c="x;y"'), { a: '1', b: null, c: 'x;y' });
  t.same(parseParams(''), {});
  t.throws(() => parseParams(';a=1 b'), SipSyntaxError);
});

t.test('authentication headers', async (t) => {
  const challenge = parseAuthHeader('Digest realm="atlanta.com", domain="sip:boxesbybob.com", qop="auth,auth-int", nonce="f84f1cec41e6cbe5aea9c8e88d359", opaque="", stale=FALSE, algorithm=MD5');
  t.same(challenge, { scheme: 'Digest', params: { realm: 'atlanta.com', domain: 'sip:boxesbybob.com', qop: 'auth,auth-int', nonce: 'f84f1cec41e6cbe5aea9c8e88d359', opaque: '', stale: 'FALSE', algorithm: 'MD5' } });
  t.equal(formatAuthHeader(challenge, 'challenge'), 'Digest realm="atlanta.com", domain="sip:boxesbybob.com", qop="auth,auth-int", nonce="f84f1cec41e6cbe5aea9c8e88d359", opaque="", stale=FALSE, algorithm=MD5');
  const creds = parseAuthHeader('Digest username="bob", realm="biloxi.com", nonce="dcd98b", uri="sip:bob@biloxi.com", qop=auth, nc=00000001, cnonce="0a4f113b", response="6629fae4", opaque="5ccc069c"');
  t.equal(creds.params['qop'], 'auth');
  t.equal(creds.params['uri'], 'sip:bob@biloxi.com');
  t.same(parseAuthHeader(formatAuthHeader(creds)), creds, 'credentials round-trip');
  t.same(parseAuthHeader('NoOneKnowsThisScheme opaque-data=here'), { scheme: 'NoOneKnowsThisScheme', params: { 'opaque-data': 'here' } });
  t.same(parseAuthHeader('Digest realm="quote \\" inside"').params, { realm: 'quote " inside' });
  for (const bad of ['Digest realm="unterminated', 'Digest realm', 'Digest a=1 b=2', '']) t.throws(() => parseAuthHeader(bad), SipSyntaxError, bad);
});

t.test('createResponse and reasonPhrase', async (t) => {
  const req = request([
    ['Via', 'SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds'],
    ['Via', 'SIP/2.0/UDP proxy;branch=z9hG4bK2'],
    ['Max-Forwards', '70'],
    ['To', 'Bob <sip:bob@biloxi.com>'],
    ['From', 'Alice <sip:alice@atlanta.com>;tag=1928301774'],
    ['Call-ID', 'a84b4c76e66710@pc33.atlanta.com'],
    ['CSeq', '314159 INVITE'],
    ['Timestamp', '54'],
    ['Contact', '<sip:alice@pc33.atlanta.com>'],
  ]);
  const ringing = createResponse(req, 180, undefined, [{ name: 'contact', value: '<sip:bob@192.0.2.4>' }], { toTag: 'a6c85cf' });
  t.equal(ringing.reason, 'Ringing');
  t.same(ringing.headers, [
    { name: 'Via', value: 'SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds' },
    { name: 'Via', value: 'SIP/2.0/UDP proxy;branch=z9hG4bK2' },
    { name: 'From', value: 'Alice <sip:alice@atlanta.com>;tag=1928301774' },
    { name: 'To', value: 'Bob <sip:bob@biloxi.com>;tag=a6c85cf' },
    { name: 'Call-ID', value: 'a84b4c76e66710@pc33.atlanta.com' },
    { name: 'CSeq', value: '314159 INVITE' },
    { name: 'Contact', value: '<sip:bob@192.0.2.4>' },
  ]);
  const trying = createResponse(req, 100, undefined, [], { toTag: 'x' });
  t.equal(getHeader(trying, 'To'), 'Bob <sip:bob@biloxi.com>', 'no tag on 100');
  t.equal(getHeader(trying, 'Timestamp'), '54', '100 echoes Timestamp');
  const tagged = request([['To', '<sip:b@c>;tag=old']]);
  t.equal(getHeader(createResponse(tagged, 200, 'OK', [], { toTag: 'new' }), 'To'), '<sip:b@c>;tag=old', 'an existing tag is kept');
  t.equal(createResponse(req, 486, 'Busy Here Now').reason, 'Busy Here Now');
  t.equal(reasonPhrase(404), 'Not Found');
  t.equal(reasonPhrase(416), 'Unsupported URI Scheme');
  t.equal(reasonPhrase(499), 'Client Error');
});
