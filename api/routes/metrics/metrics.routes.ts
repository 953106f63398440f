import { createRoute, z } from '@hono/zod-openapi';
import { createRouter, type AppContext } from '../../lib/router.js';
import { requireScope, requireUnlocked } from '../../auth/middleware.js';
import { KPI_COLUMNS } from '../../domain/metrics.js';
import { csvResponse, toCsv } from '../../lib/csv.js';
import { invalidField } from '../../lib/problem.js';
import { Format, jsonOk, jsonOrCsvOk, LocalDate } from '../../lib/schemas.js';
import { addDays, daysBetween, zone } from '../../lib/time.js';
import { hourlySeries, metricsSeries, type MetricsTenant } from './metrics.queries.js';
import type { RealtimeMetrics } from './realtime.js';

const JSON_CONTENT = { 'content-type': 'application/json' };
const count = (description: string) => z.number().int().openapi({ description });
const pctOf = (description: string) => z.number().openapi({ description: `${description} × 100, 2 decimals; 0 when there are no conversations.` });
const money = (description: string) => z.number().openapi({ description: `${description}, in the assumptions' currency, rounded to cents.` });

/** The KPIs; the definitions are those of api/domain/metrics.ts. */
export const KpisSchema = z
  .object({
    total_activities: count('Every activity.'),
    total_conversations: count('Conversation starts: `incoming_call` + `incoming_text` + `outbound_followup` activities.'),
    inbound_calls: count('`incoming_call` activities.'),
    inbound_texts: count('`incoming_text` activities.'),
    outbound_followups: count('`outbound_followup` activities.'),
    appointments_booked: count('`appointment_booked` activities.'),
    faq_answered: count('`faq_answered` activities.'),
    leads_prescreened: count('`lead_prescreened` activities.'),
    crm_updates: count('`crm_updated` activities.'),
    escalations: count('`escalated` activities.'),
    errors: count('`error` activities.'),
    ai_uncertainty: count('`ai_uncertainty` activities.'),
    ai_coverage_pct: pctOf('(total_conversations − escalations) / total_conversations'),
    booking_rate_pct: pctOf('appointments_booked / total_conversations'),
    lead_conversion_pct: pctOf('leads_prescreened / total_conversations'),
    avg_confidence: z.number().nullable().openapi({ description: 'Mean of the non-null confidence scores (0–1); null if none.' }),
    avg_response_time_ms: z.number().nullable().openapi({ description: 'Mean of the non-null response times; null if none.' }),
    p95_response_time_ms: z.number().nullable().openapi({
      description:
        'Nearest-rank 95th percentile of the non-null response times; approximate (log-bucket histogram) for today, ' +
        'and in weeks and months the largest daily p95 (an upper bound). Null if none.',
    }),
    after_hours_conversations: count('Conversation starts outside the tenant’s business hours (local time).'),
    missed_calls_saved: count('After-hours `incoming_call`s whose outcome is not `failed`.'),
    unique_clients: count('Distinct client ids; in weeks and months the sum of the days’ (client-days).'),
    positive_sentiment_pct: z.number().nullable().openapi({
      description: 'Positive / conversations with a sentiment × 100, over the conversations started in the period; null if none.',
    }),
    estimated_revenue: money('appointments_booked × revenue_per_booking'),
    labor_hours_saved: z.number().openapi({ description: '(total_conversations − escalations) × minutes_per_conversation / 60, 2 decimals.' }),
    ai_cost: money('total_conversations × ai_cost_per_interaction'),
    cost_per_interaction: money('ai_cost / total_conversations (0 when none)'),
    roi_pct: z.number().openapi({
      description: '(estimated_revenue + labor_hours_saved × human_hourly_cost − ai_cost) / ai_cost × 100, 2 decimals; 0 when ai_cost is 0.',
    }),
  })
  .openapi('Kpis');

export const PeriodSchema = KpisSchema.extend({
  period_start: LocalDate,
  period_end: LocalDate,
}).openapi('MetricsPeriod');

const RealtimeSchema = z
  .object({
    date: LocalDate,
    as_of: z.string().openapi({ format: 'date-time', description: 'The instant the figures are for.' }),
    today: KpisSchema.openapi({ description: 'The tenant’s local day so far.' }),
    yesterday_same_time: KpisSchema.openapi({ description: 'Yesterday from local midnight to the start of the same wall-clock minute.' }),
  })
  .openapi('RealtimeMetrics');

export const HourlyRowSchema = z
  .object({
    hour_start: z.string().openapi({ format: 'date-time' }),
    local_date: LocalDate,
    local_hour: z.number().int().min(0).max(23).openapi({ description: 'A 25-hour day has two rows with the repeated hour.' }),
    conversations: count('Conversation starts.'),
    bookings: count('`appointment_booked` activities.'),
    escalations: count('`escalated` activities.'),
    avg_response_time_ms: z.number().nullable().openapi({ description: 'Mean of the non-null response times; null if none.' }),
  })
  .openapi('HourlyMetrics');

const MAX_DAILY_DAYS = 366;
const DEFAULT_DAILY_DAYS = 14;
const MAX_HOURLY_DAYS = 31;

const GRANULARITIES = ['day', 'week', 'month'] as const;
const CSV_NAMES = { day: 'daily', week: 'weekly', month: 'monthly' } as const;

/** The tenant's local date now. */
export function localToday(ctx: AppContext, tenant: MetricsTenant): string {
  return zone(tenant.timezone).localDate(ctx.clock());
}

