// A seeded stream of hostile SIP messages for a server at host:port: torture
// corpus messages as they are and mutated (the byte mutations of the parser's
// fuzz test), generated requests mutated, and targeted defects (bad
// Content-Length, wrong CSeq, unknown methods, bad URIs, duplicated or missing
// headers, huge values), stray responses, and valid-looking in-dialog requests
// for dialogs that exist (a live call's Call-ID and From tag) with wrong tags.
// The same seed gives the same messages, so a crash names its reproduction.

import { mutate, type Mutation } from '../sip-message/mutate.js';

/** mulberry32: small, fast, good enough to pick mutations. */
export class SeededRandom {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }
  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let z = this.#state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  token(length: number): string {
    let s = '';
    for (let i = 0; i < length; i++) s += ALNUM[this.int(ALNUM.length)];
    return s;
  }
}

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** A dialog that exists on the server now: what a peer sees of it. */
export interface LiveDialog {
  callId: string;
  fromTag: string;
  /** The From and To URIs the caller used. */
  fromUri: string;
  toUri: string;
}

export type FuzzKind =
  | 'corpus' | 'corpus-mutated' | 'generated-mutated' | 'bad-content-length' | 'wrong-cseq' | 'unknown-method'
  | 'bad-uri' | 'header-duplicated' | 'header-removed' | 'huge-value' | 'in-dialog-wrong-tag' | 'stray-response' | 'random-bytes';

export interface FuzzMessage {
  kind: FuzzKind;
  bytes: Buffer;
}

export interface FuzzedMessagesOptions {
  /** host:port of the server's SIP port (written into URIs). */
  target: string;
  /** Where the fuzzer's UDP socket is, for Via headers: responses to generated requests come back there. */
  local: string;
  /** The RFC 4475 messages (may be empty). */
  corpus: Buffer[];
  /** A call up on the server right now, if any. */
  liveDialog: () => LiveDialog | undefined;
}

