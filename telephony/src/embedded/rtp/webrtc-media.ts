// The WebRTC side of a media leg: ICE-lite, DTLS-SRTP and RTCP-mux on the
// leg's one UDP port, in front of the plain RTP session (rtp/session.ts):
//  - STUN Binding requests signed with our ice-pwd are answered (stun.ts), and
//    the first verified one makes its source the leg's remote: ICE proves the
//    browser, so media is latched to it and taken from nowhere else;
//  - DTLS (werift's DtlsServer: we are always the passive side) runs the
//    handshake; the browser's certificate must match the SDP fingerprint; the
//    SRTP keys come from it (RFC 5764) into T's SrtpContext (srtp.ts);
//  - SRTP in, plain RTP out to the session; SRTCP is authenticated and
//    dropped (the engine keeps its own receive statistics); RTP the session
//    sends is protected on the way out.
// Demultiplexing by the first byte follows RFC 7983.
import { X509Certificate, createHash, randomBytes, randomInt } from 'node:crypto';
import type { Logger } from 'pino';
import { CipherContext, DtlsServer, HashAlgorithm, NamedCurveAlgorithm, SignatureAlgorithm, type Transport } from 'werift';
import { SrtpContext, type SrtpKeys } from './srtp.js';
import { answerBinding, isStun } from './stun.js';

export interface RtpEndpointLike {
  address: string;
  port: number;
}

/** What a protected session gives the protection: raw sends, and the ICE-verified peer. */
export interface PacketIo {
  sendRaw(data: Buffer, to: RtpEndpointLike): void;
  peerVerified(from: RtpEndpointLike): void;
}

/** A layer between the UDP socket and the RTP session (rtp/session.ts). */
export interface PacketProtection {
  /** The SSRC the session sends with (written in SDP before the session opens). */
  readonly ssrc: number;
  attach(io: PacketIo): void;
  /** Plain RTP to handle, or undefined when the datagram was for this layer or refused. */
  inbound(data: Buffer, from: RtpEndpointLike): Buffer | undefined;
  /** The datagram to send for a plain RTP packet; undefined while no keys are agreed. */
  outbound(rtp: Buffer): Buffer | undefined;
  close(): void;
}

/** The far end's WebRTC parameters from its SDP. */
export interface RemoteWebrtc {
  iceUfrag: string;
  icePwd: string;
  /** 'sha-256' and the colon-separated hex value. */
  fingerprint: { algorithm: string; value: string };
  setup: string;
}

/** Ours, for the SDP. */
export interface LocalWebrtc {
  /** The SSRC we send with (a=ssrc: some peers route media by it). */
  ssrc: number;
  iceUfrag: string;
  icePwd: string;
  fingerprint: { algorithm: 'sha-256'; value: string };
}

export interface DtlsCertificate {
  certPem: string;
  keyPem: string;
  /** SHA-256 of the DER, "AB:CD:…". */
  fingerprint: string;
}

let certificate: Promise<DtlsCertificate> | undefined;

/** One ECDSA P-256 certificate per process, made on first use (browsers pin it per call by its fingerprint). */
export function dtlsCertificate(): Promise<DtlsCertificate> {
  certificate ??= CipherContext.createSelfSignedCertificateWithKey(
    { signature: SignatureAlgorithm.ecdsa_3, hash: HashAlgorithm.sha256_4 }, NamedCurveAlgorithm.secp256r1_23,
  ).then(({ certPem, keyPem }) => ({ certPem, keyPem, fingerprint: new X509Certificate(certPem).fingerprint256 }));
  return certificate;
}

const SRTP_PROFILE_AES128_CM_SHA1_80 = 1;

export class WebrtcMedia implements PacketProtection {
  readonly local: LocalWebrtc;
  readonly ssrc = randomInt(1, 0xffffffff);
  readonly #cert: DtlsCertificate;
  readonly #log: Logger;
  #remote: RemoteWebrtc | undefined;
  #io: PacketIo | undefined;
  #peer: RtpEndpointLike | undefined;
  #dtls: DtlsServer | undefined;
  #transport: Transport | undefined;
  #send: SrtpContext | undefined;
  #receive: SrtpContext | undefined;
  #closed = false;
  /**
   * A handshake that finished before the browser's SDP reached us: JsSIP sends
   * its 200 OK only once ICE gathering is complete, while Chromium already runs
   * ICE and DTLS against our offer; on a busy machine the handshake wins. Its
   * certificate is checked (and keys derived) when setRemote brings the fingerprint.
   */
  #awaitingFingerprint: DtlsServer | undefined;
  /** Counted drops: packets before keys, from elsewhere than the ICE peer, failing SRTP. */
  readonly drops = { beforeKeys: 0, notPeer: 0, srtp: 0, rtcp: 0 };

  constructor(cert: DtlsCertificate, log: Logger) {
    this.#cert = cert;
    this.#log = log;
    this.local = {
      ssrc: this.ssrc,
      iceUfrag: randomBytes(6).toString('base64url'),
      icePwd: randomBytes(18).toString('base64url'),
      fingerprint: { algorithm: 'sha-256', value: cert.fingerprint },
    };
  }

  get secured(): boolean {
    return this.#receive !== undefined;
  }

