// Transaction layer over real UDP sockets with shrunk timers: retransmission
// absorption, timers A/B/E/F/G, CANCEL, ACK matching and RFC 2543 matching.

import { readFileSync, readdirSync } from 'node:fs';
import t from 'tap';
import type { SipMessage, SipRequest, SipResponse } from '../../src/embedded/sip/message.js';
import type { ServerTransaction } from '../../src/embedded/sip/transaction/server.js';
import { FAST_TIMERS, RawTcpPeer, RawUdpPeer, drainAndStop, header, requestText, startStack, uniq, waitFor } from './helpers.js';
import { RFC4475, RFC4475_DIR } from '../corpus.js';

const CORPUS = RFC4475_DIR;
const isResponse = (status: number, method?: string) => (m: SipMessage): boolean =>
  m.kind === 'response' && m.status === status && (method === undefined || (header(m, 'CSeq') ?? '').endsWith(method));
const isRequest = (method: string) => (m: SipMessage): boolean => m.kind === 'request' && m.method === method;

t.test('INVITE server transaction: 100 when the user agent has not answered, retransmissions absorbed and answered with the last response', async (t) => {
  const stack = await startStack(t);
  const invites: ServerTransaction[] = [];
  stack.onRequest((_req, tx) => invites.push(tx));
  const peer = await RawUdpPeer.open(t);
  const port = stack.ports.udp ?? 0;
  const callId = uniq('inv-retrans');
  const invite = requestText({ method: 'INVITE', via: 'SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bK-inv1;rport', callId });
  peer.send(invite, port);
  await peer.waitFor(isResponse(100));
  await waitFor(() => invites.length === 1, 5000, 'the INVITE to reach the user agent');
  const tx = invites[0]!;
  tx.respond(180, 'Ringing');
  await peer.waitFor(isResponse(180));
  peer.send(invite, port);
  await peer.waitFor(isResponse(180), 2);
  t.equal(invites.length, 1, 'the retransmitted INVITE did not reach the user agent again');

  let acked = 0;
  tx.on('ack', () => acked++);
  tx.respond(486, 'Busy Here');
  // No ACK yet: timer G retransmits the 486, and a retransmitted INVITE gets it too.
  await peer.waitFor(isResponse(486), 3);
  const busy = peer.responses((r) => r.status === 486)[0]!;
  const toTag = /tag=([^;]+)/.exec(header(busy, 'To') ?? '')?.[1];
  t.ok(toTag, '486 carries a To tag');
  t.equal(/tag=([^;]+)/.exec(header(peer.responses((r) => r.status === 180)[0]!, 'To') ?? '')?.[1], toTag, '180 and 486 carry the same To tag');
  peer.send(requestText({ method: 'ACK', via: 'SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bK-inv1;rport', callId, to: `<sip:service@127.0.0.1>;tag=${toTag}` }), port);
  await waitFor(() => acked === 1, 5000, 'the ACK to match the transaction');
  const countAfterAck = peer.responses((r) => r.status === 486).length;
  await waitFor(() => stack.stats().serverTransactions === 0, 5000, 'timer I to end the transaction');
  t.ok(peer.responses((r) => r.status === 486).length <= countAfterAck + 1, 'retransmissions of the 486 stop once the ACK arrived');
  t.equal(invites.length, 1, 'the ACK for a non-2xx never reaches the user agent as a request');
  await peer.close();
  await drainAndStop(t, stack);
});

t.test('INVITE server transaction: no 100 Trying when the user agent answers at once (one datagram fewer per call)', async (t) => {
  // Default timers: the deferred 100 would go out after 200 ms, long after this answer.
  const stack = await startStack(t, { timers: { t1: 500, t2: 4000, t4: 5000, timerD: 32000 } });
  let acked = 0;
  stack.onRequest((_req, tx) => {
    tx.on('ack', () => acked++);
    tx.respond(180, 'Ringing');
    tx.respond(486, 'Busy Here');
  });
  const peer = await RawUdpPeer.open(t);
  const port = stack.ports.udp ?? 0;
  const callId = uniq('no-trying');
  const via = 'SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bK-notrying;rport';
  peer.send(requestText({ method: 'INVITE', via, callId }), port);
  await peer.waitFor(isResponse(486));
  const toTag = /tag=([^;]+)/.exec(header(peer.responses((r) => r.status === 486)[0]!, 'To') ?? '')?.[1] ?? '';
  peer.send(requestText({ method: 'ACK', via, callId, to: `<sip:service@127.0.0.1>;tag=${toTag}` }), port);
  await waitFor(() => acked === 1, 5000, 'the ACK to match the transaction');
  t.same(peer.responses().map((r) => r.status).filter((s) => s !== 486), [180], 'the 180 and the 486, and no 100 Trying');
  t.equal(stack.stats().counters.responsesSent['1xx'], 1, 'one provisional response counted: the 180');
  await peer.close();
  await drainAndStop(t, stack);
});

