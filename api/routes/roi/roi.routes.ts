import { createRoute, z } from '@hono/zod-openapi';
import { createRouter, type AppContext } from '../../lib/router.js';
import { requireScope, requireUnlocked } from '../../auth/middleware.js';
import { roiReport, type RoiTotals } from '../../domain/roi.js';
import { jsonOk, LocalDate } from '../../lib/schemas.js';
import { addDays } from '../../lib/time.js';
import { dateRangeParams, localToday } from '../metrics/metrics.routes.js';
import { roiTotals } from '../metrics/metrics.queries.js';
import type { RealtimeMetrics } from '../metrics/realtime.js';

const DEFAULT_DAYS = 30;
const MAX_DAYS = 366;

export const RoiAssumptionsSchema = z
  .object({
    revenue_per_booking: z.number().openapi({ description: 'Revenue of one booked appointment.' }),
    minutes_per_conversation: z.number().openapi({ description: 'Minutes a human receptionist spends on one conversation.' }),
    human_hourly_cost: z.number().openapi({ description: 'Hourly cost of a human receptionist.' }),
    ai_cost_per_interaction: z.number().openapi({ description: 'What the AI costs per conversation.' }),
    currency: z.string().openapi({ description: 'ISO 4217 currency of the money figures.', example: 'USD' }),
    business_hours: z
      .object({
        start_hour: z.number().int(),
        end_hour: z.number().int(),
        weekdays: z.array(z.number().int().min(1).max(7)).openapi({ description: 'ISO weekdays, 1 = Monday.' }),
      })
      .openapi({ description: 'Local hours [start_hour, end_hour) on the weekdays; conversations outside them are after-hours.' }),
  })
  .openapi('RoiAssumptions');

const money = (description: string) => z.number().openapi({ description: `${description}, rounded to cents.` });

export const RoiSchema = z
  .object({
    start_date: LocalDate,
    end_date: LocalDate,
    revenue_created: money('appointments_booked × revenue_per_booking'),
    labor_hours_saved: z.number().openapi({ description: '(total_conversations − escalations) × minutes_per_conversation / 60, 2 decimals.' }),
    labor_cost_saved: money('labor_hours_saved × human_hourly_cost'),
    ai_cost: money('total_conversations × ai_cost_per_interaction'),
    cost_per_interaction: money('ai_cost / total_conversations (0 when none)'),
    human_cost: money('total_conversations × minutes_per_conversation / 60 × human_hourly_cost: a human receptionist doing the same work'),
    cost_savings_pct: z.number().openapi({ description: '(human_cost − ai_cost) / human_cost × 100, 2 decimals; 0 when human_cost is 0.' }),
    roi_pct: z.number().openapi({ description: '(revenue_created + labor_cost_saved − ai_cost) / ai_cost × 100, 2 decimals; 0 when ai_cost is 0.' }),
    total_conversations: z.number().int(),
    appointments_booked: z.number().int(),
    after_hours_conversations: z.number().int().openapi({ description: 'Conversation starts outside business hours.' }),
    missed_calls_saved: z.number().int().openapi({ description: 'After-hours calls the AI answered (outcome not `failed`).' }),
    assumptions: RoiAssumptionsSchema,
  })
  .openapi('Roi');

const roi = createRoute({
  method: 'get',
  path: '/roi',
  tags: ['ROI'],
  summary: 'Return on investment over a range of days, with the assumptions used',
  description:
    'Computed from the range’s counts (past days from the daily aggregation, today live) with the tenant’s current ' +
    'assumptions, which the answer states. Default: the last 30 local days, today included. Not for client-locked tokens.',
  middleware: [requireScope('read'), requireUnlocked] as const,
  request: {
    query: z.object({
      start_date: LocalDate.optional().openapi({ description: 'First local day; default 29 days before end_date.' }),
      end_date: LocalDate.optional().openapi({ description: `Last local day, at most ${MAX_DAYS} days after start_date; default today.` }),
    }),
  },
  responses: jsonOk(RoiSchema, 'The ROI of the range.'),
});

/** The ROI route; pass the app's RealtimeMetrics so today's figures are the live ones the metrics routes show. */
export function roiRoutes(ctx: AppContext, live: RealtimeMetrics) {
  return createRouter().openapi(roi, (c) => {
    const tenant = c.get('auth').tenant;
    const today = localToday(ctx, tenant);
    const { start, end } = dateRangeParams(c.req.valid('query'), { defaultEnd: today, defaultDays: DEFAULT_DAYS, maxDays: MAX_DAYS });
    const lastPast = end < today ? end : addDays(today, -1);
    const totals: RoiTotals = roiTotals(ctx.sql, tenant.id, start, lastPast);
    if (start <= today && today <= end) {
      const t = live.snapshot(tenant).today;
      totals.total_conversations += t.total_conversations;
      totals.escalations += t.escalations;
      totals.appointments_booked += t.appointments_booked;
      totals.after_hours_conversations += t.after_hours_conversations;
      totals.missed_calls_saved += t.missed_calls_saved;
    }
    return c.json({ start_date: start, end_date: end, ...roiReport(totals, tenant.roi) }, 200);
  });
}