/**
 * Resolves `start_date`/`end_date`: `end_date` defaults to `defaultEnd`, `start_date` to
 * `defaultDays` days ending at `end_date`. 400 naming `end_date` when it is before `start_date`
 * or the range spans more than `maxDays` days.
 */
export function dateRangeParams(
  q: { start_date?: string; end_date?: string },
  options: { defaultEnd: string; defaultDays: number; maxDays: number },
): { start: string; end: string } {
  const end = q.end_date ?? options.defaultEnd;
  const start = q.start_date ?? addDays(end, 1 - options.defaultDays);
  if (end < start) throw invalidField('end_date', 'must not be before start_date');
  if (daysBetween(start, end) + 1 > options.maxDays) throw invalidField('end_date', `the range may span at most ${options.maxDays} days`);
  return { start, end };
}

const realtime = createRoute({
  method: 'get',
  path: '/metrics/realtime',
  tags: ['Metrics'],
  summary: 'Today so far, and yesterday up to the same time',
  description:
    'Today’s KPIs in the tenant’s time zone, kept up to date as activities arrive, with the same figures for yesterday ' +
    'from local midnight to the same wall-clock minute (for trend arrows). Not for client-locked tokens.',
  middleware: [requireScope('read'), requireUnlocked] as const,
  responses: jsonOk(RealtimeSchema, 'The realtime figures.'),
});

const daily = createRoute({
  method: 'get',
  path: '/metrics/daily',
  tags: ['Metrics'],
  summary: 'KPIs per day, ISO week or calendar month',
  description:
    'Past days from the daily aggregation, today live. Weeks and months are rolled up from days: counts and money summed, ' +
    'percentages recomputed from the sums, averages weighted by activities, p95 an upper bound. Not for client-locked tokens.',
  middleware: [requireScope('read'), requireUnlocked] as const,
  request: {
    query: z.object({
      start_date: LocalDate.optional().openapi({ description: 'First local day; default 13 days before end_date.' }),
      end_date: LocalDate.optional().openapi({ description: `Last local day, at most ${MAX_DAILY_DAYS} days after start_date; default today.` }),
      granularity: z.enum(GRANULARITIES).default('day').openapi({ description: 'One row per day, ISO week (from Monday) or calendar month.' }),
      format: Format,
    }),
  },
  responses: jsonOrCsvOk(
    z
      .object({
        granularity: z.enum(GRANULARITIES),
        start_date: LocalDate,
        end_date: LocalDate,
        data: z.array(PeriodSchema),
      })
      .openapi('MetricsSeries'),
    'One row per period that has data, clipped to the range.',
  ),
});

const hourly = createRoute({
  method: 'get',
  path: '/metrics/hourly',
  tags: ['Metrics'],
  summary: 'Conversations, bookings, escalations and response time per local hour',
  description: 'For one day (`date`, default today) or a range of at most 31 days. Not for client-locked tokens.',
  middleware: [requireScope('read'), requireUnlocked] as const,
  request: {
    query: z.object({
      date: LocalDate.optional().openapi({ description: 'One local day; not with start_date or end_date.' }),
      start_date: LocalDate.optional().openapi({ description: 'First local day; default end_date.' }),
      end_date: LocalDate.optional().openapi({ description: `Last local day, at most ${MAX_HOURLY_DAYS} days after start_date; default start_date.` }),
    }),
  },
  responses: jsonOk(
    z
      .object({
        timezone: z.string(),
        start_date: LocalDate,
        end_date: LocalDate,
        data: z.array(HourlyRowSchema),
      })
      .openapi('HourlySeries'),
    'Every local hour of the days, empty ones included.',
  ),
});

/** The metrics routes; pass the app's RealtimeMetrics so the ROI route and ingest share it. */
export function metricsRoutes(ctx: AppContext, live: RealtimeMetrics) {
  return createRouter()
    .openapi(realtime, (c) => c.body(live.snapshotJson(c.get('auth').tenant), 200, JSON_CONTENT) as never)
    .openapi(daily, (c) => {
      const q = c.req.valid('query');
      const tenant = c.get('auth').tenant;
      const today = localToday(ctx, tenant);
      const { start, end } = dateRangeParams(q, { defaultEnd: today, defaultDays: DEFAULT_DAILY_DAYS, maxDays: MAX_DAILY_DAYS });
      const data = metricsSeries(ctx.sql, tenant, { start, end, granularity: q.granularity }, { date: today, kpis: () => live.snapshot(tenant).today });
      if (q.format === 'csv') {
        return csvResponse(toCsv(data, ['period_start', 'period_end', ...KPI_COLUMNS]), `metrics-${CSV_NAMES[q.granularity]}-${start}-${end}.csv`);
      }
      return c.json({ granularity: q.granularity, start_date: start, end_date: end, data }, 200);
    })
    .openapi(hourly, (c) => {
      const q = c.req.valid('query');
      const tenant = c.get('auth').tenant;
      if (q.date !== undefined && (q.start_date !== undefined || q.end_date !== undefined)) {
        throw invalidField('date', 'cannot be combined with start_date or end_date');
      }
      // One of start_date and end_date alone is that one day.
      const { start, end } = dateRangeParams(
        { start_date: q.start_date ?? q.end_date, end_date: q.end_date ?? q.start_date },
        { defaultEnd: q.date ?? localToday(ctx, tenant), defaultDays: 1, maxDays: MAX_HOURLY_DAYS },
      );
      return c.json({ timezone: tenant.timezone, start_date: start, end_date: end, data: hourlySeries(ctx.sql, tenant, start, end) }, 200);
    });
}
