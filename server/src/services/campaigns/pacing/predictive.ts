// The predictive model: how many new calls to place so that the expected share
// of live answers finding no agent stays under a target.
//
// Over the next horizon (mean time to answer + the 2 s an answer may wait):
//   demand  Ln = live answers from the n new calls             ~ Binomial(n, p)
//   supply  S  = ready agents − calls already waiting
//              + busy agents who finish within the horizon     ~ Poisson-binomial(q_i)
//              − live answers still to come from calls already dialing
//                (each less likely the longer it has rung unanswered)
//              − live ones among calls in answering-machine detection
// q_i comes from agent i's time in talk / wrap-up against lognormal talk and
// wrap-up times (an agent 25 s into a 30 s mean wrap-up is far likelier to free
// up than one 2 s in; a talking agent must still wrap up). Expected abandons
// are E[(Ln − S)+]; we pick the largest n with
//   E[(Ln − S)+] / E[live answers of all calls in flight] ≤ target
// and E[(Ln − S)+] within the window's room for abandons. Both grow with n, so
// a binary search finds it in a handful of evaluations, each O(range of S).

import { binomialPmfWindow, endsWithin, endsWithinThen, lognormalCdf, lognormalFromMoments, lognormalQuantiles8, poissonBinomialPmf } from './distributions.js';
import type { PacingSettings } from './settings.js';
import type { PacingSnapshot } from './types.js';

/** When no answer time has been measured yet: a typical 7 s of ringing. */
const FALLBACK_TIME_TO_ANSWER_MS = 7000;
/** Below this a busy agent's chance to free up is dropped (keeps the convolution short). */
const NEGLIGIBLE = 1e-4;

export interface PredictivePlan {
  /** New calls to place now. */
  newCalls: number;
  /** Calls in flight after placing them (dialing now + new). */
  inFlight: number;
  /** Expected busy agents freeing up within the horizon. */
  freeing: number;
  /** Expected live answers still to come from the calls already dialing. */
  liveToCome: number;
  /** Expected abandon ratio with the new calls placed. */
  expectedAbandonRatio: number;
  horizonMs: number;
}

/** A pmf over consecutive integers starting at `lowest`. */
interface Pmf {
  lowest: number;
  p: Float64Array;
}

/** Probabilities below this are dropped from the ends of a pmf (they cannot move a decision). */
const TAIL = 1e-12;

/** The pmf of X − D for independent X and D ≥ 0 (D's pmf over [from, from + d.length)), without negligible tails. */
function minus(x: Pmf, d: { from: number; pmf: Float64Array }): Pmf {
  const dp = d.pmf;
  let jLo = 0;
  let jHi = dp.length - 1;
  while (jLo < jHi && (dp[jLo] ?? 0) < TAIL) jLo++;
  while (jHi > jLo && (dp[jHi] ?? 0) < TAIL) jHi--;
  if (jLo === jHi && (dp[jLo] ?? 0) > 0.5) return { lowest: x.lowest - d.from - jLo, p: x.p }; // D is a constant
  // Values x − (from + j) for j in [jLo, jHi]: index i − j + jHi in an array starting at x.lowest − from − jHi.
  const out = new Float64Array(x.p.length + jHi - jLo);
  for (let i = 0; i < x.p.length; i++) {
    const xi = x.p[i] ?? 0;
    if (xi < TAIL) continue;
    for (let j = jLo; j <= jHi; j++) out[i - j + jHi] = (out[i - j + jHi] ?? 0) + xi * (dp[j] ?? 0);
  }
  return { lowest: x.lowest - d.from - jHi, p: out };
}

/**
 * @param targetRatio the largest expected abandon ratio allowed.
 * @param maxExpectedAbandons the largest expected number of abandons among the
 *   calls in flight (from the window's room under the cap): early in a window,
 *   when a burst of abandons would push the rate over the cap, this binds
 *   before the ratio does.
 */
