// A SIP-over-WebSocket client for tests (RFC 7118): a `ws` socket with the
// "sip" subprotocol and the web session's cookie, that sends SIP text and
// waits for the messages it expects (a browser phone without the browser).

import type { Test } from 'tap';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';

export interface SipWsOptions {
  cookie?: string;
  authorization?: string;
  protocol?: string | false;
  origin?: string;
}

export class SipWsClient {
  readonly ws: WebSocket;
  readonly received: string[] = [];
  closeCode: number | undefined;
  refusedWith: number | undefined;
  readonly opened: Promise<boolean>;
  readonly #waiters = new Set<() => void>();

  constructor(t: Test, url: string, opts: SipWsOptions = {}) {
    const headers: Record<string, string> = {};
    if (opts.cookie) headers.cookie = opts.cookie;
    if (opts.origin) headers.origin = opts.origin;
    if (opts.authorization) headers.authorization = opts.authorization;
    this.ws = opts.protocol === false ? new WebSocket(url, { headers }) : new WebSocket(url, opts.protocol ?? 'sip', { headers });
    this.opened = new Promise((resolve) => {
      this.ws.once('open', () => resolve(true));
      this.ws.once('close', () => resolve(false));
      this.ws.once('unexpected-response', (_req, res) => {
        this.refusedWith = res.statusCode;
        res.resume();
        resolve(false);
      });
      this.ws.once('error', () => resolve(false));
    });
    this.ws.on('message', (data) => {
      this.received.push(data.toString());
      this.#wake();
    });
    this.ws.on('close', (code) => {
      this.closeCode = code;
      this.#wake();
    });
    this.ws.on('error', () => this.#wake());
    t.teardown(() => this.ws.terminate());
  }

  send(text: string): void {
    this.ws.send(text);
  }

  /** The first message received (from index `from`) that `match` accepts. */
  async next(match: (text: string) => boolean, ms = 5000, from = 0): Promise<string> {
    const find = () => this.received.slice(from).find(match);
    const found = find();
    if (found !== undefined) return found;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`no matching SIP message within ${ms} ms; got ${JSON.stringify(this.received).slice(0, 1500)}`));
      }, ms);
      const check = () => {
        const hit = find();
        if (hit === undefined && this.closeCode === undefined) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        if (hit !== undefined) resolve(hit);
        else reject(new Error(`websocket closed (${this.closeCode}) before a matching message`));
      };
      this.#waiters.add(check);
    });
  }

  closed(ms = 5000): Promise<number> {
    if (this.closeCode !== undefined) return Promise.resolve(this.closeCode);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('websocket not closed')), ms);
      this.ws.once('close', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
  }

  #wake(): void {
    for (const w of [...this.#waiters]) w();
  }
}

/** A REGISTER as JsSIP sends it over WebSocket: Via SIP/2.0/WSS to a .invalid host, Contact ;transport=ws. */
export function registerRequest(user: string, realm: string, opts: { cseq?: number; expires?: number; callId?: string; contactUser?: string } = {}): string {
  const host = `${randomBytes(4).toString('hex')}.invalid`;
  const lines = [
    `REGISTER sip:${realm} SIP/2.0`,
    `Via: SIP/2.0/WSS ${host};branch=z9hG4bK${randomBytes(6).toString('hex')}`,
    'Max-Forwards: 69',
    `To: <sip:${user}@${realm}>`,
    `From: <sip:${user}@${realm}>;tag=${randomBytes(4).toString('hex')}`,
    `Call-ID: ${opts.callId ?? randomBytes(8).toString('hex')}`,
    `CSeq: ${opts.cseq ?? 1} REGISTER`,
    `Contact: <sip:${opts.contactUser ?? randomBytes(4).toString('hex')}@${host};transport=ws>;expires=${opts.expires ?? 600}`,
    `Expires: ${opts.expires ?? 600}`,
    'Content-Length: 0',
    '', '',
  ];
  return lines.join('\r\n');
}

export function statusOf(text: string): number | undefined {
  const m = /^SIP\/2\.0 (\d{3}) /.exec(text);
  return m ? Number(m[1]) : undefined;
}

export function isResponseTo(method: string, callId?: string): (text: string) => boolean {
  return (text) => statusOf(text) !== undefined && new RegExp(`^CSeq:\\s*\\d+ ${method}\\s*$`, 'mi').test(text)
    && (callId === undefined || new RegExp(`^Call-ID:\\s*${callId}\\s*$`, 'mi').test(text));
}
