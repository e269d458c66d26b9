// A client of rtpengine's ng control protocol: each request is one UDP datagram
// `<cookie> <bencoded dictionary>` with a `command` key, and rtpengine answers
// `<cookie> <bencoded dictionary>` with a `result` ("ok", "pong", "error" with
// an `error-reason`). UDP loses datagrams, so a request is sent again with a
// doubling interval until its reply arrives or its time is up; rtpengine keeps
// the replies of recent cookies, so a retransmitted offer is answered once, not
// applied twice. The socket is connected to the daemon: the kernel drops
// datagrams from anyone else, and replies are matched to requests by cookie.
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Logger } from 'pino';
import { decode, encode, isDict, type BencodeDict, type BencodeValue } from './bencode.js';

export type NgCommand = 'ping' | 'offer' | 'answer' | 'delete' | 'query' | 'list' | 'statistics';

/** rtpengine answered `result: error` (or an unexpected result); `reason` is its `error-reason`. */
export class RtpengineError extends Error {
  constructor(readonly command: NgCommand, readonly reason: string) {
    super(`rtpengine ${command} failed: ${reason}`);
    this.name = 'RtpengineError';
  }
}

/** No reply within the request's time, retransmissions included. */
export class RtpengineTimeoutError extends Error {
  constructor(readonly command: NgCommand, readonly target: string, readonly timeoutMs: number) {
    super(`rtpengine at ${target} did not answer ${command} within ${timeoutMs} ms`);
    this.name = 'RtpengineTimeoutError';
  }
}

export interface RtpengineClient {
  /** `address:port` of the daemon's ng socket (logs, health). */
  readonly target: string;
  /** Sends one command and resolves with rtpengine's reply dictionary (result "ok" or "pong"). */
  request(command: NgCommand, params?: BencodeDict): Promise<BencodeDict>;
  /** Resolves when rtpengine answers `pong`; `timeoutMs` overrides the client's (a health check's shorter bound). */
  ping(timeoutMs?: number): Promise<void>;
  /** Fails the requests still waiting and closes the socket; idempotent. */
  close(): Promise<void>;
}

export interface ConnectRtpengineOptions {
  /** The ng socket's address (the daemon's `listen-ng`). */
  address: string;
  port: number;
  /** How long a request waits for its reply, retransmissions included. Default 2,000 ms. */
  timeoutMs?: number;
  /** First retransmission after this long, then doubling. Default 200 ms. */
  retransmitMs?: number;
  logger: Logger;
}

interface Pending {
  readonly command: NgCommand;
  readonly datagram: Buffer;
  resolve(reply: BencodeDict): void;
  reject(error: Error): void;
  retransmit: NodeJS.Timeout;
  readonly deadline: NodeJS.Timeout;
}

/** Longest reply accepted: rtpengine answers in one datagram. */
const MAX_REPLY_BYTES = 65_535;

class NgClient implements RtpengineClient {
  readonly target: string;
  private readonly pending = new Map<string, Pending>();
  private readonly cookiePrefix = randomBytes(6).toString('hex');
  private sequence = 0;
  private closed = false;

  constructor(
    private readonly socket: Socket,
    private readonly opts: Required<Pick<ConnectRtpengineOptions, 'address' | 'port' | 'timeoutMs' | 'retransmitMs'>>,
    private readonly logger: Logger,
  ) {
    this.target = `${opts.address}:${opts.port}`;
    socket.on('message', (msg) => this.onReply(msg));
    // A connected UDP socket reports an ICMP "port unreachable" as an error; the
    // requests then time out with a clear message, so the error is only logged.
    socket.on('error', (err) => this.logger.warn({ err, rtpengine: this.target }, 'rtpengine ng socket error'));
  }

  request(command: NgCommand, params: BencodeDict = {}): Promise<BencodeDict> {
    return this.send(command, params, this.opts.timeoutMs);
  }

