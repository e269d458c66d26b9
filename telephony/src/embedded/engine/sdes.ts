// SDES key exchange for SRTP (RFC 4568): the a=crypto lines of an offer or an
// answer, our own keys (crypto.randomBytes, one per offered line) and the SRTP
// contexts a media leg encrypts and decrypts with. Keys travel only inside SDP,
// which Tenor offers only on TLS legs; they are never logged.
import { randomBytes } from 'node:crypto';
import { SRTP_MASTER_KEY_LENGTH, SRTP_MASTER_SALT_LENGTH, SRTP_SUITES, SrtpContext, type SrtpSuite } from '../rtp/srtp.js';

const KEY_AND_SALT = SRTP_MASTER_KEY_LENGTH + SRTP_MASTER_SALT_LENGTH;

/** One a=crypto line: its tag, suite and the master key followed by the master salt (30 bytes). */
export interface CryptoLine {
  tag: number;
  suite: SrtpSuite;
  keySalt: Buffer;
}

/** The two directions of an SRTP leg: ours (what we send, our key) and theirs (their key). */
export interface SrtpPair {
  outbound: SrtpContext;
  inbound: SrtpContext;
}

/** An SDP line as sdp-transform gives and takes it. */
export interface SdpCrypto {
  id: number;
  suite: string;
  config: string;
  sessionConfig?: string;
}

/** The offered lines Tenor can use, in the peer's order; unknown suites, MKIs and bad keys are skipped. */
export function readCryptoLines(lines: readonly SdpCrypto[] | undefined): CryptoLine[] {
  const out: CryptoLine[] = [];
  for (const line of lines ?? []) {
    const suite = SRTP_SUITES.find((s) => s === line.suite);
    // One inline key, optionally with a lifetime; an MKI (a second "|n:len" part) or several keys are not supported.
    const match = /^inline:([A-Za-z0-9+/]+={0,2})(\|(2\^)?\d+)?$/.exec(line.config.trim());
    if (!suite || !match || line.sessionConfig) continue;
    const keySalt = Buffer.from(match[1] ?? '', 'base64');
    if (keySalt.length !== KEY_AND_SALT) continue;
    out.push({ tag: line.id, suite, keySalt });
  }
  return out;
}

export function writeCryptoLine(line: CryptoLine): SdpCrypto {
  return { id: line.tag, suite: line.suite, config: `inline:${line.keySalt.toString('base64')}` };
}

/** Our offer: one line per suite, each with its own fresh key. */
export function offerCryptoLines(): CryptoLine[] {
  return SRTP_SUITES.map((suite, i) => ({ tag: i + 1, suite, keySalt: randomBytes(KEY_AND_SALT) }));
}

/** Our answer to the peer's chosen line: same tag and suite, our own fresh key. */
export function answerCryptoLine(theirs: CryptoLine): CryptoLine {
  return { tag: theirs.tag, suite: theirs.suite, keySalt: randomBytes(KEY_AND_SALT) };
}

export function srtpPair(ours: CryptoLine, theirs: CryptoLine): SrtpPair {
  return { outbound: contextOf(ours), inbound: contextOf(theirs) };
}

function contextOf(line: CryptoLine): SrtpContext {
  return new SrtpContext({
    suite: line.suite,
    masterKey: line.keySalt.subarray(0, SRTP_MASTER_KEY_LENGTH),
    masterSalt: line.keySalt.subarray(SRTP_MASTER_KEY_LENGTH),
  });
}
