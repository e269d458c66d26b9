// The telephony driver contract: everything the rest of Tenor may ask of a
// telephony engine. It speaks of calls, prompts, digits and recordings, never of
// SIP messages or RTP packets, so that the embedded engine, a FreeSWITCH engine
// (event socket) and a drachtio engine can all stand behind it and pass the same
// contract test suite (telephony/src/contract/).

import type { EventEmitter } from 'node:events';

/** Why a call ended. Engines map their own causes (SIP status, Q.850) onto these. */
export type HangupCause =
  | 'normal'            // someone hung up
  | 'busy'
  | 'no-answer'         // rang out
  | 'rejected'          // declined by the far end or by us
  | 'cancelled'         // caller gave up while it rang
  | 'unreachable'       // no route, no registration, far end unknown
  | 'failed'            // any other failure to connect
  | 'media-timeout'     // no media arrived for too long
  | 'server-shutdown'
  | 'transferred'       // left us through a blind transfer
  | 'line-lost';        // the device's signalling connection (a browser's WebSocket) went away and did not come back

/** A prompt: a file path (WAV) or the name of a prompt in the active prompt set. */
export type Prompt = string | { file: string } | { name: string; language?: string };

export type CallState = 'ringing' | 'early' | 'answered' | 'ended';

export interface CallParty {
  /** The number or user name, as dialed or presented ("+4930123", "alice"). */
  number: string;
  displayName?: string;
}

/** Where an incoming call came from. */
export type CallSource =
  | { kind: 'trunk'; trunk: string }
  | { kind: 'device'; user: string }      // a registered agent softphone
  | { kind: 'unknown' };

export interface PlayOptions {
  prompts: Prompt[];
  /** Digits that stop playback ('0123456789*#' by default when true). */
  interruptOn?: boolean | string;
  /** Loop until stopped (music on hold, ringback). */
  loop?: boolean;
  signal?: AbortSignal;
}

export interface PlayResult {
  /** 'done': all prompts played; 'dtmf': a digit stopped it; 'stopped': aborted; 'hangup': call ended */
  reason: 'done' | 'dtmf' | 'stopped' | 'hangup';
  digit?: string;
}

export interface CollectOptions {
  maxDigits: number;
  /** Prompts played first; a digit pressed during them counts as the first digit. */
  prompts?: Prompt[];
  firstDigitTimeoutMs: number;
  interDigitTimeoutMs: number;
  /** Keys that end input (not included in the digits), e.g. '#'. */
  terminators?: string;
  signal?: AbortSignal;
}

export interface CollectResult {
  digits: string;
  reason: 'max-digits' | 'terminator' | 'timeout' | 'stopped' | 'hangup';
}

export interface RecordOptions {
  /** Where to write the WAV file. */
  file: string;
  maxSeconds: number;
  /** Stop after this many seconds of silence (0 or absent: never). */
  silenceSeconds?: number;
  /** Keys that stop the recording, e.g. '#'. */
  stopKeys?: string;
  /** Play a beep before recording starts. */
  beep?: boolean;
  signal?: AbortSignal;
}

export interface RecordResult {
  file: string;
  durationMs: number;
  reason: 'max-length' | 'silence' | 'key' | 'stopped' | 'hangup';
  key?: string;
}

export interface CallRecordingOptions {
  /** Where to write the WAV: 8 kHz, 16-bit, 2 channels. Its folder exists. */
  file: string;
  /** Aborting it is stop(). */
  signal?: AbortSignal;
}

export interface CallRecordingResult {
  file: string;
  durationMs: number;
}

/** A call recording in progress (see Call.startRecording). */
export interface CallRecording {
  readonly file: string;
  /** Milliseconds of the file written so far (true to wall time, paused spans included). */
  readonly elapsedMs: number;
  readonly paused: boolean;
  /** From now on the file gets silence on both channels, until resume(). Idempotent. */
  pause(): void;
  resume(): void;
  /** Ends the file (header finalised). Idempotent; also happens when the call ends. */
  stop(): Promise<CallRecordingResult>;
}

