/**
 * The KPIs of metrics_daily and of the realtime panel, defined once (SPEC §2, §4.4). Pure: no I/O.
 *
 * Activities are folded into a {@link Tally} (a mergeable reducer state), and a tally is turned
 * into KPIs by {@link finalizeTally}. The daily aggregation job and the realtime service both go
 * through these functions, so a figure means the same wherever it is shown. Days are rolled up
 * into weeks and months by {@link rollUp}.
 *
 * Over a set of activities (one local day, or today so far):
 * - total_activities: every activity.
 * - total_conversations: activities of type `incoming_call`, `incoming_text` or
 *   `outbound_followup` (each conversation starts with exactly one of them).
 * - inbound_calls, inbound_texts, outbound_followups, appointments_booked, faq_answered,
 *   leads_prescreened, crm_updates (`crm_updated`), escalations (`escalated`), errors (`error`),
 *   ai_uncertainty: the number of activities of that action type.
 * - ai_coverage_pct = (total_conversations − escalations) / total_conversations × 100.
 * - booking_rate_pct = appointments_booked / total_conversations × 100.
 * - lead_conversion_pct = leads_prescreened / total_conversations × 100.
 * - avg_confidence: the mean of the non-null confidence_score values.
 * - avg_response_time_ms and p95_response_time_ms: the mean and the nearest-rank 95th percentile
 *   of the non-null response_time_ms values.
 * - after_hours_conversations: conversation starts outside the tenant's business hours
 *   (`business_hours`: [start_hour, end_hour) local time on the listed ISO weekdays, 1 = Monday).
 * - missed_calls_saved: after-hours `incoming_call`s whose outcome_status is not `failed`.
 * - unique_clients: the number of distinct non-null client_id values.
 * - positive_sentiment_pct: positive / conversations with a sentiment, over the conversations
 *   started in the period; null when none has a sentiment.
 * - estimated_revenue = appointments_booked × revenue_per_booking.
 * - labor_hours_saved = (total_conversations − escalations) × minutes_per_conversation / 60.
 * - ai_cost = total_conversations × ai_cost_per_interaction.
 * - cost_per_interaction = ai_cost / total_conversations (0 when none).
 * - roi_pct = (estimated_revenue + labor_hours_saved × human_hourly_cost − ai_cost) / ai_cost × 100
 *   (0 when ai_cost is 0).
 * The money figures use the tenant's ROI assumptions and are computed by {@link moneyFigures}.
 *
 * Percentages of an empty set are 0; averages of an empty set are null. Money is rounded to
 * cents; percentages, hours and milliseconds to 2 decimals; avg_confidence to 4 decimals.
 */
import type { ActionType, OutcomeStatus, RoiAssumptions, Sentiment } from '../db/schema.js';
import { DAY, HOUR, type Zone } from '../lib/time.js';
import { costPerInteraction, moneyFigures, pct, roiPct, round } from './roi.js';

/** The action types that start a conversation; their count is total_conversations. */
export const CONVERSATION_START_TYPES = ['incoming_call', 'incoming_text', 'outbound_followup'] as const satisfies readonly ActionType[];

/** Each per-action-type count column and the action type it counts. */
export const COUNT_COLUMNS = {
  inbound_calls: 'incoming_call',
  inbound_texts: 'incoming_text',
  outbound_followups: 'outbound_followup',
  appointments_booked: 'appointment_booked',
  faq_answered: 'faq_answered',
  leads_prescreened: 'lead_prescreened',
  crm_updates: 'crm_updated',
  escalations: 'escalated',
  errors: 'error',
  ai_uncertainty: 'ai_uncertainty',
} as const satisfies Record<string, ActionType>;

/** The KPIs of a day (a metrics_daily row without its keys), of today so far, or of a period. */
export interface Kpis {
  total_activities: number;
  total_conversations: number;
  inbound_calls: number;
  inbound_texts: number;
  outbound_followups: number;
  appointments_booked: number;
  faq_answered: number;
  leads_prescreened: number;
  crm_updates: number;
  escalations: number;
  errors: number;
  ai_uncertainty: number;
  ai_coverage_pct: number;
  booking_rate_pct: number;
  lead_conversion_pct: number;
  avg_confidence: number | null;
  avg_response_time_ms: number | null;
  p95_response_time_ms: number | null;
  after_hours_conversations: number;
  missed_calls_saved: number;
  unique_clients: number;
  positive_sentiment_pct: number | null;
  estimated_revenue: number;
  labor_hours_saved: number;
  ai_cost: number;
  cost_per_interaction: number;
  roi_pct: number;
}

