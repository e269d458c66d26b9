// Shared harness for the SIP stack tests: a stack on 127.0.0.1 with OS ports and
// shrunk timers, raw UDP/TCP peers that speak SIP text, and the check that a
// finished test left no transaction, timer or connection behind.

import dgram from 'node:dgram';
import net from 'node:net';
import { pino } from 'pino';
import type { Test } from 'tap';
import { parseMessage } from '../../src/embedded/sip/parse.js';
import type { SipMessage, SipResponse } from '../../src/embedded/sip/message.js';
import { SipStack, type SipStackOptions } from '../../src/embedded/sip/stack.js';

export const silent = pino({ level: 'silent' });

/** Timers small enough for tests: T1 20 ms → 64*T1 = 1.28 s. */
export const FAST_TIMERS = { t1: 20, t2: 160, t4: 200, timerD: 400 };

/** A stack on OS ports; stopped at the end of the test even when an assertion failed. */
export async function startStack(t: Test, options: Partial<SipStackOptions> = {}): Promise<SipStack> {
  const stack = new SipStack({
    logger: silent,
    udp: { address: '127.0.0.1', port: 0 },
    tcp: { address: '127.0.0.1', port: 0 },
    timers: FAST_TIMERS,
    ...options,
  });
  await stack.start();
  t.teardown(() => stack.stop());
  return stack;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until `check` holds, failing after `timeoutMs` (generous: loaded CI machines). */
export async function waitFor(check: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/**
 * Waits until every transaction, dialog timer and connection of the stack has
 * gone by itself, asserts it, then stops the stack and asserts again.
 */
export async function drainAndStop(t: Test, stack: SipStack, timeoutMs = 15_000): Promise<void> {
  await waitFor(() => {
    const s = stack.stats();
    return s.transactions === 0 && s.timers === 0 && s.connections === 0;
  }, timeoutMs, 'the stack to become idle').catch(() => undefined);
  const idle = stack.stats();
  t.same(
    { transactions: idle.transactions, timers: idle.timers, connections: idle.connections },
    { transactions: 0, timers: 0, connections: 0 },
    'no transaction, timer or connection left once the traffic is over',
  );
  await stack.stop();
  const stopped = stack.stats();
  t.same(
    { transactions: stopped.transactions, timers: stopped.timers, connections: stopped.connections, dialogs: stopped.dialogs },
    { transactions: 0, timers: 0, connections: 0, dialogs: 0 },
    'stop() leaves nothing behind',
  );
}

/** Parses one SIP message from text or bytes, throwing when it does not parse. */
export function parse(data: Buffer | string): SipMessage {
  const result = parseMessage(typeof data === 'string' ? Buffer.from(data) : data);
  if (!result.ok) throw new Error(`does not parse: ${'error' in result ? result.error.reason : 'incomplete'}`);
  return result.message;
}

export function header(message: SipMessage, name: string): string | undefined {
  return message.headers.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;
}

let counter = 0;
export function uniq(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}

export interface RequestText {
  method: string;
  uri?: string;
  via: string;
  callId: string;
  cseq?: number;
  cseqMethod?: string;
  fromTag?: string;
  to?: string;
  extra?: string[];
  body?: string;
  contentLength?: boolean;
}

/** A request as wire text, CRLF line ends, Content-Length included. */
export function requestText(r: RequestText): string {
  const body = r.body ?? '';
  const lines = [
    `${r.method} ${r.uri ?? 'sip:service@127.0.0.1'} SIP/2.0`,
    `Via: ${r.via}`,
    'Max-Forwards: 70',
    `From: <sip:tester@127.0.0.1>;tag=${r.fromTag ?? 'ftag1'}`,
    `To: ${r.to ?? '<sip:service@127.0.0.1>'}`,
    `Call-ID: ${r.callId}`,
    `CSeq: ${r.cseq ?? 1} ${r.cseqMethod ?? r.method}`,
    ...(r.extra ?? []),
  ];
  if (body.length > 0) lines.push('Content-Type: application/sdp');
  if (r.contentLength !== false) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

/** A raw UDP socket speaking SIP text; collects every message it receives. */
export class RawUdpPeer {
  readonly socket = dgram.createSocket('udp4');
  readonly received: { message: SipMessage; at: number }[] = [];
  #waiters: (() => void)[] = [];

  #closed = false;

  static async open(t: Test): Promise<RawUdpPeer> {
    const peer = new RawUdpPeer();
    t.teardown(() => peer.close());
    await new Promise<void>((resolve) => peer.socket.bind(0, '127.0.0.1', () => resolve()));
    peer.socket.on('message', (data) => {
      const result = parseMessage(data);
      if (result.ok) peer.received.push({ message: result.message, at: Date.now() });
      for (const wake of peer.#waiters.splice(0)) wake();
    });
    return peer;
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(text: string | Buffer, port: number): void {
    this.socket.send(typeof text === 'string' ? Buffer.from(text) : text, port, '127.0.0.1');
  }

  responses(predicate: (r: SipResponse) => boolean = () => true): SipResponse[] {
    return this.received.flatMap(({ message }) => (message.kind === 'response' && predicate(message) ? [message] : []));
  }

  /** Waits until `count` received messages satisfy the predicate; returns them. */
  async waitFor(predicate: (m: SipMessage) => boolean, count = 1, timeoutMs = 10_000): Promise<SipMessage[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const matching = this.received.map((r) => r.message).filter(predicate);
      if (matching.length >= count) return matching;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`raw udp peer: expected ${count} matching messages, got ${matching.length}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/** A raw TCP client collecting what the server writes back. */
export class RawTcpPeer {
  data = Buffer.alloc(0);
  closed = false;
  readonly closedAt: Promise<void>;
  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.data = Buffer.concat([this.data, chunk]);
    });
    socket.on('error', () => undefined);
    this.closedAt = new Promise((resolve) => socket.once('close', () => {
      this.closed = true;
      resolve();
    }));
  }

  static connect(t: Test, port: number): Promise<RawTcpPeer> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        t.teardown(() => socket.destroy());
        resolve(new RawTcpPeer(socket));
      });
    });
  }

  get localPort(): number {
    return this.socket.localPort ?? 0;
  }

  write(data: string | Buffer): Promise<void> {
    return new Promise((resolve) => this.socket.write(data, () => resolve()));
  }

  /** Every complete message received so far. */
  messages(): SipMessage[] {
    const out: SipMessage[] = [];
    let rest = this.data;
    for (;;) {
      const result = parseMessage(rest, { stream: true });
      if (result.ok) {
        out.push(result.message);
        rest = rest.subarray(result.consumed);
        continue;
      }
      if ('keepAlive' in result) {
        rest = rest.subarray(result.consumed);
        continue;
      }
      return out;
    }
  }

  async waitForMessages(count: number, timeoutMs = 10_000): Promise<SipMessage[]> {
    await waitFor(() => this.messages().length >= count, timeoutMs, `${count} tcp messages`);
    return this.messages();
  }

  destroy(): void {
    this.socket.destroy();
  }
}
