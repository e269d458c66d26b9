// The /sip relay to FreeSWITCH without FreeSWITCH: a real WebSocket server on
// 127.0.0.1 stands in for the profile's ws binding and challenges like
// FreeSWITCH's registrar (401, digest MD5 with qop=auth), checking the answer
// against the secret it knows. The browser's side is the engine-neutral peer
// the HTTP server hands over. What is checked: the relay answers the challenge
// itself and the browser gets the 200 with its own branch, Via and CSeq; a
// refresh in the same Call-ID is renumbered past the retries; another login's
// REGISTER, a request From someone else and a BYE outside this connection's
// dialogs are answered 403 and never reach the upstream; the derived secret is
// served only while a socket is open; a user's sockets are capped.
import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import pino from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import type { SipWebSocketPeer } from '../../src/driver.js';
import { InMemoryCredentialStore } from '../../src/embedded/registrar/credentials.js';
import { parseDigestParams } from '../../src/embedded/registrar/digest.js';
import { MAX_SOCKETS_PER_USER, SipWsRelay } from '../../src/freeswitch/sip-ws-relay.js';
import { RelayDirectory } from '../../src/freeswitch/relay-directory.js';

const REALM = 'tenor-relay.test';
const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

/** A registrar over WebSocket that challenges every REGISTER once and checks the answer with `ha1Of`. */
async function fakeFreeSwitch(ha1Of: (user: string) => Promise<string | undefined>): Promise<{ url: string; received: string[]; close(): Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: (p) => (p.has('sip') ? 'sip' : false) });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const received: string[] = [];
  const nonce = randomBytes(8).toString('hex');
  wss.on('connection', (ws: WebSocket) => {
    ws.on('message', (data) => {
      const text = String(data);
      received.push(text);
      const head = text.split('\r\n\r\n')[0] ?? '';
      const lines = head.split('\r\n');
      const h = (name: string) => lines.filter((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
      const reply = (status: string, extra: string[] = []) => ws.send([
        `SIP/2.0 ${status}`, ...h('Via'), ...h('From'), `${h('To')[0] ?? ''};tag=fs`, ...h('Call-ID'), ...h('CSeq'), ...extra, 'Content-Length: 0', '', '',
      ].join('\r\n'));
      if (text.startsWith('ACK ')) return undefined;
      const method = /^(\w+) /.exec(text)?.[1] ?? '';
      if (method !== 'REGISTER' && method !== 'INVITE') return reply('200 OK');
      // FreeSWITCH challenges a REGISTER with 401 and a call with 407.
      const [authName, challengeName, challengeStatus] = method === 'REGISTER'
        ? ['Authorization', 'WWW-Authenticate', '401 Unauthorized'] : ['Proxy-Authorization', 'Proxy-Authenticate', '407 Proxy Authentication Required'];
      const auth = h(authName)[0];
      if (!auth) return reply(challengeStatus, [`${challengeName}: Digest realm="${REALM}", nonce="${nonce}", algorithm=MD5, qop="auth"`]);
      const p = parseDigestParams(auth.slice(auth.indexOf(':') + 1).trim()) ?? {};
      void ha1Of(p.username ?? '').then((ha1) => {
        const expected = ha1 && md5(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:auth:${md5(`${method}:${p.uri}`)}`);
        reply(expected !== undefined && expected === p.response ? '200 OK' : '403 Forbidden');
      });
    });
  });
  const port = (wss.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}`, received,
    close: () => new Promise((resolve) => {
      for (const c of wss.clients) c.terminate();
      wss.close(() => resolve());
    }),
  };
}

/** The browser's side as the HTTP server hands it to the driver. */
function browser(user: string): { peer: SipWebSocketPeer; got: string[]; closedWith: number[]; next(match: (m: string) => boolean, ms?: number): Promise<string> } {
  const got: string[] = [];
  const closedWith: number[] = [];
  const peer: SipWebSocketPeer = {
    user, remote: { address: '127.0.0.1', port: 50000 }, secure: true,
    send: (text) => got.push(text),
    close: (code) => closedWith.push(code),
  };
  const next = async (match: (m: string) => boolean, ms = 5000): Promise<string> => {
    for (const deadline = Date.now() + ms; Date.now() < deadline;) {
      const hit = got.find(match);
      if (hit !== undefined) return hit;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`no matching message in ${ms} ms; got ${got.map((m) => m.split('\r\n')[0]).join(' | ')}`);
  };
  return { peer, got, closedWith, next };
}

function register(user: string, opts: { callId: string; cseq: number; branch: string; from?: string }): Buffer {
  return Buffer.from([
    `REGISTER sip:${REALM} SIP/2.0`, `Via: SIP/2.0/WSS abcd.invalid;branch=${opts.branch}`, 'Max-Forwards: 69',
    `To: <sip:${user}@${REALM}>`, `From: <sip:${opts.from ?? user}@${REALM}>;tag=t1`, `Call-ID: ${opts.callId}`, `CSeq: ${opts.cseq} REGISTER`,
    'Contact: <sip:x1@abcd.invalid;transport=ws>;expires=600', 'Expires: 600', 'Content-Length: 0', '', '',
  ].join('\r\n'));
}

const header = (text: string, name: string): string | undefined => new RegExp(`^${name}:\\s*(.*)$`, 'mi').exec(text)?.[1]?.trim();
const status = (text: string): number => Number(/^SIP\/2\.0 (\d{3})/.exec(text)?.[1] ?? 0);

const store = new InMemoryCredentialStore();
store.set('desk', { password: 'desk-device-secret' });
const directory = new RelayDirectory(store, REALM);
const fs = await fakeFreeSwitch(async (user) => directory.ha1(user));
t.teardown(() => fs.close());
const relay = new SipWsRelay({ url: fs.url, directory, logger: pino({ level: 'silent' }) });
t.teardown(() => relay.close());

t.test('the derived secret exists only while the user has a socket open; a device secret is served as before', async (t) => {
  t.equal(await directory.lookup('wes'), undefined, 'no socket: nothing served for wes');
  directory.opened('wes');
  const served = await directory.lookup('wes');
  t.match(served, { passwordHash: { MD5: /^[0-9a-f]{32}$/ } }, 'a socket open: an MD5 a1-hash, no clear secret');
  directory.opened('wes');
  directory.closed('wes');
  t.ok(await directory.lookup('wes'), 'still served while a second socket is open');
  directory.closed('wes');
  t.equal(await directory.lookup('wes'), undefined, 'gone with the last socket');
  t.equal(await directory.ha1('desk'), md5(`desk:${REALM}:desk-device-secret`), 'a device secret in the store is the one used');
});

t.test('REGISTER: the relay answers the challenge, the browser gets 200 with its own branch, Via and CSeq; a refresh is renumbered', async (t) => {
  const b = browser('wes');
  const sink = relay.attach(b.peer);
  t.teardown(() => sink.closed());
  sink.receive(register('wes', { callId: 'reg-1', cseq: 1, branch: 'z9hG4bKbrowser1' }));
  const ok = await b.next((m) => header(m, 'Call-ID') === 'reg-1');
  t.equal(status(ok), 200, 'registered, with FreeSWITCH checking the digest');
  t.equal(header(ok, 'Via'), 'SIP/2.0/WSS abcd.invalid;branch=z9hG4bKbrowser1', 'the browser\'s own top Via comes back');
  t.equal(header(ok, 'CSeq'), '1 REGISTER', 'with its CSeq');
  t.notOk(b.got.some((m) => status(m) === 401), 'the browser never sees the challenge');
  const upstream = fs.received.filter((m) => header(m, 'Call-ID') === 'reg-1');
  t.same(upstream.map((m) => header(m, 'CSeq')), ['1 REGISTER', '2 REGISTER'], 'upstream: the REGISTER, then its retry with the next CSeq');
  t.ok(upstream.every((m) => header(m, 'Via')?.startsWith('SIP/2.0/WS ')), 'upstream the Via says WS (the binding is plain ws)');

  sink.receive(register('wes', { callId: 'reg-1', cseq: 2, branch: 'z9hG4bKbrowser2' }));
  const refreshed = await b.next((m) => header(m, 'CSeq') === '2 REGISTER');
  t.equal(status(refreshed), 200, 'the refresh registers too');
  t.same(fs.received.filter((m) => header(m, 'Call-ID') === 'reg-1').map((m) => header(m, 'CSeq')).slice(2), ['3 REGISTER', '4 REGISTER'],
    'renumbered past the first retry, so FreeSWITCH sees CSeq rise');
  const ping = b.got.length;
  sink.receive(Buffer.from('\r\n\r\n'));
  t.equal(b.got[ping], '\r\n', 'a double CRLF gets a CRLF');
});

t.test('a call from the browser: the 407 is ACKed and answered by the relay, the browser\'s ACK and BYE follow the retry\'s CSeq', async (t) => {
  const b = browser('wes');
  const sink = relay.attach(b.peer);
  t.teardown(() => sink.closed());
  const inDialog = (method: string, cseq: number, branch: string, toTag?: string) => Buffer.from([
    `${method} sip:+15550100@${REALM} SIP/2.0`, `Via: SIP/2.0/WSS abcd.invalid;branch=${branch}`, 'Max-Forwards: 70',
    `To: <sip:+15550100@${REALM}>${toTag ? `;tag=${toTag}` : ''}`, `From: <sip:wes@${REALM}>;tag=w1`, 'Call-ID: call-out-1', `CSeq: ${cseq} ${method}`,
    'Contact: <sip:x1@abcd.invalid;transport=ws>', 'Content-Length: 0', '', '',
  ].join('\r\n'));
  sink.receive(inDialog('INVITE', 1, 'z9hG4bKinv1'));
  const ok = await b.next((m) => header(m, 'Call-ID') === 'call-out-1' && status(m) >= 200);
  t.equal(status(ok), 200, 'the call is let in with the relay\'s credentials');
  t.equal(header(ok, 'CSeq'), '1 INVITE', 'the browser sees its own CSeq');
  t.notOk(b.got.some((m) => status(m) === 407), 'and never the challenge');
  const upstream = () => fs.received.filter((m) => header(m, 'Call-ID') === 'call-out-1').map((m) => `${m.split(' ')[0]} ${header(m, 'CSeq')}`);
  t.same(upstream(), ['INVITE 1 INVITE', 'ACK 1 ACK', 'INVITE 2 INVITE'], 'upstream: the INVITE, the relay\'s ACK of the 407, the retry');
  sink.receive(inDialog('ACK', 1, 'z9hG4bKack1', 'fs'));
  sink.receive(inDialog('BYE', 2, 'z9hG4bKbye1', 'fs'));
  const bye = await b.next((m) => header(m, 'CSeq') === '2 BYE');
  t.equal(status(bye), 200, 'the BYE is answered, with the browser\'s CSeq');
  t.same(upstream().slice(3), ['ACK 2 ACK', 'BYE 3 BYE'], 'upstream the ACK and BYE follow the retry\'s numbering');
});

t.test('attacks: another login, another From, a dialog not this socket\'s: 403 here, nothing upstream', async (t) => {
  const b = browser('wes');
  const sink = relay.attach(b.peer);
  t.teardown(() => sink.closed());
  const before = fs.received.length;
  sink.receive(register('desk', { callId: 'as-desk', cseq: 1, branch: 'z9hG4bKa1' }));
  t.equal(status(await b.next((m) => header(m, 'Call-ID') === 'as-desk')), 403, 'REGISTER for another login: 403');
  sink.receive(register('wes', { callId: 'from-desk', cseq: 1, branch: 'z9hG4bKa2', from: 'desk' }));
  t.equal(status(await b.next((m) => header(m, 'Call-ID') === 'from-desk')), 403, 'REGISTER From another login: 403');
  sink.receive(Buffer.from([
    `INVITE sip:+15550100@${REALM} SIP/2.0`, 'Via: SIP/2.0/WSS abcd.invalid;branch=z9hG4bKa3', 'Max-Forwards: 70',
    `To: <sip:+15550100@${REALM}>`, `From: <sip:desk@${REALM}>;tag=f`, 'Call-ID: invite-from-desk', 'CSeq: 1 INVITE', 'Content-Length: 0', '', '',
  ].join('\r\n')));
  t.equal(status(await b.next((m) => header(m, 'Call-ID') === 'invite-from-desk')), 403, 'INVITE From another login: 403');
  sink.receive(Buffer.from([
    `BYE sip:x@${REALM} SIP/2.0`, 'Via: SIP/2.0/WSS abcd.invalid;branch=z9hG4bKa4', 'Max-Forwards: 70',
    `To: <sip:x@${REALM}>;tag=other`, `From: <sip:wes@${REALM}>;tag=mine`, 'Call-ID: not-mine', 'CSeq: 5 BYE', 'Content-Length: 0', '', '',
  ].join('\r\n')));
  t.equal(status(await b.next((m) => header(m, 'Call-ID') === 'not-mine')), 403, 'BYE in a dialog this socket never saw: 403');
  await new Promise((r) => setTimeout(r, 200));
  t.equal(fs.received.length, before, 'none of them reached FreeSWITCH');
});

t.test(`a user's sockets are capped at ${MAX_SOCKETS_PER_USER}`, async (t) => {
  const sinks = Array.from({ length: MAX_SOCKETS_PER_USER }, () => relay.attach(browser('cap').peer));
  t.teardown(() => sinks.forEach((s) => s.closed()));
  const extra = browser('cap');
  relay.attach(extra.peer);
  t.same(extra.closedWith, [1008], 'one more is closed with 1008');
  const other = browser('someone-else');
  const sink = relay.attach(other.peer);
  t.same(other.closedWith, [], 'another user is not affected');
  sink.closed();
});
