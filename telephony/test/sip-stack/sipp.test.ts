// SIPp as a real peer: its built-in 'uac' scenario places calls (INVITE, ACK,
// BYE) to a tiny user agent built on the stack, over UDP and over TCP.

import t from 'tap';
import type { SipStack } from '../../src/embedded/sip/stack.js';
import { describeSipp, runSipp } from '../peers/sipp.js';
import { drainAndStop, startStack } from './helpers.js';

const SDP = 'v=0\r\no=tenor 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n';

/** The smallest useful UAS: answers INVITE with 200 + SDP and BYE with 200. */
function tinyUas(stack: SipStack): { invites: number; byes: number } {
  const counts = { invites: 0, byes: 0 };
  stack.onRequest((req, tx) => {
    if (req.method === 'INVITE') {
      counts.invites++;
      stack.acceptInvite(tx, { body: { contentType: 'application/sdp', body: SDP } });
    } else if (req.method === 'BYE') {
      counts.byes++;
      tx.respond(200);
    } else {
      tx.respond(501);
    }
  });
  return counts;
}

for (const transport of ['u1', 't1'] as const) {
  t.test(`sipp uac places 20 calls at 10 cps over ${transport === 'u1' ? 'UDP' : 'TCP'}: all succeed`, async (t) => {
    // Real timer values: SIPp retransmits at 500 ms and must not see our 2xx retransmitted needlessly.
    const stack = await startStack(t, { timers: {}, rateLimit: false });
    const counts = tinyUas(stack);
    const port = transport === 'u1' ? stack.ports.udp : stack.ports.tcp;
    const result = await runSipp({
      scenario: 'uac',
      remote: `127.0.0.1:${port}`,
      service: 'tenor',
      calls: 20,
      rate: 10,
      transport,
      timeoutMs: 60_000,
    });
    t.equal(result.code, 0, 'sipp exits 0', { sipp: describeSipp(result) });
    t.equal(result.stats.successful, 20, '20 successful calls');
    t.equal(result.stats.failed, 0);
    t.same(counts, { invites: 20, byes: 20 }, 'every INVITE and BYE reached the user agent once');
    t.equal(stack.stats().dialogs, 0, 'every dialog ended with its BYE');
    // With real timers the transactions linger up to 64*T1 (32 s) after the calls: stop and check.
    await stack.stop();
    const s = stack.stats();
    t.same([s.transactions, s.timers, s.connections, s.dialogs], [0, 0, 0, 0], 'stop() leaves nothing behind');
  });
}

t.test('sipp uac against shrunk timers: calls still succeed and the stack drains by itself', async (t) => {
  const stack = await startStack(t, { rateLimit: false });
  tinyUas(stack);
  const result = await runSipp({ scenario: 'uac', remote: `127.0.0.1:${stack.ports.udp}`, service: 'tenor', calls: 10, rate: 10, timeoutMs: 60_000 });
  t.equal(result.code, 0, 'sipp exits 0', { sipp: describeSipp(result) });
  await drainAndStop(t, stack);
});

t.test('sipp cancels ringing calls: 200 to each CANCEL, 487 to each INVITE, the UA told every time', async (t) => {
  const stack = await startStack(t, { timers: {}, rateLimit: false });
  let cancelled = 0;
  stack.onRequest((req, tx) => {
    if (req.method !== 'INVITE') return void tx.respond(501);
    tx.on('cancelled', () => cancelled++);
    tx.respond(180, 'Ringing');
  });
  const result = await runSipp({
    scenario: 'uac-invite-cancel-while-ringing.xml',
    remote: `127.0.0.1:${stack.ports.udp}`,
    service: 'tenor',
    calls: 10,
    rate: 10,
    pauseMs: 200,
    timeoutMs: 60_000,
  });
  t.equal(result.code, 0, 'sipp exits 0', { sipp: describeSipp(result) });
  t.equal(result.stats.successful, 10);
  t.equal(cancelled, 10, "'cancelled' emitted for every call");
  await stack.stop();
  t.equal(stack.stats().timers, 0);
});
