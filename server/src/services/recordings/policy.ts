// Whether an ACD call is recorded: the keys of the way the call came in (the
// flow node that queued it, or the campaign that dialed it) over the queue's
// `recording` keys, over the site's; a percentage decided by a hash of the call id (the same call always
// gets the same answer, whichever process asks), and an agent's opt-out where
// the site allows it. Pure: no I/O, no clock.

import { createHash } from 'node:crypto';
import { RECORDING_DEFAULTS, type RecordingPolicyConfig, type RecordingSettings } from './config-schema.js';

/** What happens when an agent is connected: record at once, wait for someone to start it, or never. */
export type RecordingDecision = 'record' | 'on-demand' | 'never';

/** The effective settings for one queue (site level completed by the queue's own keys). */
export interface EffectivePolicy {
  policy: string;
  /** A prompt the caller hears before the agent is connected (when the call may be recorded). */
  announcement: string | undefined;
  retentionDays: number | undefined;
  /** 0: a pause lasts until resumed. */
  maxPauseSeconds: number;
}

/**
 * Each key from the first level that sets it: `override` (a flow's `queue`/`transfer` node, or
 * the campaign that dialed the call), then the queue, then the site, then the defaults.
 */
export function effectivePolicy(
  site: RecordingSettings,
  queue: RecordingPolicyConfig | undefined,
  override?: RecordingPolicyConfig,
): EffectivePolicy {
  return {
    policy: override?.policy ?? queue?.policy ?? site.policy ?? RECORDING_DEFAULTS.policy,
    announcement: override?.announcement ?? queue?.announcement ?? site.announcement,
    retentionDays: override?.retentionDays ?? queue?.retentionDays ?? site.retentionDays,
    maxPauseSeconds: override?.maxPauseSeconds ?? queue?.maxPauseSeconds ?? site.maxPauseSeconds ?? RECORDING_DEFAULTS.maxPauseSeconds,
  };
}

/** A number in [0, 100) drawn from the call id: reproducible, evenly spread. */
export function sampleOf(callId: string): number {
  const digest = createHash('sha256').update(callId).digest();
  return (digest.readUInt32BE(0) / 0x1_0000_0000) * 100;
}

export function decide(policy: string, callId: string, agentOptedOut: boolean): RecordingDecision {
  if (agentOptedOut || policy === 'never') return 'never';
  if (policy === 'all') return 'record';
  if (policy === 'on-demand') return 'on-demand';
  const percent = /^(\d{1,3})%$/.exec(policy);
  if (!percent) return 'never';
  // Calls outside the sample may still be recorded on demand.
  return sampleOf(callId) < Number(percent[1]) ? 'record' : 'on-demand';
}
