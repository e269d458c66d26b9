// SRTP and SRTCP protect/unprotect (RFC 3711) for the AES_CM_128_HMAC_SHA1_80 and
// _32 suites (RFC 4568 §6.2). One context holds one master key: a leg keeps one for
// what it sends (its own key) and one for what it receives (the peer's key).
//
// Built on node:crypto rather than werift's SrtpSession: werift has neither the _32
// suite nor a replay window, and node:crypto measured faster per packet here
// (docs/telephony.md, "Encrypted SIP and media"). Keys are never logged.
import { createCipheriv, createHmac, timingSafeEqual } from 'node:crypto';

export type SrtpSuite = 'AES_CM_128_HMAC_SHA1_80' | 'AES_CM_128_HMAC_SHA1_32';

export const SRTP_SUITES: readonly SrtpSuite[] = ['AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32'];
export const SRTP_MASTER_KEY_LENGTH = 16;
export const SRTP_MASTER_SALT_LENGTH = 14;

export interface SrtpKeys {
  suite: SrtpSuite;
  /** 16 bytes. */
  masterKey: Uint8Array;
  /** 14 bytes. */
  masterSalt: Uint8Array;
}

/** Why an incoming packet was dropped, counted per reason. */
export interface SrtpDropCounts {
  authentication: number;
  replay: number;
  malformed: number;
}

export type SrtpUnprotectResult =
  | { ok: true; packet: Buffer }
  | { ok: false; reason: keyof SrtpDropCounts };

const RTCP_TAG_LENGTH = 10; // SRTCP keeps the 80-bit tag under both suites (RFC 4568 §6.2.2)
const REPLAY_WINDOW = 64;
const SRTCP_INDEX_MASK = 0x7fffffff;

interface SessionKeys {
  cipherKey: Buffer;
  authKey: Buffer;
  salt: Buffer;
}

interface ReceiveState {
  roc: number;
  highestSeq: number;
  /** Highest authenticated index and a bitmask of the 64 indexes below it (bit 0 = highest). */
  highestIndex: number;
  window: bigint;
}

interface SendState {
  roc: number;
  lastSeq: number;
}

/** The SRTP key derivation function with a key derivation rate of 0 (RFC 3711 §4.3). */
export function deriveSessionKey(masterKey: Uint8Array, masterSalt: Uint8Array, label: number, length: number): Buffer {
  const iv = Buffer.alloc(16);
  Buffer.from(masterSalt).copy(iv, 0, 0, SRTP_MASTER_SALT_LENGTH);
  iv[7] = (iv[7] as number) ^ label;
  const cipher = createCipheriv('aes-128-ctr', masterKey, iv);
  return cipher.update(Buffer.alloc(length));
}

function sessionKeys(keys: SrtpKeys, firstLabel: number): SessionKeys {
  return {
    cipherKey: deriveSessionKey(keys.masterKey, keys.masterSalt, firstLabel, 16),
    authKey: deriveSessionKey(keys.masterKey, keys.masterSalt, firstLabel + 1, 20),
    salt: deriveSessionKey(keys.masterKey, keys.masterSalt, firstLabel + 2, 14),
  };
}

/** AES counter-mode IV: salt·2^16 ⊕ SSRC·2^64 ⊕ index·2^16 (RFC 3711 §4.1.1). */
function counterIv(salt: Buffer, ssrc: number, index: number): Buffer {
  const iv = Buffer.alloc(16);
  salt.copy(iv, 0);
  iv.writeUInt32BE((iv.readUInt32BE(4) ^ ssrc) >>> 0, 4);
  const high = Math.floor(index / 0x100000000);
  const low = index >>> 0;
  iv.writeUInt16BE(iv.readUInt16BE(8) ^ (high & 0xffff), 8);
  iv.writeUInt32BE((iv.readUInt32BE(10) ^ low) >>> 0, 10);
  return iv;
}

function xorKeystream(key: Buffer, iv: Buffer, data: Buffer): Buffer {
  const cipher = createCipheriv('aes-128-ctr', key, iv);
  return cipher.update(data);
}

function rtpHeaderLength(packet: Uint8Array): number | undefined {
  if (packet.length < 12 || (packet[0] as number) >> 6 !== 2) return undefined;
  let length = 12 + ((packet[0] as number) & 0x0f) * 4;
  if (((packet[0] as number) & 0x10) !== 0) {
    if (packet.length < length + 4) return undefined;
    const words = ((packet[length + 2] as number) << 8) | (packet[length + 3] as number);
    length += 4 + words * 4;
  }
  return length <= packet.length ? length : undefined;
}

