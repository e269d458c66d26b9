// The UDP socket under an RTP session, and whether it is connected to the
// far end. A connected socket sends without naming (and the kernel resolving)
// the address on every packet, and drops datagrams from anyone else before
// they reach us. The session says which far end it wants connected (once
// latching has fixed it; none while latching runs again after a re-INVITE);
// the link connects, disconnects and reconnects to follow.

import dgram from 'node:dgram';
import type { Logger } from 'pino';

export interface LinkEndpoint {
  address: string;
  port: number;
}

export class SocketLink {
  private state: 'none' | 'connecting' | 'connected' = 'none';
  private target: LinkEndpoint | undefined;
  /** node's connect() was called and has not called back: the socket can be neither disconnected nor reused. */
  private inFlight = false;

  constructor(
    readonly socket: dgram.Socket,
    private readonly log: Logger,
    /** The far end the socket should be connected to now, if any; undefined also once the session closed. */
    private readonly wanted: () => LinkEndpoint | undefined,
    private readonly isClosed: () => boolean,
  ) {}

  get connected(): boolean {
    return this.state === 'connected';
  }

  /** Whether a connect is under way in node (then the socket must be closed, not pooled). */
  get connecting(): boolean {
    return this.inFlight;
  }

  /**
   * Sends a datagram: on the connected socket, or to `remote`. No completion
   * callback: node then queues no process.nextTick per packet (a send that
   * completes at once, the usual case on UDP), and a lost RTP packet is not
   * worth reporting one by one; a connected socket's "far end unreachable"
   * still arrives as the socket's error event.
   */
  send(wire: Buffer, remote: LinkEndpoint): void {
    if (this.state === 'connected') this.socket.send(wire);
    else this.socket.send(wire, remote.port, remote.address);
  }

  /** Follows what the session wants now: connect, disconnect or reconnect. */
  sync(): void {
    // A closed socket can neither connect nor disconnect (node throws); connect() looks again.
    if (this.isClosed() || this.state === 'connecting') return;
    const want = this.wanted();
    if (this.state === 'connected') {
      const target = this.target as LinkEndpoint;
      if (want && want.address === target.address && want.port === target.port) return;
      this.socket.disconnect();
      this.state = 'none';
      this.target = undefined;
    }
    if (!want) return;
    this.state = 'connecting';
    // Not now: a send naming the address already queued in this turn (node
    // resolves it on the next tick) would reach a connected socket and fail.
    setImmediate(() => this.connect());
  }

  private connect(): void {
    const want = this.wanted();
    if (!want) {
      this.state = 'none';
      return;
    }
    this.target = { address: want.address, port: want.port };
    const connected = (err?: Error): void => {
      this.inFlight = false;
      if (this.isClosed()) return;
      if (err) {
        // Sends keep naming the address: slower, not broken.
        this.state = 'none';
        this.target = undefined;
        this.log.debug({ err }, 'rtp socket not connected');
        return;
      }
      this.state = 'connected';
      this.sync(); // the far end may have changed meanwhile
    };
    try {
      this.inFlight = true;
      this.socket.connect(want.port, want.address, connected);
    } catch (err) {
      // Runs from setImmediate: a throw here would end the process, not one call.
      connected(err instanceof Error ? err : new Error(String(err)));
    }
  }
}

/** A UDP socket bound to `address`:`port` (0: any free port). */
export function bindSocket(address: string, port: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket({ type: address.includes(':') ? 'udp6' : 'udp4' });
    const onError = (err: Error): void => {
      socket.close();
      reject(err);
    };
    socket.once('error', onError);
    socket.bind(port, address, () => {
      socket.off('error', onError);
      resolve(socket);
    });
  });
}
