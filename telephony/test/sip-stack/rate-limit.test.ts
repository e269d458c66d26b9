// Rate limiting and bans: the limiter's rules with a fake clock, then over UDP
// and TCP against a running stack.

import t from 'tap';
import { RateLimiter } from '../../src/embedded/sip/rate-limit.js';
import { RawTcpPeer, RawUdpPeer, drainAndStop, header, requestText, sleep, startStack, uniq } from './helpers.js';

t.test('limiter: 100 requests in 2 s pass, the 101st bans the source for 300 s', async (t) => {
  let now = 1_000_000;
  const limiter = new RateLimiter({ now: () => now });
  let passed = 0;
  for (let i = 0; i < 100; i++) if (limiter.recordRequest('198.51.100.1')) passed++;
  t.equal(passed, 100, 'the first 100 pass');
  t.notOk(limiter.recordRequest('198.51.100.1'), 'the 101st request is refused');
  t.ok(limiter.isBanned('198.51.100.1'), 'and the source is banned');
  t.ok(limiter.recordRequest('198.51.100.2'), 'another source is not affected');
  now += 299_000;
  t.ok(limiter.isBanned('198.51.100.1'), 'still banned before 300 s');
  now += 2_000;
  t.notOk(limiter.isBanned('198.51.100.1'), 'ban lifted after 300 s');
  t.ok(limiter.recordRequest('198.51.100.1'));
});

t.test('limiter: a steady rate under the limit is never banned (sliding window)', async (t) => {
  let now = 0;
  const limiter = new RateLimiter({ now: () => now });
  let refused = 0;
  // 45 requests per second for 20 s: 90 per 2 s window.
  for (let i = 0; i < 900; i++) {
    now += 1000 / 45;
    if (!limiter.recordRequest('203.0.113.5')) refused++;
  }
  t.equal(refused, 0);
});

t.test('limiter: failed authentications ban; thresholds are configurable', async (t) => {
  let now = 0;
  const limiter = new RateLimiter({ now: () => now, maxAuthFailures: 3, banMs: 1000 });
  limiter.recordAuthFailure('192.0.2.9');
  limiter.recordAuthFailure('192.0.2.9');
  t.notOk(limiter.isBanned('192.0.2.9'));
  limiter.recordAuthFailure('192.0.2.9');
  t.ok(limiter.isBanned('192.0.2.9'), 'banned at the 3rd failure');
  t.notOk(limiter.recordRequest('192.0.2.9'), 'its requests are dropped');
  now += 1001;
  t.ok(limiter.recordRequest('192.0.2.9'), 'allowed again after the ban');
  const exempt = new RateLimiter({ now: () => now, maxRequests: 1, exempt: ['10.0.0.1'] });
  t.ok(exempt.recordRequest('10.0.0.1') && exempt.recordRequest('10.0.0.1'), 'exempt addresses are never limited');
});

t.test('limiter: memory is bounded (old entries expire, tracked sources capped)', async (t) => {
  let now = 0;
  const limiter = new RateLimiter({ now: () => now, maxTrackedSources: 1000 });
  for (let i = 0; i < 5000; i++) limiter.recordRequest(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
  t.ok(limiter.trackedSources <= 1000, `capped (${limiter.trackedSources})`);
  now += 10_000;
  limiter.recordRequest('10.255.255.255');
  t.equal(limiter.trackedSources, 1, 'entries whose window passed are swept');
});

t.test('stack: the 101st request in 2 s from one source is dropped and the source banned', async (t) => {
  const stack = await startStack(t, { rateLimit: {} });
  let handled = 0;
  stack.onRequest((_req, tx) => {
    handled++;
    tx.respond(200);
  });
  const peer = await RawUdpPeer.open(t);
  const port = stack.ports.udp ?? 0;
  for (let i = 0; i < 101; i++) {
    peer.send(requestText({ method: 'OPTIONS', via: `SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bK-flood${i};rport`, callId: uniq('flood') }), port);
    if (i % 20 === 19) await sleep(2);
  }
  await peer.waitFor((m) => m.kind === 'response', 100);
  // Give a 101st answer every chance to arrive before asserting it never does.
  await sleep(300);
  t.equal(peer.responses().length, 100, 'exactly 100 answered');
  t.equal(handled, 100, 'the 101st never reached the user agent');
  t.equal(stack.stats().bannedSources, 1, 'the source is banned');
  peer.send(requestText({ method: 'OPTIONS', via: `SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bK-after;rport`, callId: 'after-ban' }), port);
  await sleep(300);
  t.notOk(peer.responses().some((r) => header(r, 'Call-ID') === 'after-ban'), 'later requests are silently dropped');
  // A banned address cannot open TCP connections either.
  const tcp = await RawTcpPeer.connect(t, stack.ports.tcp ?? 0);
  await tcp.closedAt;
  t.ok(tcp.closed, 'TCP connection from the banned address closed at once');
  await drainAndStop(t, stack);
});

t.test('limiter: a trunk address has its own higher limit; over it requests are dropped but the trunk is never banned, and its auth failures do not count', async (t) => {
  let now = 0;
  const limiter = new RateLimiter({ now: () => now, trunkSources: ['203.0.113.7'], trunkMaxRequests: 300, maxAuthFailures: 2 });
  let passed = 0;
  for (let i = 0; i < 400; i++) if (limiter.recordRequest('203.0.113.7')) passed++;
  t.equal(passed, 300, 'the first 300 in the window pass (a plain source is banned after 100)');
  t.notOk(limiter.isBanned('203.0.113.7'), 'the trunk is not banned');
  now += 2001;
  t.ok(limiter.recordRequest('203.0.113.7'), 'requests pass again in the next window');
  limiter.recordAuthFailure('203.0.113.7');
  limiter.recordAuthFailure('203.0.113.7');
  t.notOk(limiter.isBanned('203.0.113.7'), 'spoofed failed authentications cannot ban the carrier');
  limiter.setTrunkSources([]);
  passed = 0;
  for (let i = 0; i < 150; i++) if (limiter.recordRequest('203.0.113.7')) passed++;
  t.equal(passed, 100, 'no longer a trunk: the plain limit applies');
});
