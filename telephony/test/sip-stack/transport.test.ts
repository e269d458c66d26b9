// Transports: request/response round trips over UDP and TCP, RFC 3581 rport and
// received, TCP framing and its limits (size, buffer, idle), malformed input.

import t from 'tap';
import type { SipRequest, SipResponse } from '../../src/embedded/sip/message.js';
import { parseVia } from '../../src/embedded/sip/headers.js';
import {
  RawTcpPeer, RawUdpPeer, drainAndStop, header, requestText, sleep, startStack, uniq, waitFor,
} from './helpers.js';

t.test('UDP: an OPTIONS gets the answer the user agent chose, at the source port (rport, received)', async (t) => {
  const stack = await startStack(t);
  const seen: string[] = [];
  stack.onRequest((req, tx) => {
    seen.push(header(req, 'Via') ?? '');
    tx.respond(200, 'OK', [{ name: 'Allow', value: 'INVITE, ACK, BYE, CANCEL, OPTIONS' }]);
  });
  const peer = await RawUdpPeer.open(t);
  const callId = uniq('udp-options');
  // The Via names a host and port that are not where the packet comes from, as behind a NAT.
  peer.send(requestText({ method: 'OPTIONS', via: 'SIP/2.0/UDP 192.0.2.10:5999;branch=z9hG4bK-u1;rport', callId }), stack.ports.udp ?? 0);
  const [response] = await peer.waitFor((m) => m.kind === 'response');
  t.equal((response as SipResponse).status, 200, '200 received on the real source port, not the Via port');
  t.equal(header(response!, 'Allow'), 'INVITE, ACK, BYE, CANCEL, OPTIONS', 'headers chosen by the user agent');
  const via = parseVia(seen[0] ?? '')[0];
  t.equal(via?.params.received, '127.0.0.1', 'received filled with the source address');
  t.equal(via?.params.rport, String(peer.port), 'rport filled with the source port');
  await peer.close();
  await drainAndStop(t, stack);
});

t.test('UDP: a Via without rport whose host differs gets received only', async (t) => {
  const stack = await startStack(t);
  const seen: string[] = [];
  stack.onRequest((req, tx) => {
    seen.push(header(req, 'Via') ?? '');
    tx.respond(200);
  });
  const peer = await RawUdpPeer.open(t);
  // Send-by names the peer's real port so the response (to received:sent-by port) reaches it.
  peer.send(requestText({ method: 'OPTIONS', via: `SIP/2.0/UDP localhost:${peer.port};branch=z9hG4bK-u2`, callId: uniq('norport') }), stack.ports.udp ?? 0);
  await peer.waitFor((m) => m.kind === 'response');
  const via = parseVia(seen[0] ?? '')[0];
  t.equal(via?.params.received, '127.0.0.1');
  t.notOk(via && 'rport' in via.params, 'no rport added when the client did not ask');
  await peer.close();
  await drainAndStop(t, stack);
});

t.test('TCP: round trip, answered on the same connection', async (t) => {
  const stack = await startStack(t);
  stack.onRequest((_req, tx) => tx.respond(200));
  const peer = await RawTcpPeer.connect(t, stack.ports.tcp ?? 0);
  await peer.write(requestText({ method: 'OPTIONS', via: 'SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bK-t1;rport', callId: uniq('tcp') }));
  const [response] = await peer.waitForMessages(1);
  t.equal(response?.kind === 'response' && response.status, 200);
  t.match(header(response!, 'Via') ?? '', new RegExp(`rport=${peer.localPort}`), 'rport stamped for TCP too');
  t.equal(stack.stats().connections, 1, 'one connection while the client keeps it open');
  peer.destroy();
  await waitFor(() => stack.stats().connections === 0, 5000, 'the connection to go');
  await drainAndStop(t, stack);
});

t.test('TCP: a message split over many writes is reassembled; two in one write are both read', async (t) => {
  const stack = await startStack(t);
  const methods: string[] = [];
  stack.onRequest((req, tx) => {
    methods.push(`${req.method}:${req.body.toString()}`);
    tx.respond(200);
  });
  const peer = await RawTcpPeer.connect(t, stack.ports.tcp ?? 0);
  const text = requestText({ method: 'MESSAGE', via: 'SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bK-split', callId: uniq('split'), body: 'hello there', extra: [] });
  for (let i = 0; i < text.length; i += 7) {
    await peer.write(text.slice(i, i + 7));
    if (i % 70 === 0) await sleep(1);
  }
  await peer.waitForMessages(1);
  const two =
    requestText({ method: 'OPTIONS', via: 'SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bK-two1', callId: uniq('two') }) +
    requestText({ method: 'OPTIONS', via: 'SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bK-two2', callId: uniq('two') });
  await peer.write(two);
  await peer.waitForMessages(3);
  t.same(methods, ['MESSAGE:hello there', 'OPTIONS:', 'OPTIONS:']);
  peer.destroy();
  await drainAndStop(t, stack);
});

