// A self-signed certificate for 127.0.0.1 made with openssl (as the server makes
// its own), and a raw SIP-over-TLS client for tests that must write exact bytes.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestCertificate {
  cert: string;
  key: string;
  certFile: string;
}

export async function makeCertificate(dir: string): Promise<TestCertificate> {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile]);
  return { cert: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8'), certFile };
}

/** One TLS connection to a SIP port: write text, read what comes back. */
export class RawTlsClient {
  readonly socket: tls.TLSSocket;
  #received = '';
  #waiters: Array<() => void> = [];

  private constructor(socket: tls.TLSSocket) {
    this.socket = socket;
    socket.on('data', (d: Buffer) => {
      this.#received += d.toString('utf8');
      for (const w of this.#waiters.splice(0)) w();
    });
    socket.on('close', () => { for (const w of this.#waiters.splice(0)) w(); });
  }

  static connect(port: number, ca: string): Promise<RawTlsClient> {
    return new Promise((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port, ca, servername: undefined }, () => resolve(new RawTlsClient(socket)));
      socket.once('error', reject);
    });
  }

  get localPort(): number {
    return this.socket.localPort ?? 0;
  }

  send(text: string): void {
    this.socket.write(text);
  }

  /** Waits until what has arrived matches, and returns all of it (then forgets it). */
  async waitFor(pattern: RegExp, timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.#received)) {
      if (Date.now() > deadline || this.socket.destroyed) throw new Error(`no ${pattern} in ${JSON.stringify(this.#received)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        this.#waiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
    const all = this.#received;
    this.#received = '';
    return all;
  }

  close(): void {
    this.socket.destroy();
  }
}

/** A request as a phone would write it over TLS. */
export function sipRequest(o: { method: string; uri: string; user: string; localPort: number; callId: string; cseq?: number; headers?: string[]; body?: string }): string {
  const body = o.body ?? '';
  return [
    `${o.method} ${o.uri} SIP/2.0`,
    `Via: SIP/2.0/TLS 127.0.0.1:${o.localPort};branch=z9hG4bK${Math.random().toString(36).slice(2)};rport`,
    'Max-Forwards: 70',
    `From: <sip:${o.user}@127.0.0.1>;tag=${Math.random().toString(36).slice(2)}`,
    `To: <${o.method === 'REGISTER' ? `sip:${o.user}@127.0.0.1` : o.uri}>`,
    `Call-ID: ${o.callId}`,
    `CSeq: ${o.cseq ?? 1} ${o.method}`,
    `Contact: <sip:${o.user}@127.0.0.1:${o.localPort};transport=tls>`,
    ...(o.headers ?? []),
    ...(body ? ['Content-Type: application/sdp'] : []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

export function plainSdp(port: number, profile: 'RTP/AVP' | 'RTP/SAVP', crypto?: string): string {
  return [
    'v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0',
    `m=audio ${port} ${profile} 0`, 'a=rtpmap:0 PCMU/8000', ...(crypto ? [`a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${crypto}`] : []), '',
  ].join('\r\n');
}