export function planPredictive(
  s: PacingSnapshot,
  targetRatio: number,
  settings: PacingSettings,
  maxExpectedAbandons = Number.POSITIVE_INFINITY,
): PredictivePlan {
  const p = Math.min(0.999, Math.max(0.001, s.stats.liveAnswerRate));
  const m = Math.min(1 - p, Math.max(0, s.stats.machineRate));
  const cv = settings.defaultTimeCv;
  const answering = s.callsAnswering ?? 0;
  const liveIfAnswered = p / (p + m);
  const timeToAnswer = s.stats.meanTimeToAnswerMs > 0 ? s.stats.meanTimeToAnswerMs : FALLBACK_TIME_TO_ANSWER_MS;
  const horizonMs = timeToAnswer + settings.agentWithinMs;

  // Probability each busy agent is free within the horizon. A talking agent is
  // free after the rest of the talk *and* a whole wrap-up; one in wrap-up after the rest of it.
  const talkMean = Math.max(1, s.stats.meanTalkMs);
  const wrapMean = Math.max(1, s.stats.meanWrapUpMs);
  const talkDist = lognormalFromMoments(talkMean, s.stats.sdTalkMs ?? talkMean * cv);
  const wrapDist = lognormalFromMoments(wrapMean, s.stats.sdWrapUpMs ?? wrapMean * cv);
  const wrapValues = lognormalQuantiles8(wrapDist);
  const q: number[] = [];
  let freeing = 0;
  for (const agent of s.agentsBusy) {
    const elapsed = Math.max(0, agent.sinceMs);
    const qi = agent.state === 'talking' ? endsWithinThen(talkDist, elapsed, wrapValues, horizonMs) : endsWithin(wrapDist, elapsed, horizonMs);
    freeing += qi;
    if (qi > NEGLIGIBLE) q.push(qi);
  }

  // Calls already dialing: a call that has rung t ms unanswered is live with
  // p·(1 − G(t)) / ((p + m)·(1 − G(t)) + 1 − p − m), G the time-to-answer
  // distribution. Without their ages, each counts at p. Their number of live
  // answers is taken as Binomial(count, mean probability): the same mean and a
  // spread at least as wide as the truth, so the error is on the careful side.
  const dialing = s.callsDialing;
  let pDialing = p;
  const ages = s.dialingSinceMs;
  if (ages && ages.length > 0) {
    const ring = lognormalFromMoments(timeToAnswer, s.stats.sdTimeToAnswerMs ?? timeToAnswer * cv);
    const answered = Math.min(1, p + m);
    let sum = 0;
    for (const age of ages) {
      const still = 1 - lognormalCdf(ring, Math.max(0, age));
      const mass = answered * still + (1 - answered);
      sum += mass > 0 ? (p * still) / mass : 0;
    }
    pDialing = sum / ages.length;
  }
  const liveToCome = dialing * pDialing;

  // Net supply S = (ready − waiting) + Y − La − Ld.
  let supply: Pmf = { lowest: s.agentsReady - s.callsWaitingForAgent, p: poissonBinomialPmf(q) };
  supply = minus(supply, binomialPmfWindow(answering, liveIfAnswered));
  supply = minus(supply, binomialPmfWindow(dialing, pDialing));
  const fixedDemand = answering * liveIfAnswered + s.callsWaitingForAgent + liveToCome;

  // Only P(Ln = l) for l up to the largest supply matters: E[(Ln − s)+] =
  // E[Ln] − s + Σ_{l ≤ s} (s − l)·P(Ln = l).
  const odds = p / (1 - p);
  const evaluate = (n: number): { ratio: number; excess: number } => {
    const expectedLive = n * p + fixedDemand;
    if (expectedLive <= 0) return { ratio: 0, excess: 0 };
    let pl = Math.exp(n * Math.log1p(-p)); // P(Ln = 0)
    let below0 = 0; // Σ_{l ≤ sv} P(Ln = l)
    let below1 = 0; // Σ_{l ≤ sv} l·P(Ln = l)
    let l = 0;
    let excess = 0;
    for (let idx = 0; idx < supply.p.length; idx++) {
      const sv = supply.lowest + idx;
      while (l <= sv && l <= n) {
        below0 += pl;
        below1 += l * pl;
        pl = l < n ? (pl * (n - l) * odds) / (l + 1) : 0;
        l++;
      }
      const ps = supply.p[idx] ?? 0;
      if (ps === 0) continue;
      // For sv < 0 every new live answer and −sv more are unserved.
      excess += ps * (sv < 0 ? n * p - sv : n * p - sv + (sv * below0 - below1));
    }
    return { ratio: excess / expectedLive, excess };
  };
  const fits = (e: { ratio: number; excess: number }): boolean => e.ratio <= targetRatio && e.excess <= maxExpectedAbandons;

  const lineRoom = Math.max(0, settings.maxLines - answering - dialing);
  const optimisticSupply = Math.max(0, s.agentsReady) + q.length + 1;
  let hi = Math.min(lineRoom, Math.ceil((3 * optimisticSupply) / p) + 10);
  let lo = 0;
  const plan = (n: number, e: { ratio: number }): PredictivePlan => ({
    newCalls: n,
    inFlight: dialing + n,
    freeing,
    liveToCome,
    expectedAbandonRatio: e.ratio,
    horizonMs,
  });
  let atLo = evaluate(0);
  if (!fits(atLo)) return plan(0, atLo);
  const atHi = evaluate(hi);
  if (fits(atHi)) return plan(hi, atHi);
  // Invariant: lo fits, hi does not.
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    const e = evaluate(mid);
    if (fits(e)) {
      lo = mid;
      atLo = e;
    } else hi = mid;
  }
  return plan(lo, atLo);
}