t.test('INVITE server transaction: timer H ends it when no ACK ever comes', async (t) => {
  const stack = await startStack(t);
  let timedOut = false;
  stack.onRequest((_req, tx) => {
    tx.on('timeout', () => (timedOut = true));
    tx.respond(404);
  });
  const peer = await RawUdpPeer.open(t);
  peer.send(requestText({ method: 'INVITE', via: 'SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bK-noack;rport', callId: uniq('noack') }), stack.ports.udp ?? 0);
  await waitFor(() => timedOut, 10_000, 'timer H');
  t.ok(peer.responses((r) => r.status === 404).length >= 3, 'the 404 was retransmitted (timer G) meanwhile');
  await peer.close();
  await drainAndStop(t, stack);
});

t.test('INVITE client transaction: timer A retransmits with doubling intervals, timer B gives 408', async (t) => {
  const stack = await startStack(t);
  const silentPeer = await RawUdpPeer.open(t);
  const callId = uniq('timer-a');
  const invite: SipRequest = {
    kind: 'request', method: 'INVITE', uri: `sip:nobody@127.0.0.1:${silentPeer.port}`,
    headers: [
      { name: 'From', value: '<sip:tenor@127.0.0.1>;tag=abc' },
      { name: 'To', value: '<sip:nobody@127.0.0.1>' },
      { name: 'Call-ID', value: callId },
      { name: 'CSeq', value: '1 INVITE' },
      { name: 'Contact', value: stack.contact() },
    ],
    body: Buffer.alloc(0),
  };
  const started = Date.now();
  const tx = stack.sendRequest(invite, { transport: 'udp', address: '127.0.0.1', port: silentPeer.port });
  const final = await tx.response;
  const elapsed = Date.now() - started;
  t.equal(final.status, 408, 'synthetic 408 Request Timeout');
  t.equal(header(final, 'Call-ID'), callId);
  t.ok(elapsed >= 64 * FAST_TIMERS.t1 - 5, `timer B is 64*T1 (${elapsed} ms)`);
  const arrivals = silentPeer.received.filter((r) => r.message.kind === 'request').map((r) => r.at);
  t.ok(arrivals.length >= 4, `the INVITE was retransmitted (${arrivals.length} copies)`);
  const gaps = arrivals.slice(1).map((at, i) => at - (arrivals[i] ?? at));
  t.ok((gaps.at(-1) ?? 0) > (gaps[0] ?? 0), `intervals grow (${gaps.join(', ')} ms)`);
  const branches = new Set(silentPeer.received.map((r) => header(r.message, 'Via')));
  t.equal(branches.size, 1, 'retransmissions are identical (same Via branch)');
  await silentPeer.close();
  await drainAndStop(t, stack);
});