/**
 * Answering-machine detection: listen to what the far end of an answered
 * outbound call says first and decide whether a person or a machine answered.
 * Energy and cadence of the greeting: a person says something short ("Hello?")
 * and waits; a machine talks on ("Hi, you've reached …") or beeps. Every
 * threshold is optional; the defaults were tuned on telephony/amd-corpus/ (see
 * docs/telephony/amd.md).
 */
export interface AmdOptions {
  /** Give up after listening this long: 'unknown' / 'max-wait'. Default 5000. */
  maxWaitMs?: number;
  /** Nobody spoke for this long after answer: `initialSilenceResult` / 'initial-silence'. Default 2500. */
  initialSilenceMs?: number;
  /** A greeting (speech with pauses shorter than afterGreetingSilenceMs) this long is a machine ('long-greeting'). Default 1800. */
  greetingMs?: number;
  /** Silence after a short greeting that makes it a person ('short-greeting-then-silence'). Default 700. */
  afterGreetingSilenceMs?: number;
  /** RMS level (of 32767) under which a 20 ms frame never counts as speech, whatever the noise floor. Default 200. */
  silenceThreshold?: number;
  /** A voiced run shorter than this is a click or a breath, not a word. Default 100. */
  minWordMs?: number;
  /** This many words in the greeting make it a machine ('too-many-words'). Default 5. */
  maxWords?: number;
  /** Whether a steady tone (the beep before the message) makes it a machine ('beep'). Default true. */
  detectBeep?: boolean;
  /** The result when nobody speaks within initialSilenceMs. Default 'unknown'. */
  initialSilenceResult?: AmdVerdict;
  signal?: AbortSignal;
}

export type AmdVerdict = 'human' | 'machine' | 'unknown';

/** Why the detector decided as it did. */
export type AmdReason =
  | 'short-greeting-then-silence'  // human
  | 'long-greeting'                // machine
  | 'too-many-words'               // machine
  | 'beep'                         // machine
  | 'initial-silence'              // initialSilenceResult (unknown by default)
  | 'max-wait'                     // unknown
  | 'hangup'                       // unknown: the call ended first
  | 'stopped';                     // unknown: aborted through the signal

export interface AmdResult {
  result: AmdVerdict;
  reason: AmdReason;
  /** From the start of detection to the decision. */
  durationMs: number;
  /** Words counted in the greeting. */
  words: number;
  /** Length of the greeting: from the first word to the last voiced frame seen (0 if nobody spoke). */
  greetingMs: number;
}

export interface CallEvents {
  answered: [];
  dtmf: [digit: string];
  hangup: [cause: HangupCause];
  mediaTimeout: [];
}

/** One leg: a caller, an agent's phone, an outbound call. */
export interface Call extends EventEmitter<CallEvents> {
  readonly id: string;
  readonly direction: 'inbound' | 'outbound';
  readonly from: CallParty;
  readonly to: CallParty;
  readonly state: CallState;
  /** Set once the call has ended. */
  readonly hangupCause: HangupCause | undefined;

  /** Send ringing; with earlyMedia, prompts may be played before answer. */
  ring(opts?: { earlyMedia?: boolean }): Promise<void>;
  answer(): Promise<void>;
  /** Refuse an unanswered incoming call. */
  reject(cause?: Exclude<HangupCause, 'normal' | 'media-timeout' | 'transferred'>): Promise<void>;
  hangup(cause?: HangupCause): Promise<void>;

