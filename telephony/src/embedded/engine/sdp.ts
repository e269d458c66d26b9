// SDP offer/answer for one audio stream (RFC 3264): G.711 (PCMU, PCMA) and
// RFC 4733 telephone-event. Hold is read from the direction attribute or the
// old c=0.0.0.0 convention, and written as a=sendonly. RTP/SAVP with SDES keys
// (a=crypto, engine/sdes.ts) when the media is SRTP.
import { parse, write, type MediaDescription, type SessionDescription } from 'sdp-transform';
import { readCryptoLines, writeCryptoLine, type CryptoLine } from './sdes.js';
import type { LocalWebrtc, RemoteWebrtc } from '../rtp/webrtc-media.js';

export type MediaDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
export type AudioCodec = 'PCMU' | 'PCMA';

export const STATIC_PT: Record<AudioCodec, number> = { PCMU: 0, PCMA: 8 };
export const DEFAULT_TELEPHONE_EVENT_PT = 101;

/** What the far end said about its audio. */
export interface RemoteAudio {
  address: string;
  port: number;
  direction: MediaDirection;
  /** The far end asked us to stop sending (sendonly/inactive, or the c=0.0.0.0 convention). */
  holding: boolean;
  /** Codecs in the far end's order of preference. */
  codecs: Array<{ codec: AudioCodec; pt: number }>;
  telephoneEventPt?: number;
  /** ptime in ms when given */
  ptime?: number;
  /** The offer or answer is RTP/SAVP (SRTP). */
  secure: boolean;
  /** Its a=crypto lines Tenor can use, in its order. */
  crypto: CryptoLine[];
  /** A WebRTC peer (UDP/TLS/RTP/SAVPF): its ICE and DTLS parameters; address and port then mean nothing (ICE finds the path). */
  webrtc?: RemoteWebrtc;
  /** The media's a=mid, echoed in our answer (browsers bundle by it). */
  mid?: string;
}

export interface NegotiatedAudio {
  codec: AudioCodec;
  pt: number;
  telephoneEventPt?: number;
  /** SRTP: the far end's crypto line in use. */
  crypto?: CryptoLine;
}

export interface LocalAudio {
  address: string;
  port: number;
  direction: MediaDirection;
  /** Stable per leg; version goes up by one with each new description (RFC 3264 §8). */
  sessionId: number;
  version: number;
  /** SRTP: our a=crypto lines (RTP/SAVP); absent for plain RTP. */
  crypto?: CryptoLine[];
  /** ICE-lite and DTLS-SRTP towards a browser: the leg's parameters, our DTLS role, the mid to echo. */
  webrtc?: LocalWebrtc & { setup: 'actpass' | 'passive'; mid: string };
}

export function parseRemoteAudio(sdp: string): RemoteAudio | undefined {
  let session: SessionDescription;
  try {
    session = parse(sdp);
  } catch {
    // Not SDP we can read: treated as no usable audio offer (488, or 481 in a dialog).
    return undefined;
  }
  const audio = session.media.find((m) => m.type === 'audio' && m.port !== 0);
  if (!audio) return undefined;
  const address = audio.connection?.ip ?? session.connection?.ip;
  if (!address) return undefined;
  const direction = audio.direction ?? session.direction ?? 'sendrecv';
  const webrtc = webrtcOf(audio, session);
  const pts = String(audio.payloads ?? '').split(/\s+/).filter(Boolean).map(Number);
  const codecs: RemoteAudio['codecs'] = [];
  let telephoneEventPt: number | undefined;
  for (const pt of pts) {
    const rtp = audio.rtp.find((r) => r.payload === pt);
    const name = rtp?.codec.toUpperCase();
    if (name === 'TELEPHONE-EVENT' && (rtp?.rate ?? 8000) === 8000) telephoneEventPt ??= pt;
    else if (name === 'PCMU' || (!rtp && pt === 0)) codecs.push({ codec: 'PCMU', pt });
    else if (name === 'PCMA' || (!rtp && pt === 8)) codecs.push({ codec: 'PCMA', pt });
  }
  return {
    address, port: audio.port, direction,
    // A browser writes 0.0.0.0 and port 9 and lets ICE find the path: that is not the old hold convention.
    holding: direction === 'sendonly' || direction === 'inactive' || (address === '0.0.0.0' && !webrtc),
    codecs,
    ...(webrtc ? { webrtc } : {}),
    ...(audio.mid !== undefined ? { mid: String(audio.mid) } : {}),
    ...(telephoneEventPt !== undefined ? { telephoneEventPt } : {}),
    ...(audio.ptime !== undefined ? { ptime: audio.ptime } : {}),
    secure: audio.protocol.toUpperCase() === 'RTP/SAVP',
    crypto: readCryptoLines(audio.crypto),
  };
}