  private send(command: NgCommand, params: BencodeDict, timeoutMs: number): Promise<BencodeDict> {
    if (this.closed) return Promise.reject(new Error(`rtpengine client for ${this.target} is closed`));
    const cookie = `${this.cookiePrefix}_${++this.sequence}`;
    const datagram = Buffer.concat([Buffer.from(`${cookie} `, 'latin1'), encode({ ...params, command })]);
    return new Promise<BencodeDict>((resolve, reject) => {
      let interval = this.opts.retransmitMs;
      const send = (): void => { this.socket.send(datagram); };
      const scheduleRetransmit = (): NodeJS.Timeout => setTimeout(() => {
        send();
        interval *= 2;
        entry.retransmit = scheduleRetransmit();
      }, interval);
      const entry: Pending = {
        command,
        datagram,
        resolve,
        reject,
        retransmit: scheduleRetransmit(),
        deadline: setTimeout(() => {
          this.settle(cookie);
          reject(new RtpengineTimeoutError(command, this.target, timeoutMs));
        }, timeoutMs),
      };
      this.pending.set(cookie, entry);
      send();
    });
  }

  async ping(timeoutMs = this.opts.timeoutMs): Promise<void> {
    const reply = await this.send('ping', {}, timeoutMs);
    if (reply['result'] !== 'pong') throw new RtpengineError('ping', `answered ${String(reply['result'])} instead of pong`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const [cookie, entry] of this.pending) {
      this.settle(cookie);
      entry.reject(new Error(`rtpengine client for ${this.target} closed while ${entry.command} was waiting`));
    }
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }

  /** Forgets a request: its timers stop, a late reply is ignored. */
  private settle(cookie: string): Pending | undefined {
    const entry = this.pending.get(cookie);
    if (!entry) return undefined;
    clearTimeout(entry.retransmit);
    clearTimeout(entry.deadline);
    this.pending.delete(cookie);
    return entry;
  }

  private onReply(msg: Buffer): void {
    const space = msg.indexOf(0x20);
    if (space <= 0 || space > 64 || msg.length > MAX_REPLY_BYTES) {
      this.logger.warn({ rtpengine: this.target, bytes: msg.length }, 'rtpengine reply without a cookie ignored');
      return;
    }
    const cookie = msg.toString('latin1', 0, space);
    const entry = this.pending.get(cookie);
    if (!entry) return; // a reply to a retransmission already answered, or to a request that timed out
    let reply: BencodeValue;
    try {
      reply = decode(msg.subarray(space + 1), { maxBytes: MAX_REPLY_BYTES });
    } catch (err) {
      this.settle(cookie);
      entry.reject(new RtpengineError(entry.command, `malformed reply (${(err as Error).message})`));
      return;
    }
    this.settle(cookie);
    if (!isDict(reply)) {
      entry.reject(new RtpengineError(entry.command, 'reply is not a dictionary'));
      return;
    }
    const result = reply['result'];
    if (result === 'ok' || result === 'pong') {
      const warning = reply['warning'];
      if (typeof warning === 'string') this.logger.warn({ rtpengine: this.target, command: entry.command, warning }, 'rtpengine warning');
      entry.resolve(reply);
      return;
    }
    const reason = typeof reply['error-reason'] === 'string' ? reply['error-reason'] : `result "${String(result)}"`;
    entry.reject(new RtpengineError(entry.command, reason));
  }
}

/**
 * Opens a client to the ng socket at `address:port` and checks that rtpengine
 * answers a ping; rejects with a message naming the address when it does not.
 */
export async function connectRtpengine(opts: ConnectRtpengineOptions): Promise<RtpengineClient> {
  const socket = createSocket(isIPv6(opts.address) ? 'udp6' : 'udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.connect(opts.port, opts.address, () => {
        socket.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    socket.close();
    throw new Error(`cannot reach rtpengine at ${opts.address}:${opts.port}: ${(err as Error).message}`);
  }
  const client = new NgClient(socket, {
    address: opts.address,
    port: opts.port,
    timeoutMs: opts.timeoutMs ?? 2_000,
    retransmitMs: opts.retransmitMs ?? 200,
  }, opts.logger);
  try {
    await client.ping();
  } catch (err) {
    await client.close();
    throw err;
  }
  return client;
}