const METHODS = ['INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'REGISTER', 'INFO', 'UPDATE', 'MESSAGE', 'NOTIFY', 'SUBSCRIBE', 'REFER', 'PRACK', 'PUBLISH'];
const IN_DIALOG = ['BYE', 'INVITE', 'INFO', 'UPDATE', 'NOTIFY', 'REFER', 'PRACK', 'OPTIONS', 'MESSAGE', 'ACK', 'CANCEL'];
const USERS = ['9196', 'alice', 'bob', '100', '200', '1000', 'tenor', ''];
const BAD_URIS = [
  'sip:', 'sip:@', 'sip:a@', 'sip:a@b:99999', 'sip:a@b:-1', '<sip:a@b>', 'http://example.com/', 'sip:a b@c', 'sip:[::1', 'sip:a@[zz::1]',
  'sip:%zz@h', 'sip:a@h;;;;', 'sip:a@h?', 'sip:a@h?x=%', 'sips:', 'tel:', 'tel:+', 'sip:a@h;transport=', 'sip:a@h:', '*', 'sip:a@' + 'h'.repeat(3000),
  'sip:' + '%41'.repeat(500) + '@h', 'SIP:A@B', 'sip:a@b;maddr=', 'sip:a:b:c@d', 'sip:\u00ff@h', 'sip:a@1.2.3.4.5', 'sip:a@256.1.1.1',
];
const BAD_LENGTHS = ['-1', '99999999999999999999999', '4294967296', 'abc', '', ' 5 5', '0x10', '1e3', '+3', '65536', '99'];
const BAD_CSEQS = ['', 'INVITE', '1', 'x INVITE', '-1 INVITE', '4294967296 INVITE', '99999999999999999999 INVITE', '1 INVITE INVITE', '1\tINVITE', '1 ' + 'X'.repeat(300)];
const MANDATORY = ['Via', 'From', 'To', 'Call-ID', 'CSeq', 'Max-Forwards', 'Content-Length', 'Contact'];

interface Parts {
  method: string;
  uri: string;
  headers: [string, string][];
  body: string;
}

/** The generator; `next()` returns the next message of the seeded stream. */
export class FuzzedMessages {
  readonly #r: SeededRandom;
  readonly #o: FuzzedMessagesOptions;
  #n = 0;

  constructor(seed: number, options: FuzzedMessagesOptions) {
    this.#r = new SeededRandom(seed);
    this.#o = options;
  }

  next(): FuzzMessage {
    this.#n++;
    const r = this.#r;
    const kinds: FuzzKind[] = this.#o.corpus.length > 0
      ? ['corpus', 'corpus-mutated', 'corpus-mutated', 'corpus-mutated', 'generated-mutated', 'generated-mutated', 'bad-content-length', 'wrong-cseq', 'unknown-method', 'bad-uri',
        'header-duplicated', 'header-removed', 'huge-value', 'in-dialog-wrong-tag', 'in-dialog-wrong-tag', 'stray-response', 'random-bytes']
      : ['generated-mutated', 'generated-mutated', 'bad-content-length', 'wrong-cseq', 'unknown-method', 'bad-uri', 'header-duplicated', 'header-removed', 'huge-value',
        'in-dialog-wrong-tag', 'stray-response', 'random-bytes'];
    const kind = r.pick(kinds);
    return { kind, bytes: this.#build(kind) };
  }

  /** A request the server can answer (Via to the fuzzer with rport), with one defect that earns a 400; its Call-ID is `callId`. */
  probe(callId: string): Buffer {
    const p = this.#parts(this.#r.pick(['OPTIONS', 'INFO', 'MESSAGE', 'REGISTER']), callId);
    switch (this.#r.int(3)) {
      case 0:
        setHeader(p, 'CSeq', `1 ${p.method === 'OPTIONS' ? 'INFO' : 'OPTIONS'}`);
        break;
      case 1:
        setHeader(p, 'CSeq', `x ${p.method}`);
        break;
      default:
        p.body = 'short';
        setHeader(p, 'Content-Length', '500');
        return render(p, false);
    }
    return render(p);
  }

  #build(kind: FuzzKind): Buffer {
    const r = this.#r;
    switch (kind) {
      case 'corpus':
        return r.pick(this.#o.corpus);
      case 'corpus-mutated':
        return mutate(r.pick(this.#o.corpus), this.#mutations());
      case 'generated-mutated':
        return mutate(render(this.#parts(r.pick(METHODS))), this.#mutations());
      case 'bad-content-length': {
        const p = this.#parts(r.pick(METHODS));
        p.body = r.chance(0.5) ? 'v=0\r\n' : '';
        setHeader(p, r.chance(0.3) ? 'l' : 'Content-Length', r.pick(BAD_LENGTHS));
        if (r.chance(0.3)) p.headers.push(['Content-Length', String(r.int(100))]);
        return render(p, false);
      }
      case 'wrong-cseq': {
        const p = this.#parts(r.pick(METHODS));
        setHeader(p, 'CSeq', r.chance(0.5) ? r.pick(BAD_CSEQS) : `${r.int(2 ** 31)} ${r.pick(METHODS)}`);
        return render(p);
      }
      case 'unknown-method': {
        const method = r.chance(0.8) ? r.token(1 + r.int(20)).toUpperCase() : r.pick(['INVITE\u0000', 'INV ITE', 'invite', 'I-N-V', '!%*_+`\'~', '']);
        const p = this.#parts(method);
        setHeader(p, 'CSeq', `1 ${method}`);
        return render(p);
      }
      case 'bad-uri': {
        const p = this.#parts(r.pick(METHODS));
        const bad = r.pick(BAD_URIS);
        if (r.chance(0.6)) p.uri = bad;
        else setHeader(p, r.pick(['From', 'To', 'Contact', 'Route', 'Record-Route']), r.chance(0.5) ? bad : `<${bad}>;tag=${r.token(6)}`);
        return render(p);
      }
      case 'header-duplicated': {
        const p = this.#parts(r.pick(METHODS));
        const times = 1 + r.int(r.chance(0.1) ? 200 : 3);
        const name = r.pick(MANDATORY);
        const existing = p.headers.find(([n]) => n === name)?.[1] ?? r.token(8);
        for (let i = 0; i < times; i++) p.headers.splice(r.int(p.headers.length + 1), 0, [name, r.chance(0.5) ? existing : `${existing}${r.token(3)}`]);
        return render(p, name !== 'Content-Length');
      }
      case 'header-removed': {
        const p = this.#parts(r.pick(METHODS));
        const name = r.pick(MANDATORY);
        p.headers = p.headers.filter(([n]) => n !== name);
        return render(p, false);
      }
      case 'huge-value': {
        const p = this.#parts(r.pick(METHODS));
        const size = r.chance(0.2) ? 60_000 + r.int(5000) : 1000 + r.int(20_000);
        const filler = r.pick(['x', ';', ',', '"', '<', '%', ' ', 'a=b;']).repeat(size);
        if (r.chance(0.5)) setHeader(p, r.pick(['Via', 'From', 'To', 'Call-ID', 'CSeq', 'Contact', 'Authorization', 'Subject']), filler);
        else p.headers.push([`X-${r.token(4)}`, filler]);
        return render(p);
      }
      case 'in-dialog-wrong-tag':
        return this.#inDialog();
      case 'stray-response':
        return this.#strayResponse();
      case 'random-bytes': {
        const bytes = Buffer.alloc(1 + r.int(1500));
        for (let i = 0; i < bytes.length; i++) bytes[i] = r.int(256);
        return bytes;
      }
    }
  }

  #mutations(): Mutation[] {
    const r = this.#r;
    const out: Mutation[] = [];
    const count = 1 + r.int(5);
    for (let i = 0; i < count; i++) {
      const at = r.int(4096);
      switch (r.int(5)) {
        case 0:
          out.push({ kind: 'flip', at, byte: r.int(256) });
          break;
        case 1:
          out.push({ kind: 'truncate', at });
          break;
        case 2:
          out.push({ kind: 'duplicate', at, len: r.int(400), to: r.int(4096) });
          break;
        case 3:
          out.push({ kind: 'delete', at, len: r.int(40) });
          break;
        default:
          out.push({ kind: 'insert', at, text: r.pick(['\r\n', '\r\n\r\n', '\n', '\r', '\0', ' ', '\t', ',', ';', '"', '<', '>', '%', ':', '\r\n ', '\xff',
            '\r\nContent-Length: -1', '\r\nl: 99999999999999999999', '\r\nCSeq: 1 BYE', '\r\nMax-Forwards: 0', '\r\nVia: SIP/2.0/UDP x;branch=z9hG4bKdup']) });
      }
    }
    return out;
  }

  /** A plausible request from the fuzzer to the server. */
  #parts(method: string, callId = `fz${this.#n}-${this.#r.token(8)}@fuzz`): Parts {
    const r = this.#r;
    const { target, local } = this.#o;
    const user = r.pick(USERS);
    const uri = `sip:${user}${user === '' ? '' : '@'}${target}`;
    const headers: [string, string][] = [
      ['Via', `SIP/2.0/UDP ${local};branch=z9hG4bK${r.token(10)};rport`],
      ['Max-Forwards', '70'],
      ['From', `<sip:fuzz@${local}>;tag=${r.token(8)}`],
      ['To', `<${uri}>`],
      ['Call-ID', callId],
      ['CSeq', `${1 + r.int(1000)} ${method}`],
      ['Contact', `<sip:fuzz@${local}>`],
    ];
    let body = '';
    if (method === 'INVITE' && r.chance(0.5)) {
      const [host] = local.split(':');
      body = `v=0\r\no=- 1 1 IN IP4 ${host}\r\ns=-\r\nc=IN IP4 ${host}\r\nt=0 0\r\nm=audio ${2 * (5000 + r.int(10_000))} RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n`;
      headers.push(['Content-Type', 'application/sdp']);
    }
    return { method, uri, headers, body };
  }

  #inDialog(): Buffer {
    const r = this.#r;
    const live = this.#o.liveDialog();
    const method = r.pick(IN_DIALOG);
    const p = this.#parts(method, live?.callId ?? `gone-${r.token(8)}@127.0.0.1`);
    if (live) {
      p.uri = live.toUri;
      const wrong = r.int(3);
      // Right From tag with a To tag the server never gave; a From tag the caller never used; or no To tag at all.
      setHeader(p, 'From', `<${live.fromUri}>;tag=${wrong === 1 ? r.token(8) : live.fromTag}`);
      setHeader(p, 'To', wrong === 2 ? `<${live.toUri}>` : `<${live.toUri}>;tag=${r.token(12)}`);
      if (method === 'CANCEL' || method === 'ACK') setHeader(p, 'CSeq', `1 ${method}`);
      else setHeader(p, 'CSeq', `${2 + r.int(5)} ${method}`);
    }
    return render(p);
  }

  #strayResponse(): Buffer {
    const r = this.#r;
    const live = this.#o.liveDialog();
    const status = r.pick([100, 180, 183, 200, 202, 302, 401, 407, 481, 486, 487, 500, 503, 603, 699, 99, 700]);
    const method = r.pick(['INVITE', 'BYE', 'OPTIONS', 'CANCEL', 'INFO']);
    const lines = [
      `SIP/2.0 ${status} ${r.pick(['OK', 'Ringing', '', 'Whatever'])}`,
      `Via: SIP/2.0/UDP ${this.#o.target};branch=z9hG4bK${r.token(10)}`,
      `From: <${live?.toUri ?? `sip:x@${this.#o.target}`}>;tag=${r.token(8)}`,
      `To: <${live?.fromUri ?? 'sip:y@h'}>;tag=${live && r.chance(0.5) ? live.fromTag : r.token(8)}`,
      `Call-ID: ${live?.callId ?? r.token(10)}`,
      `CSeq: ${1 + r.int(3)} ${method}`,
      `Contact: <sip:fuzz@${this.#o.local}>`,
      'Content-Length: 0',
    ];
    return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  }
}

function setHeader(p: Parts, name: string, value: string): void {
  const at = p.headers.findIndex(([n]) => n === name);
  if (at >= 0) p.headers[at] = [name, value];
  else p.headers.push([name, value]);
}

/** The request's bytes; with `withLength`, a correct Content-Length is added unless one is there. */
function render(p: Parts, withLength = true): Buffer {
  const headers = [...p.headers];
  if (withLength && !headers.some(([n]) => n === 'Content-Length' || n === 'l')) headers.push(['Content-Length', String(Buffer.byteLength(p.body, 'latin1'))]);
  const head = `${p.method} ${p.uri} SIP/2.0\r\n${headers.map(([n, v]) => `${n}: ${v}`).join('\r\n')}\r\n\r\n`;
  return Buffer.from(head + p.body, 'latin1');
}