  /**
   * Play prompts to this call. While the call is bridged, only this call hears
   * them, mixed over the bridged audio (a whisper to one side).
   */
  play(opts: PlayOptions): Promise<PlayResult>;
  collectDigits(opts: CollectOptions): Promise<CollectResult>;
  record(opts: RecordOptions): Promise<RecordResult>;
  /**
   * Listen to the far end of an answered call and decide human / machine /
   * unknown (see AmdOptions). Rejects only on an invalid option (RangeError
   * naming it); a hangup or an abort resolves
   * 'unknown' with reason 'hangup' / 'stopped'. Resolves as soon as the
   * decision is certain (a person: soon after their short greeting ends).
   */
  detectAnsweringMachine(opts?: AmdOptions): Promise<AmdResult>;

  /**
   * Record this call in stereo: left what this call's far end sends (the customer),
   * right what this call's far end hears (the agent bridged to it, hold music, prompts;
   * never a whisper, which only the agent hears). True to wall time: gaps are silence.
   * Keeps recording across unbridge/bridge (hold, transfer) until stop() or hangup.
   * Rejects unless the call is answered.
   */
  startRecording(opts: CallRecordingOptions): Promise<CallRecording>;

  /** Put the far end on hold (it hears music) and take it off again. */
  hold(opts?: { music?: Prompt }): Promise<void>;
  unhold(): Promise<void>;

  /** Blind transfer: ask the far end to call `target` instead; the call then ends with 'transferred'. */
  transfer(target: string): Promise<void>;
}

/** Who to call. */
export type DialTarget =
  | { kind: 'number'; number: string; trunk?: string }   // PSTN number through a trunk
  | { kind: 'device'; user: string }                     // a registered softphone
  | { kind: 'address'; address: string };                // an engine-specific address (e.g. a SIP URI)

