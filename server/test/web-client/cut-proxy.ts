// A TCP proxy between a browser and the server that the test can cut: every open
// connection is destroyed at once and new ones are refused (closed on accept) until the
// network "comes back". It stands for a home agent's network dropping: the page's
// HTTP and its WebSockets (/api/events, /sip) go through it; RTP does not.

import net from 'node:net';
import type { Test } from 'tap';

export interface CutProxy {
  /** http://127.0.0.1:<port>: open the page here instead of the server's own address. */
  readonly url: string;
  /** Connections carried so far (opened while the network was up). */
  readonly carried: number;
  /** Drop every connection and refuse new ones. */
  cut(): void;
  /** Accept and forward connections again. */
  restore(): void;
}

export async function startCutProxy(t: Test, target: { host: string; port: number }): Promise<CutProxy> {
  const open = new Set<net.Socket>();
  let up = true;
  let carried = 0;
  const server = net.createServer((client) => {
    if (!up) {
      client.destroy();
      return;
    }
    carried++;
    const upstream = net.connect(target.port, target.host);
    for (const s of [client, upstream]) {
      open.add(s);
      s.on('close', () => open.delete(s));
      // A reset is what the cut is for; nothing to report beyond the close.
      s.on('error', () => s.destroy());
    }
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy has no TCP address');
  t.teardown(async () => {
    for (const s of open) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return {
    url: `http://127.0.0.1:${address.port}`,
    get carried() { return carried; },
    cut(): void {
      up = false;
      // resetAndDestroy sends RST, as a dead network path looks to the server after its timeouts.
      for (const s of open) s.resetAndDestroy();
      open.clear();
    },
    restore(): void {
      up = true;
    },
  };
}