function replayCheck(state: { highestIndex: number; window: bigint }, index: number): boolean {
  if (state.highestIndex < 0 || index > state.highestIndex) return true;
  const delta = state.highestIndex - index;
  if (delta >= REPLAY_WINDOW) return false;
  return ((state.window >> BigInt(delta)) & 1n) === 0n;
}

function replayAccept(state: { highestIndex: number; window: bigint }, index: number): void {
  if (state.highestIndex < 0) {
    state.highestIndex = index;
    state.window = 1n;
    return;
  }
  if (index > state.highestIndex) {
    const shift = index - state.highestIndex;
    state.window = shift >= REPLAY_WINDOW ? 1n : ((state.window << BigInt(shift)) | 1n) & ((1n << 64n) - 1n);
    state.highestIndex = index;
    return;
  }
  state.window |= 1n << BigInt(state.highestIndex - index);
}

/** One direction of SRTP+SRTCP under one master key. */
export class SrtpContext {
  readonly dropped: SrtpDropCounts = { authentication: 0, replay: 0, malformed: 0 };
  private readonly rtpKeys: SessionKeys;
  private readonly rtcpKeys: SessionKeys;
  private readonly rtpTagLength: number;
  private readonly sending = new Map<number, SendState>();
  private readonly receiving = new Map<number, ReceiveState>();
  private readonly rtcpSendIndex = new Map<number, number>();
  private readonly rtcpReceiving = new Map<number, { highestIndex: number; window: bigint }>();

  constructor(keys: SrtpKeys) {
    if (keys.masterKey.length !== SRTP_MASTER_KEY_LENGTH) throw new Error('SRTP master key must be 16 bytes');
    if (keys.masterSalt.length !== SRTP_MASTER_SALT_LENGTH) throw new Error('SRTP master salt must be 14 bytes');
    this.rtpKeys = sessionKeys(keys, 0);
    this.rtcpKeys = sessionKeys(keys, 3);
    this.rtpTagLength = keys.suite === 'AES_CM_128_HMAC_SHA1_32' ? 4 : 10;
  }

  /** Encrypt and authenticate an RTP packet; throws on a packet that is not RTP (ours, a bug). */
  protect(rtp: Uint8Array): Buffer {
    const headerLength = rtpHeaderLength(rtp);
    if (headerLength === undefined) throw new Error('not an RTP packet');
    const packet = Buffer.from(rtp.buffer, rtp.byteOffset, rtp.byteLength);
    const ssrc = packet.readUInt32BE(8);
    const seq = packet.readUInt16BE(2);
    let state = this.sending.get(ssrc);
    if (!state) {
      state = { roc: 0, lastSeq: seq };
      this.sending.set(ssrc, state);
    } else {
      if (seq < state.lastSeq && state.lastSeq - seq > 0x8000) state.roc = (state.roc + 1) >>> 0;
      if (seq > state.lastSeq || state.lastSeq - seq > 0x8000) state.lastSeq = seq;
    }
    const index = state.roc * 0x10000 + seq;
    const body = xorKeystream(this.rtpKeys.cipherKey, counterIv(this.rtpKeys.salt, ssrc, index), packet.subarray(headerLength));
    const out = Buffer.concat([packet.subarray(0, headerLength), body]);
    return Buffer.concat([out, this.rtpTag(out, state.roc)]);
  }

  /** Authenticate, check replay and decrypt an SRTP packet; a failed packet is counted. */
  unprotect(srtp: Uint8Array): SrtpUnprotectResult {
    const packet = Buffer.from(srtp.buffer, srtp.byteOffset, srtp.byteLength);
    const headerLength = rtpHeaderLength(packet.subarray(0, Math.max(0, packet.length - this.rtpTagLength)));
    if (headerLength === undefined) return this.drop('malformed');
    const authenticated = packet.subarray(0, packet.length - this.rtpTagLength);
    const tag = packet.subarray(packet.length - this.rtpTagLength);
    const ssrc = packet.readUInt32BE(8);
    const seq = packet.readUInt16BE(2);
    const state = this.receiving.get(ssrc);
    const roc = state ? estimateRoc(state, seq) : 0;
    const index = roc * 0x10000 + seq;
    if (roc < 0) return this.drop('replay');
    if (state && !replayCheck(state, index)) return this.drop('replay');
    if (!timingSafeEqual(this.rtpTag(authenticated, roc), tag)) return this.drop('authentication');
    if (!state) {
      this.receiving.set(ssrc, { roc, highestSeq: seq, highestIndex: index, window: 1n });
    } else {
      replayAccept(state, index);
      if (roc > state.roc || (roc === state.roc && seq > state.highestSeq)) {
        state.roc = roc;
        state.highestSeq = seq;
      }
    }
    const body = xorKeystream(this.rtpKeys.cipherKey, counterIv(this.rtpKeys.salt, ssrc, index), authenticated.subarray(headerLength));
    return { ok: true, packet: Buffer.concat([authenticated.subarray(0, headerLength), body]) };
  }

