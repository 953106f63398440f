/**
 * Daily aggregation (SPEC §4.6): one metrics_daily row per tenant and local day, computed from
 * that day's activities and conversations with the same definitions as the realtime figures
 * (api/domain/metrics.ts). Idempotent: re-running a day rewrites the same figures, and leaves the
 * row (computed_at included) untouched when nothing changed.
 */
import type { Db } from '../db/client.js';
import type { MetricsDailyRow } from '../db/schema.js';
import { addConversationToTally, addToTally, emptyTally, finalizeTally, KPI_COLUMNS } from '../domain/metrics.js';
import { Statements } from '../lib/sql.js';
import { dateRange, zone } from '../lib/time.js';
import { conversationSentiments, scanActivities, type MetricsTenant } from '../routes/metrics/metrics.queries.js';

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
