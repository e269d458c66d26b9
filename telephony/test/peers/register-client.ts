// A minimal REGISTER client with digest authentication (RFC 3261 22, RFC 8760),
// used to register a contact on behalf of a peer that cannot answer the
// registrar's challenge itself (baresip 1.0.0 gives up on any challenge list
// that names an algorithm other than MD5; SIPp 3.6 only tries the first one).
// It takes the first challenge whose algorithm it supports, as RFC 8760 asks.

import { createHash, randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';

export interface RegisterRequest {
  /** "127.0.0.1:5060" */
  registrar: string;
  user: string;
  password: string;
  /** Contact URI to bind, e.g. baresip's "sip:agent@127.0.0.1:40000". */
  contact: string;
  expires?: number;
  timeoutMs?: number;
  /** Send from this port (a registrar may route calls to the REGISTER's source, not the Contact). */
  localPort?: number;
}

export interface RegisterReply {
  status: number;
  /** The response headers, raw, in order. */
  headers: string[];
}

const HASHES: Record<string, string> = { 'MD5': 'md5', 'SHA-256': 'sha256', 'SHA-512-256': 'sha512-256' };

function h(alg: string, s: string): string {
  return createHash(alg).update(s).digest('hex');
}

function param(challenge: string, name: string): string | undefined {
  const m = new RegExp(`${name}\\s*=\\s*("([^"]*)"|[^,\\s]+)`, 'i').exec(challenge);
  return m ? (m[2] ?? m[1]) : undefined;
}

/** Send REGISTER, answer one 401 challenge, and resolve with the final response. */
export async function registerContact(req: RegisterRequest): Promise<RegisterReply> {
  const [host, portText] = req.registrar.split(':');
  const port = Number(portText);
  const sock = createSocket('udp4');
  await new Promise<void>((resolve) => sock.bind(req.localPort ?? 0, '127.0.0.1', () => resolve()));
  const local = sock.address();
  const callId = randomBytes(8).toString('hex');
  const fromTag = randomBytes(4).toString('hex');
  const uri = `sip:${host}:${port}`;
  const build = (cseq: number, auth?: string): string => [
    `REGISTER ${uri} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${local.port};branch=z9hG4bK${randomBytes(6).toString('hex')};rport`,
    `From: <sip:${req.user}@${host}>;tag=${fromTag}`,
    `To: <sip:${req.user}@${host}>`,
    `Call-ID: ${callId}`,
    `CSeq: ${cseq} REGISTER`,
    `Contact: <${req.contact}>`,
    `Expires: ${req.expires ?? 600}`,
    'Max-Forwards: 70',
    ...(auth ? [`Authorization: ${auth}`] : []),
    'Content-Length: 0',
    '', '',
  ].join('\r\n');

  const exchange = (msg: string): Promise<RegisterReply> => new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sock.off('message', onMessage);
      reject(new Error(`no final response from ${req.registrar}`));
    }, req.timeoutMs ?? 5000);
    const onMessage = (data: Buffer): void => {
      const lines = data.toString('utf8').split('\r\n');
      const status = Number(/^SIP\/2\.0 (\d{3})/.exec(lines[0] ?? '')?.[1] ?? 0);
      if (status < 200) return;
      clearTimeout(timer);
      sock.off('message', onMessage);
      resolve({ status, headers: lines.slice(1).filter((l) => l.length > 0) });
    };
    sock.on('message', onMessage);
    sock.send(msg, port, host);
  });

  try {
    const first = await exchange(build(1));
    if (first.status !== 401) return first;
    const challenges = first.headers
      .filter((l) => /^WWW-Authenticate:/i.test(l))
      .map((l) => l.replace(/^WWW-Authenticate:\s*/i, ''));
    const challenge = challenges.find((c) => HASHES[(param(c, 'algorithm') ?? 'MD5').toUpperCase()]);
    if (!challenge) throw new Error(`no supported digest challenge in ${challenges.join(' | ')}`);
    const algorithm = (param(challenge, 'algorithm') ?? 'MD5').toUpperCase();
    const alg = HASHES[algorithm] ?? 'md5';
    const realm = param(challenge, 'realm') ?? '';
    const nonce = param(challenge, 'nonce') ?? '';
    const cnonce = randomBytes(8).toString('hex');
    const nc = '00000001';
    const ha1 = h(alg, `${req.user}:${realm}:${req.password}`);
    const ha2 = h(alg, `REGISTER:${uri}`);
    const response = h(alg, `${ha1}:${nonce}:${nc}:${cnonce}:auth:${ha2}`);
    const auth = `Digest username="${req.user}", realm="${realm}", nonce="${nonce}", uri="${uri}", `
      + `response="${response}", algorithm=${algorithm}, cnonce="${cnonce}", qop=auth, nc=${nc}`;
    return await exchange(build(2, auth));
  } finally {
    sock.close();
  }
}
