// RTP ports and the media legs on them: binding a leg (skipping ports another
// program holds), the SDP a call on a port sends, and the counts stats() reports.
import type { Logger } from 'pino';
import { MediaLeg, type MediaLegOptions } from '../media/leg.js';
import { RtpPortAllocator } from '../rtp/ports.js';
import { RtpSocketPool } from '../rtp/socket-pool.js';
import { WebrtcMedia, dtlsCertificate } from '../rtp/webrtc-media.js';
import type { RtpStats } from '../rtp/session.js';
import type { RtpCounts } from '../../driver.js';
import type { CallSdp } from './call.js';
import type { ResolvedConfig } from './config.js';
import {
  answerDirection, createAnswer, createOffer, negotiate, STATIC_PT, type NegotiatedAudio, type RemoteAudio,
} from './sdp.js';
import { answerCryptoLine, srtpPair, type CryptoLine } from './sdes.js';

/** Our a=crypto lines on a leg: all we offered until the answer picks one, then the one in use. */
export interface LegCrypto {
  lines: CryptoLine[];
}

/** Cumulative RTP packet counts over media legs. */
interface RtpTotals {
  packetsSent: number;
  packetsReceived: number;
  /** Expected from the sequence numbers but never received (RFC 3550 A.3). */
  packetsLost: number;
  packetsFromStrangers: number;
}

function addTotals(into: RtpTotals, s: RtpStats): void {
  into.packetsSent += s.packetsSent;
  into.packetsReceived += s.packetsReceived;
  into.packetsLost += s.packetsLost;
  into.packetsFromStrangers += s.packetsFromStrangers;
}

export class MediaLegs {
  readonly #cfg: ResolvedConfig;
  readonly #log: Logger;
  readonly #ports: RtpPortAllocator;
  /** Each port's socket, kept bound between the legs on it. */
  readonly #sockets: RtpSocketPool;
  /** Media legs open now, and what legs already closed counted (for stats). */
  readonly #openLegs = new Set<MediaLeg>();
  readonly #closedLegs: RtpTotals = { packetsSent: 0, packetsReceived: 0, packetsLost: 0, packetsFromStrangers: 0 };
  /** Incoming INVITEs whose media leg is being opened: stop waits for them. */
  #opening = 0;
  /** The WebRTC layer of the legs towards browsers, by port (kept across a reopen with another codec). */
  readonly #webrtc = new Map<number, WebrtcMedia>();

  constructor(cfg: ResolvedConfig, log: Logger) {
    this.#cfg = cfg;
    this.#log = log;
    this.#ports = new RtpPortAllocator(cfg.rtpPorts);
    this.#sockets = new RtpSocketPool(this.#ports.capacity, log);
  }

  get portsInUse(): number {
    return this.#ports.allocatedCount;
  }

  get opening(): number {
    return this.#opening;
  }

  get packetsFromStrangers(): number {
    return this.#closedLegs.packetsFromStrangers + [...this.#openLegs].reduce((sum, leg) => sum + leg.stats().packetsFromStrangers, 0);
  }

