// From the YAML file's queues and agents (config/schema.ts) to the ACD's
// definitions, with every default filled in one place.

import type { AgentConfig, QueueConfig } from '../../config/schema.js';
import type { AcdQueueConfigFields } from './config-schema.js';
import { defaultCallbackPolicy, queueWithDefaults, type AgentDevice, type AgentProfile, type ExitDestination, type ExitReason, type QueueDefinition } from './model.js';

export type QueueConfigWithAcd = QueueConfig & AcdQueueConfigFields;

const exitReasons: Record<keyof NonNullable<AcdQueueConfigFields['exits']>, ExitReason> = {
  maxWait: 'max-wait', exitKey: 'exit-key', empty: 'empty', full: 'full',
};

export function queueFromConfig(q: QueueConfigWithAcd): QueueDefinition {
  const exits: Partial<Record<ExitReason, ExitDestination>> = {};
  for (const [key, reason] of Object.entries(exitReasons) as [keyof typeof exitReasons, ExitReason][]) {
    const destination = q.exits?.[key];
    if (destination) exits[reason] = destination;
  }
  return queueWithDefaults({
    name: q.name,
    ...(q.strategy !== undefined ? { strategy: q.strategy } : {}),
    ...(q.ringTimeoutSeconds !== undefined ? { ringTimeoutSeconds: q.ringTimeoutSeconds } : {}),
    ...(q.wrapUpSeconds !== undefined ? { wrapUpSeconds: q.wrapUpSeconds } : {}),
    ...(q.maxWaitSeconds !== undefined ? { maxWaitSeconds: q.maxWaitSeconds } : {}),
    ...(q.maxWaiting !== undefined ? { maxWaiting: q.maxWaiting } : {}),
    ...(q.musicOnHold !== undefined ? { musicOnHold: q.musicOnHold } : {}),
    ...(q.announcements !== undefined
      ? { announcements: { intervalSeconds: q.announcements.intervalSeconds, position: q.announcements.position ?? true, estimatedWait: q.announcements.estimatedWait ?? true } }
      : {}),
    ...(q.joinEmpty !== undefined ? { joinEmpty: q.joinEmpty } : {}),
    ...(q.leaveWhenEmpty !== undefined ? { leaveWhenEmpty: q.leaveWhenEmpty } : {}),
    ...(q.exitKey !== undefined ? { exitKey: q.exitKey } : {}),
    ...(q.callbackKey !== undefined ? { callbackKey: q.callbackKey } : {}),
    exits,
    ...(q.overflow !== undefined ? { overflow: q.overflow } : {}),
    ...(q.requiredSkills !== undefined ? { requiredSkills: q.requiredSkills } : {}),
    ...(q.escalation !== undefined ? { escalation: q.escalation } : {}),
    ...(q.whisper !== undefined ? { whisper: { prompts: q.whisper.prompts, segments: q.whisper.segments ?? {} } } : {}),
    ...(q.thresholds !== undefined ? { thresholds: q.thresholds } : {}),
    callback: { ...defaultCallbackPolicy, ...q.callback },
    ...(q.script !== undefined ? { script: q.script } : {}),
    ...(q.recording !== undefined ? { recording: { ...q.recording } } : {}),
  });
}

/**
 * A device as the site file or the API gives it, without its SIP secret: the secret (and the digest
 * algorithms it is offered) is kept by the SIP credentials service, never in the agent's profile
 * (which the API shows and events carry).
 */
export function deviceWithoutSecret(device: AgentConfig['device']): AgentDevice {
  if (device === undefined) return { type: 'softphone' };
  if (device.type === 'external' || device.type === 'webrtc') return device;
  const { secret: _secret, digest: _digest, ...rest } = device;
  return rest;
}

export function agentFromConfig(a: AgentConfig): AgentProfile {
  return {
    login: a.login,
    name: a.name,
    device: deviceWithoutSecret(a.device),
    skills: a.skills ?? {},
    queues: (a.queues ?? []).map((m) => ({ queue: m.queue, penalty: m.penalty ?? 0 })),
  };
}