  /** Encrypt and authenticate a (compound) RTCP packet. */
  protectRtcp(rtcp: Uint8Array): Buffer {
    if (rtcp.length < 8) throw new Error('not an RTCP packet');
    const packet = Buffer.from(rtcp.buffer, rtcp.byteOffset, rtcp.byteLength);
    const ssrc = packet.readUInt32BE(4);
    const index = ((this.rtcpSendIndex.get(ssrc) ?? -1) + 1) & SRTCP_INDEX_MASK;
    this.rtcpSendIndex.set(ssrc, index);
    const body = xorKeystream(this.rtcpKeys.cipherKey, counterIv(this.rtcpKeys.salt, ssrc, index), packet.subarray(8));
    const trailer = Buffer.alloc(4);
    trailer.writeUInt32BE((0x80000000 | index) >>> 0, 0);
    const authenticated = Buffer.concat([packet.subarray(0, 8), body, trailer]);
    return Buffer.concat([authenticated, this.rtcpTag(authenticated)]);
  }

  /** Authenticate, check replay and decrypt an SRTCP packet; a failed packet is counted. */
  unprotectRtcp(srtcp: Uint8Array): SrtpUnprotectResult {
    const packet = Buffer.from(srtcp.buffer, srtcp.byteOffset, srtcp.byteLength);
    if (packet.length < 8 + 4 + RTCP_TAG_LENGTH) return this.drop('malformed');
    const authenticated = packet.subarray(0, packet.length - RTCP_TAG_LENGTH);
    const tag = packet.subarray(packet.length - RTCP_TAG_LENGTH);
    const trailer = authenticated.readUInt32BE(authenticated.length - 4);
    const encrypted = (trailer & 0x80000000) !== 0;
    const index = trailer & SRTCP_INDEX_MASK;
    const ssrc = packet.readUInt32BE(4);
    let state = this.rtcpReceiving.get(ssrc);
    if (state && !replayCheck(state, index)) return this.drop('replay');
    if (!timingSafeEqual(this.rtcpTag(authenticated), tag)) return this.drop('authentication');
    if (!state) {
      state = { highestIndex: -1, window: 0n };
      this.rtcpReceiving.set(ssrc, state);
    }
    replayAccept(state, index);
    const content = authenticated.subarray(8, authenticated.length - 4);
    const body = encrypted ? xorKeystream(this.rtcpKeys.cipherKey, counterIv(this.rtcpKeys.salt, ssrc, index), content) : content;
    return { ok: true, packet: Buffer.concat([packet.subarray(0, 8), body]) };
  }

  private rtpTag(authenticated: Buffer, roc: number): Buffer {
    const rocBytes = Buffer.alloc(4);
    rocBytes.writeUInt32BE(roc >>> 0, 0);
    const mac = createHmac('sha1', this.rtpKeys.authKey).update(authenticated).update(rocBytes).digest();
    return mac.subarray(0, this.rtpTagLength);
  }

  private rtcpTag(authenticated: Buffer): Buffer {
    return createHmac('sha1', this.rtcpKeys.authKey).update(authenticated).digest().subarray(0, RTCP_TAG_LENGTH);
  }

  private drop(reason: keyof SrtpDropCounts): SrtpUnprotectResult {
    this.dropped[reason] += 1;
    return { ok: false, reason };
  }
}

/** The receiver's guess of the packet's rollover counter (RFC 3711 Appendix A). */
function estimateRoc(state: ReceiveState, seq: number): number {
  if (state.highestSeq < 0x8000) {
    return seq - state.highestSeq > 0x8000 ? state.roc - 1 : state.roc;
  }
  return state.highestSeq - 0x8000 > seq ? state.roc + 1 : state.roc;
}
