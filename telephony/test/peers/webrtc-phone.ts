// A browser phone without the browser, for tests: werift's RTCPeerConnection
// (full ICE, DTLS, SRTP, as a browser speaks them) with SIP over a WebSocket-
// like channel, written by hand like JsSIP writes it (Via SIP/2.0/WSS to a
// .invalid host, Contact ;transport=ws). Audio is PCMU; what it hears is kept
// as decoded samples, so a test can ask which tone came through.
import { randomBytes } from 'node:crypto';
import { MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters, RtpHeader, RtpPacket } from 'werift';
import { decodeUlaw, encodeUlaw } from '../../src/embedded/media/g711.js';

/** Where SIP text goes and comes from: a `ws` client, or the engine's attachSipWebSocket directly. */
export interface SipChannel {
  send(text: string): void;
  onMessage(listener: (text: string) => void): void;
}

interface Dialog {
  callId: string;
  localTag: string;
  remoteTag: string;
  from: string;
  to: string;
  cseq: number;
  requestUri: string;
}

const PCMU = () => new RTCRtpCodecParameters({ mimeType: 'audio/PCMU', clockRate: 8000, channels: 1, payloadType: 0 });
const DTMF = () => new RTCRtpCodecParameters({ mimeType: 'audio/telephone-event', clockRate: 8000, channels: 1, payloadType: 101 });

export class WebrtcPhone {
  readonly host = `${randomBytes(4).toString('hex')}.invalid`;
  readonly contact = `sip:${randomBytes(4).toString('hex')}@${this.host};transport=ws`;
  readonly received: string[] = [];
  /** Decoded audio heard from the far end, in arrival order. */
  readonly heard: number[] = [];
  pc: RTCPeerConnection | undefined;
  dialog: Dialog | undefined;
  readonly #waiters = new Set<() => void>();
  readonly #track = new MediaStreamTrack({ kind: 'audio' });
  #toneTimer: NodeJS.Timeout | undefined;
  #seq = 1;
  #ts = 0;
  #ssrc = randomBytes(4).readUInt32BE(0);

