// A minimal SIP caller over UDP for benches that bring their own RTP (the
// paced sender): INVITE with an SDP naming our RTP port, ACK the 200 (and its
// retransmissions), BYE at the end, answer the far side's BYE. Enough for
// Tenor's B2BUA on loopback; not a user agent for anything else.
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';

export interface PlacedCall {
  callId: string;
  /** Where the server takes this call's RTP (its answer's c= and m=audio). */
  remoteRtp: { address: string; port: number };
}

interface Dialog {
  callId: string;
  fromTag: string;
  toTag?: string;
  inviteBranch: string;
  cseq: number;
  ended: boolean;
  settle?: (r: { ok: true; call: PlacedCall } | { ok: false; reason: string }) => void;
  byeDone?: () => void;
  retransmit?: NodeJS.Timeout;
}

export interface SipCaller {
  /** Places one call (the server's `service` number) with audio at `rtpPort`; rejects on failure or after 10 s. */
  call(rtpPort: number): Promise<PlacedCall>;
  /** Hangs up every call still up; resolves when each BYE was answered (or after 5 s). */
  hangupAll(): Promise<void>;
  close(): Promise<void>;
}

const token = (): string => randomBytes(6).toString('hex');

export async function startSipCaller(opts: { server: string; service: string }): Promise<SipCaller> {
  const [host = '127.0.0.1', portText = '5060'] = opts.server.split(':');
  const serverPort = Number(portText);
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  const local = `127.0.0.1:${socket.address().port}`;
  const dialogs = new Map<string, Dialog>();
  const send = (text: string): void => { socket.send(Buffer.from(text), serverPort, host); };
  const uri = `sip:${opts.service}@${opts.server}`;

  const request = (d: Dialog, method: string, cseq: number, branch: string, body = ''): string => [
    `${method} ${uri} SIP/2.0`,
    `Via: SIP/2.0/UDP ${local};branch=${branch};rport`,
    `From: <sip:bench@${local}>;tag=${d.fromTag}`,
    `To: <${uri}>${d.toTag ? `;tag=${d.toTag}` : ''}`,
    `Call-ID: ${d.callId}`,
    `CSeq: ${cseq} ${method}`,
    `Contact: <sip:bench@${local}>`,
    'Max-Forwards: 70',
    ...(body ? ['Content-Type: application/sdp'] : []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '', body,
  ].join('\r\n');

  socket.on('message', (msg) => {
    const text = msg.toString('latin1');
    const [head = '', body = ''] = text.split('\r\n\r\n', 2);
    const lines = head.split('\r\n');
    const header = (name: string): string => {
      const line = lines.find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
      return line ? line.slice(line.indexOf(':') + 1).trim() : '';
    };
    const d = dialogs.get(header('Call-ID'));
    const first = lines[0] ?? '';
    if (!first.startsWith('SIP/2.0 ')) {
      // A request from the server: its BYE (the far side hung up).
      if (first.startsWith('BYE ') || first.startsWith('OPTIONS ')) {
        const echo = lines.filter((l) => /^(via|from|to|call-id|cseq):/i.test(l));
        send(['SIP/2.0 200 OK', ...echo, 'Content-Length: 0', '', ''].join('\r\n'));
        if (d && first.startsWith('BYE ')) d.ended = true;
      }
      return;
    }
    if (!d) return;
    const status = Number(first.split(' ')[1]);
    const method = header('CSeq').split(/\s+/)[1];
    if (method === 'BYE') {
      if (status >= 200) d.byeDone?.();
      return;
    }
    if (method !== 'INVITE') return;
    if (d.retransmit) { clearTimeout(d.retransmit); d.retransmit = undefined; }
    if (status < 200) return;
    d.toTag = /;tag=([^;>\s]+)/.exec(header('To'))?.[1];
    if (status >= 300) {
      send(request(d, 'ACK', 1, d.inviteBranch));
      d.ended = true;
      d.settle?.({ ok: false, reason: first });
      d.settle = undefined;
      return;
    }
    send(request(d, 'ACK', 1, `z9hG4bK${token()}`));
    const address = /^c=IN IP4 (\S+)/m.exec(body)?.[1];
    const port = Number(/^m=audio (\d+)/m.exec(body)?.[1]);
    if (!address || !port) d.settle?.({ ok: false, reason: '200 without an audio SDP' });
    else d.settle?.({ ok: true, call: { callId: d.callId, remoteRtp: { address, port } } });
    d.settle = undefined;
  });

  return {
    call(rtpPort) {
      const d: Dialog = { callId: `${token()}@bench`, fromTag: token(), inviteBranch: `z9hG4bK${token()}`, cseq: 1, ended: false };
      dialogs.set(d.callId, d);
      const sdp = [
        'v=0', `o=bench 1 1 IN IP4 127.0.0.1`, 's=-', 'c=IN IP4 127.0.0.1', 't=0 0',
        `m=audio ${rtpPort} RTP/AVP 0`, 'a=rtpmap:0 PCMU/8000', 'a=ptime:20', 'a=sendrecv', '',
      ].join('\r\n');
      const invite = request(d, 'INVITE', 1, d.inviteBranch, sdp);
      return new Promise<PlacedCall>((resolve, reject) => {
        const giveUp = setTimeout(() => {
          if (d.retransmit) clearTimeout(d.retransmit);
          d.settle = undefined;
          reject(new Error(`no answer to INVITE ${d.callId}`));
        }, 10_000);
        d.settle = (r) => {
          clearTimeout(giveUp);
          if (r.ok) resolve(r.call);
          else reject(new Error(r.reason));
        };
        let interval = 500;
        const transmit = (): void => {
          send(invite);
          d.retransmit = setTimeout(transmit, interval);
          interval = Math.min(4000, interval * 2);
        };
        transmit();
      });
    },
    async hangupAll() {
      const up = [...dialogs.values()].filter((d) => !d.ended && d.toTag !== undefined);
      await Promise.all(up.map((d) => new Promise<void>((resolve) => {
        d.ended = true;
        const bye = request(d, 'BYE', 2, `z9hG4bK${token()}`);
        const timers: NodeJS.Timeout[] = [];
        const finish = (): void => { for (const t of timers) clearTimeout(t); resolve(); };
        d.byeDone = finish;
        send(bye);
        timers.push(setTimeout(() => send(bye), 500), setTimeout(() => send(bye), 1500), setTimeout(finish, 5000));
      })));
    },
    async close() {
      for (const d of dialogs.values()) if (d.retransmit) clearTimeout(d.retransmit);
      await new Promise<void>((resolve) => socket.close(() => resolve()));
    },
  };
}