/** Every KPI, in the order of metrics_daily's columns (and of CSV exports). */
export const KPI_COLUMNS = [
  'total_activities',
  'total_conversations',
  'inbound_calls',
  'inbound_texts',
  'outbound_followups',
  'appointments_booked',
  'faq_answered',
  'leads_prescreened',
  'crm_updates',
  'escalations',
  'errors',
  'ai_uncertainty',
  'ai_coverage_pct',
  'booking_rate_pct',
  'lead_conversion_pct',
  'avg_confidence',
  'avg_response_time_ms',
  'p95_response_time_ms',
  'after_hours_conversations',
  'missed_calls_saved',
  'unique_clients',
  'positive_sentiment_pct',
  'estimated_revenue',
  'labor_hours_saved',
  'ai_cost',
  'cost_per_interaction',
  'roi_pct',
] as const satisfies readonly (keyof Kpis)[];

/** The columns of an activity the KPIs read (a stored or newly inserted activity row has them). */
export interface TallyActivity {
  timestamp: number;
  action_type: ActionType;
  outcome_status: OutcomeStatus;
  confidence_score?: number | null;
  response_time_ms?: number | null;
  client_id?: string | null;
}

export type BusinessHours = RoiAssumptions['business_hours'];

/** What folding an activity needs besides the activity: where the tenant is and when it is open. */
export interface TallyContext {
  zone: Zone;
  business_hours: BusinessHours;
}

/**
 * Response times are also counted in a fixed histogram of logarithmic buckets, 8 per doubling
 * (each about 9 % wide): bucket 0 holds values under 1 ms, bucket i ≥ 1 holds
 * [2^((i−1)/8), 2^(i/8)) ms, and the last one everything from about 17 minutes up. Histograms
 * merge by addition, so a percentile of any union of tallies is available without the values.
 */
const BUCKETS_PER_DOUBLING = 8;
const HISTOGRAM_SIZE = 1 + BUCKETS_PER_DOUBLING * 20;

function bucketOf(ms: number): number {
  return ms < 1 ? 0 : Math.min(HISTOGRAM_SIZE - 1, 1 + Math.floor(Math.log2(ms) * BUCKETS_PER_DOUBLING));
}

/** A bucket's geometric midpoint. */
function bucketValue(i: number): number {
  return i === 0 ? 0 : 2 ** ((i - 0.5) / BUCKETS_PER_DOUBLING);
}

/**
 * The running state the KPIs are computed from. Tallies are mutable (folding a million
 * activities must not allocate a million objects) and merge by addition, except `clients`, which
 * merges by union.
 */
export interface Tally {
  total_activities: number;
  counts: Record<ActionType, number>;
  confidence_sum: number;
  confidence_n: number;
  response_sum: number;
  response_n: number;
  response_min: number;
  response_max: number;
  /** Response times per bucket; allocated with the first one. */
  response_histogram: Uint32Array | null;
  /** Every response time, kept only by an exact tally so its p95 is the exact nearest rank. */
  response_values: number[] | null;
  after_hours_conversations: number;
  missed_calls_saved: number;
  clients: Set<string>;
  /** Conversations started in the period that have a sentiment, and how many of them are positive. */
  rated_conversations: number;
  positive_conversations: number;
}

/**
 * A tally of nothing. `exact` keeps every response time so the p95 is the exact nearest rank
 * (the daily job); without it the p95 is read from the histogram (the realtime service).
 */
export function emptyTally(options: { exact?: boolean } = {}): Tally {
  return {
    total_activities: 0,
    counts: {
      incoming_call: 0,
      incoming_text: 0,
      outbound_followup: 0,
      appointment_booked: 0,
      faq_answered: 0,
      lead_prescreened: 0,
      crm_updated: 0,
      escalated: 0,
      ai_uncertainty: 0,
      error: 0,
    },
    confidence_sum: 0,
    confidence_n: 0,
    response_sum: 0,
    response_n: 0,
    response_min: Infinity,
    response_max: -Infinity,
    response_histogram: null,
    response_values: options.exact ? [] : null,
    after_hours_conversations: 0,
    missed_calls_saved: 0,
    clients: new Set(),
    rated_conversations: 0,
    positive_conversations: 0,
  };
}

const CONVERSATION_STARTS: ReadonlySet<ActionType> = new Set(CONVERSATION_START_TYPES);

export function isConversationStart(type: ActionType): boolean {
  return CONVERSATION_STARTS.has(type);
}

/**
 * Whether an instant falls within business hours: its local hour is in [start_hour, end_hour)
 * on one of the listed ISO weekdays. 9:00 is inside a 9–17 day; 17:00 is not.
 */
