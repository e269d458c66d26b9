// Skill requirements: which minimum levels a contact needs after waiting a
// while (escalation relaxes them), and whether an agent meets them.

import type { EscalationRule, SkillLevels } from './model.js';

/** The queue's and the contact's requirements together: the higher minimum wins. */
export function combineRequirements(queue: SkillLevels, contact: SkillLevels): SkillLevels {
  const out: Record<string, number> = { ...queue };
  for (const [skill, level] of Object.entries(contact)) out[skill] = Math.max(out[skill] ?? 0, level);
  return out;
}

/**
 * The requirements that apply after waiting `waitedMs`: every rule whose time
 * has come lowers (never raises) the minimum of the skills it names; 0 drops
 * the requirement.
 */
export function escalatedRequirements(base: SkillLevels, rules: readonly EscalationRule[], waitedMs: number): SkillLevels {
  if (rules.length === 0) return base;
  let out: Record<string, number> | undefined;
  for (const rule of rules) {
    if (rule.afterSeconds * 1000 > waitedMs) continue;
    for (const [skill, level] of Object.entries(rule.skills)) {
      const current = (out ?? base)[skill];
      if (current === undefined || level >= current) continue;
      out ??= { ...base };
      if (level <= 0) delete out[skill];
      else out[skill] = level;
    }
  }
  return out ?? base;
}

/** The next moment (ms of waiting) at which a rule would relax something, if any. */
export function nextEscalationAfterMs(rules: readonly EscalationRule[], waitedMs: number): number | undefined {
  let next: number | undefined;
  for (const rule of rules) {
    const at = rule.afterSeconds * 1000;
    if (at > waitedMs && (next === undefined || at < next)) next = at;
  }
  return next;
}

export function meetsRequirements(agent: SkillLevels, required: SkillLevels): boolean {
  for (const skill in required) {
    if ((agent[skill] ?? 0) < (required[skill] ?? 0)) return false;
  }
  return true;
}

/** How well an agent fits: the sum of its levels in the required skills (higher is better). */
export function matchScore(agent: SkillLevels, required: SkillLevels): number {
  let score = 0;
  for (const skill in required) score += agent[skill] ?? 0;
  return score;
}
