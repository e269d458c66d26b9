// The ACD's domain types. The ACD routes *contacts* to agents; a phone call is
// the first kind of contact, a callback request the second. Later channels
// (e-mail, chat) become further kinds without changing the router.

import type { QueueStrategies, QueueThresholds } from './config-schema.js';

export type StrategyName = (typeof QueueStrategies)[number];

/** Skill name → level 1..10 (an agent's levels, or a contact's minimum levels). */
export type SkillLevels = Readonly<Record<string, number>>;

/** How an agent is reached. Kept abstract: browser phones will be a fourth kind. */
export type AgentDevice =
  | { type: 'softphone'; user?: string }
  | { type: 'external'; number: string; trunk?: string }
  /** Called once at login and kept connected; each caller is bridged in without ringing. */
  | { type: 'persistent'; number?: string; trunk?: string }
  /** The phone in the agent desktop (SIP over WebSocket, WebRTC media); rung like a softphone registered as the login. */
  | { type: 'webrtc'; autoAnswer?: boolean; fallback?: { number: string; trunk?: string } };

export interface QueueMembership {
  queue: string;
  /** Lower is served first: an agent takes callers of its lowest-penalty queue before the others. */
  penalty: number;
}

export interface AgentProfile {
  login: string;
  name: string;
  device: AgentDevice;
  skills: SkillLevels;
  queues: readonly QueueMembership[];
}

/** Where a caller goes when they leave the queue without reaching an agent. */
export type ExitDestination =
  | { type: 'voicemail'; box: string }
  | { type: 'queue'; queue: string }
  | { type: 'flow'; flow: string }
  | { type: 'hangup'; message?: string };

export type ExitReason = 'max-wait' | 'exit-key' | 'empty' | 'full';

/** After `afterSeconds` of waiting, the minimum levels in `skills` apply instead (0 drops the requirement). */
export interface EscalationRule {
  afterSeconds: number;
  skills: SkillLevels;
}

export interface AnnouncementPolicy {
  intervalSeconds: number;
  position: boolean;
  estimatedWait: boolean;
}

export interface WhisperPolicy {
  prompts: readonly string[];
  segments: Readonly<Record<string, string>>;
}

export interface CallbackPolicy {
  /** Attempts to reach the customer, first one included. */
  attempts: number;
  retryDelaySeconds: number;
  ringTimeoutSeconds: number;
}

export interface QueueDefinition {
  name: string;
  strategy: StrategyName;
  ringTimeoutSeconds: number;
  wrapUpSeconds: number;
  /** 0: callers may wait for ever. */
  maxWaitSeconds: number;
  /** Callers waiting at most (0: no limit); a caller beyond it exits with 'full'. */
  maxWaiting: number;
  musicOnHold: string | undefined;
  announcements: AnnouncementPolicy | undefined;
  /** Accept callers when no agent of the queue is logged in. */
  joinEmpty: boolean;
  /** Make waiting callers leave when the last agent logs out. */
  leaveWhenEmpty: boolean;
  exitKey: string | undefined;
  callbackKey: string | undefined;
  exits: Partial<Record<ExitReason, ExitDestination>>;
  overflow: { afterSeconds: number; queue: string } | undefined;
  requiredSkills: SkillLevels;
  escalation: readonly EscalationRule[];
  /**
   * Played to the agent (only) before the caller is connected: the queue's
   * prompts, then the prompt of the customer's segment if one is configured.
   * The customer's name travels in the call_offered event for the agent's screen.
   */
  whisper: WhisperPolicy | undefined;
  callback: CallbackPolicy;
  /** The dialogue script the agent's desktop starts for this queue's calls. */
  script: string | undefined;
  /** The wallboard's amber and red for this queue's figures (none: never coloured). */
  thresholds: QueueThresholds | undefined;
  /**
   * The queue's own call-recording keys (the recording service reads them; unset keys come
   * from the site's `recording`). Kept with the definition so queues the admin API creates have them too.
   */
  recording?: QueueRecordingPolicy;
}

/** A queue's `recording` keys as the recording service defines them (recordings/config-schema.ts). */
export interface QueueRecordingPolicy {
  policy?: string;
  announcement?: string;
  retentionDays?: number;
  maxPauseSeconds?: number;
}

export type ContactKind = 'call' | 'callback';

/** A contact waiting in a queue. */
export interface WaitingEntry {
  readonly id: string;
  readonly kind: ContactKind;
  queue: string;
  /** Higher is served first. */
  priority: number;
  /** When the contact first entered any queue: kept across overflow and callback. */
  readonly enteredAt: number;
  /** When it entered the queue it is in now. */
  queueEnteredAt: number;
  /** The contact's own minimum skill levels, on top of the queue's. */
  readonly requiredSkills: SkillLevels;
  /** The call this contact belongs to (the caller's leg for a callback request). */
  readonly callId: string;
  readonly callerNumber: string;
  readonly customerId: string | undefined;
  readonly customerName: string | undefined;
  readonly segment: string | undefined;
  /** Back in line because the agent's line was lost while connected: served before every other contact of its queue. */
  readonly returnedFirst?: boolean;
}

export const defaultCallbackPolicy: CallbackPolicy = { attempts: 3, retryDelaySeconds: 60, ringTimeoutSeconds: 30 };

/** A queue definition with every optional field at its default. */
export function queueWithDefaults(q: Partial<QueueDefinition> & { name: string }): QueueDefinition {
  return {
    strategy: 'longest-idle',
    ringTimeoutSeconds: 20,
    wrapUpSeconds: 0,
    maxWaitSeconds: 0,
    maxWaiting: 0,
    musicOnHold: undefined,
    announcements: undefined,
    joinEmpty: true,
    leaveWhenEmpty: false,
    exitKey: undefined,
    callbackKey: undefined,
    exits: {},
    overflow: undefined,
    requiredSkills: {},
    escalation: [],
    whisper: undefined,
    callback: defaultCallbackPolicy,
    script: undefined,
    thresholds: undefined,
    ...q,
  };
}