export function isBusinessHours(ms: number, zone: Zone, hours: BusinessHours): boolean {
  const wall = zone.wall(ms);
  const day = Math.floor(wall / DAY);
  // 1970-01-01 was a Thursday (ISO weekday 4).
  const weekday = ((((day + 3) % 7) + 7) % 7) + 1;
  if (!hours.weekdays.includes(weekday)) return false;
  const hour = Math.floor((wall - day * DAY) / HOUR);
  return hour >= hours.start_hour && hour < hours.end_hour;
}

/** Folds one activity into a tally (mutating it) and returns the tally. */
export function addToTally(t: Tally, a: TallyActivity, ctx: TallyContext): Tally {
  t.total_activities++;
  t.counts[a.action_type]++;
  if (isConversationStart(a.action_type) && !isBusinessHours(a.timestamp, ctx.zone, ctx.business_hours)) {
    t.after_hours_conversations++;
    if (a.action_type === 'incoming_call' && a.outcome_status !== 'failed') t.missed_calls_saved++;
  }
  if (a.confidence_score != null) {
    t.confidence_sum += a.confidence_score;
    t.confidence_n++;
  }
  const rt = a.response_time_ms;
  if (rt != null) {
    t.response_sum += rt;
    t.response_n++;
    if (rt < t.response_min) t.response_min = rt;
    if (rt > t.response_max) t.response_max = rt;
    (t.response_histogram ??= new Uint32Array(HISTOGRAM_SIZE))[bucketOf(rt)]!++;
    t.response_values?.push(rt);
  }
  if (a.client_id != null) t.clients.add(a.client_id);
  return t;
}

/** Folds one conversation started in the period (only its sentiment matters) into a tally. */
export function addConversationToTally(t: Tally, sentiment: Sentiment | null): Tally {
  if (sentiment !== null) {
    t.rated_conversations++;
    if (sentiment === 'positive') t.positive_conversations++;
  }
  return t;
}

/**
 * Adds `from` into `into` (mutating `into`) and returns `into`. The result keeps exact response
 * times only if both did.
 */
export function mergeTallies(into: Tally, from: Tally): Tally {
  into.total_activities += from.total_activities;
  for (const type in from.counts) into.counts[type as ActionType] += from.counts[type as ActionType];
  into.confidence_sum += from.confidence_sum;
  into.confidence_n += from.confidence_n;
  into.response_sum += from.response_sum;
  into.response_n += from.response_n;
  into.response_min = Math.min(into.response_min, from.response_min);
  into.response_max = Math.max(into.response_max, from.response_max);
  if (from.response_histogram) {
    const h = (into.response_histogram ??= new Uint32Array(HISTOGRAM_SIZE));
    for (let i = 0; i < HISTOGRAM_SIZE; i++) h[i]! += from.response_histogram[i]!;
  }
  if (into.response_values) {
    if (from.response_values) for (const v of from.response_values) into.response_values.push(v);
    else into.response_values = null;
  }
  into.after_hours_conversations += from.after_hours_conversations;
  into.missed_calls_saved += from.missed_calls_saved;
  for (const c of from.clients) into.clients.add(c);
  into.rated_conversations += from.rated_conversations;
  into.positive_conversations += from.positive_conversations;
  return into;
}

/** The nearest-rank percentile: the smallest value with at least p × n values at or below it. */
export function nearestRank(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1]!;
}

/**
 * The p95 of a tally's response times: exact (nearest rank) when the tally kept them, else the
 * midpoint of the histogram bucket holding that rank, clamped to the observed minimum and maximum
 * (within about 5 % of the exact value).
 */
function p95(t: Tally): number | null {
  if (t.response_n === 0) return null;
  if (t.response_values) return nearestRank(t.response_values, 0.95);
  const rank = Math.max(1, Math.ceil(0.95 * t.response_n));
  let seen = 0;
  for (let i = 0; i < HISTOGRAM_SIZE; i++) {
    seen += t.response_histogram![i]!;
    if (seen >= rank) return round(Math.min(t.response_max, Math.max(t.response_min, bucketValue(i))));
  }
  return t.response_max;
}

