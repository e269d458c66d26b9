// Free-port picking: what SIPp, baresip and the engine bind must really be free.
import t from 'tap';
import { ephemeralPortRange, freeSippMediaPort, freeTcpPort, freeUdpPort, freeUdpRange, isPortBound, isTcpFree, isUdpFree } from './ports.js';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

t.test('single ports are free when returned', async (t) => {
  t.ok(await isUdpFree(await freeUdpPort()));
  t.ok(await isTcpFree(await freeTcpPort()));
});

t.test('a SIPp media port is even with p..p+3 free', async (t) => {
  const p = await freeSippMediaPort();
  t.equal(p % 2, 0);
  for (const q of [p, p + 1, p + 2, p + 3]) t.ok(await isUdpFree(q), `${q} free`);
});

t.test('a range below the ephemeral ports stays clear of bind(0) ports', async (t) => {
  const eph = await ephemeralPortRange();
  const r = await freeUdpRange(40, { belowEphemeral: true });
  t.equal(r.to - r.from, 39);
  t.equal(r.from % 2, 0);
  t.ok(r.to < eph.from, `${r.from}-${r.to} below ${eph.from}`);
  for (let i = 0; i < 20; i++) {
    const p = await freeUdpPort();
    t.ok(p < r.from || p > r.to, 'a kernel-chosen port is outside the range');
  }
});

t.test('isPortBound sees a UDP socket and a TCP listener by reading /proc/net, and forgets them once closed', async (t) => {
  const udp = createSocket('udp4');
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
  const udpPort = udp.address().port;
  t.equal(await isPortBound(udpPort), true, 'bound UDP port');
  await new Promise<void>((resolve) => udp.close(() => resolve()));
  t.equal(await isPortBound(udpPort), false, 'closed UDP port');
  const tcp = createServer();
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  const address = tcp.address();
  const tcpPort = typeof address === 'object' && address !== null ? address.port : 0;
  t.equal(await isPortBound(tcpPort), true, 'listening TCP port');
  await new Promise<void>((resolve) => tcp.close(() => resolve()));
  t.equal(await isPortBound(tcpPort), false, 'closed TCP port');
});
