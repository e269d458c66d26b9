// The `recording` field of the `queue` and `transfer` nodes: the recording
// policy for calls that reach an agent through this node, over the queue's
// (docs/recording.md, "Where the policy comes from"). Written as a policy
// (`recording: all`) or as `{ policy, announcement }`.

import { describe, isObject } from '../reader.js';
import type { FlowRecording } from '../io.js';
import type { NodeFields } from './fields.js';

/** Same values as a queue's `recording.policy` (recordings/config-schema.ts). */
const POLICY = /^(all|never|on-demand|(100|[1-9]?[0-9])%)$/;
const POLICY_HELP = 'all, never, on-demand or a percentage such as "25%"';

/** The node's `recording`, or undefined when absent or wrong (each problem reported at its line). */
export function readRecording(f: NodeFields): FlowRecording | undefined {
  const raw = f.raw.recording;
  const at = `${f.path}.recording`;
  if (raw === undefined) return undefined;
  if (typeof raw === 'string') {
    if (POLICY.test(raw)) return { policy: raw };
    f.problem(at, `recording policy '${raw}' is not one of ${POLICY_HELP}`);
    return undefined;
  }
  if (!isObject(raw)) {
    f.problem(at, `recording is a policy (${POLICY_HELP}) or { policy, announcement }; found ${describe(raw)}`);
    return undefined;
  }
  const before = f.problemCount;
  f.unknownFields(at, raw, ['policy', 'announcement'], 'recording field');
  const out: FlowRecording = {};
  const { policy, announcement } = raw;
  if (policy !== undefined) {
    if (typeof policy === 'string' && POLICY.test(policy)) out.policy = policy;
    else f.problem(`${at}.policy`, `recording policy ${typeof policy === 'string' ? `'${policy}'` : describe(policy)} is not one of ${POLICY_HELP}`);
  }
  if (announcement !== undefined) {
    if (typeof announcement === 'string' && announcement.length > 0 && announcement.length <= 200) out.announcement = announcement;
    else f.problem(`${at}.announcement`, `announcement is a prompt name such as 'may-be-recorded'; found ${describe(announcement)}`);
  }
  if (out.policy === undefined && out.announcement === undefined && f.problemCount === before) f.problem(at, 'recording sets neither policy nor announcement');
  return f.problemCount === before ? out : undefined;
}

/** The announcement as a prompt list, so the checker finds it in every language the flow plays in. */
export function recordingPrompts(recording: FlowRecording | undefined): Array<[field: string, prompts: readonly string[]]> {
  return recording?.announcement !== undefined ? [['recording', [recording.announcement]]] : [];
}
