// The campaigns' events on the bus: one per attempt as it ends, and the
// campaign's figures (at most once per second per campaign) for the monitor.

import type { RecordingPolicyConfig } from '../recordings/index.js';
import type { AttemptOutcome } from './model.js';

export interface CampaignFigures {
  campaign: string;
  status: string;
  mode: string;
  /** Attempts placed (DNC-blocked ones are not dialed and not counted). */
  dialed: number;
  /** Calls answered by a person and connected to an agent. */
  connected: number;
  abandoned: number;
  /** abandoned / live-answered over the campaign's compliance window, in percent. */
  abandonedPercent: number;
  abandonWindow: '30d' | '24h';
  machines: number;
  /** Customers talked to (connected calls). */
  contacts: number;
  dispositions: Record<string, number>;
  /** Talk minutes of the last 60 minutes divided by the agents logged in to the campaign's queue. */
  agentTalkMinutesPerHour: number;
  /** Numbers not finished yet (pending, in progress, callback). */
  remaining: number;
  /** What the pacer said last. */
  pacing: string;
}

export interface CampaignAttemptEvent {
  campaign: string;
  attemptId: string;
  phone: string;
  attempt: number;
  outcome: AttemptOutcome;
  amd: string | undefined;
  agent: string | undefined;
  callId: string | undefined;
  identificationPlayed: boolean;
  durationMs: number;
}

/** A live answer handed to the campaign's queue for an agent: the recording service takes the campaign's policy from it. */
export interface CampaignCallQueuedEvent {
  campaign: string;
  /** The customer's call (the ACD's call id). */
  callId: string;
  queue: string;
  /** The campaign's recording keys (over its queue's); absent: the queue's policy. */
  recording?: RecordingPolicyConfig;
}

export interface CampaignEvents {
  campaign_attempt: CampaignAttemptEvent;
  campaign_call_queued: CampaignCallQueuedEvent;
  campaign_figures: CampaignFigures;
  campaign_changed: { campaign: string; status: string };
}

declare module '../../core/events.js' {
  interface TenorEvents extends CampaignEvents {}
}
