// What a driver implementation gives the contract suite: a started driver and
// a test peer that can call it and be called by it. Nothing here names SIP or
// RTP, so a FreeSWITCH or drachtio driver can supply its own peer (a SIPp
// script, an ESL-driven loopback, ...) and run the same suite.
import type { CallSource, DialTarget, TelephonyDriver } from '../driver.js';

/** How the peer behaves when the driver calls it. */
export type PeerAnswerMode =
  | { kind: 'answer'; afterMs?: number }
  | { kind: 'busy' }
  | { kind: 'decline' }
  /** Ring and never answer (for no-answer timeouts). */
  | { kind: 'ring' };

/** How a peer call ended, seen from the peer. */
export type PeerEnd =
  | { by: 'peer' }
  /** The driver hung up an answered call, cancelled an unanswered one, or refused it with a cause. */
  | { by: 'driver'; refused?: 'busy' | 'rejected' | 'unreachable' | 'no-answer' | 'failed' | 'cancelled' };

export interface PeerCall {
  readonly answered: boolean;
  /** Resolves when the driver answered; rejects if the call ends first. */
  waitAnswered(timeoutMs?: number): Promise<void>;
  /** Resolves when the driver started ringing or early media. */
  waitRinging(timeoutMs?: number): Promise<void>;
  waitEnded(timeoutMs?: number): Promise<PeerEnd>;
  /** Answer a call the driver placed to us (when the mode was 'ring'). */
  answer(): Promise<void>;
  /** Hang up (or cancel while ringing). */
  hangup(): Promise<void>;
  /** Send digits as telephony events, one after the other. */
  sendDigits(digits: string): Promise<void>;
  /** Send a steady tone (440 Hz unless told) until stopTone(); otherwise the peer sends silence. */
  startTone(frequencyHz?: number): void;
  stopTone(): void;
  /** Stop sending media altogether (to provoke a media timeout), or resume. */
  setMediaFlowing(flowing: boolean): void;
  /** Milliseconds of non-silent audio heard from the driver so far. */
  heardToneMs(): number;
  /** Whether the driver has currently put this peer on hold. */
  readonly heldByDriver: boolean;
  /** The target a blind transfer asked this peer to call, once asked. */
  readonly transferTarget: string | undefined;
}

export interface TestPeer {
  /** Call the driver. `as` is how the driver should see the caller. */
  call(opts: { from: string; to: string; as: 'trunk' | 'unknown'; headers?: Record<string, string> }): Promise<PeerCall>;
  /** A dial target that reaches this peer, answered as `mode` says. */
  target(mode: PeerAnswerMode): DialTarget;
  /** A dial target where nobody answers at all (no such user or host). */
  unreachableTarget(): DialTarget;
  /** The next call the driver placed to this peer. */
  nextCall(timeoutMs?: number): Promise<PeerCall>;
}

export interface DriverHarness {
  driver: TelephonyDriver;
  peer: TestPeer;
  /** The source the driver reports for a peer call made `as: 'trunk'`. */
  trunkSource: CallSource;
  /** A WAV prompt file of a steady tone lasting about this long. */
  promptFile(durationMs: number): Promise<string>;
  /** A folder for recordings. */
  tmpDir: string;
  /** The media timeout the driver was configured with. */
  mediaTimeoutMs: number;
  close(): Promise<void>;
}