  constructor(readonly channel: SipChannel, readonly user: string, readonly realm: string) {
    channel.onMessage((text) => {
      this.received.push(text);
      for (const w of [...this.#waiters]) w();
    });
  }

  async next(match: (text: string) => boolean, ms = 8000, from = 0): Promise<string> {
    const find = () => this.received.slice(from).find(match);
    const hit = find();
    if (hit !== undefined) return hit;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`no matching SIP message within ${ms} ms; got ${this.received.map((m) => m.split('\r\n')[0]).join(' | ')}`));
      }, ms);
      const check = () => {
        const found = find();
        if (found === undefined) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve(found);
      };
      this.#waiters.add(check);
    });
  }

  async register(): Promise<number> {
    const callId = randomBytes(8).toString('hex');
    this.channel.send(this.#request('REGISTER', `sip:${this.realm}`, {
      from: `<sip:${this.user}@${this.realm}>;tag=${randomBytes(4).toString('hex')}`, to: `<sip:${this.user}@${this.realm}>`, callId, cseq: 1,
    }, [`Contact: <${this.contact}>;expires=600`, 'Expires: 600']));
    return statusOf(await this.next((m) => statusOf(m) !== undefined && header(m, 'Call-ID') === callId));
  }

  /** Places a call with a WebRTC offer; resolves when it is answered and ACKed. */
  async call(number: string): Promise<number> {
    const pc = this.#peer();
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    const sdp = pc.localDescription?.sdp ?? '';
    const dialog: Dialog = {
      callId: randomBytes(8).toString('hex'), localTag: randomBytes(4).toString('hex'), remoteTag: '',
      from: `<sip:${this.user}@${this.realm}>`, to: `<sip:${number}@${this.realm}>`, cseq: 1, requestUri: `sip:${number}@${this.realm}`,
    };
    const start = this.received.length;
    this.channel.send(this.#request('INVITE', dialog.requestUri, { from: `${dialog.from};tag=${dialog.localTag}`, to: dialog.to, callId: dialog.callId, cseq: 1 },
      [`Contact: <${this.contact}>`, 'Content-Type: application/sdp'], sdp));
    const final = await this.next((m) => (statusOf(m) ?? 0) >= 200 && header(m, 'Call-ID') === dialog.callId, 10_000, start);
    const status = statusOf(final);
    if (status !== 200) return status;
    dialog.remoteTag = /;tag=([^;\s]+)/.exec(header(final, 'To') ?? '')?.[1] ?? '';
    this.dialog = dialog;
    this.channel.send(this.#inDialog('ACK', 1));
    await pc.setRemoteDescription({ type: 'answer', sdp: body(final) });
    return status;
  }

  /**
   * Answers the next INVITE with a WebRTC answer. With `afterDtls`, the 200 OK
   * goes only once ICE and DTLS are up, as when a browser's JsSIP waits out a
   * slow ICE gathering while Chromium already connects to the offer's candidate.
   */
  async answer(ms = 10_000, opts: { afterDtls?: boolean } = {}): Promise<string> {
    const invite = await this.next((m) => m.startsWith('INVITE '), ms);
    const pc = this.#peer();
    await pc.setRemoteDescription({ type: 'offer', sdp: withMids(body(invite)) });
    const answer = await pc.createAnswer();
    await pc.setLocalDescription(answer);
    if (opts.afterDtls) {
      for (const deadline = Date.now() + ms; pc.connectionState !== 'connected';) {
        if (Date.now() > deadline) throw new Error(`DTLS not connected within ${ms} ms (${pc.connectionState})`);
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    const localTag = randomBytes(4).toString('hex');
    const from = header(invite, 'From') ?? '';
    const to = header(invite, 'To') ?? '';
    const contact = /<([^>]+)>/.exec(header(invite, 'Contact') ?? '')?.[1] ?? '';
    this.dialog = {
      callId: header(invite, 'Call-ID') ?? '', localTag, remoteTag: /;tag=([^;\s]+)/.exec(from)?.[1] ?? '',
      from: to, to: from.replace(/;tag=[^;\s]+/, ''), cseq: 100, requestUri: contact,
    };
    this.channel.send(responseTo(invite, 200, 'OK', `;tag=${localTag}`, [`Contact: <${this.contact}>`, 'Content-Type: application/sdp'], pc.localDescription?.sdp ?? ''));
    return invite;
  }

  /** Answers a BYE from the far end; resolves with it. */
  async byeReceived(ms = 10_000): Promise<string> {
    const bye = await this.next((m) => m.startsWith('BYE '), ms);
    this.channel.send(responseTo(bye, 200, 'OK', '', []));
    return bye;
  }

  hangup(): void {
    if (this.dialog) this.channel.send(this.#inDialog('BYE', ++this.dialog.cseq));
  }

  /** Sends a tone as PCMU every 20 ms until stopped. */
  sendTone(freq: number): void {
    this.stopTone();
    let phase = 0;
    this.#toneTimer = setInterval(() => {
      const pcm = new Int16Array(160);
      for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(8000 * Math.sin(2 * Math.PI * freq * (phase++) / 8000));
      this.#writeRtp(0, Buffer.from(encodeUlaw(pcm)), false);
    }, 20);
  }

  stopTone(): void {
    if (this.#toneTimer) clearInterval(this.#toneTimer);
    this.#toneTimer = undefined;
  }

  /** A digit as JsSIP sends it by default: SIP INFO with application/dtmf-relay (werift rewrites RTP payload types, so no RFC 4733 here). */
  async sendDigit(digit: string): Promise<number> {
    const d = this.dialog;
    if (!d) throw new Error('no dialog');
    const content = `Signal=${digit}\r\nDuration=160\r\n`;
    const cseq = ++d.cseq;
    const start = this.received.length;
    this.channel.send(this.#request('INFO', d.requestUri, { from: `${d.from};tag=${d.localTag}`, to: `${d.to};tag=${d.remoteTag}`, callId: d.callId, cseq },
      ['Content-Type: application/dtmf-relay'], content));
    return statusOf(await this.next((m) => statusOf(m) > 0 && header(m, 'CSeq') === `${cseq} INFO`, 5000, start));
  }

  /** Which of `freqs` dominates the last `ms` of what was heard (undefined for silence). */
  dominantTone(freqs: readonly number[], ms = 400): number | undefined {
    const samples = Int16Array.from(this.heard.slice(-Math.round(ms * 8)));
    if (samples.length < 800) return undefined;
    let best: number | undefined;
    let bestPower = 0.01;
    for (const f of freqs) {
      const p = tonePower(samples, f);
      if (p > bestPower) {
        bestPower = p;
        best = f;
      }
    }
    return best;
  }

  async close(): Promise<void> {
    this.stopTone();
    await this.pc?.close();
  }

  #writeRtp(payloadType: number, payload: Buffer, marker: boolean, timestamp?: number): void {
    const header = new RtpHeader({ payloadType, sequenceNumber: this.#seq, timestamp: timestamp ?? this.#ts, ssrc: this.#ssrc, marker });
    this.#seq = (this.#seq + 1) & 0xffff;
    if (timestamp === undefined) this.#ts = (this.#ts + 160) >>> 0;
    this.#track.writeRtp(new RtpPacket(header, payload));
  }

  #peer(): RTCPeerConnection {
    const pc = new RTCPeerConnection({ codecs: { audio: [PCMU(), DTMF()], video: [] }, iceUseIpv6: false, iceUseIpv4: true });
    const transceiver = pc.addTransceiver(this.#track, { direction: 'sendrecv' });
    transceiver.onTrack.subscribe((track) => {
      track.onReceiveRtp.subscribe((rtp) => {
        if (rtp.header.payloadType !== 0) return;
        for (const s of decodeUlaw(rtp.payload)) this.heard.push(s);
      });
    });
    this.pc = pc;
    return pc;
  }

  #request(method: string, uri: string, ids: { from: string; to: string; callId: string; cseq: number }, extra: string[], content = ''): string {
    return [
      `${method} ${uri} SIP/2.0`,
      `Via: SIP/2.0/WSS ${this.host};branch=z9hG4bK${randomBytes(6).toString('hex')}`,
      'Max-Forwards: 69', `To: ${ids.to}`, `From: ${ids.from}`, `Call-ID: ${ids.callId}`, `CSeq: ${ids.cseq} ${method}`,
      ...extra, `Content-Length: ${Buffer.byteLength(content)}`, '', content,
    ].join('\r\n');
  }

  #inDialog(method: string, cseq: number): string {
    const d = this.dialog;
    if (!d) throw new Error('no dialog');
    return this.#request(method, d.requestUri, { from: `${d.from};tag=${d.localTag}`, to: `${d.to};tag=${d.remoteTag}`, callId: d.callId, cseq }, []);
  }
}