t.test('TCP: an oversized message is rejected (513) and the connection closed', async (t) => {
  const stack = await startStack(t, { limits: { maxMessageSize: 4096 } });
  let delivered = 0;
  stack.onRequest((_req, tx) => {
    delivered++;
    tx.respond(200);
  });
  const peer = await RawTcpPeer.connect(t, stack.ports.tcp ?? 0);
  await peer.write(requestText({ method: 'MESSAGE', via: 'SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bK-big', callId: uniq('big'), body: 'x'.repeat(10_000) }));
  await peer.closedAt;
  const [response] = peer.messages();
  t.equal(response?.kind === 'response' && response.status, 513, '513 Message Too Large before closing');
  t.equal(delivered, 0, 'never reaches the user agent');

  // Headers that never end: no answer possible, the connection is closed at the limit.
  const endless = await RawTcpPeer.connect(t, stack.ports.tcp ?? 0);
  await endless.write(`OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nX-Long: ${'y'.repeat(8000)}`);
  await endless.closedAt;
  t.ok(endless.closed, 'closed once the buffered header text passes the limit');
  await drainAndStop(t, stack);
});

t.test('TCP: a silent or slowloris connection is closed after the idle timeout', async (t) => {
  const stack = await startStack(t, { limits: { idleTimeoutMs: 300 } });
  stack.onRequest((_req, tx) => tx.respond(200));
  const silentPeer = await RawTcpPeer.connect(t, stack.ports.tcp ?? 0);
  const slow = await RawTcpPeer.connect(t, stack.ports.tcp ?? 0);
  const started = Date.now();
  // One byte every 50 ms never completes a message: the timer is not reset by bytes.
  const text = requestText({ method: 'OPTIONS', via: 'SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bK-slow', callId: uniq('slow') });
  let i = 0;
  const drip = setInterval(() => {
    if (!slow.closed) slow.socket.write(text.slice(i, ++i));
  }, 50);
  await Promise.all([silentPeer.closedAt, slow.closedAt]);
  clearInterval(drip);
  const elapsed = Date.now() - started;
  t.ok(elapsed >= 250, `closed after the idle timeout, not before (${elapsed} ms)`);
  t.ok(elapsed < 8000, 'closed within a bounded time');
  t.equal(slow.messages().length, 0, 'the slow request was never answered');

  // One complete message first does not buy a later slow drip the long keep-alive allowance.
  const tricky = await RawTcpPeer.connect(t, stack.ports.tcp ?? 0);
  await tricky.write(requestText({ method: 'OPTIONS', via: 'SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bK-first', callId: uniq('first') }));
  await tricky.waitForMessages(1);
  await tricky.write('OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bK-drip\r\n');
  const trickyStart = Date.now();
  await tricky.closedAt;
  t.ok(Date.now() - trickyStart < 8000, 'a half-sent second message is cut at the idle timeout');
  await drainAndStop(t, stack);
});

t.test('TCP: memory per connection stays bounded; connection limits per source and in total', async (t) => {
  const stack = await startStack(t, { limits: { maxBufferedBytes: 16 * 1024, maxMessageSize: 8 * 1024, maxConnectionsPerSource: 3, maxConnections: 5 } });
  stack.onRequest((_req, tx) => tx.respond(200));
  // A body announced large and sent in pieces: the buffer never grows past the limit.
  const flood = await RawTcpPeer.connect(t, stack.ports.tcp ?? 0);
  const head = `MESSAGE sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bK-flood\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:x@127.0.0.1>\r\nCall-ID: ${uniq('flood')}\r\nCSeq: 1 MESSAGE\r\nContent-Length: 100000000\r\n\r\n`;
  await flood.write(head);
  const chunk = Buffer.alloc(4096, 0x61);
  for (let i = 0; i < 64 && !flood.closed; i++) await flood.write(chunk);
  await flood.closedAt;
  t.ok(flood.closed, 'a peer pushing more than the limits is disconnected');

  const peers: RawTcpPeer[] = [];
  for (let i = 0; i < 5; i++) peers.push(await RawTcpPeer.connect(t, stack.ports.tcp ?? 0));
  await waitFor(() => peers.filter((p) => p.closed).length >= 2, 5000, 'connections over the per-source limit to be refused');
  t.equal(peers.filter((p) => !p.closed).length, 3, 'only maxConnectionsPerSource connections from one address stay');
  t.equal(stack.stats().connections, 3);
  for (const p of peers) p.destroy();
  await drainAndStop(t, stack);
});

