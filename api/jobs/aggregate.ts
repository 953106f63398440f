/**
 * Daily aggregation (SPEC §4.6): one metrics_daily row per tenant and local day, computed from
 * that day's activities and conversations with the same definitions as the realtime figures
 * (api/domain/metrics.ts). Idempotent: re-running a day rewrites the same figures, and leaves the
 * row (computed_at included) untouched when nothing changed.
 *
 * The scheduled job (`dailyAggregationJob`) does what is due rather than waking at each tenant's
 * midnight: every few minutes, and at start-up, it aggregates for each tenant every closed local
 * day after its latest metrics_daily row (or from its first activity), up to yesterday and at
 * most a year back. So a day is aggregated within minutes of the tenant's local midnight, and days
 * missed while the server was down are caught up when it starts. During the first hours of a day
 * the previous day is aggregated again on each run, for conversations reported after midnight.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { roiAssumptions } from '../auth/principal.js';
import type { Db } from '../db/client.js';
import type { MetricsDailyRow, Tenant } from '../db/schema.js';
import { addConversationToTally, addToTally, emptyTally, finalizeTally, KPI_COLUMNS } from '../domain/metrics.js';
import type { Logger } from '../lib/logger.js';
import { Statements } from '../lib/sql.js';
import { addDays, dateRange, HOUR, zone } from '../lib/time.js';
import { conversationSentiments, scanActivities, type MetricsTenant } from '../routes/metrics/metrics.queries.js';
import type { Job } from './scheduler.js';

/** How often the daily job looks for days to aggregate. */
export const AGGREGATION_INTERVAL_MS = 5 * 60_000;
/** The furthest back the job catches up: a year of days. */
export const MAX_CATCH_UP_DAYS = 366;
/** For this long after a local midnight, the day before is aggregated again on every run. */
export const SETTLE_MS = 3 * HOUR;

const statements = new WeakMap<Db, Statements>();
function statementsFor(db: Db): Statements {
  let s = statements.get(db);
  if (!s) statements.set(db, (s = new Statements(db.$client)));
  return s;
}

const UPSERT =
  `INSERT INTO ai_receptionist_metrics_daily (tenant_id, date, ${KPI_COLUMNS.join(', ')}, computed_at) ` +
  `VALUES (?, ?, ${KPI_COLUMNS.map(() => '?').join(', ')}, ?) ` +
  `ON CONFLICT (tenant_id, date) DO UPDATE SET ${KPI_COLUMNS.map((c) => `${c} = excluded.${c}`).join(', ')}, computed_at = excluded.computed_at ` +
  `WHERE (${KPI_COLUMNS.join(', ')}) IS NOT (${KPI_COLUMNS.map((c) => `excluded.${c}`).join(', ')})`;

/**
 * Computes a tenant's KPIs for one local day ([local midnight, next local midnight), so 23, 24 or
 * 25 hours) and upserts its metrics_daily row; returns the stored row. The p95 is exact.
 */
export function aggregateDay(db: Db, tenant: MetricsTenant, date: string, now = Date.now()): MetricsDailyRow {
  const sql = statementsFor(db);
  const z = zone(tenant.timezone);
  const [from, to] = z.dayRange(date);
  const context = { zone: z, business_hours: tenant.roi.business_hours };
  const tally = emptyTally({ exact: true });
  scanActivities(sql, tenant.id, from, to, (a) => addToTally(tally, a, context));
  for (const c of conversationSentiments(sql, tenant.id, from, to)) addConversationToTally(tally, c.sentiment);
  const kpis = finalizeTally(tally, tenant.roi);
  sql.get(UPSERT).run(tenant.id, date, ...KPI_COLUMNS.map((c) => kpis[c]), now);
  return sql.get<MetricsDailyRow>('SELECT * FROM ai_receptionist_metrics_daily WHERE tenant_id = ? AND date = ?').get(tenant.id, date)!;
}

/** Aggregates every local day from `startDate` to `endDate` inclusive, in one transaction. */
export function aggregateRange(db: Db, tenant: MetricsTenant, startDate: string, endDate: string, now = Date.now()): MetricsDailyRow[] {
  return db.$client.transaction(() => dateRange(startDate, endDate).map((date) => aggregateDay(db, tenant, date, now)))();
}

export function metricsTenant(t: Pick<Tenant, 'id' | 'timezone' | 'roi_assumptions'>): MetricsTenant {
  return { id: t.id, timezone: t.timezone, roi: roiAssumptions(t.roi_assumptions) };
}

/**
 * The local days of a tenant the job aggregates at `now`, oldest first: those after its latest
 * metrics_daily row (or from the day of its first activity when it has none) up to yesterday, at
 * most MAX_CATCH_UP_DAYS of them; and yesterday again while today is younger than SETTLE_MS.
 * Never today, which is not over.
 */
export function dueDates(db: Db, tenant: Pick<MetricsTenant, 'id' | 'timezone'>, now: number): string[] {
  const sql = statementsFor(db);
  const z = zone(tenant.timezone);
  const today = z.localDate(now);
  const yesterday = addDays(today, -1);
  const latest = sql.get<{ date: string | null }>('SELECT max(date) AS date FROM ai_receptionist_metrics_daily WHERE tenant_id = ?').get(tenant.id)!.date;
  let first: string;
  if (latest !== null) {
    first = addDays(latest, 1);
  } else {
    const earliest = sql.get<{ at: number | null }>('SELECT min(timestamp) AS at FROM ai_receptionist_activity WHERE tenant_id = ?').get(tenant.id)!.at;
    if (earliest === null) return [];
    first = z.localDate(earliest);
  }
  if (latest === yesterday && now - z.startOfDay(today) < SETTLE_MS) first = yesterday;
  const oldest = addDays(yesterday, 1 - MAX_CATCH_UP_DAYS);
  if (first < oldest) first = oldest;
  return first > yesterday ? [] : dateRange(first, yesterday);
}

export interface AggregatedDays {
  tenant_id: number;
  dates: string[];
}

/**
 * Aggregates every due day of the given tenants (every tenant by default), one day at a time,
 * yielding to the event loop between days so a long catch-up does not stall the server; stops
 * between days once `signal` is aborted.
 */
export async function aggregateDue(
  db: Db,
  now: number,
  options: { tenants?: readonly Tenant[]; signal?: AbortSignal } = {},
): Promise<AggregatedDays[]> {
  const out: AggregatedDays[] = [];
  for (const t of options.tenants ?? db.query.tenants.findMany().sync()) {
    if (options.signal?.aborted) break;
    const tenant = metricsTenant(t);
    const dates: string[] = [];
    for (const date of dueDates(db, tenant, now)) {
      if (options.signal?.aborted) break;
      aggregateDay(db, tenant, date, now);
      dates.push(date);
      await yieldToEventLoop();
    }
    if (dates.length) out.push({ tenant_id: t.id, dates });
  }
  return out;
}

/** The scheduled daily aggregation: every AGGREGATION_INTERVAL_MS and at start-up. */
export function dailyAggregationJob(db: Db, options: { clock: () => number; log?: Logger }): Job {
  return {
    name: 'aggregate-daily',
    everyMs: AGGREGATION_INTERVAL_MS,
    runAtStart: true,
    run: async (signal) => {
      for (const { tenant_id, dates } of await aggregateDue(db, options.clock(), { signal })) {
        options.log?.info('aggregated metrics_daily', { tenant_id, from: dates[0], to: dates.at(-1), days: dates.length });
      }
    },
  };
}
