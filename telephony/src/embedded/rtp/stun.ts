// ICE-lite's only STUN duty (RFC 8445 §2.5, RFC 5389): answer a browser's
// Binding requests on a media port. A request counts only with a USERNAME that
// starts with our ufrag, a MESSAGE-INTEGRITY made with our ice-pwd and a good
// FINGERPRINT; the answer carries XOR-MAPPED-ADDRESS and is signed the same
// way. Nothing else of STUN is spoken (no requests of our own, no TURN).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { crc32 } from 'node:zlib';

const MAGIC = 0x2112a442;
const BINDING_REQUEST = 0x0001;
const BINDING_SUCCESS = 0x0101;
const ATTR_USERNAME = 0x0006;
const ATTR_MESSAGE_INTEGRITY = 0x0008;
const ATTR_XOR_MAPPED_ADDRESS = 0x0020;
const ATTR_USE_CANDIDATE = 0x0025;
const ATTR_FINGERPRINT = 0x8028;
const FINGERPRINT_XOR = 0x5354554e;
const HEADER = 20;

/** RFC 7983: the first byte of a STUN message is 0-3. */
export function isStun(data: Buffer): boolean {
  return data.length >= HEADER && data[0] !== undefined && data[0] < 4 && data.readUInt32BE(4) === MAGIC;
}

export interface BindingCheck {
  /** The verified Binding success response to send back. */
  response: Buffer;
  /** The browser nominated this pair (USE-CANDIDATE). */
  nominated: boolean;
}

/**
 * Answers a Binding request for our ufrag/pwd, or undefined for anything else
 * (a response, an indication, a bad signature: all dropped silently, RFC 5389 §10.1.2).
 */
export function answerBinding(data: Buffer, localUfrag: string, localPwd: string, from: { address: string; port: number }): BindingCheck | undefined {
  if (!isStun(data) || data.readUInt16BE(0) !== BINDING_REQUEST) return undefined;
  const length = data.readUInt16BE(2);
  if (HEADER + length !== data.length || length % 4 !== 0) return undefined;
  let username: string | undefined;
  let integrityAt: number | undefined;
  let fingerprintAt: number | undefined;
  let nominated = false;
  for (let at = HEADER; at + 4 <= data.length;) {
    const type = data.readUInt16BE(at);
    const size = data.readUInt16BE(at + 2);
    const value = at + 4;
    if (value + size > data.length) return undefined;
    if (integrityAt === undefined) {
      if (type === ATTR_USERNAME) username = data.toString('utf8', value, value + size);
      else if (type === ATTR_USE_CANDIDATE) nominated = true;
      else if (type === ATTR_MESSAGE_INTEGRITY && size === 20) integrityAt = at;
    } else if (type === ATTR_FINGERPRINT && size === 4) fingerprintAt = at;
    at = value + size + ((4 - (size % 4)) % 4);
  }
  if (username === undefined || !username.startsWith(`${localUfrag}:`) || integrityAt === undefined) return undefined;
  if (fingerprintAt !== undefined) {
    const expected = (crc32(withLength(data.subarray(0, fingerprintAt), fingerprintAt + 8 - HEADER)) ^ FINGERPRINT_XOR) >>> 0;
    if (data.readUInt32BE(fingerprintAt + 4) !== expected) return undefined;
  }
  const signed = withLength(data.subarray(0, integrityAt), integrityAt + 24 - HEADER);
  const mac = createHmac('sha1', localPwd).update(signed).digest();
  if (!timingSafeEqual(mac, data.subarray(integrityAt + 4, integrityAt + 24))) return undefined;
  return { response: bindingSuccess(data.subarray(8, 20), localPwd, from), nominated };
}

function bindingSuccess(transactionId: Buffer, pwd: string, from: { address: string; port: number }): Buffer {
  const v6 = from.address.includes(':');
  const mapped = Buffer.alloc(v6 ? 24 : 12);
  mapped.writeUInt16BE(ATTR_XOR_MAPPED_ADDRESS, 0);
  mapped.writeUInt16BE(v6 ? 20 : 8, 2);
  mapped.writeUInt8(v6 ? 2 : 1, 5);
  mapped.writeUInt16BE(from.port ^ (MAGIC >>> 16), 6);
  if (v6) {
    const raw = ipv6Bytes(from.address);
    const key = Buffer.concat([u32(MAGIC), transactionId]);
    for (let i = 0; i < 16; i++) mapped[8 + i] = (raw[i] ?? 0) ^ (key[i] ?? 0);
  } else {
    const raw = from.address.split('.').map(Number);
    mapped.writeUInt32BE((((raw[0] ?? 0) << 24 | (raw[1] ?? 0) << 16 | (raw[2] ?? 0) << 8 | (raw[3] ?? 0)) ^ MAGIC) >>> 0, 8);
  }
  const header = Buffer.alloc(HEADER);
  header.writeUInt16BE(BINDING_SUCCESS, 0);
  header.writeUInt32BE(MAGIC, 4);
  transactionId.copy(header, 8);
  const body = mapped;
  const toSign = withLength(Buffer.concat([header, body]), body.length + 24);
  const integrity = Buffer.concat([attrHeader(ATTR_MESSAGE_INTEGRITY, 20), createHmac('sha1', pwd).update(toSign).digest()]);
  const beforeFingerprint = withLength(Buffer.concat([header, body, integrity]), body.length + 24 + 8);
  const fingerprint = Buffer.concat([attrHeader(ATTR_FINGERPRINT, 4), u32((crc32(beforeFingerprint) ^ FINGERPRINT_XOR) >>> 0)]);
  return Buffer.concat([beforeFingerprint, fingerprint]);
}

/** A copy of a STUN message (header and attributes so far) with its length field set as RFC 5389 §15.4/15.5 ask. */
function withLength(message: Buffer, length: number): Buffer {
  const copy = Buffer.from(message);
  copy.writeUInt16BE(length, 2);
  return copy;
}

function attrHeader(type: number, size: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt16BE(type, 0);
  b.writeUInt16BE(size, 2);
  return b;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0, 0);
  return b;
}

function ipv6Bytes(address: string): Buffer {
  const [head = '', tail = ''] = address.split('::');
  const parts = (s: string) => (s === '' ? [] : s.split(':'));
  const h = parts(head);
  const t = parts(tail);
  const groups = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(Number.parseInt(g, 16) || 0, i * 2));
  return out;
}
