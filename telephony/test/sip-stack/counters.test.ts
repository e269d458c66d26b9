// The stack's monitoring counts (stats().counters, published by the server as
// Prometheus counters): responses by class as they went out and came in, our
// retransmissions (timers E and G) and the far end's (absorbed), checked
// against what a raw peer really saw on the wire.

import t from 'tap';
import type { SipMessage, SipRequest } from '../../src/embedded/sip/message.js';
import type { ServerTransaction } from '../../src/embedded/sip/transaction/server.js';
import { RawUdpPeer, drainAndStop, header, requestText, startStack, uniq, waitFor } from './helpers.js';

const isStatus = (status: number) => (m: SipMessage): boolean => m.kind === 'response' && m.status === status;

t.test('server side: responses sent by class, the peer\'s retransmission absorbed, timer G counted', async (t) => {
  const stack = await startStack(t);
  const invites: ServerTransaction[] = [];
  stack.onRequest((_req, tx) => invites.push(tx));
  const peer = await RawUdpPeer.open(t);
  const port = stack.ports.udp ?? 0;
  const callId = uniq('counted');
  const via = 'SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bK-counted;rport';
  const invite = requestText({ method: 'INVITE', via, callId });
  peer.send(invite, port);
  await waitFor(() => invites.length === 1, 5000, 'the INVITE to reach the user agent');
  const tx = invites[0]!;
  tx.respond(180, 'Ringing');
  await peer.waitFor(isStatus(180));
  peer.send(invite, port);
  await peer.waitFor(isStatus(180), 2);
  tx.respond(486, 'Busy Here');
  await peer.waitFor(isStatus(486), 3);
  const toTag = /tag=([^;]+)/.exec(header(peer.responses((r) => r.status === 486)[0]!, 'To') ?? '')?.[1] ?? '';
  peer.send(requestText({ method: 'ACK', via, callId, to: `<sip:service@127.0.0.1>;tag=${toTag}` }), port);
  await waitFor(() => stack.stats().serverTransactions === 0, 5000, 'the transaction to end');
  const busy = peer.responses((r) => r.status === 486).length;
  await waitFor(() => stack.stats().counters.responsesSent['4xx'] === busy, 2000, 'every 486 the peer saw to be counted');

  const { counters } = stack.stats();
  t.equal(counters.responsesSent['1xx'], peer.responses((r) => r.status < 200).length, `1xx sent = what the peer received (${counters.responsesSent['1xx']}: 100, 180, 180 again)`);
  t.equal(counters.responsesSent['4xx'], busy, `4xx sent = the ${busy} copies of 486 the peer received`);
  t.equal(counters.responsesSent['2xx'], 0, 'no 2xx');
  t.equal(counters.retransmissionsReceived, 1, 'the INVITE sent again was absorbed and counted');
  t.equal(counters.retransmissionsSent, busy - 1, 'each 486 after the first was timer G');
  t.same(counters.responsesReceived, { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0, '6xx': 0 }, 'no response received');
  await peer.close();
  await drainAndStop(t, stack);
});

t.test('client side: timer E retransmissions counted, the 200 received counted once', async (t) => {
  const stack = await startStack(t);
  const peer = await RawUdpPeer.open(t);
  const callId = uniq('client-counted');
  // The peer answers only the third copy of the request.
  let copies = 0;
  peer.socket.on('message', (data) => {
    const text = data.toString();
    if (!text.startsWith('OPTIONS') || ++copies !== 3) return;
    const via = /^Via: (.*)$/m.exec(text)?.[1]?.trim() ?? '';
    peer.send(`SIP/2.0 200 OK\r\nVia: ${via}\r\nFrom: <sip:tenor@127.0.0.1>;tag=abc\r\nTo: <sip:x@127.0.0.1>;tag=zz\r\nCall-ID: ${callId}\r\nCSeq: 7 OPTIONS\r\nContent-Length: 0\r\n\r\n`, stack.ports.udp ?? 0);
  });
  const options: SipRequest = {
    kind: 'request', method: 'OPTIONS', uri: `sip:x@127.0.0.1:${peer.port}`,
    headers: [
      { name: 'From', value: '<sip:tenor@127.0.0.1>;tag=abc' },
      { name: 'To', value: '<sip:x@127.0.0.1>' },
      { name: 'Call-ID', value: callId },
      { name: 'CSeq', value: '7 OPTIONS' },
    ],
    body: Buffer.alloc(0),
  };
  const ok = await stack.sendRequest(options, { transport: 'udp', address: '127.0.0.1', port: peer.port }).response;
  t.equal(ok.status, 200);
  // A copy the timer sent just before the 200 came may still be on its way to the peer.
  await waitFor(() => stack.stats().counters.retransmissionsSent === copies - 1, 2000, 'every copy to reach the peer');
  const { counters } = stack.stats();
  t.equal(counters.responsesReceived['2xx'], 1, 'one 200 received');
  t.equal(counters.retransmissionsSent, copies - 1, `${copies - 1} retransmissions before the answer (timer E)`);
  t.equal(counters.retransmissionsReceived, 0);
  await peer.close();
  await drainAndStop(t, stack);
});
