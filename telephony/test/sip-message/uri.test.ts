import t from 'tap';
import { formatUri, parseUri, SipSyntaxError, tryParseUri, uriEquals } from '../../src/embedded/sip/uri.js';

t.test('sip URIs: parts, unescaping, parameters and headers', async (t) => {
  t.same(parseUri('sip:alice:secret@atlanta.com:5061;transport=TCP;lr?subject=project%20x&priority=urgent'), {
    scheme: 'sip', user: 'alice', password: 'secret', host: 'atlanta.com', port: 5061,
    params: { transport: 'TCP', lr: null }, headers: { subject: 'project x', priority: 'urgent' },
  });
  t.same(parseUri('SIPS:[2001:db8::1]:5061'), { scheme: 'sips', host: '[2001:db8::1]', port: 5061, params: {}, headers: {} });
  t.same(parseUri('sip:atlanta.com'), { scheme: 'sip', host: 'atlanta.com', params: {}, headers: {} });
  t.equal(parseUri('sip:%75se%72@example.com').user, 'user', 'RFC 4475 esc01: escaped user');
  t.equal(parseUri('sip:null-%00-null@example.com').user, 'null-\u0000-null', 'escaped NUL kept');
  t.equal(parseUri('sip:user;par=u%40example.net@example.com').user, 'user;par=u@example.net', 'semicolon in user part');
  t.same(parseUri('sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31').params, { lr: null, name: 'value%41' }, 'escaped parameters unescape once');
  const odd = parseUri("sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com");
  t.equal(odd.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*", 'RFC 4475 intmeth user');
  t.equal(odd.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
});

t.test('tel and unknown schemes', async (t) => {
  t.same(parseUri('tel:+1-201-555-0123;phone-context=example.com'), {
    scheme: 'tel', user: '+1-201-555-0123', host: '', params: { 'phone-context': 'example.com' }, headers: {},
  });
  t.same(parseUri('soap.beep://192.0.2.103:3002'), { scheme: 'soap.beep', host: '//192.0.2.103:3002', params: {}, headers: {} });
  t.equal(formatUri(parseUri('isbn:2983792873')), 'isbn:2983792873');
});

t.test('invalid URIs throw SipSyntaxError; tryParseUri returns undefined', async (t) => {
  for (const bad of ['', 'sip:', 'alice@atlanta.com', 'sip:alice@', 'sip:a@b c', '<sip:a@b>', 'sip:a@b:99999', 'sip:a@b;;lr', 'sip:a b@c', 'sip:a@-bad-.com', 'tel:abc xyz', 'sip:a@b?=x']) {
    t.throws(() => parseUri(bad), SipSyntaxError, JSON.stringify(bad));
    t.equal(tryParseUri(bad), undefined);
  }
});

t.test('format round-trips and escapes what must be escaped', async (t) => {
  for (const text of ['sip:alice@atlanta.com', 'sips:bob:pw@biloxi.com:5061;transport=tls;lr', 'sip:+4930123;user=phone@gw.example.com;user=phone', 'tel:+4930123', 'sip:h.example.com?Route=%3Csip:x%3E']) {
    t.ok(uriEquals(parseUri(formatUri(parseUri(text))), parseUri(text)), text);
  }
  t.equal(formatUri({ scheme: 'sip', user: 'I have spaces', host: 'example.net', params: {}, headers: {} }), 'sip:I%20have%20spaces@example.net');
  t.equal(formatUri({ scheme: 'sip', user: 'a@b', host: 'c', params: { x: 'y z' }, headers: { Subject: 'hi there' } }), 'sip:a%40b@c;x=y%20z?Subject=hi%20there');
});

t.test('RFC 3261 §19.1.4 equality examples', async (t) => {
  const equal: [string, string][] = [
    ['sip:%61lice@atlanta.com;transport=TCP', 'sip:alice@AtLanTa.CoM;Transport=tcp'],
    ['sip:carol@chicago.com', 'sip:carol@chicago.com;newparam=5'],
    ['sip:carol@chicago.com', 'sip:carol@chicago.com;security=on'],
    ['sip:carol@chicago.com;newparam=5', 'sip:carol@chicago.com;security=on'],
    ['sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com', 'sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com'],
    ['sip:alice@atlanta.com?subject=project%20x&priority=urgent', 'sip:alice@atlanta.com?priority=urgent&subject=project%20x'],
    ['tel:+1-201-555-0123', 'tel:+12015550123'],
  ];
  const different: [string, string][] = [
    ['SIP:ALICE@AtLanTa.CoM;Transport=udp', 'sip:alice@AtLanTa.CoM;Transport=UDP'],
    ['sip:bob@biloxi.com', 'sip:bob@biloxi.com:5060'],
    ['sip:bob@biloxi.com', 'sip:bob@biloxi.com;transport=udp'],
    ['sip:bob@biloxi.com', 'sip:bob@biloxi.com:6000;transport=tcp'],
    ['sip:carol@chicago.com', 'sip:carol@chicago.com?Subject=next%20meeting'],
    ['sip:bob@phone21.boxesbybob.com', 'sip:bob@192.0.2.4'],
    ['sip:carol@chicago.com;security=on', 'sip:carol@chicago.com;security=off'],
    ['sip:a@b', 'sips:a@b'],
    ['sip:a@b;maddr=239.255.255.1', 'sip:a@b'],
    ['sip:a@b;user=phone', 'sip:a@b'],
  ];
  for (const [a, b] of equal) t.ok(uriEquals(parseUri(a), parseUri(b)), `${a} == ${b}`);
  for (const [a, b] of different) t.notOk(uriEquals(parseUri(a), parseUri(b)), `${a} != ${b}`);
});