/** The KPIs of a tally, with the money figures under the given assumptions (see the module's JSDoc). */
export function finalizeTally(t: Tally, assumptions: RoiAssumptions): Kpis {
  const c = t.counts;
  let conversations = 0;
  for (const type of CONVERSATION_START_TYPES) conversations += c[type];
  return {
    total_activities: t.total_activities,
    total_conversations: conversations,
    inbound_calls: c.incoming_call,
    inbound_texts: c.incoming_text,
    outbound_followups: c.outbound_followup,
    appointments_booked: c.appointment_booked,
    faq_answered: c.faq_answered,
    leads_prescreened: c.lead_prescreened,
    crm_updates: c.crm_updated,
    escalations: c.escalated,
    errors: c.error,
    ai_uncertainty: c.ai_uncertainty,
    ai_coverage_pct: pct(conversations - c.escalated, conversations),
    booking_rate_pct: pct(c.appointment_booked, conversations),
    lead_conversion_pct: pct(c.lead_prescreened, conversations),
    avg_confidence: t.confidence_n === 0 ? null : round(t.confidence_sum / t.confidence_n, 4),
    avg_response_time_ms: t.response_n === 0 ? null : round(t.response_sum / t.response_n),
    p95_response_time_ms: p95(t),
    after_hours_conversations: t.after_hours_conversations,
    missed_calls_saved: t.missed_calls_saved,
    unique_clients: t.clients.size,
    positive_sentiment_pct: t.rated_conversations === 0 ? null : pct(t.positive_conversations, t.rated_conversations),
    ...moneyFigures(
      { total_conversations: conversations, escalations: c.escalated, appointments_booked: c.appointment_booked },
      assumptions,
    ),
  };
}

/** The KPIs of an empty period. */
export function emptyKpis(assumptions: RoiAssumptions): Kpis {
  return finalizeTally(emptyTally(), assumptions);
}

const SUMMED_COLUMNS = [
  'total_activities',
  'total_conversations',
  ...(Object.keys(COUNT_COLUMNS) as (keyof typeof COUNT_COLUMNS)[]),
  'after_hours_conversations',
  'missed_calls_saved',
  'unique_clients',
  'estimated_revenue',
  'labor_hours_saved',
  'ai_cost',
] as const satisfies readonly (keyof Kpis)[];

/** Mean of the non-null values, weighted; null when no value has weight. */
function weightedMean(rows: readonly Kpis[], value: (k: Kpis) => number | null, weight: (k: Kpis) => number): number | null {
  let sum = 0;
  let total = 0;
  for (const r of rows) {
    const v = value(r);
    if (v === null) continue;
    sum += v * weight(r);
    total += weight(r);
  }
  return total === 0 ? null : sum / total;
}

/**
 * Rolls days up into one period (a week, a month). From the days' KPIs:
 * - counts are summed, and so are estimated_revenue, labor_hours_saved and ai_cost;
 * - ai_coverage_pct, booking_rate_pct and lead_conversion_pct are recomputed from the sums;
 * - avg_confidence and avg_response_time_ms are the days' means weighted by total_activities;
 * - positive_sentiment_pct is the days' weighted by total_conversations (the number of rated
 *   conversations is not kept per day);
 * - p95_response_time_ms is the largest of the days' p95s: an upper bound of the period's p95;
 * - unique_clients is summed, so it counts client-days (a client seen on two days counts twice);
 * - cost_per_interaction and roi_pct are recomputed from the summed money, roi_pct with the
 *   given assumptions' human_hourly_cost.
 */
export function rollUp(days: readonly Kpis[], assumptions: RoiAssumptions): Kpis {
  const sum = Object.fromEntries(SUMMED_COLUMNS.map((k) => [k, 0])) as Record<(typeof SUMMED_COLUMNS)[number], number>;
  let p95Max: number | null = null;
  for (const d of days) {
    for (const k of SUMMED_COLUMNS) sum[k] += d[k];
    if (d.p95_response_time_ms !== null) p95Max = Math.max(p95Max ?? 0, d.p95_response_time_ms);
  }
  const byActivities = (k: Kpis) => k.total_activities;
  const confidence = weightedMean(days, (k) => k.avg_confidence, byActivities);
  const responseTime = weightedMean(days, (k) => k.avg_response_time_ms, byActivities);
  const sentiment = weightedMean(days, (k) => k.positive_sentiment_pct, (k) => k.total_conversations);
  const conversations = sum.total_conversations;
  return {
    ...sum,
    estimated_revenue: round(sum.estimated_revenue),
    labor_hours_saved: round(sum.labor_hours_saved),
    ai_cost: round(sum.ai_cost),
    ai_coverage_pct: pct(conversations - sum.escalations, conversations),
    booking_rate_pct: pct(sum.appointments_booked, conversations),
    lead_conversion_pct: pct(sum.leads_prescreened, conversations),
    avg_confidence: confidence === null ? null : round(confidence, 4),
    avg_response_time_ms: responseTime === null ? null : round(responseTime),
    p95_response_time_ms: p95Max,
    positive_sentiment_pct: sentiment === null ? null : round(sentiment),
    cost_per_interaction: costPerInteraction(sum.ai_cost, conversations),
    roi_pct: roiPct(sum.estimated_revenue, sum.labor_hours_saved, sum.ai_cost, assumptions),
  };
}
