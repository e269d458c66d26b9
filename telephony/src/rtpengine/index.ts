// The rtpengine media relay: a client of rtpengine's ng control protocol, a
// runner that starts the daemon for tests and benches, and the MediaPath that
// moves a bridge's audio onto rtpengine's ports.
export { BencodeError, decode as decodeBencode, encode as encodeBencode, type BencodeDict, type BencodeValue } from './bencode.js';
export {
  connectRtpengine, RtpengineError, RtpengineTimeoutError,
  type ConnectRtpengineOptions, type NgCommand, type RtpengineClient,
} from './ng-client.js';
export { rtpengineArgs, startRtpengine, type RunningRtpengine, type StartRtpengineOptions } from './process.js';
export { legSdp, rtpenginePath, sendsToFromSdp, type RtpenginePathOptions } from './path.js';
// The seam rtpenginePath implements, for callers that hand it to the embedded engine (mediaRelay).
export type { MediaEndpoint, MediaPath, PathLeg, PathRoute } from '../embedded/engine/media-path.js';
