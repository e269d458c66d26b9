// Bound UDP sockets of RTP ports, kept from one media leg to the next on the
// same port. Binding and closing a socket per leg cost every call two binds,
// two closes, two new handles and node's bind round trip (about an eighth of
// a bridged call's CPU, issue 19); a leg that ends gives its socket back here
// still bound, and the next leg on that port takes it as it is.
//
// Which port a leg gets stays the allocator's choice (rtp/ports.ts: round
// robin, a port comes back only after the rest of the range), so a socket
// rests here a whole turn of the range, as a closed port did before. A socket
// given back is made clean: disconnected if its session connected it, every
// listener of the old session removed. While it rests nothing listens for
// its messages: node reads what arrives (an old call's late packets) and
// drops it. A packet may still sit unread in the kernel when the socket is
// taken (it came in during this turn of the event loop): take() lets the
// loop poll once more, listener-less, before it hands the socket over, so
// the next leg hears nothing that arrived before it was opened (with a fresh
// socket the kernel would have refused those packets).

import type dgram from 'node:dgram';
import type { Logger } from 'pino';
import type { RtpPortAllocator } from './ports.js';
import { bindSocket } from './socket-link.js';

/** At most this many sockets rest at once (fewer when the port range holds fewer pairs). */
export const IDLE_SOCKETS_MAX = 2048;
/**
 * A socket resting longer is closed: the pool only pays off while calls come
 * fast enough to go round the range in this time, and once calls stop the
 * process holds no RTP port after it (as the soak test's leak check expects).
 */
export const REST_MS_MAX = 20_000;

interface Resting {
  socket: dgram.Socket;
  address: string;
  /** performance.now() when it was given back. */
  since: number;
}

export class RtpSocketPool {
  readonly #idle = new Map<number, Resting>();
  readonly #maxIdle: number;
  readonly #log: Logger;
  #closed = false;
  /** Closes sockets rested too long; runs only while some rest. */
  #sweeper: NodeJS.Timeout | undefined;
  /** Legs that took a resting socket instead of binding one. */
  reused = 0;

  readonly #restMs: number;

  constructor(maxIdle: number, log: Logger, restMs = REST_MS_MAX) {
    this.#maxIdle = Math.max(0, Math.min(maxIdle, IDLE_SOCKETS_MAX));
    this.#log = log;
    this.#restMs = restMs;
  }

  get idle(): number {
    return this.#idle.size;
  }

  /** The socket resting on `address`:`port`, or a new one bound there (rejects when the port is taken). */
  async take(address: string, port: number): Promise<dgram.Socket> {
    const resting = this.#idle.get(port);
    if (resting) {
      this.#idle.delete(port);
      if (resting.address === address) {
        await pollTwice();
        resting.socket.removeAllListeners();
        this.reused++;
        return resting.socket;
      }
      resting.socket.close();
    }
    return bindSocket(address, port);
  }

  /**
   * Takes back a socket whose session ended (its listeners may still be on
   * it; `connected`: its session connected it, and no connect is under way):
   * cleaned and kept, or closed when the pool is full or stopped.
   */
  give(socket: dgram.Socket, address: string, port: number, connected: boolean): void {
    socket.removeAllListeners();
    // Still bound to its named port after this: Linux only rebinds a disconnected socket bound to port 0.
    if (connected) socket.disconnect();
    if (this.#closed || this.#idle.size >= this.#maxIdle || this.#idle.has(port)) {
      socket.close();
      return;
    }
    // An error on a resting socket is nobody's call; without a listener it would end the process.
    socket.on('error', (err) => this.#log.debug({ err, rtpPort: port }, 'resting rtp socket error'));
    this.#idle.set(port, { socket, address, since: performance.now() });
    if (!this.#sweeper) {
      this.#sweeper = setInterval(() => this.#sweep(), this.#restMs / 4);
      this.#sweeper.unref();
    }
  }

  /** Closes the sockets that rested longer than restMs (the map is in the order they came back). */
  #sweep(): void {
    const oldest = performance.now() - this.#restMs;
    for (const [port, resting] of this.#idle) {
      if (resting.since > oldest) break;
      resting.socket.close();
      this.#idle.delete(port);
    }
    if (this.#idle.size === 0) this.#stopSweeper();
  }

  #stopSweeper(): void {
    if (this.#sweeper) clearInterval(this.#sweeper);
    this.#sweeper = undefined;
  }

  /** Keeps sockets again after close() (an engine started again). */
  resume(): void {
    this.#closed = false;
  }

  /** Closes every resting socket; sockets given back later are closed at once (engine stop). */
  close(): void {
    this.#closed = true;
    for (const { socket } of this.#idle.values()) socket.close();
    this.#idle.clear();
    this.#stopSweeper();
  }
}

/**
 * Resolves after a poll phase of the event loop that began after the call:
 * the first check phase may come before the poll that reads what is queued
 * now, the second comes after it.
 */
function pollTwice(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

/** A socket bound on a port of `allocator`'s (given back to it when no bind succeeds). */
export async function bindAllocated(address: string, allocator: RtpPortAllocator): Promise<{ socket: dgram.Socket; port: number }> {
  // A port free in our allocator may still be taken by another program:
  // try further pairs before giving up.
  let lastError: unknown;
  for (let attempt = 0; attempt < Math.min(16, allocator.capacity); attempt++) {
    const port = allocator.allocate();
    try {
      return { socket: await bindSocket(address, port), port };
    } catch (err) {
      allocator.release(port);
      lastError = err;
    }
  }
  throw lastError instanceof Error ? lastError : new Error('could not bind an RTP port');
}
