/**
 * Skill scoring (SPEC §4.6). Pure: no I/O.
 *
 * A skill's accuracy is success / (success + failed) over the activities that name it; activities
 * that neither succeeded nor failed (escalated, pending) are not samples. Windows end at `now`:
 * - accuracy_score: the last 30 days;
 * - accuracy_score_7day: the last 7 days;
 * - trend: the 7-day accuracy minus the accuracy of the 7 days before (null if either is empty);
 * - needs_retraining: 7-day accuracy below 0.75, or a trend of −0.10 (ten points) or worse.
 * Scores are rounded to 4 decimals, and the retraining rule reads the rounded figures, so what the
 * panel shows always agrees with the flag.
 */
import type { ActionType } from '../db/schema.js';

export interface SkillSample {
  timestamp: number;
  success: boolean;
  /** How many identical samples this one stands for (default 1): counts grouped in SQL. */
  count?: number;
}

export interface SkillScore {
  accuracy_score: number | null;
  accuracy_score_7day: number | null;
  trend: number | null;
  needs_retraining: boolean;
}

export const RETRAIN_BELOW_ACCURACY = 0.75;
export const RETRAIN_AT_DROP = 0.1;

const DAY_MS = 86_400_000;

const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

export function scoreSkill(samples: readonly SkillSample[], now: number): SkillScore {
  let ok30 = 0, n30 = 0, ok7 = 0, n7 = 0, okPrev = 0, nPrev = 0;
  for (const { timestamp, success, count = 1 } of samples) {
    const age = now - timestamp;
    if (age < 0 || age >= 30 * DAY_MS) continue;
    const hit = success ? count : 0;
    ok30 += hit;
    n30 += count;
    if (age < 7 * DAY_MS) {
      ok7 += hit;
      n7 += count;
    } else if (age < 14 * DAY_MS) {
      okPrev += hit;
      nPrev += count;
    }
  }
  const accuracy7 = n7 ? ok7 / n7 : null;
  const accuracyPrev = nPrev ? okPrev / nPrev : null;
  const score: SkillScore = {
    accuracy_score: n30 ? round4(ok30 / n30) : null,
    accuracy_score_7day: accuracy7 === null ? null : round4(accuracy7),
    trend: accuracy7 === null || accuracyPrev === null ? null : round4(accuracy7 - accuracyPrev),
    needs_retraining: false,
  };
  score.needs_retraining =
    (score.accuracy_score_7day !== null && score.accuracy_score_7day < RETRAIN_BELOW_ACCURACY) ||
    (score.trend !== null && score.trend <= -RETRAIN_AT_DROP);
  return score;
}

/** Categories a skill first seen in activities gets, from what its activities did. */
const CATEGORY_OF_ACTION: Partial<Record<ActionType, string>> = {
  appointment_booked: 'scheduling',
  lead_prescreened: 'sales',
  escalated: 'support',
  crm_updated: 'support',
  outbound_followup: 'support',
  faq_answered: 'general',
  incoming_call: 'general',
  incoming_text: 'general',
};

/**
 * The category of a skill without one: that of the action its activities perform most often
 * (ties to the first in CATEGORY_OF_ACTION's order). Errors and uncertainty say what went wrong,
 * not what the skill does, so they do not vote; without a vote the skill is `general`.
 */
export function skillCategory(actionCounts: ReadonlyMap<ActionType, number>): string {
  let best: string = 'general';
  let most = 0;
  for (const [action, category] of Object.entries(CATEGORY_OF_ACTION) as [ActionType, string][]) {
    const n = actionCounts.get(action) ?? 0;
    if (n > most) {
      most = n;
      best = category;
    }
  }
  return best;
}
