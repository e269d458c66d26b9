import t from 'tap';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { serializeMessage } from '../../src/embedded/sip/serialize.js';
import { parseMessage } from '../../src/embedded/sip/parse.js';
import type { SipMessage } from '../../src/embedded/sip/message.js';
import { RFC4475, RFC4475_DIR } from '../corpus.js';

const CORPUS = RFC4475_DIR;

t.test('canonical names, one line per field, Content-Length from the body', async (t) => {
  const msg: SipMessage = {
    kind: 'request', method: 'MESSAGE', uri: 'sip:bob@biloxi.com',
    headers: [
      { name: 'v', value: 'SIP/2.0/UDP h;branch=z9hG4bK1' },
      { name: 'call-id', value: 'c1' },
      { name: 'cseq', value: '1 MESSAGE' },
      { name: 'content-length', value: '999' },
      { name: 'X-Custom', value: 'kept as is' },
    ],
    body: Buffer.from('héllo'),
  };
  t.equal(
    serializeMessage(msg).toString('utf8'),
    'MESSAGE sip:bob@biloxi.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nCall-ID: c1\r\nCSeq: 1 MESSAGE\r\nX-Custom: kept as is\r\nContent-Length: 6\r\n\r\nhéllo',
  );
  const res: SipMessage = { kind: 'response', status: 100, reason: '', headers: [], body: Buffer.alloc(0) };
  t.equal(serializeMessage(res).toString(), 'SIP/2.0 100 \r\nContent-Length: 0\r\n\r\n', 'empty reason keeps the SP the grammar requires');
});

t.test('CR or LF inside a value is refused (header injection)', async (t) => {
  const msg: SipMessage = { kind: 'request', method: 'BYE', uri: 'sip:a@b', headers: [{ name: 'Subject', value: 'x\r\nVia: evil' }], body: Buffer.alloc(0) };
  t.throws(() => serializeMessage(msg), TypeError);
  t.throws(() => serializeMessage({ ...msg, headers: [], uri: 'sip:a@b SIP/2.0\r\nX: y' }), TypeError);
});

t.test('every corpus message that parses survives serialize → parse unchanged', RFC4475.options, async (t) => {
  for (const file of readdirSync(CORPUS).filter((f) => f.endsWith('.dat')).sort()) {
    const first = parseMessage(readFileSync(join(CORPUS, file)));
    if (!first.ok) continue;
    const again = parseMessage(serializeMessage(first.message), { stream: true });
    t.ok(again.ok, `${file} re-parses`);
    if (!again.ok) continue;
    const withoutLength = (m: SipMessage): SipMessage => ({ ...m, headers: m.headers.filter((h) => h.name !== 'Content-Length') });
    t.same(withoutLength(again.message), withoutLength(first.message), `${file} is unchanged`);
  }
});
