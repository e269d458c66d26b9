// The server-transaction limits over real UDP: requests the user agent has not
// answered yet are capped (an overloaded UA gets a stateless 503, not an
// unbounded backlog), and so is the whole table for memory; answered
// transactions that only linger to absorb retransmissions (timers J, L, I)
// must not count against the first cap, or a busy site is refused at a call
// rate far below its capacity (issue 19: 503s after 1,249 calls at 300/s).

import t from 'tap';
import type { SipMessage } from '../../src/embedded/sip/message.js';
import type { ServerTransaction } from '../../src/embedded/sip/transaction/server.js';
import { RawUdpPeer, drainAndStop, header, requestText, startStack, uniq, waitFor } from './helpers.js';

/** 64·T1 = 3.2 s: answered transactions linger long enough to be counted, short enough to drain. */
const TIMERS = { t1: 50, t2: 400, t4: 500, timerD: 3200 };

const isStatus = (status: number) => (m: SipMessage): boolean => m.kind === 'response' && m.status === status;

function options(branch: string): string {
  return requestText({ method: 'OPTIONS', via: `SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bK-${branch};rport`, callId: uniq('opt') });
}

t.test('answered transactions lingering for retransmissions do not count as pending: 20 requests through a cap of 3', async (t) => {
  const stack = await startStack(t, { timers: TIMERS, maxPendingServerTransactions: 3 });
  stack.onRequest((_req, tx) => tx.respond(200, 'OK'));
  const peer = await RawUdpPeer.open(t);
  const port = stack.ports.udp ?? 0;
  for (let i = 0; i < 20; i++) {
    peer.send(options(`linger-${i}`), port);
    await peer.waitFor(isStatus(200), i + 1);
  }
  t.equal(peer.responses((r) => r.status === 503).length, 0, 'no request was refused');
  t.ok(stack.stats().serverTransactions > 3, 'the answered transactions still linger (timer J) beyond the pending cap');
  await peer.close();
  await drainAndStop(t, stack);
});

t.test('requests the user agent has not answered are capped: 503 with Retry-After, admitted again once answered', async (t) => {
  const stack = await startStack(t, { timers: TIMERS, maxPendingServerTransactions: 3 });
  const held: ServerTransaction[] = [];
  let holding = true;
  stack.onRequest((_req, tx) => {
    if (holding) held.push(tx);
    else tx.respond(200, 'OK');
  });
  const peer = await RawUdpPeer.open(t);
  const port = stack.ports.udp ?? 0;
  for (let i = 0; i < 4; i++) peer.send(options(`held-${i}`), port);
  const [refused] = await peer.waitFor(isStatus(503));
  t.equal(header(refused!, 'Retry-After'), '5', 'the 503 says when to retry');
  await waitFor(() => held.length === 3, 5000, 'three requests to reach the user agent');
  t.equal(held.length, 3, 'the fourth never reached the user agent');
  holding = false;
  for (const tx of held) tx.respond(200, 'OK');
  peer.send(options('after'), port);
  await peer.waitFor(isStatus(200), 4);
  t.equal(peer.responses((r) => r.status === 503).length, 1, 'answered requests free their places at once');
  await peer.close();
  await drainAndStop(t, stack);
});

t.test('the whole table is bounded for memory: lingering transactions count there, and free it when they end', async (t) => {
  const stack = await startStack(t, { timers: TIMERS, maxServerTransactions: 5 });
  stack.onRequest((_req, tx) => tx.respond(200, 'OK'));
  const peer = await RawUdpPeer.open(t);
  const port = stack.ports.udp ?? 0;
  for (let i = 0; i < 6; i++) {
    peer.send(options(`table-${i}`), port);
    await peer.waitFor((m) => m.kind === 'response', i + 1);
  }
  t.equal(peer.responses((r) => r.status === 200).length, 5, 'five answered');
  t.equal(peer.responses((r) => r.status === 503).length, 1, 'the sixth refused while five linger');
  await waitFor(() => stack.stats().serverTransactions === 0, 15_000, 'timer J to end the lingering transactions');
  peer.send(options('table-later'), port);
  await peer.waitFor(isStatus(200), 6);
  t.pass('admitted again once they ended');
  await peer.close();
  await drainAndStop(t, stack);
});
