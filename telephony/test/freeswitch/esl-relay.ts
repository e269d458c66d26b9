// A TCP relay between a driver and FreeSWITCH's event socket, so a test can
// break the link (and keep it broken) while FreeSWITCH and its calls go on.
import { connect, createServer, type Server, type Socket } from 'node:net';

/** A TCP relay to FreeSWITCH's event socket that a test can cut and block. */
export class Relay {
  readonly #sockets = new Set<Socket>();
  #blocked = false;
  readonly #server: Server;

  constructor(target: { host: string; port: number }) {
    this.#server = createServer((client) => {
      if (this.#blocked) { client.destroy(); return; }
      const upstream = connect(target);
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on('error', () => { client.destroy(); upstream.destroy(); });
        s.on('close', () => { this.#sockets.delete(s); client.destroy(); upstream.destroy(); });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    const address = this.#server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  /** Breaks every connection; with `block`, new ones are refused until unblock(). */
  cut(block = false): void {
    this.#blocked = block;
    for (const s of this.#sockets) s.destroy();
  }

  unblock(): void {
    this.#blocked = false;
  }

  close(): Promise<void> {
    this.cut(true);
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