/** The ICE and DTLS parameters of a UDP/TLS/RTP/SAVPF stream (media level first, then session level). */
function webrtcOf(audio: MediaDescription, session: SessionDescription): RemoteWebrtc | undefined {
  if (!/\bTLS\b.*SAVP/i.test(audio.protocol)) return undefined;
  const iceUfrag = audio.iceUfrag ?? session.iceUfrag;
  const icePwd = audio.icePwd ?? session.icePwd;
  const fingerprint = audio.fingerprint ?? session.fingerprint;
  if (!iceUfrag || !icePwd || !fingerprint) return undefined;
  return {
    iceUfrag: String(iceUfrag), icePwd, fingerprint: { algorithm: fingerprint.type, value: fingerprint.hash },
    setup: audio.setup ?? session.setup ?? 'actpass',
  };
}

/**
 * Choose the far end's most preferred codec that we support, and for RTP/SAVP its
 * first crypto line we support; undefined means 488.
 */
export function negotiate(remote: RemoteAudio): NegotiatedAudio | undefined {
  const first = remote.codecs[0];
  if (!first) return undefined;
  const crypto = remote.crypto[0];
  if (remote.secure && !crypto) return undefined;
  return {
    codec: first.codec, pt: first.pt,
    ...(remote.telephoneEventPt !== undefined ? { telephoneEventPt: remote.telephoneEventPt } : {}),
    ...(remote.secure && crypto ? { crypto } : {}),
  };
}

/** The direction to answer with, given what the far end offered and what we want. */
export function answerDirection(remote: MediaDirection, ours: MediaDirection): MediaDirection {
  const weSend = ours === 'sendrecv' || ours === 'sendonly';
  const weReceive = ours === 'sendrecv' || ours === 'recvonly';
  const theySend = remote === 'sendrecv' || remote === 'sendonly';
  const theyReceive = remote === 'sendrecv' || remote === 'recvonly';
  const send = weSend && theyReceive;
  const receive = weReceive && theySend;
  if (send && receive) return 'sendrecv';
  if (send) return 'sendonly';
  if (receive) return 'recvonly';
  return 'inactive';
}

function describe(local: LocalAudio, rtp: MediaDescription['rtp'], fmtp: MediaDescription['fmtp']): string {
  if (!local.webrtc) return writeAudio(local, rtp, fmtp);
  const session: SessionDescription = {
    version: 0,
    origin: {
      username: 'tenor', sessionId: local.sessionId, sessionVersion: local.version,
      netType: 'IN', ipVer: 4, address: local.address,
    },
    name: 'tenor',
    connection: { version: 4, ip: local.address },
    timing: { start: 0, stop: 0 },
    media: [{
      type: 'audio', port: local.port, protocol: local.crypto ? 'RTP/SAVP' : 'RTP/AVP',
      payloads: rtp.map((r) => r.payload).join(' '),
      rtp, fmtp, ptime: 20, direction: local.direction,
      ...(local.crypto ? { crypto: local.crypto.map(writeCryptoLine) } : {}),
    }],
  };
  const w = local.webrtc;
  const media = session.media[0];
  if (w && media) {
    // ICE-lite: one host candidate, the leg's own port; the browser does the checks (RFC 8445 §2.5).
    session.icelite = 'ice-lite';
    session.groups = [{ type: 'BUNDLE', mids: w.mid }];
    Object.assign(media, {
      protocol: 'UDP/TLS/RTP/SAVPF', mid: w.mid, iceUfrag: w.iceUfrag, icePwd: w.icePwd,
      fingerprint: { type: w.fingerprint.algorithm, hash: w.fingerprint.value }, setup: w.setup, rtcpMux: 'rtcp-mux',
      candidates: [{ foundation: '1', component: 1, transport: 'udp', priority: 2130706431, ip: local.address, port: local.port, type: 'host' }],
      endOfCandidates: 'end-of-candidates',
      // A stream id too: a browser then gives the track a MediaStream (ontrack's event.streams[0]).
      msid: [{ id: 'tenor', appdata: 'audio' }],
      ssrcs: [{ id: w.ssrc, attribute: 'cname', value: 'tenor' }, { id: w.ssrc, attribute: 'msid', value: 'tenor audio' }],
    });
  }
  return write(session);
}

