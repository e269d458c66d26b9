import t from 'tap';
import { validateRequest, validateResponse } from '../../src/embedded/sip/validate.js';
import type { SipRequest, SipResponse } from '../../src/embedded/sip/message.js';

const BASE: [string, string][] = [
  ['Via', 'SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds'],
  ['Max-Forwards', '70'],
  ['To', 'Bob <sip:bob@biloxi.com>'],
  ['From', 'Alice <sip:alice@atlanta.com>;tag=1928301774'],
  ['Call-ID', 'a84b4c76e66710@pc33.atlanta.com'],
  ['CSeq', '314159 INVITE'],
  ['Contact', '<sip:alice@pc33.atlanta.com>'],
];

function invite(change: { set?: [string, string][]; drop?: string[]; add?: [string, string][]; uri?: string; method?: string; body?: string } = {}): SipRequest {
  let headers = BASE.filter(([n]) => !(change.drop ?? []).includes(n));
  headers = headers.map(([n, v]) => [n, change.set?.find(([s]) => s === n)?.[1] ?? v]);
  headers.push(...(change.add ?? []));
  return {
    kind: 'request', method: change.method ?? 'INVITE', uri: change.uri ?? 'sip:bob@biloxi.com',
    headers: headers.map(([name, value]) => ({ name, value })), body: Buffer.from(change.body ?? ''),
  };
}

const statusOf = (req: SipRequest): number | undefined => validateRequest(req)?.status;

t.test('a well-formed request passes', async (t) => {
  t.equal(validateRequest(invite()), undefined);
  t.equal(validateRequest(invite({ add: [['Content-Type', 'application/SDP; charset=utf-8']], body: 'v=0\r\n' })), undefined, 'media type case-insensitive, params allowed');
  t.equal(validateRequest(invite({ drop: ['Max-Forwards'] })), undefined, 'RFC 2543 peers omit Max-Forwards');
  t.equal(validateRequest(invite({ add: [['Accept', 'application/*']] })), undefined);
  t.equal(validateRequest(invite({ uri: 'tel:+4930123' })), undefined);
});

t.test('400: missing, repeated and malformed headers', async (t) => {
  for (const name of ['Via', 'From', 'To', 'Call-ID', 'CSeq']) {
    t.same(validateRequest(invite({ drop: [name] })), { status: 400, reason: `Missing ${name} header` }, `missing ${name}`);
  }
  for (const [name, value] of [['From', '<sip:x@y>;tag=2'], ['To', '<sip:x@y>'], ['Call-ID', 'other'], ['CSeq', '5 INVITE'], ['Max-Forwards', '70'], ['Content-Length', '0'], ['Content-Type', 'application/sdp']] as [string, string][]) {
    const req = invite({ add: [[name, value]] });
    if (name === 'Content-Length' || name === 'Content-Type') req.headers.push({ name, value });
    t.equal(statusOf(req), 400, `repeated ${name}`);
  }
  t.equal(statusOf(invite({ set: [['CSeq', '8 OPTIONS']] })), 400, 'CSeq method mismatch');
  t.equal(statusOf(invite({ set: [['CSeq', '2147483648 INVITE']] })), 400, 'CSeq 2^31');
  t.equal(statusOf(invite({ set: [['Max-Forwards', '256']] })), 400, 'Max-Forwards 256');
  t.equal(statusOf(invite({ set: [['Max-Forwards', '000070']] })), undefined, 'leading zeros are fine');
  t.equal(statusOf(invite({ add: [['Expires', '4294967296']] })), 400, 'Expires over 2^32-1');
  t.equal(statusOf(invite({ add: [['Expires', '4294967295']] })), undefined, 'Expires 2^32-1');
  t.equal(statusOf(invite({ set: [['Contact', '<sip:a@b>;expires=280297596632815']] })), 400, 'Contact expires overlarge');
  t.equal(statusOf(invite({ set: [['Via', 'SIP/2.0/UDP 192.0.2.15;;,;,,']] })), 400, 'malformed Via');
  t.equal(statusOf(invite({ set: [['Via', 'SIP/3.0/UDP host']] })), 400, 'Via protocol version');
  t.equal(statusOf(invite({ set: [['To', '"Unterminated <sip:a@b>']] })), 400, 'unterminated display name');
  t.equal(statusOf(invite({ set: [['Contact', '*']] })), 400, 'Contact * outside REGISTER');
  t.equal(statusOf(invite({ method: 'REGISTER', set: [['Contact', '*'], ['CSeq', '1 REGISTER']], add: [['Expires', '0']] })), undefined, 'Contact * in REGISTER');
  t.match(validateRequest(invite({ set: [['From', 'Bell, Alexander <sip:a@b>;tag=1']] }))?.reason ?? '', /Malformed From/, 'reason names the header');
});