  /** The browser's ICE and DTLS parameters (from its offer, or its answer to ours). */
  setRemote(remote: RemoteWebrtc): void {
    if (remote.fingerprint.algorithm.toLowerCase() !== 'sha-256') this.#log.warn({ algorithm: remote.fingerprint.algorithm }, 'webrtc peer fingerprint is not sha-256');
    this.#remote = remote;
    const pending = this.#awaitingFingerprint;
    this.#awaitingFingerprint = undefined;
    if (pending && !this.#closed) this.#onConnected(pending);
  }

  attach(io: PacketIo): void {
    this.#io = io;
  }

  inbound(data: Buffer, from: RtpEndpointLike): Buffer | undefined {
    if (this.#closed || data.length === 0) return undefined;
    const first = data[0] ?? 0;
    if (first < 4) {
      if (isStun(data)) this.#onStun(data, from);
      return undefined;
    }
    if (!this.#isPeer(from)) {
      this.drops.notPeer++;
      return undefined;
    }
    if (first >= 20 && first <= 63) {
      this.#dtlsFor(from).onData(data, [from.address, from.port]);
      return undefined;
    }
    if (first < 128 || first > 191) return undefined;
    const receive = this.#receive;
    if (!receive) {
      this.drops.beforeKeys++;
      return undefined;
    }
    const packetType = data[1] ?? 0;
    if (packetType >= 192 && packetType <= 223) {
      // RTCP on the muxed port (RFC 5761): authenticated, then not used.
      if (!receive.unprotectRtcp(data).ok) this.drops.rtcp++;
      return undefined;
    }
    const plain = receive.unprotect(data);
    if (!plain.ok) {
      this.drops.srtp++;
      return undefined;
    }
    return plain.packet;
  }

  outbound(rtp: Buffer): Buffer | undefined {
    return this.#send?.protect(rtp);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#log.debug({ drops: this.drops, secured: this.secured }, 'webrtc media closed');
    try {
      this.#dtls?.close();
    } catch (err) {
      this.#log.debug({ err }, 'closing dtls failed');
    }
  }

  #isPeer(from: RtpEndpointLike): boolean {
    const peer = this.#peer;
    return peer !== undefined && peer.address === from.address && peer.port === from.port;
  }

  #onStun(data: Buffer, from: RtpEndpointLike): void {
    const check = answerBinding(data, this.local.iceUfrag, this.local.icePwd, from);
    if (!check) return;
    this.#io?.sendRaw(check.response, from);
    if (this.#peer === undefined || (check.nominated && !this.#isPeer(from))) {
      this.#peer = { address: from.address, port: from.port };
      this.#log.info({ peer: `${from.address}:${from.port}`, nominated: check.nominated }, 'webrtc peer verified by ICE');
      this.#io?.peerVerified(this.#peer);
    }
  }

  #dtlsFor(from: RtpEndpointLike): Transport {
    if (this.#transport) return this.#transport;
    const io = this.#io;
    const transport: Transport = {
      type: 'udp',
      address: { address: '', family: 'IPv4', port: 0 },
      closed: false,
      onData: () => undefined,
      send: async (data: Buffer) => {
        const peer = this.#peer ?? from;
        io?.sendRaw(data, peer);
      },
      close: async () => undefined,
    };
    this.#transport = transport;
    const dtls = new DtlsServer({
      cert: this.#cert.certPem,
      key: this.#cert.keyPem,
      signatureHash: { signature: SignatureAlgorithm.ecdsa_3, hash: HashAlgorithm.sha256_4 },
      transport,
      srtpProfiles: [SRTP_PROFILE_AES128_CM_SHA1_80],
      extendedMasterSecret: true,
      certificateRequest: true,
    });
    this.#dtls = dtls;
    dtls.onConnect.once(() => this.#onConnected(dtls));
    dtls.onError.subscribe((err: Error) => this.#log.warn({ err }, 'dtls handshake failed'));
    return transport;
  }

  #onConnected(dtls: DtlsServer): void {
    if (this.#remote === undefined) {
      // Not a mismatch yet: the answer carrying the fingerprint is still on its way (see #awaitingFingerprint).
      this.#log.debug('dtls connected before the peer sdp: keys wait for its fingerprint');
      this.#awaitingFingerprint = dtls;
      return;
    }
    const remoteCert = dtls.remoteCertificate;
    const expected = this.#remote.fingerprint.value.toUpperCase();
    const actual = remoteCert ? createHash('sha256').update(remoteCert).digest('hex').toUpperCase().match(/../g)?.join(':') : undefined;
    if (!expected || actual !== expected) {
      // A man in the middle: no keys, no media.
      this.#log.warn({ expected, actual }, 'dtls peer certificate does not match the SDP fingerprint: media refused');
      this.close();
      return;
    }
    const keys = dtls.extractSessionKeys(16, 14) as { localKey: Buffer; localSalt: Buffer; remoteKey: Buffer; remoteSalt: Buffer };
    const suite = 'AES_CM_128_HMAC_SHA1_80' as const;
    const sendKeys: SrtpKeys = { suite, masterKey: keys.localKey, masterSalt: keys.localSalt };
    const receiveKeys: SrtpKeys = { suite, masterKey: keys.remoteKey, masterSalt: keys.remoteSalt };
    this.#send = new SrtpContext(sendKeys);
    this.#receive = new SrtpContext(receiveKeys);
    this.#log.info('dtls-srtp keys agreed');
  }
}
