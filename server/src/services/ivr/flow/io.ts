// The seam between a flow and the world it runs in. A compiled flow (an xstate
// machine) never touches a call, a clock or the network itself: every step that
// waits on the outside is an actor built from one of these functions. The live
// runtime implements FlowIO on a real call; the simulator implements it from a
// script of digits and stubbed answers. Both run the very same machine.

/** A prompt as a flow names it: a prompt name in the caller's language, or an uploaded/absolute WAV. */
export type FlowPrompt = string;

export interface PlayRequest {
  prompts: readonly FlowPrompt[];
  language: string;
  /** A digit pressed stops the prompts (and is returned). */
  interruptible: boolean;
  /** The flow node asking (for logs and the simulator). */
  node?: string;
}

export interface PlayResponse {
  /** The digit that interrupted the prompts, if any. */
  digit?: string;
}

export interface CollectRequest {
  prompts: readonly FlowPrompt[];
  language: string;
  minDigits: number;
  maxDigits: number;
  firstDigitTimeoutMs: number;
  interDigitTimeoutMs: number;
  /** Keys that end input early (not part of the digits), e.g. '#'. */
  terminators: string;
  /** The digits are secret (a collect with `secure: true`): never log them. */
  secure?: boolean;
  /** The flow node asking (for logs and the simulator). */
  node?: string;
}

export interface CollectResponse {
  digits: string;
  /** 'timeout' with no digits means no input at all. */
  reason: 'complete' | 'terminator' | 'timeout';
}

export interface HttpRequest {
  url: string;
  method: 'GET' | 'POST';
  headers: Readonly<Record<string, string>>;
  /** JSON body for POST. */
  body: unknown;
  timeoutMs: number;
  /** The request carries a secure collect's digits (in its url, headers or body): log no more than the host. */
  secure?: boolean;
  /** The flow node asking (for logs and the simulator). */
  node?: string;
}

export interface HttpResponse {
  status: number;
  /** Parsed JSON when the answer was JSON, else the text. */
  body: unknown;
}

/** What a flow may ask of the outside while it runs. Every method may reject (hangup, failure). */
export interface FlowIO {
  play(req: PlayRequest): Promise<PlayResponse>;
  collect(req: CollectRequest): Promise<CollectResponse>;
  /** The CRM customer with this phone number (undefined when unknown or no CRM). */
  lookupCustomer(number: string): Promise<Record<string, unknown> | undefined>;
  http(req: HttpRequest): Promise<HttpResponse>;
  /** Wall-clock time now (a test clock in tests and the simulator). */
  now(): Date;
}

/** A `queue` or `transfer` node's recording policy for the call, over the queue's (docs/recording.md). */
export interface FlowRecording {
  /** all | never | on-demand | "NN%" */
  policy?: string;
  /** A prompt the caller hears before the agent is connected. */
  announcement?: string;
}

/** Where a finished flow sends the call; the runtime carries it out. */
export type FlowOutcome =
  | { type: 'queue'; queue: string; priority?: number; skills?: Record<string, number>; recording?: FlowRecording }
  | { type: 'voicemail'; box: string }
  | {
    type: 'transfer';
    target: { kind: 'number'; number: string } | { kind: 'agent'; agent: string } | { kind: 'flow'; flow: string };
    recording?: FlowRecording;
  }
  | { type: 'hangup' };

/** The caller the flow runs for. */
export interface FlowCaller {
  callId: string;
  /** The caller's number (From). */
  number: string;
  /** The number dialed. */
  dialed: string;
  language?: string;
}

/** One step taken, in order: what the simulator prints and what call logs record. */
export interface FlowStep {
  node: string;
  type: string;
  /** The prompts this node played (names as in the flow). */
  prompts?: readonly FlowPrompt[];
  /** Which exit it left by ('1', 'invalid', 'no-input', 'true', 'failure', ...). */
  exit?: string;
  /** What the caller entered (menu, collect) or the status an HTTP dip answered. */
  input?: string;
  /** The flow this node belongs to, when it ran inside a subflow. */
  flow?: string;
}

export interface FlowRunResult {
  outcome: FlowOutcome;
  path: FlowStep[];
  variables: Record<string, unknown>;
}
