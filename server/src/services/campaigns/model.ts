// What a campaign is: its dialing mode, whom it calls (a list or a CRM
// segment), how (caller ID, trunk, ring time), when (calling window in the
// callee's time zone), how often (attempts, retry rules per outcome), who
// answers (the ACD queue of its agents) and what the law requires of it
// (abandon cap and window, identification message).

import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { TenorError } from '../../core/errors.js';
import type { DialMode } from './pacing/types.js';
import { RecordingPolicySchema, type RecordingPolicyConfig } from '../recordings/index.js';

/** The shortest ring time the law allows (US TSR: 15 s or four rings). */
export const MIN_RING_SECONDS = 15;
/** An answered call must reach an agent within this long, or it is abandoned. */
export const CONNECT_WITHIN_MS = 2000;
/** No redial of an abandoned number within 72 h (UK Ofcom), unless an agent is reserved for it. */
export const ABANDON_REDIAL_BLOCK_MS = 72 * 3_600_000;

export const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Day = (typeof DAYS)[number];

/** Outcomes of one attempt. */
export const ATTEMPT_OUTCOMES = ['answered-human', 'machine', 'busy', 'no-answer', 'failed', 'abandoned', 'dnc-blocked', 'unknown', 'skipped'] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

/** Outcomes that may be retried, each with its own rule. */
export const RETRYABLE = ['busy', 'no-answer', 'machine', 'failed', 'unknown'] as const;
export type RetryableOutcome = (typeof RETRYABLE)[number];

const HHMM = '^([01][0-9]|2[0-3]):[0-5][0-9]$';

const RetryRule = Type.Object(
  { retry: Type.Boolean({ default: true }), delayMinutes: Type.Number({ minimum: 0, maximum: 60 * 24 * 30 }) },
  { additionalProperties: false },
);