t.test('non-INVITE client transaction: timer E retransmits, timer F gives 408; a final stops it', async (t) => {
  const stack = await startStack(t);
  const peer = await RawUdpPeer.open(t);
  const options = (callId: string): SipRequest => ({
    kind: 'request', method: 'OPTIONS', uri: `sip:x@127.0.0.1:${peer.port}`,
    headers: [
      { name: 'From', value: '<sip:tenor@127.0.0.1>;tag=abc' },
      { name: 'To', value: '<sip:x@127.0.0.1>' },
      { name: 'Call-ID', value: callId },
      { name: 'CSeq', value: '7 OPTIONS' },
    ],
    body: Buffer.alloc(0),
  });
  const lost = await stack.sendRequest(options(uniq('timer-f')), { transport: 'udp', address: '127.0.0.1', port: peer.port }).response;
  t.equal(lost.status, 408);
  t.ok(peer.received.length >= 4, `retransmitted (${peer.received.length} copies)`);

  // Now the peer answers: the client transaction delivers its 200 and stops retransmitting.
  const answered = uniq('answered');
  peer.socket.on('message', (data) => {
    const text = data.toString();
    if (!text.includes(answered) || !text.startsWith('OPTIONS')) return;
    const via = /^Via: (.*)$/m.exec(text)?.[1]?.trim() ?? '';
    peer.send(`SIP/2.0 200 OK\r\nVia: ${via}\r\nFrom: <sip:tenor@127.0.0.1>;tag=abc\r\nTo: <sip:x@127.0.0.1>;tag=zz\r\nCall-ID: ${answered}\r\nCSeq: 7 OPTIONS\r\nContent-Length: 0\r\n\r\n`, stack.ports.udp ?? 0);
  });
  const tx = stack.sendRequest(options(answered), { transport: 'udp', address: '127.0.0.1', port: peer.port });
  const ok = await tx.response;
  t.equal(ok.status, 200);
  await peer.close();
  await drainAndStop(t, stack);
});

t.test('CANCEL: 200 to the CANCEL, 487 to the INVITE, and the user agent is told', async (t) => {
  const stack = await startStack(t);
  let cancelled = 0;
  let requests = 0;
  stack.onRequest((_req, tx) => {
    requests++;
    tx.on('cancelled', () => cancelled++);
    tx.respond(180);
  });
  const peer = await RawUdpPeer.open(t);
  const port = stack.ports.udp ?? 0;
  const callId = uniq('cancel');
  const via = 'SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bK-cancel1;rport';
  peer.send(requestText({ method: 'INVITE', via, callId }), port);
  await peer.waitFor(isResponse(180));
  peer.send(requestText({ method: 'CANCEL', via, callId }), port);
  await peer.waitFor(isResponse(200, 'CANCEL'));
  const [terminated] = await peer.waitFor(isResponse(487, 'INVITE'));
  t.ok(terminated, '487 Request Terminated for the INVITE');
  t.equal(cancelled, 1, "the server transaction emitted 'cancelled'");
  t.equal(requests, 1, 'the CANCEL itself is not handed to the user agent');
  const toTag = /tag=([^;]+)/.exec(header(terminated!, 'To') ?? '')?.[1];
  peer.send(requestText({ method: 'ACK', via, callId, to: `<sip:service@127.0.0.1>;tag=${toTag}` }), port);

  // A CANCEL that matches nothing: 481.
  peer.send(requestText({ method: 'CANCEL', via: 'SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bK-nothing;rport', callId: uniq('nothing') }), port);
  await peer.waitFor(isResponse(481, 'CANCEL'));
  t.pass('481 for a CANCEL without its INVITE');
  await peer.close();
  await drainAndStop(t, stack);
});

t.test('CANCEL from our client transaction, stack to stack', async (t) => {
  const uas = await startStack(t);
  const uac = await startStack(t);
  let told = false;
  uas.onRequest((_req, tx) => {
    tx.on('cancelled', () => (told = true));
    tx.respond(180);
  });
  const invite: SipRequest = {
    kind: 'request', method: 'INVITE', uri: `sip:agent@127.0.0.1:${uas.ports.udp}`,
    headers: [
      { name: 'From', value: '<sip:caller@127.0.0.1>;tag=c1' },
      { name: 'To', value: '<sip:agent@127.0.0.1>' },
      { name: 'Call-ID', value: uniq('uac-cancel') },
      { name: 'CSeq', value: '1 INVITE' },
      { name: 'Contact', value: uac.contact() },
    ],
    body: Buffer.alloc(0),
  };
  const tx = uac.sendRequest(invite, { transport: 'udp', address: '127.0.0.1', port: uas.ports.udp ?? 0 });
  tx.once('provisional', () => tx.cancel());
  const final = await tx.response;
  t.equal(final.status, 487, 'the INVITE ends with 487');
  t.ok(told, 'the far side was told');
  await drainAndStop(t, uac);
  await drainAndStop(t, uas);
});

