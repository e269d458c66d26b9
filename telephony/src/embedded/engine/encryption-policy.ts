// "Require encryption" (site-wide `sip.requireEncryption` or a device's own
// setting): such a user signals only over TLS, and its calls carry SRTP. A
// browser phone's WebSocket passes: it is as private as the web session it was
// opened from (the site's HTTPS), and WebRTC media is always DTLS-SRTP.
import type { SipTransportName } from '../sip/message.js';

export interface EncryptionRefusal {
  status: 403 | 488;
  reason: string;
  /** The Warning text: why, in words a phone's administrator understands. */
  warning: string;
}

/** Why a request from a user must be refused, or undefined when it may go on. `srtp` is undefined for a REGISTER. */
export function encryptionRefusal(required: boolean, transport: SipTransportName, srtp?: boolean): EncryptionRefusal | undefined {
  if (!required) return undefined;
  if (transport !== 'tls' && transport !== 'ws') return { status: 403, reason: 'Forbidden', warning: 'encryption required: use SIP over TLS (sips or transport=tls)' };
  if (srtp === false) return { status: 488, reason: 'Not Acceptable Here', warning: 'encryption required: offer SRTP (RTP/SAVP with a=crypto)' };
  return undefined;
}
