// RTP packet parsing and serialisation (RFC 3550 §5.1). Parsing never throws:
// packets come from the network and junk must be dropped, not crash a call.

export interface RtpHeaderExtension {
  /** The 16-bit profile-defined value (0xBEDE for RFC 8285 one-byte headers). */
  profile: number;
  /** Extension data, a multiple of 4 bytes. */
  data: Uint8Array;
}

export interface RtpPacket {
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  marker: boolean;
  csrc: number[];
  extension?: RtpHeaderExtension;
  payload: Uint8Array;
  /** Padding bytes to add on serialise (read back from a parsed packet, excluded from payload). */
  paddingLength?: number;
}

export type RtpParseResult =
  | { ok: true; packet: RtpPacket }
  | { ok: false; error: string };

const FIXED_HEADER = 12;

export function parseRtp(buf: Uint8Array): RtpParseResult {
  if (buf.length < FIXED_HEADER) return { ok: false, error: 'shorter than the RTP header' };
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const b0 = buf[0] as number;
  const b1 = buf[1] as number;
  if (b0 >> 6 !== 2) return { ok: false, error: 'not RTP version 2' };
  const hasPadding = (b0 & 0x20) !== 0;
  const hasExtension = (b0 & 0x10) !== 0;
  const csrcCount = b0 & 0x0f;
  const payloadType = b1 & 0x7f;
  // RTCP packet types 200-204 share the port under rtcp-mux; their second byte
  // reads as PT 72-76 with the marker set. Refuse them here (RFC 5761 §4).
  if (payloadType >= 72 && payloadType <= 76) return { ok: false, error: 'RTCP packet type range' };
  let offset = FIXED_HEADER + csrcCount * 4;
  if (buf.length < offset) return { ok: false, error: 'truncated CSRC list' };
  const csrc: number[] = [];
  for (let i = 0; i < csrcCount; i++) csrc.push(view.getUint32(FIXED_HEADER + i * 4));
  let extension: RtpHeaderExtension | undefined;
  if (hasExtension) {
    if (buf.length < offset + 4) return { ok: false, error: 'truncated extension header' };
    const profile = view.getUint16(offset);
    const words = view.getUint16(offset + 2);
    const end = offset + 4 + words * 4;
    if (buf.length < end) return { ok: false, error: 'truncated extension data' };
    extension = { profile, data: buf.subarray(offset + 4, end) };
    offset = end;
  }
  let end = buf.length;
  let paddingLength = 0;
  if (hasPadding) {
    paddingLength = buf[buf.length - 1] as number;
    if (paddingLength === 0 || offset + paddingLength > buf.length) {
      return { ok: false, error: 'bad padding length' };
    }
    end -= paddingLength;
  }
  const packet: RtpPacket = {
    payloadType,
    marker: (b1 & 0x80) !== 0,
    sequenceNumber: view.getUint16(2),
    timestamp: view.getUint32(4),
    ssrc: view.getUint32(8),
    csrc,
    payload: buf.subarray(offset, end),
  };
  if (extension) packet.extension = extension;
  if (paddingLength > 0) packet.paddingLength = paddingLength;
  return { ok: true, packet };
}

export function serializeRtp(p: RtpPacket): Buffer {
  if (p.csrc.length > 15) throw new RangeError('at most 15 CSRCs');
  if (p.extension && p.extension.data.length % 4 !== 0) {
    throw new RangeError('extension data must be a multiple of 4 bytes');
  }
  const padding = p.paddingLength ?? 0;
  if (padding < 0 || padding > 255) throw new RangeError('padding must be 0..255 bytes');
  const extLen = p.extension ? 4 + p.extension.data.length : 0;
  const headerLen = FIXED_HEADER + p.csrc.length * 4 + extLen;
  const buf = Buffer.alloc(headerLen + p.payload.length + padding);
  buf[0] = 0x80 | (padding > 0 ? 0x20 : 0) | (p.extension ? 0x10 : 0) | p.csrc.length;
  buf[1] = (p.marker ? 0x80 : 0) | (p.payloadType & 0x7f);
  buf.writeUInt16BE(p.sequenceNumber & 0xffff, 2);
  buf.writeUInt32BE(p.timestamp >>> 0, 4);
  buf.writeUInt32BE(p.ssrc >>> 0, 8);
  let offset = FIXED_HEADER;
  for (const c of p.csrc) {
    buf.writeUInt32BE(c >>> 0, offset);
    offset += 4;
  }
  if (p.extension) {
    buf.writeUInt16BE(p.extension.profile & 0xffff, offset);
    buf.writeUInt16BE(p.extension.data.length / 4, offset + 2);
    buf.set(p.extension.data, offset + 4);
    offset += extLen;
  }
  buf.set(p.payload, offset);
  if (padding > 0) buf[buf.length - 1] = padding;
  return buf;
}