t.test('RFC 2543 matching: badbranch.dat (branch is only the magic cookie) and inv2543.dat (no branch)', RFC4475.options, async (t) => {
  const stack = await startStack(t);
  const seen: string[] = [];
  const acks: SipRequest[] = [];
  stack.onRequest((req, tx) => {
    seen.push(req.method);
    tx.on('ack', (ack) => acks.push(ack));
    tx.respond(req.method === 'INVITE' ? 404 : 200);
  });
  const peer = await RawUdpPeer.open(t);
  const port = stack.ports.udp ?? 0;
  // The corpus bytes, with ;rport added to the Via so the answer comes back to this socket
  // (the Via names 192.0.2.1, a documentation address). The branch stays "z9hG4bK".
  const badbranch = readFileSync(`${CORPUS}/badbranch.dat`, 'latin1').replace('branch=z9hG4bK\r\n', 'branch=z9hG4bK;rport\r\n');
  t.match(badbranch, /branch=z9hG4bK;rport\r\n/);
  peer.send(Buffer.from(badbranch, 'latin1'), port);
  await peer.waitFor(isResponse(200, 'OPTIONS'));
  peer.send(Buffer.from(badbranch, 'latin1'), port);
  await peer.waitFor(isResponse(200, 'OPTIONS'), 2);
  t.same(seen, ['OPTIONS'], 'the retransmission matched the transaction without relying on the branch');

  const inv2543 = readFileSync(`${CORPUS}/inv2543.dat`, 'latin1').replace('Via: SIP/2.0/UDP iftgw.example.com\r\n', 'Via: SIP/2.0/UDP iftgw.example.com;rport\r\n');
  peer.send(Buffer.from(inv2543, 'latin1'), port);
  const [notFound] = await peer.waitFor(isResponse(404, 'INVITE'));
  peer.send(Buffer.from(inv2543, 'latin1'), port);
  await peer.waitFor(isResponse(404, 'INVITE'), 2);
  t.same(seen, ['OPTIONS', 'INVITE'], 'the retransmitted INVITE without branch was absorbed');
  const to = header(notFound!, 'To') ?? '';
  const ack = [
    'ACK sip:UserB@example.com SIP/2.0',
    'Via: SIP/2.0/UDP iftgw.example.com;rport',
    'From: <sip:+13035551111@ift.client.example.net;user=phone>',
    `To: ${to}`,
    'Call-ID: inv2543.1717@ift.client.example.com',
    'CSeq: 56 ACK',
    'Content-Length: 0', '', '',
  ].join('\r\n');
  peer.send(ack, port);
  await waitFor(() => acks.length === 1, 5000, 'the branchless ACK to match the INVITE transaction');
  t.equal(acks.length, 1, 'ACK matched by Request-URI, tags, Call-ID, CSeq and Via');
  t.same(seen, ['OPTIONS', 'INVITE'], 'the ACK did not reach the user agent as a new request');
  await peer.close();
  await drainAndStop(t, stack);
});

t.test('every RFC 4475 message over UDP and TCP: no crash, no leak, a call still works afterwards', RFC4475.options, async (t) => {
  const stack = await startStack(t, { limits: { idleTimeoutMs: 500 } });
  stack.onRequest((req, tx) => {
    if (req.method === 'INVITE' || req.method === 'OPTIONS' || req.method === 'REGISTER') tx.respond(req.method === 'INVITE' ? 486 : 200);
    else tx.respond(501);
  });
  const files = readdirSync(CORPUS).filter((f) => f.endsWith('.dat'));
  const peer = await RawUdpPeer.open(t);
  for (const file of files) peer.send(readFileSync(`${CORPUS}/${file}`), stack.ports.udp ?? 0);
  for (const file of files) {
    const tcp = await RawTcpPeer.connect(t, stack.ports.tcp ?? 0);
    await tcp.write(readFileSync(`${CORPUS}/${file}`));
    tcp.socket.end();
  }
  peer.send(requestText({ method: 'OPTIONS', via: `SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bK-after;rport`, callId: 'after-corpus' }), stack.ports.udp ?? 0);
  const [after] = await peer.waitFor((m) => m.kind === 'response' && header(m, 'Call-ID') === 'after-corpus');
  t.equal((after as SipResponse).status, 200, 'still serving after the torture corpus');
  await peer.close();
  await drainAndStop(t, stack);
});
