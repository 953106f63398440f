/**
 * Return on investment of the AI receptionist (SPEC §4.5): what its work earned and saved against
 * what it cost, under a tenant's assumptions. Pure functions, no I/O.
 */
import type { RoiAssumptions } from '../db/schema.js';

/** Rounds half away from zero to `digits` decimals (money: 2, i.e. cents), without −0. */
export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return (Math.sign(value) * Math.round(Math.abs(value) * f * (1 + Number.EPSILON))) / f || 0;
}

/** `part / whole × 100`, rounded to 2 decimals; 0 when `whole` is 0. */
export function pct(part: number, whole: number): number {
  return whole === 0 ? 0 : round((part / whole) * 100);
}

/** The counts a period's money figures are computed from. */
export interface RoiCounts {
  total_conversations: number;
  escalations: number;
  appointments_booked: number;
}

/** The money columns of a metrics_daily row. */
export interface MoneyFigures {
  estimated_revenue: number;
  labor_hours_saved: number;
  ai_cost: number;
  cost_per_interaction: number;
  roi_pct: number;
}

/**
 * roi_pct = (estimated_revenue + labor_hours_saved × human_hourly_cost − ai_cost) / ai_cost × 100,
 * rounded to 2 decimals; 0 when ai_cost is 0.
 */
export function roiPct(estimatedRevenue: number, laborHoursSaved: number, aiCost: number, a: RoiAssumptions): number {
  return aiCost === 0 ? 0 : round(((estimatedRevenue + laborHoursSaved * a.human_hourly_cost - aiCost) / aiCost) * 100);
}

/** cost_per_interaction = ai_cost / total_conversations, in cents; 0 when there were none. */
export function costPerInteraction(aiCost: number, totalConversations: number): number {
  return totalConversations === 0 ? 0 : round(aiCost / totalConversations);
}

/**
 * The money figures of a set of activities:
 * - estimated_revenue = appointments_booked × revenue_per_booking
 * - labor_hours_saved = (total_conversations − escalations) × minutes_per_conversation / 60
 * - ai_cost = total_conversations × ai_cost_per_interaction
 * - cost_per_interaction = ai_cost / total_conversations (0 when none)
 * - roi_pct as in {@link roiPct}
 *
 * Money is rounded to cents and hours to 2 decimals; roi_pct is computed before rounding.
 */
export function moneyFigures(c: RoiCounts, a: RoiAssumptions): MoneyFigures {
  const revenue = c.appointments_booked * a.revenue_per_booking;
  const hours = ((c.total_conversations - c.escalations) * a.minutes_per_conversation) / 60;
  const aiCost = c.total_conversations * a.ai_cost_per_interaction;
  return {
    estimated_revenue: round(revenue),
    labor_hours_saved: round(hours),
    ai_cost: round(aiCost),
    cost_per_interaction: costPerInteraction(aiCost, c.total_conversations),
    roi_pct: roiPct(revenue, hours, aiCost, a),
  };
}

/** What the ROI report is computed from: a period's counts. */
export interface RoiTotals extends RoiCounts {
  after_hours_conversations: number;
  missed_calls_saved: number;
}

/** The ROI report of a period (GET /roi), without its dates. */
export interface RoiReport {
  revenue_created: number;
  labor_hours_saved: number;
  labor_cost_saved: number;
  ai_cost: number;
  cost_per_interaction: number;
  human_cost: number;
  cost_savings_pct: number;
  roi_pct: number;
  total_conversations: number;
  appointments_booked: number;
  after_hours_conversations: number;
  missed_calls_saved: number;
  assumptions: RoiAssumptions;
}

/**
 * The ROI of a period, computed from its counts with the given assumptions, so every figure
 * matches the assumptions the answer states:
 * - revenue_created = appointments_booked × revenue_per_booking
 * - labor_hours_saved = (total_conversations − escalations) × minutes_per_conversation / 60
 * - labor_cost_saved = labor_hours_saved × human_hourly_cost
 * - ai_cost = total_conversations × ai_cost_per_interaction
 * - cost_per_interaction = ai_cost / total_conversations (0 when none)
 * - human_cost = total_conversations × minutes_per_conversation / 60 × human_hourly_cost: a human
 *   receptionist doing the same work
 * - cost_savings_pct = (human_cost − ai_cost) / human_cost × 100 (0 when human_cost is 0)
 * - roi_pct = (revenue_created + labor_cost_saved − ai_cost) / ai_cost × 100 (0 when ai_cost is 0)
 *
 * Money is rounded to cents, hours and percentages to 2 decimals, each from unrounded inputs.
 */
export function roiReport(t: RoiTotals, a: RoiAssumptions): RoiReport {
  const revenue = t.appointments_booked * a.revenue_per_booking;
  const hours = ((t.total_conversations - t.escalations) * a.minutes_per_conversation) / 60;
  const aiCost = t.total_conversations * a.ai_cost_per_interaction;
  const humanCost = ((t.total_conversations * a.minutes_per_conversation) / 60) * a.human_hourly_cost;
  return {
    revenue_created: round(revenue),
    labor_hours_saved: round(hours),
    labor_cost_saved: round(hours * a.human_hourly_cost),
    ai_cost: round(aiCost),
    cost_per_interaction: costPerInteraction(aiCost, t.total_conversations),
    human_cost: round(humanCost),
    cost_savings_pct: humanCost === 0 ? 0 : round(((humanCost - aiCost) / humanCost) * 100),
    roi_pct: roiPct(revenue, hours, aiCost, a),
    total_conversations: t.total_conversations,
    appointments_booked: t.appointments_booked,
    after_hours_conversations: t.after_hours_conversations,
    missed_calls_saved: t.missed_calls_saved,
    assumptions: a,
  };
}