export function statusOf(text: string): number {
  return Number(/^SIP\/2\.0 (\d{3})/.exec(text)?.[1] ?? 0) || 0;
}

export function header(text: string, name: string): string | undefined {
  return new RegExp(`^${name}:\\s*(.*)$`, 'mi').exec(text.split('\r\n\r\n')[0] ?? '')?.[1]?.trim();
}

/**
 * An offer as a browser reads it: FreeSWITCH writes no a=mid and no direction
 * (SDP's default is sendrecv), which a browser fills in itself; werift would
 * refuse the m-line otherwise.
 */
function withMids(sdp: string): string {
  let index = 0;
  const mid = /^a=mid:/m.test(sdp) ? '' : 'mid';
  const direction = /^a=(?:sendrecv|sendonly|recvonly|inactive)\r?$/m.test(sdp) ? '' : 'direction';
  if (!mid && !direction) return sdp;
  return sdp.replace(/^(m=[^\r\n]*\r?\n)/gm, (line) => `${line}${mid ? `a=mid:${index++}\r\n` : ''}${direction ? 'a=sendrecv\r\n' : ''}`);
}

function body(text: string): string {
  const at = text.indexOf('\r\n\r\n');
  return at < 0 ? '' : text.slice(at + 4);
}

function responseTo(request: string, status: number, reason: string, toTagParam: string, extra: string[], content = ''): string {
  const head = request.split('\r\n\r\n')[0] ?? '';
  const copy = (name: string) => head.split('\r\n').filter((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  const to = copy('To')[0] ?? 'To: <sip:unknown>';
  return [
    `SIP/2.0 ${status} ${reason}`, ...copy('Via'), `${to}${/;tag=/.test(to) ? '' : toTagParam}`, ...copy('From'), ...copy('Call-ID'), ...copy('CSeq'),
    ...extra, `Content-Length: ${Buffer.byteLength(content)}`, '', content,
  ].join('\r\n');
}

/** Goertzel power of `freq` in a block, normalised (near 1 for a full-scale pure tone). */
export function tonePower(pcm: Int16Array, freq: number): number {
  const k = 2 * Math.cos((2 * Math.PI * freq) / 8000);
  let s1 = 0;
  let s2 = 0;
  let energy = 0;
  for (const x of pcm) {
    const s0 = x + k * s1 - s2;
    s2 = s1;
    s1 = s0;
    energy += x * x;
  }
  const power = s1 * s1 + s2 * s2 - k * s1 * s2;
  return energy === 0 ? 0 : (2 * power) / (pcm.length * energy);
}
