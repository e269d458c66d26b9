// Real-peer test harness: SIPp, baresip, tcpdump capture and test audio.
export { freeUdpPort, freeTcpPort, freeUdpTcpPort, freeSippMediaPort, freeUdpRange, isPortBound, isUdpFree, isTcpFree } from './ports.js';
export {
  startSipp, runSipp, describeSipp, parseSippStats, normalised401, SCENARIO_DIR,
  type SippOptions, type SippResult, type SippStats, type SippProcess,
} from './sipp.js';
export {
  Baresip, netstring, parseNetstrings,
  type BaresipOptions, type BaresipEvent, type BaresipMic, type BaresipResponse,
} from './baresip.js';
export {
  startCapture, captureFilter, parsePcap, decodeRtp, rtpPackets, rtpFlows, rfc4733Digits,
  intervalStats, percentile,
  type Capture, type CaptureOptions, type CaptureResult, type UdpPacket, type RtpPacket,
  type RtpFlow, type IntervalStats,
} from './capture.js';
export {
  makeToneWav, makeToneUlaw, makeSpeechWav, toUlaw, wavInfo, ulawSeconds, rmsAmplitude,
  type ToneOptions, type WavInfo,
} from './audio.js';
export { registerContact, type RegisterRequest, type RegisterReply } from './register-client.js';
export { startGreetingCallee, corpusGreeting, AMD_CORPUS_DIR, type GreetingCalleeOptions } from './greeting-callee.js';