  /** RTP counts of every leg since start, and the receive jitter of the legs open now. */
  rtpStats(): RtpCounts {
    const totals = { ...this.#closedLegs };
    let jitterSum = 0;
    let jitterMax = 0;
    for (const leg of this.#openLegs) {
      const s = leg.stats();
      addTotals(totals, s);
      jitterSum += s.jitterMs;
      jitterMax = Math.max(jitterMax, s.jitterMs);
    }
    const open = this.#openLegs.size;
    return { ...totals, openStreams: open, jitterMsMean: open > 0 ? jitterSum / open : 0, jitterMsMax: jitterMax };
  }

  /** Closes the sockets kept between legs (engine stop); legs closing later close theirs. */
  closeSockets(): void {
    this.#sockets.close();
  }

  /** Keeps sockets between legs again (engine start). */
  keepSockets(): void {
    this.#sockets.resume();
  }

  release(port: number): void {
    this.#webrtc.get(port)?.close();
    this.#webrtc.delete(port);
    this.#ports.release(port);
  }

  /** Opens a media leg on the given port. The caller releases the port when the leg closes. */
  async openLeg(port: number, chosen: NegotiatedAudio, remote: RemoteAudio | undefined, callId: string, trusted: readonly string[]): Promise<MediaLeg> {
    const webrtc = this.#webrtc.get(port);
    if (webrtc && remote?.webrtc) webrtc.setRemote(remote.webrtc);
    // Built field by field: a literal that starts with a spread and adds fields takes V8's slow path (~5 µs; issue 19).
    const opts: MediaLegOptions = {
      payloadType: STATIC_PT[chosen.codec],
      // A browser's path is found by ICE (webrtc-media.ts), not by the SDP's address.
      trustedAddresses: webrtc ? [] : trusted,
      localAddress: this.#cfg.bindAddress,
      localPort: port,
      sockets: this.#sockets,
      // The call arms the timeout once answered (ringing calls have no media yet).
      mediaTimeoutMs: 0,
      logger: this.#log,
      callId,
    };
    if (webrtc) opts.protection = webrtc;
    if (chosen.telephoneEventPt !== undefined) opts.telephoneEventPayloadType = chosen.telephoneEventPt;
    if (remote && !webrtc) opts.remote = { address: remote.address, port: remote.port };
    const leg = await MediaLeg.open(opts);
    this.#openLegs.add(leg);
    leg.once('closed', () => {
      this.#openLegs.delete(leg);
      addTotals(this.#closedLegs, leg.stats());
    });
    return leg;
  }

  /** The far end's answer to our offer: where media goes (plain RTP), or whom ICE and DTLS must see (a browser). */
  answered(leg: MediaLeg, port: number, remote: RemoteAudio): void {
    const webrtc = this.#webrtc.get(port);
    if (webrtc && remote.webrtc) webrtc.setRemote(remote.webrtc);
    else if (!webrtc) leg.setRemote({ address: remote.address, port: remote.port });
  }

  /** Allocates a port and opens a leg on it, skipping ports another program holds. */
  async bindLeg(
    chosen: NegotiatedAudio, remote: RemoteAudio | undefined, callId: string, trusted: readonly string[], opts: { webrtc?: boolean } = {},
  ): Promise<{ leg: MediaLeg; port: number }> {
    const webrtc = opts.webrtc === true || remote?.webrtc !== undefined;
    const cert = webrtc ? await dtlsCertificate() : undefined;
    let lastError: unknown;
    for (let attempt = 0; attempt < 8; attempt++) {
      const port = this.#ports.allocate();
      try {
        if (cert) this.#webrtc.set(port, new WebrtcMedia(cert, this.#log.child({ callId, rtpPort: port })));
        return { leg: await this.openLeg(port, chosen, remote, callId, trusted), port };
      } catch (err) {
        this.release(port);
        lastError = err;
      }
    }
    throw lastError instanceof Error ? lastError : new Error('could not bind an RTP port');
  }

  /** bindLeg for an incoming INVITE, counted while it runs so that stop waits for it; the port is released when the leg closes. */
  async bindIncoming(chosen: NegotiatedAudio, remote: RemoteAudio, callId: string, trusted: readonly string[]): Promise<{ leg: MediaLeg; port: number }> {
    this.#opening++;
    try {
      const bound = await this.bindLeg(chosen, remote, callId, trusted);
      bound.leg.once('closed', () => this.release(bound.port));
      return bound;
    } finally {
      this.#opening--;
    }
  }

  /** For an answered SRTP offer: the leg switched to SRTP under a fresh key of ours; undefined for plain RTP. */
  answerSrtp(leg: MediaLeg, chosen: NegotiatedAudio): LegCrypto | undefined {
    if (!chosen.crypto) return undefined;
    const ours = answerCryptoLine(chosen.crypto);
    leg.session.setSrtp(srtpPair(ours, chosen.crypto));
    return { lines: [ours] };
  }

  /** SDP for one call on one local port: a stable session id and a version that goes up with each description. */
  sdpFor(port: number, initialRemote?: RemoteAudio, initialChoice?: NegotiatedAudio, crypto?: LegCrypto): CallSdp {
    const sessionId = Math.floor(Math.random() * 2 ** 31);
    let version = 0;
    const webrtc = this.#webrtc.get(port);
    const base = (direction: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive', answering?: RemoteAudio) => ({
      address: this.#cfg.publicAddress, port, direction, sessionId, version: ++version,
      ...(crypto ? { crypto: crypto.lines } : {}),
      // We are always DTLS's passive side: we offer actpass, and answer passive.
      ...(webrtc ? { webrtc: { ...webrtc.local, setup: answering ? 'passive' as const : 'actpass' as const, mid: answering?.mid ?? '0' } } : {}),
    });
    let firstAnswer: string | undefined;
    return {
      offer: (direction) => createOffer(base(direction)),
      answer: () => {
        if (!initialRemote || !initialChoice) throw new Error('no offer to answer');
        firstAnswer ??= createAnswer(base(answerDirection(initialRemote.direction, 'sendrecv'), initialRemote), initialChoice);
        return firstAnswer;
      },
      answerTo: (remote, ours) => {
        const choice = negotiate(remote) ?? initialChoice ?? { codec: 'PCMU', pt: 0 };
        return createAnswer(base(answerDirection(remote.direction, ours), remote), choice);
      },
    };
  }
}