t.test('416 unsupported scheme, 420 unknown Require', async (t) => {
  t.same(validateRequest(invite({ uri: 'nobodyKnowsThisScheme:totallyopaquecontent' })), { status: 416, reason: 'Unsupported URI Scheme' });
  t.equal(validateRequest(invite({ uri: 'tel:+4930123' }), { schemes: ['sip'] })?.status, 416, 'configurable schemes');
  t.same(validateRequest(invite({ add: [['Require', '100rel, foo'], ['Proxy-Require', 'bar']] }), { extensions: ['100rel'] }), {
    status: 420, reason: 'Bad Extension', headers: [{ name: 'Unsupported', value: 'foo' }],
  });
  t.equal(validateRequest(invite({ add: [['Require', 'timer']] }), { extensions: ['TIMER'] }), undefined, 'option tags compare case-insensitively');
  const cancel = invite({ method: 'CANCEL', set: [['CSeq', '314159 CANCEL']], add: [['Require', 'foo']] });
  t.equal(validateRequest(cancel), undefined, 'Require is ignored on CANCEL');
});

t.test('415 body type, 406 Accept on INVITE', async (t) => {
  t.same(validateRequest(invite({ add: [['Content-Type', 'application/unknownformat']], body: '<audio/>' })), {
    status: 415, reason: 'Unsupported Media Type', headers: [{ name: 'Accept', value: 'application/sdp' }],
  });
  t.equal(statusOf(invite({ body: 'v=0' })), 415, 'a body without Content-Type');
  t.equal(statusOf(invite({ method: 'MESSAGE', set: [['CSeq', '1 MESSAGE']], add: [['Content-Type', 'text/plain']], body: 'hi' })), undefined, 'only INVITE bodies are checked');
  t.equal(statusOf(invite({ add: [['Content-Type', 'application/unknownformat']] })), undefined, 'no body, nothing to refuse');
  t.equal(statusOf(invite({ add: [['Accept', 'text/nobodyKnowsThis']] })), 406);
  t.equal(statusOf(invite({ add: [['Accept', '']] })), 406, 'an empty Accept accepts nothing');
  t.equal(statusOf(invite({ add: [['Accept', 'text/plain, */*;q=0.1']] })), undefined);
});

function response(status: number, headers: [string, string][]): SipResponse {
  return { kind: 'response', status, reason: 'X', headers: headers.map(([name, value]) => ({ name, value })), body: Buffer.alloc(0) };
}

t.test('validateResponse: what a user agent drops', async (t) => {
  const ok: [string, string][] = BASE.filter(([n]) => n !== 'Max-Forwards');
  t.equal(validateResponse(response(200, ok)), undefined);
  t.match(validateResponse(response(4294967301, ok))?.reason, /outside 100-699/);
  t.match(validateResponse(response(99, ok))?.reason, /outside 100-699/);
  t.match(validateResponse(response(200, ok.map(([n, v]) => [n, n === 'Via' ? 'SIP/2.0/UDP 255.255.255.255;branch=z9hG4bK1' : v])))?.reason, /broadcast/);
  t.match(validateResponse(response(200, ok.map(([n, v]) => [n, n === 'Via' ? 'SIP/2.0/UDP h;branch=z9hG4bK1;received=255.255.255.255' : v])))?.reason, /broadcast/);
  t.match(validateResponse(response(200, [...ok, ['Via', 'SIP/2.0/UDP other;branch=z9hG4bK2']]))?.reason, /exactly one Via/);
  t.equal(validateResponse(response(200, [...ok, ['Via', 'SIP/2.0/UDP other;branch=z9hG4bK2']]), { proxy: true }), undefined, 'a proxy keeps them');
  t.match(validateResponse(response(503, [...ok, ['Retry-After', '949302838503028349304023988']]))?.reason, /Retry-After is too large/);
  t.equal(validateResponse(response(503, [...ok, ['Retry-After', '18000;duration=3600']])), undefined);
  t.match(validateResponse(response(200, [...ok, ['Warning', '1812 overture "In Progress"']]))?.reason, /Warning/);
  t.match(validateResponse(response(200, ok.filter(([n]) => n !== 'Call-ID')))?.reason, /Missing Call-ID/);
});