export interface OriginateOptions {
  callerId?: CallParty;
  /** Give up after ringing this long. */
  timeoutMs?: number;
  /** Extra headers of interest for the far end (engine decides how to carry them). */
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** Thrown by originate when the far end does not answer. */
export class OriginateError extends Error {
  readonly hangupCause: HangupCause;
  constructor(hangupCause: HangupCause, message?: string) {
    super(message ?? `call not answered: ${hangupCause}`);
    this.name = 'OriginateError';
    this.hangupCause = hangupCause;
  }
}

export interface Bridge {
  readonly a: Call;
  readonly b: Call;
  /** Where the bridge's audio flows now: 'tenor' (the engine's relay), 'direct', or an external relay's name. Absent when the engine has one path only. */
  readonly mediaPath?: string;
  /** Stop relaying audio; both calls stay up. Idempotent. */
  unbridge(): Promise<void>;
}

/** A third party joined to a bridged call: 'listen' hears both, 'whisper' also speaks to `to`, 'barge' speaks to both. */
export type MonitorMode = 'listen' | 'whisper' | 'barge';

export interface Monitor {
  readonly mode: MonitorMode;
  setMode(mode: MonitorMode): Promise<void>;
  stop(): Promise<void>;
}

export interface IncomingCall {
  call: Call;
  source: CallSource;
  /** Headers of interest (e.g. Diversion, P-Asserted-Identity, X-*), names lower-cased. */
  headers: Record<string, string>;
}

/** Live counters, for health checks and for tests that check nothing leaks. */
export interface DriverStats {
  activeCalls: number;
  activeBridges: number;
  /** Engine-specific resources (dialogs, transactions, timers, media ports, ...). */
  resources: Record<string, number>;
  /** What monitoring reads: cumulative SIP and RTP counts (an engine that does not count them leaves this out). */
  traffic?: DriverTraffic;
  /**
   * The link to an engine in another process (FreeSWITCH's event socket), for
   * health checks: 'down' while it is lost and being re-established. An engine
   * in this process leaves it out.
   */
  link?: 'up' | 'down';
}

/** The classes of SIP status codes. */
export type SipResponseClass = '1xx' | '2xx' | '3xx' | '4xx' | '5xx' | '6xx';

export const sipResponseClasses: readonly SipResponseClass[] = ['1xx', '2xx', '3xx', '4xx', '5xx', '6xx'];

/** SIP counts since the engine started. */
export interface SipCounts {
  /** Responses sent (retransmissions included), by class. */
  responsesSent: Record<SipResponseClass, number>;
  /** Well-formed responses received (retransmissions included), by class. */
  responsesReceived: Record<SipResponseClass, number>;
  /** Requests and responses sent again because no answer or ACK came in time (RFC 3261 timers A, E, G; the 2xx resend). */
  retransmissionsSent: number;
  /** Requests the far end sent again that an open transaction absorbed. */
  retransmissionsReceived: number;
}

/** RTP counts over every media stream since the engine started, and the receive jitter of the streams open now. */
export interface RtpCounts {
  packetsSent: number;
  packetsReceived: number;
  /** Expected from the sequence numbers but never received (RFC 3550 A.3). */
  packetsLost: number;
  /** Dropped: from an address neither the SDP nor the signalling named. */
  packetsFromStrangers: number;
  /** Media streams open now. */
  openStreams: number;
  /** Interarrival jitter (RFC 3550 A.8) of the open streams, in ms: their mean and the worst. */
  jitterMsMean: number;
  jitterMsMax: number;
}

export interface DriverTraffic {
  /** Calls since the engine started: incoming calls taken (ringing here), outgoing INVITEs placed (answered or not). */
  callsStarted: { inbound: number; outbound: number };
  sip: SipCounts;
  rtp: RtpCounts;
}

export interface DriverEvents {
  incoming: [incoming: IncomingCall];
}

/**
 * A SIP-over-WebSocket connection (RFC 7118) the server accepted and hands to
 * the engine: the HTTP server owns the socket and its login; the engine reads
 * and writes SIP messages on it. Engine-neutral: no WebSocket library type.
 */
export interface SipWebSocketPeer {
  /** The signed-in user the connection belongs to: a REGISTER on it for this user needs no digest, any other is refused. */
  readonly user: string;
  /** The browser's address as the HTTP server saw it. */
  readonly remote: { address: string; port: number };
  /** True when the HTTP server speaks TLS (Via SIP/2.0/WSS). */
  readonly secure: boolean;
  /** Sends one SIP message as one WebSocket text message. */
  send(text: string): void;
  /** Closes the WebSocket (code per RFC 6455). */
  close(code: number, reason: string): void;
}

/** What the server feeds the engine from a SipWebSocketPeer. */
export interface SipWebSocketSink {
  /** One WebSocket message: one SIP message (or a CRLF keep-alive). */
  receive(data: Buffer): void;
  /** The WebSocket closed: its registrations go at once, its calls end with 'line-lost' after the grace. */
  closed(): void;
}

export interface TelephonyDriver extends EventEmitter<DriverEvents> {
  readonly name: string;
  start(): Promise<void>;
  /**
   * Graceful shutdown, first step: refuse new incoming calls and new originates
   * (they fail as 'unreachable'), while calls in progress go on.
   */
  refuseNewCalls(): void;
  /** Stop taking calls, hang up what is left with 'server-shutdown', release everything. */
  stop(): Promise<void>;

  /** Place a call; resolves when answered, rejects with OriginateError otherwise. */
  originate(target: DialTarget, opts?: OriginateOptions): Promise<Call>;
  /** Connect two answered calls' audio. */
  bridge(a: Call, b: Call): Promise<Bridge>;
  /** Join `listener` to the call `target` (which must be bridged), with `to` being the side a whisper reaches. */
  monitor(target: Call, listener: Call, mode: MonitorMode): Promise<Monitor>;
  /**
   * Takes over an upgraded SIP WebSocket (RFC 7118) of a signed-in user. Throws
   * on an engine that cannot carry it (the server then closes the socket).
   */
  attachSipWebSocket(peer: SipWebSocketPeer): SipWebSocketSink;

  stats(): DriverStats;
}