/**
 * A plain RTP or SDES description, written directly: the same text sdp-transform's
 * writer makes of describe()'s session (line for line; test/engine/sdp.test.ts
 * compares them), at a tenth of its cost. Every bridged call writes two (the
 * b-leg's offer, the a-leg's answer), ~12 µs each through the generic writer
 * (issue 19 profile). WebRTC descriptions, rarer and longer, keep the writer.
 */
function writeAudio(local: LocalAudio, rtp: MediaDescription['rtp'], fmtp: MediaDescription['fmtp']): string {
  const address = local.address;
  let text = `v=0\r\no=tenor ${local.sessionId} ${local.version} IN IP4 ${address}\r\ns=tenor\r\nc=IN IP4 ${address}\r\nt=0 0\r\n`
    + `m=audio ${local.port} ${local.crypto ? 'RTP/SAVP' : 'RTP/AVP'} ${rtp.map((r) => r.payload).join(' ')}\r\n`;
  for (const r of rtp) text += `a=rtpmap:${r.payload} ${r.codec}${r.rate !== undefined ? `/${r.rate}` : ''}\r\n`;
  for (const f of fmtp) text += `a=fmtp:${f.payload} ${f.config}\r\n`;
  for (const line of local.crypto ?? []) {
    const c = writeCryptoLine(line);
    text += `a=crypto:${c.id} ${c.suite} ${c.config}\r\n`;
  }
  return `${text}a=ptime:20\r\na=${local.direction}\r\n`;
}

/** Our offer: PCMU, PCMA, telephone-event. */
export function createOffer(local: LocalAudio): string {
  return describe(local, [
    { payload: 0, codec: 'PCMU', rate: 8000 },
    { payload: 8, codec: 'PCMA', rate: 8000 },
    { payload: DEFAULT_TELEPHONE_EVENT_PT, codec: 'telephone-event', rate: 8000 },
  ], [{ payload: DEFAULT_TELEPHONE_EVENT_PT, config: '0-16' }]);
}

/** Our answer with the one negotiated codec (and telephone-event when offered), using the offer's payload types. */
export function createAnswer(local: LocalAudio, chosen: NegotiatedAudio): string {
  const rtp: MediaDescription['rtp'] = [{ payload: chosen.pt, codec: chosen.codec, rate: 8000 }];
  const fmtp: MediaDescription['fmtp'] = [];
  if (chosen.telephoneEventPt !== undefined) {
    rtp.push({ payload: chosen.telephoneEventPt, codec: 'telephone-event', rate: 8000 });
    fmtp.push({ payload: chosen.telephoneEventPt, config: '0-16' });
  }
  return describe(local, rtp, fmtp);
}

/** The one codec (and the telephone-event payload type, if any) a leg keeps when its media moves. */
export interface KeptAudio {
  codec: AudioCodec;
  pt: number;
  telephoneEventPt?: number;
}

/**
 * A re-INVITE offer that moves a leg's media (engine/media-reanchor.ts): Tenor's own offer
 * for the leg (its session id and version), narrowed to the codec the leg already uses so
 * the device cannot switch codec under a bridge, and, when `sendTo` is given, with its
 * c=/m= naming that endpoint (the other device, or an external relay's port) instead of
 * Tenor's port.
 */
export function pathOffer(ownOffer: string, keep: KeptAudio, sendTo?: { address: string; port: number }): string {
  const session = parse(ownOffer);
  const media = session.media[0];
  if (!media) throw new Error('an offer without audio cannot be moved');
  const rtp: MediaDescription['rtp'] = [{ payload: keep.pt, codec: keep.codec, rate: 8000 }];
  const fmtp: MediaDescription['fmtp'] = [];
  if (keep.telephoneEventPt !== undefined) {
    rtp.push({ payload: keep.telephoneEventPt, codec: 'telephone-event', rate: 8000 });
    fmtp.push({ payload: keep.telephoneEventPt, config: '0-16' });
  }
  media.rtp = rtp;
  media.fmtp = fmtp;
  media.payloads = rtp.map((r) => r.payload).join(' ');
  if (sendTo) {
    session.connection = { version: 4, ip: sendTo.address };
    delete media.connection;
    media.port = sendTo.port;
  }
  return write(session);
}
