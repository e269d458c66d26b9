// What a call needs from its signalling, whatever carries it. (Outbound calls
// are handed out only once answered, so cancelling an unanswered INVITE is
// originate's business, not the call's.) The SIP user
// agent (sip-leg.ts) implements it over a dialog; keeping the call model apart
// from SIP keeps the call's rules (states, causes, media) readable on their own.

/** Status and reason we send when refusing an incoming call, per contract cause. */
export interface Refusal {
  status: number;
  reason: string;
}

export interface SignalingLeg {
  readonly callId: string;
  /** Inbound: provisional response; with SDP for early media (183). */
  ring(earlyMediaSdp?: string): Promise<void>;
  /** Inbound: 200 OK with our answer; resolves when the ACK arrives (or its wait ends). */
  accept(sdp: string): Promise<void>;
  /** Inbound, unanswered: final error response. */
  refuse(refusal: Refusal): Promise<void>;
  /** Answered: BYE. */
  bye(): Promise<void>;
  /** Answered: re-INVITE with a new offer; resolves with the far end's answer SDP. */
  reinvite(sdp: string): Promise<string>;
  /** Answered: REFER; resolves with the final status of the REFER request. */
  refer(target: string): Promise<number>;
  /** Release whatever is left (dialog state, timers) after the call ended. */
  release(): void;
}