export const CampaignBody = Type.Object(
  {
    mode: Type.Union([Type.Literal('preview'), Type.Literal('progressive'), Type.Literal('predictive')]),
    target: Type.Union([
      Type.Object({ list: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
      Type.Object({ segment: Type.String({ minLength: 1, description: 'a CRM Customer segment (A, B, C)' }) }, { additionalProperties: false }),
    ]),
    queue: Type.String({ minLength: 1, description: 'the ACD queue whose agents take the campaign' }),
    callerId: Type.String({ minLength: 1 }),
    trunk: Type.Optional(Type.String({ minLength: 1 })),
    ringTimeSeconds: Type.Optional(Type.Integer({ maximum: 120, description: 'at least 15' })),
    maxAttempts: Type.Optional(Type.Integer({ minimum: 1, maximum: 20 })),
    retry: Type.Optional(Type.Partial(Type.Object({
      busy: RetryRule, 'no-answer': RetryRule, machine: RetryRule, failed: RetryRule, unknown: RetryRule,
    }, { additionalProperties: false }))),
    window: Type.Optional(Type.Object(
      {
        from: Type.String({ pattern: HHMM }),
        to: Type.String({ pattern: HHMM }),
        days: Type.Array(Type.Union(DAYS.map((d) => Type.Literal(d))), { minItems: 1 }),
      },
      { additionalProperties: false },
    )),
    script: Type.Optional(Type.String({ description: 'dialogue script shown to agents' })),
    identificationPrompt: Type.Optional(Type.String({ minLength: 1, description: 'played on an abandoned call' })),
    abandonCap: Type.Optional(Type.Number({ minimum: 0, maximum: 0.5 })),
    abandonWindow: Type.Optional(Type.Union([Type.Literal('30d'), Type.Literal('24h')])),
    amd: Type.Optional(Type.Boolean({ description: 'answering-machine detection (default on)' })),
    recording: Type.Optional(RecordingPolicySchema),
  },
  { additionalProperties: false },
);
export type CampaignInput = Static<typeof CampaignBody>;

export interface RetryRuleDef {
  retry: boolean;
  delayMinutes: number;
}

export interface CallingWindow {
  from: string;
  to: string;
  days: readonly Day[];
}

export interface CampaignDefinition {
  name: string;
  mode: DialMode;
  target: { list: string } | { segment: string };
  queue: string;
  callerId: string;
  trunk: string | undefined;
  ringTimeSeconds: number;
  maxAttempts: number;
  retry: Record<RetryableOutcome, RetryRuleDef>;
  window: CallingWindow;
  script: string | undefined;
  identificationPrompt: string;
  abandonCap: number;
  abandonWindow: '30d' | '24h';
  amd: boolean;
  /** Recording of the campaign's calls connected to agents, over its queue's policy (docs/recording.md). */
  recording: RecordingPolicyConfig | undefined;
}

export const DEFAULT_RETRY: Readonly<Record<RetryableOutcome, RetryRuleDef>> = {
  busy: { retry: true, delayMinutes: 10 },
  'no-answer': { retry: true, delayMinutes: 60 },
  machine: { retry: true, delayMinutes: 240 },
  failed: { retry: true, delayMinutes: 30 },
  unknown: { retry: true, delayMinutes: 60 },
};

export const DEFAULT_WINDOW: CallingWindow = { from: '09:00', to: '21:00', days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat'] };

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** A definition from API/seed input: checked, defaults filled in; ring time under 15 s refused. */
export function campaignFromInput(name: string, input: unknown): CampaignDefinition {
  if (!NAME.test(name)) throw new TenorError('TENOR_ERR_VALIDATION', [`campaign name '${name}' (letters, digits, _ . -; at most 64)`]);
  if (!Value.Check(CampaignBody, input)) {
    const first = [...Value.Errors(CampaignBody, input)][0];
    throw new TenorError('TENOR_ERR_VALIDATION', [`campaign ${first?.path || '/'} ${first?.message ?? 'is invalid'}`]);
  }
  const ring = input.ringTimeSeconds ?? 25;
  if (ring < MIN_RING_SECONDS) throw new TenorError('TENOR_ERR_CAMPAIGN_RING_TIME', [ring, MIN_RING_SECONDS]);
  const window = input.window ?? DEFAULT_WINDOW;
  if (window.from >= window.to) throw new TenorError('TENOR_ERR_VALIDATION', [`window.from ${window.from} must be before window.to ${window.to}`]);
  return {
    name,
    mode: input.mode,
    target: input.target,
    queue: input.queue,
    callerId: input.callerId,
    trunk: input.trunk,
    ringTimeSeconds: ring,
    maxAttempts: input.maxAttempts ?? 3,
    retry: {
      busy: { ...DEFAULT_RETRY.busy, ...input.retry?.busy },
      'no-answer': { ...DEFAULT_RETRY['no-answer'], ...input.retry?.['no-answer'] },
      machine: { ...DEFAULT_RETRY.machine, ...input.retry?.machine },
      failed: { ...DEFAULT_RETRY.failed, ...input.retry?.failed },
      unknown: { ...DEFAULT_RETRY.unknown, ...input.retry?.unknown },
    },
    window: { from: window.from, to: window.to, days: [...window.days] },
    script: input.script,
    identificationPrompt: input.identificationPrompt ?? 'campaign-identification',
    abandonCap: input.abandonCap ?? 0.03,
    abandonWindow: input.abandonWindow ?? '30d',
    amd: input.amd ?? true,
    recording: input.recording !== undefined ? { ...input.recording } : undefined,
  };
}

/** The definition as stored and shown (the input shape, every default explicit). */
export function campaignToInput(def: CampaignDefinition): CampaignInput {
  return {
    mode: def.mode, target: def.target, queue: def.queue, callerId: def.callerId, ...(def.trunk !== undefined ? { trunk: def.trunk } : {}),
    ringTimeSeconds: def.ringTimeSeconds, maxAttempts: def.maxAttempts, retry: def.retry, window: { ...def.window, days: [...def.window.days] },
    ...(def.script !== undefined ? { script: def.script } : {}), identificationPrompt: def.identificationPrompt, abandonCap: def.abandonCap,
    abandonWindow: def.abandonWindow, amd: def.amd, ...(def.recording !== undefined ? { recording: { ...def.recording } } : {}),
  };
}

export const abandonWindowMs = (w: '30d' | '24h'): number => (w === '24h' ? 24 * 3_600_000 : 30 * 24 * 3_600_000);
