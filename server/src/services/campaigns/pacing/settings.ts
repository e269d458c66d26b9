// Tuning knobs of the pacing algorithm. Defaults were chosen with the pacing
// simulator (docs/campaigns-pacing.md has the runs); a site rarely changes them.

export interface PacingSettings {
  /**
   * The long-run abandon rate aimed at, as a share of the cap (0.7 × 3% =
   * 2.1%). The predictive model picks the most calls whose expected abandon
   * ratio stays under a per-decision target; that target starts here and is
   * calibrated against what the window really measured (see `maxCalibration`).
   */
  targetShareOfCap: number;
  /**
   * How far the calibration may scale the per-decision target (both ways):
   * the model's ratio is an approximation (it treats the horizon as one
   * instant and each decision apart), and the window says by how much it errs
   * for this campaign.
   */
  maxCalibration: number;
  /**
   * Exponent of the calibration: target × (aimed / measured)^strength. Above 1
   * because the realized rate moves less than the per-decision target does.
   */
  calibrationStrength: number;
  /**
   * Pseudo-answers at the aimed rate added to the window before calibrating,
   * so a young window (few answers) barely moves the target.
   */
  calibrationPriorAnswers: number;
  /**
   * When the compliance window's abandon rate passes this share of the cap the
   * governor starts shrinking the target (linearly to 0 at the cap, where the
   * dialer is progressive: never more calls than free agents).
   */
  slowdownAt: number;
  /**
   * Predictive dialing needs room for this many more abandons under the cap
   * (cap × live answered − abandoned in the window); with less, progressive.
   * It covers the calls already in flight when the governor trips, and keeps
   * the first live answers of a window (when one abandon is a big share)
   * progressive.
   */
  reserveAbandons: number;
  /** Fewer measured attempts than this → progressive (the rates are still noise). */
  minAttempts: number;
  /** A live answer must reach an agent within this time or it is an abandon (ms). */
  agentWithinMs: number;
  /**
   * Coefficient of variation assumed for talk and wrap-up times when the stats
   * carry no standard deviation (sd / mean).
   */
  defaultTimeCv: number;
  /** Lines the campaign may hold at once (dialing + answering); Infinity = no limit. */
  maxLines: number;
}

export const defaultPacingSettings: Readonly<PacingSettings> = Object.freeze({
  targetShareOfCap: 0.7,
  maxCalibration: 4,
  calibrationStrength: 3,
  calibrationPriorAnswers: 300,
  slowdownAt: 0.8,
  reserveAbandons: 2,
  minAttempts: 50,
  agentWithinMs: 2000,
  defaultTimeCv: 0.5,
  maxLines: Number.POSITIVE_INFINITY,
});

export function resolvePacingSettings(settings?: Partial<PacingSettings>): PacingSettings {
  return { ...defaultPacingSettings, ...settings };
}
