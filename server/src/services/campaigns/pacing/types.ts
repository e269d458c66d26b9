// What the pacing algorithm sees and decides. The live dialer and the pacing
// simulator both build a PacingSnapshot and ask the same function how many
// calls to place now, so the simulator proves what the dialer does.

export type DialMode = 'preview' | 'progressive' | 'predictive';

/** Measured over the campaign's recent calls (the pacer smooths them itself). */
export interface PacingStats {
  /** Calls placed so far (for confidence: few calls → conservative). */
  attempts: number;
  /** Share of placed calls answered by a live person (0..1). */
  liveAnswerRate: number;
  /** Share answered by a machine (0..1). */
  machineRate: number;
  /** Mean time from dial to answer, for answered calls (ms). */
  meanTimeToAnswerMs: number;
  meanTalkMs: number;
  meanWrapUpMs: number;
  /** Optional (added by the pacer's author): spread of talk time (ms); absent → an assumed CV. */
  sdTalkMs?: number;
  /** Optional: spread of wrap-up time (ms). */
  sdWrapUpMs?: number;
  /** Optional: spread of the time from dial to answer (ms). */
  sdTimeToAnswerMs?: number;
}

export interface AbandonWindow {
  /** Live-answered calls in the compliance window (30 days or 24 h). */
  liveAnswered: number;
  /** Of those, answered with no agent within 2 s. */
  abandoned: number;
}

export interface PacingSnapshot {
  now: number;
  mode: DialMode;
  /** Agents logged into the campaign and ready now. */
  agentsReady: number;
  /** Agents talking or wrapping up, with how long they have been in that call/wrap-up (ms). */
  agentsBusy: readonly { state: 'talking' | 'wrap-up'; sinceMs: number }[];
  /** Calls placed and not yet answered or failed. */
  callsDialing: number;
  /** Answered (live) calls waiting for an agent right now. */
  callsWaitingForAgent: number;
  /**
   * Optional: calls answered but still being classified by answering-machine
   * detection (counted here, not in callsDialing). Each is live with
   * probability liveAnswerRate / (liveAnswerRate + machineRate). Absent → 0.
   */
  callsAnswering?: number;
  /**
   * Optional: how long each call in callsDialing has been ringing (ms). A call
   * that has rung long unanswered is unlikely to be answered at all; with the
   * ages the pacer counts that, without them it takes every call as fresh.
   */
  dialingSinceMs?: readonly number[];
  stats: PacingStats;
  window: AbandonWindow;
  /** The cap on abandoned / live-answered, e.g. 0.03. */
  abandonCap: number;
  /** After a restart: dial no faster than progressive until enough fresh calls are measured. */
  conservative: boolean;
}

export interface PacingDecision {
  /** New calls to place now (0 or more). */
  dial: number;
  /** Why, for logs and the monitor ("2 ready, answer rate 0.31, ratio 2.4"). */
  reason: string;
}
