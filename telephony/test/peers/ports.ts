// Free port picking on 127.0.0.1 for real peers (SIPp, baresip, the engine).
// The kernel chooses (bind port 0), we read the number and close the socket.
// There is a small window in which another process could take the port; peers
// that fail to bind are reported by their own harness, so a test fails loudly
// rather than hanging.

import { createSocket } from 'node:dgram';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';

const HOST = '127.0.0.1';

/** A UDP port that was free a moment ago. */
export function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const sock = createSocket('udp4');
    sock.once('error', reject);
    sock.bind(0, HOST, () => {
      const { port } = sock.address();
      sock.close(() => resolve(port));
    });
  });
}

/** A TCP port that was free a moment ago. */
export function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, HOST, () => {
      const addr = srv.address();
      if (addr === null || typeof addr === 'string') {
        srv.close();
        reject(new Error('no TCP address'));
        return;
      }
      srv.close(() => resolve(addr.port));
    });
  });
}

/** A port free on both UDP and TCP (SIP listens on both on some peers). */
export async function freeUdpTcpPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await freeUdpPort();
    if (await isTcpFree(port)) return port;
  }
  throw new Error('no port free on both UDP and TCP');
}

/** True when `port` can be bound on 127.0.0.1 over UDP right now. */
export function isUdpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createSocket('udp4');
    sock.once('error', () => {
      sock.close();
      resolve(false);
    });
    sock.bind(port, HOST, () => sock.close(() => resolve(true)));
  });
}

/**
 * True when some process has bound `port` (UDP, or TCP listening), read from
 * /proc/net without touching the port: probing by binding it ourselves, as
 * isUdpFree does, holds it for a moment, and a peer binding it just then fails
 * with "Address already in use". False where /proc/net is absent.
 */
export async function isPortBound(port: number): Promise<boolean> {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const [table, state] of [['udp', '07'], ['udp6', '07'], ['tcp', '0A'], ['tcp6', '0A']] as const) {
    const text = await readFile(`/proc/net/${table}`, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[1]?.endsWith(`:${hexPort}`) && cols[3] === state) return true;
    }
  }
  return false;
}

/** True when `port` can be listened on at 127.0.0.1 over TCP right now. */
export function isTcpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, HOST, () => srv.close(() => resolve(true)));
  });
}

/**
 * An even UDP port p with p, p+1, p+2 and p+3 free: SIPp binds its media port
 * (-mp) and -mp+2 (audio RTP and video RTP), and RTCP conventionally takes the
 * odd neighbours; a taken port is fatal for SIPp.
 */
export async function freeSippMediaPort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const p = await freeUdpPort();
    const base = p % 2 === 0 ? p : p + 1;
    if (base + 3 > 65535) continue;
    const checks = await Promise.all([0, 1, 2, 3].map((d) => isUdpFree(base + d)));
    if (checks.every(Boolean)) return base;
  }
  throw new Error('no free SIPp media port pair found');
}

/**
 * A range [from, from+size) of UDP ports all free right now, starting at an
 * even port (RTP convention). Used for baresip's rtp_ports and for capture filters.
 * With `belowEphemeral`, the range lies under the kernel's ephemeral ports, so
 * no socket bound to port 0 (SIPp's rtp_stream, a test's own sockets) can land
 * in it: a capture can then tell the engine's media ports from its peers'.
 */
export async function freeUdpRange(
  size: number,
  opts: { belowEphemeral?: boolean } = {},
): Promise<{ from: number; to: number }> {
  const low = opts.belowEphemeral ? (await ephemeralPortRange()).from : 0;
  for (let attempt = 0; attempt < 200; attempt++) {
    const p = opts.belowEphemeral
      ? 10_000 + Math.floor(Math.random() * Math.max(1, low - 10_000 - size))
      : await freeUdpPort();
    const from = p % 2 === 0 ? p : p + 1;
    const to = from + size - 1;
    if (to > 65535 || (opts.belowEphemeral && to >= low)) continue;
    const checks = await Promise.all(
      Array.from({ length: size }, (_, i) => isUdpFree(from + i)),
    );
    if (checks.every(Boolean)) return { from, to };
  }
  throw new Error(`no free UDP range of ${size} ports found`);
}

/** The kernel's ephemeral port range (where bind(0) picks from). */
export async function ephemeralPortRange(): Promise<{ from: number; to: number }> {
  try {
    const text = await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8');
    const [from, to] = text.trim().split(/\s+/).map(Number);
    if (from && to) return { from, to };
  } catch {
    // not Linux: fall through to the IANA dynamic range
  }
  return { from: 49152, to: 65535 };
}