t.test('malformed input: 400 when answerable, dropped otherwise, and the server keeps serving', async (t) => {
  const stack = await startStack(t);
  stack.onRequest((_req, tx) => tx.respond(200));
  const peer = await RawUdpPeer.open(t);
  const port = stack.ports.udp ?? 0;
  // A broken header line, but Via/From/To/Call-ID/CSeq are readable: 400.
  peer.send(`OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bK-bad1;rport\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:x@127.0.0.1>\r\nCall-ID: bad1\r\nCSeq: 1 OPTIONS\r\nthis line has no colon\r\nContent-Length: 0\r\n\r\n`, port);
  const [bad] = await peer.waitFor((m) => m.kind === 'response' && m.status === 400);
  t.ok(bad, '400 for a request that can be answered');
  // Garbage: dropped silently.
  peer.send(Buffer.from([0, 1, 2, 3, 0xff, 0xfe, 13, 10, 13, 10]), port);
  peer.send('\r\n\r\n', port);
  // A request failing validation (CSeq method mismatch) is answered by the stack.
  peer.send(requestText({ method: 'OPTIONS', cseqMethod: 'INVITE', via: 'SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK-bad2;rport', callId: 'bad2' }), port);
  await peer.waitFor((m) => m.kind === 'response' && header(m, 'Call-ID') === 'bad2');
  // And a good one still works.
  peer.send(requestText({ method: 'OPTIONS', via: 'SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK-good;rport', callId: 'good' }), port);
  const [good] = await peer.waitFor((m) => m.kind === 'response' && header(m, 'Call-ID') === 'good');
  t.equal(good?.kind === 'response' && good.status, 200, 'the server still serves');

  // TCP: a bad message gets its 400, then the connection is closed (framing is lost).
  const tcp = await RawTcpPeer.connect(t, stack.ports.tcp ?? 0);
  await tcp.write(`OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bK-bad3\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:x@127.0.0.1>\r\nCall-ID: bad3\r\nCSeq: 1 OPTIONS\r\nContent-Length: nope\r\n\r\n`);
  await tcp.closedAt;
  t.equal(tcp.messages()[0]?.kind === 'response' && (tcp.messages()[0] as SipResponse).status, 400);
  await peer.close();
  await drainAndStop(t, stack);
});

t.test('TCP stack to stack: responses come back on our connection, which is reused per destination', async (t) => {
  const uas = await startStack(t);
  const uac = await startStack(t);
  uas.onRequest((_req, tx) => tx.respond(200));
  const options = (n: number): SipRequest => ({
    kind: 'request', method: 'OPTIONS', uri: `sip:x@127.0.0.1:${uas.ports.tcp};transport=tcp`,
    headers: [
      { name: 'From', value: '<sip:tenor@127.0.0.1>;tag=t1' },
      { name: 'To', value: '<sip:x@127.0.0.1>' },
      { name: 'Call-ID', value: uniq(`reuse${n}`) },
      { name: 'CSeq', value: `${n} OPTIONS` },
    ],
    body: Buffer.alloc(0),
  });
  const destination = { transport: 'tcp' as const, address: '127.0.0.1', port: uas.ports.tcp ?? 0 };
  const first = await uac.sendRequest(options(1), destination).response;
  const second = await uac.sendRequest(options(2), destination).response;
  t.same([first.status, second.status], [200, 200]);
  t.equal(uac.stats().connections, 1, 'one outgoing connection for both requests');
  t.equal(uas.stats().connections, 1);
  await uac.stop();
  await waitFor(() => uas.stats().connections === 0, 5000, 'the far end to see the close');
  await drainAndStop(t, uas);
});

t.test('UDP: a datagram over the size limit gets 513 and is not processed', async (t) => {
  const stack = await startStack(t, { limits: { maxMessageSize: 2048 } });
  let delivered = 0;
  stack.onRequest((_req, tx) => {
    delivered++;
    tx.respond(200);
  });
  const peer = await RawUdpPeer.open(t);
  peer.send(requestText({ method: 'MESSAGE', via: `SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bK-bigudp;rport`, callId: uniq('bigudp'), body: 'z'.repeat(4000) }), stack.ports.udp ?? 0);
  const [tooLarge] = await peer.waitFor((m) => m.kind === 'response');
  t.equal((tooLarge as SipResponse).status, 513);
  t.equal(delivered, 0);
  await drainAndStop(t, stack);
});
