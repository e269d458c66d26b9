// The shape of a parsed SIP message, shared by the parser, the transport, the
// transaction layer and the user agent. Nothing here touches the network.
//
// Header names are kept canonical (long form, conventional case: "Call-ID",
// "Via", "CSeq"), whatever form arrived on the wire (compact "i", "v", any case).
// Values are kept raw (unfolded, trimmed); structured headers are parsed on
// demand by the helpers in headers.ts, so a message with one odd header can
// still be answered.

export type SipMethod =
  | 'INVITE' | 'ACK' | 'BYE' | 'CANCEL' | 'OPTIONS' | 'REGISTER' | 'INFO'
  | 'UPDATE' | 'PRACK' | 'REFER' | 'NOTIFY' | 'SUBSCRIBE' | 'MESSAGE' | 'PUBLISH'
  | (string & {});

export type Params = Record<string, string | null>;

export interface SipUri {
  scheme: 'sip' | 'sips' | 'tel' | (string & {});
  /** unescaped user part, e.g. "+4930123" or "alice" */
  user?: string;
  password?: string;
  host: string;
  port?: number;
  /** uri parameters (";transport=tcp;lr"), names lower-cased */
  params: Params;
  /** uri headers ("?subject=x"), unescaped */
  headers: Record<string, string>;
}

export interface NameAddr {
  displayName?: string;
  uri: SipUri;
  /** header parameters after the address (";tag=abc"), names lower-cased */
  params: Params;
}

export interface Via {
  /** "UDP", "TCP", ... upper-cased */
  transport: string;
  host: string;
  port?: number;
  /** branch, received, rport (null when present without value), ... */
  params: Params;
}

export interface CSeq {
  seq: number;
  method: SipMethod;
}

/** One header line as received or to be sent: canonical name and raw value. */
export interface HeaderField {
  name: string;
  value: string;
}

interface SipMessageBase {
  /** In wire order. Repeated headers appear as repeated entries. */
  headers: HeaderField[];
  body: Buffer;
}

export interface SipRequest extends SipMessageBase {
  kind: 'request';
  method: SipMethod;
  /** Request-URI as text; parse with parseUri when needed */
  uri: string;
}

export interface SipResponse extends SipMessageBase {
  kind: 'response';
  status: number;
  reason: string;
}

export type SipMessage = SipRequest | SipResponse;

export type SipTransportName = 'udp' | 'tcp' | 'tls' | 'ws';

/** Where a message came from or goes to. */
export interface SipEndpoint {
  /** 'ws': a browser's WebSocket (RFC 7118), reachable only over the connection it opened. */
  transport: SipTransportName;
  address: string;
  port: number;
}
