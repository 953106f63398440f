import type { ActionType, OutcomeStatus, RoiAssumptions, Sentiment } from '../../db/schema.js';
import { CONVERSATION_START_TYPES, KPI_COLUMNS, rollUp, type Kpis, type TallyActivity } from '../../domain/metrics.js';
import { round, type RoiTotals } from '../../domain/roi.js';
import type { Statements } from '../../lib/sql.js';
import { addDays, HOUR, iso, QUARTER_HOUR, startOfMonth, startOfWeek, zone } from '../../lib/time.js';

/** What the metrics of a tenant depend on. */
export interface MetricsTenant {
  id: number;
  timezone: string;
  roi: RoiAssumptions;
}

export type Granularity = 'day' | 'week' | 'month';

/** A day, week or month of KPIs; a period is clipped to the range asked for. */
export interface MetricsPeriod extends Kpis {
  period_start: string;
  period_end: string;
}

type TallyRow = [number, ActionType, OutcomeStatus, number | null, number | null, string | null];

/**
 * Visits a tenant's activities in [from, to), with only the columns the KPIs read. Rows are read
 * as arrays into one reused object (the visitor must not keep it): a day of a busy tenant is
 * read in a fraction of the time objects per row would take.
 */
export function scanActivities(sql: Statements, tenantId: number, from: number, to: number, visit: (a: TallyActivity) => void): void {
  const rows = sql
    .get(
      'SELECT timestamp, action_type, outcome_status, confidence_score, response_time_ms, client_id ' +
        'FROM ai_receptionist_activity WHERE tenant_id = ? AND timestamp >= ? AND timestamp < ?',
    )
    .raw(true)
    .iterate(tenantId, from, to) as IterableIterator<TallyRow>;
  const a: TallyActivity = { timestamp: 0, action_type: 'incoming_call', outcome_status: 'success', confidence_score: null, response_time_ms: null, client_id: null };
  for (const r of rows) {
    a.timestamp = r[0];
    a.action_type = r[1];
    a.outcome_status = r[2];
    a.confidence_score = r[3];
    a.response_time_ms = r[4];
    a.client_id = r[5];
    visit(a);
  }
}

/** The sentiment of each conversation a tenant started in [from, to). */
export function conversationSentiments(sql: Statements, tenantId: number, from: number, to: number) {
  return sql
    .get<{ started_at: number; sentiment: Sentiment | null }>(
      'SELECT started_at, sentiment FROM ai_receptionist_conversations WHERE tenant_id = ? AND started_at >= ? AND started_at < ?',
    )
    .all(tenantId, from, to);
}

/** metrics_daily rows of a tenant from `start` to `end` inclusive, in date order. */
export function dailyRows(sql: Statements, tenantId: number, start: string, end: string): (Kpis & { date: string })[] {
  return sql
    .get<Kpis & { date: string }>(
      `SELECT date, ${KPI_COLUMNS.join(', ')} FROM ai_receptionist_metrics_daily WHERE tenant_id = ? AND date >= ? AND date <= ? ORDER BY date`,
    )
    .all(tenantId, start, end);
}

/**
 * The KPIs of a tenant's days from `start` to `end` inclusive, by day, ISO week (from Monday) or
 * calendar month. Past days come from metrics_daily (a day the job has not aggregated has no row
 * and adds nothing); `today`, when in the range, is the live figure passed in; later days have
 * nothing yet. Weeks and months are rolled up from their days (see `rollUp`) and clipped to the
 * range; a period with no day has no row.
 */
export function metricsSeries(
  sql: Statements,
  tenant: MetricsTenant,
  range: { start: string; end: string; granularity: Granularity },
  today: { date: string; kpis: () => Kpis },
): MetricsPeriod[] {
  const lastPast = range.end < today.date ? range.end : addDays(today.date, -1);
  const days: (Kpis & { date: string })[] = range.start <= lastPast ? dailyRows(sql, tenant.id, range.start, lastPast) : [];
  if (range.start <= today.date && today.date <= range.end) days.push({ date: today.date, ...today.kpis() });

  if (range.granularity === 'day') return days.map(({ date, ...kpis }) => ({ period_start: date, period_end: date, ...kpis }));
  const periods = new Map<string, Kpis[]>();
  for (const { date, ...kpis } of days) {
    const key = range.granularity === 'week' ? startOfWeek(date) : startOfMonth(date);
    let group = periods.get(key);
    if (!group) periods.set(key, (group = []));
    group.push(kpis);
  }
  return [...periods].map(([key, group]) => {
    const last = range.granularity === 'week' ? addDays(key, 6) : addDays(startOfMonth(addDays(key, 31)), -1);
    return {
      period_start: key < range.start ? range.start : key,
      period_end: last > range.end ? range.end : last,
      ...rollUp(group, tenant.roi),
    };
  });
}

/** The counts the ROI of a tenant's past days (metrics_daily, from `start` to `end` inclusive) is computed from. */
export function roiTotals(sql: Statements, tenantId: number, start: string, end: string): RoiTotals {
  return sql
    .get<RoiTotals>(
      'SELECT coalesce(sum(total_conversations), 0) AS total_conversations, coalesce(sum(escalations), 0) AS escalations, ' +
        'coalesce(sum(appointments_booked), 0) AS appointments_booked, ' +
        'coalesce(sum(after_hours_conversations), 0) AS after_hours_conversations, ' +
        'coalesce(sum(missed_calls_saved), 0) AS missed_calls_saved ' +
        'FROM ai_receptionist_metrics_daily WHERE tenant_id = ? AND date >= ? AND date <= ?',
    )
    .get(tenantId, start, end)!;
}

/** One local hour of activity. */
export interface HourlyRow {
  hour_start: string;
  local_date: string;
  local_hour: number;
  conversations: number;
  bookings: number;
  escalations: number;
  avg_response_time_ms: number | null;
}

interface QuarterHourBucket {
  quarter: number;
  conversations: number;
  bookings: number;
  escalations: number;
  response_sum: number | null;
  response_n: number;
}

const CONVERSATION_START_SQL = CONVERSATION_START_TYPES.map((t) => `'${t}'`).join(', ');

/**
 * Every local hour of a tenant's days from `start` to `end` inclusive (a 25-hour day has two
 * rows with local_hour 1, a 23-hour day none with local_hour 2): conversations (conversation
 * starts), bookings (`appointment_booked`), escalations (`escalated`) and the mean non-null
 * response_time_ms of all its activities (null if none).
 *
 * One query counts per UTC quarter hour; since every zone offset is a multiple of 15 minutes, each
 * quarter hour lies within one local hour, and the quarters are folded into hours here.
 */
export function hourlySeries(sql: Statements, tenant: MetricsTenant, start: string, end: string): HourlyRow[] {
  const z = zone(tenant.timezone);
  const from = z.startOfDay(start);
  const to = z.startOfDay(addDays(end, 1));
  const buckets = sql
    .get<QuarterHourBucket>(
      `SELECT timestamp / ${QUARTER_HOUR} AS quarter, sum(action_type IN (${CONVERSATION_START_SQL})) AS conversations, ` +
        "sum(action_type = 'appointment_booked') AS bookings, sum(action_type = 'escalated') AS escalations, " +
        'sum(response_time_ms) AS response_sum, count(response_time_ms) AS response_n ' +
        'FROM ai_receptionist_activity WHERE tenant_id = ? AND timestamp >= ? AND timestamp < ? GROUP BY quarter',
    )
    .all(tenant.id, from, to);
  const byQuarter = new Map(buckets.map((b) => [b.quarter, b]));

  const hours: { wallHour: number; offset: number; responseSum: number; responseN: number; row: HourlyRow }[] = [];
  let hour: (typeof hours)[number] | undefined;
  for (let quarter = from / QUARTER_HOUR; quarter < to / QUARTER_HOUR; quarter++) {
    const at = quarter * QUARTER_HOUR;
    const offset = z.offset(at);
    const wallHour = Math.floor((at + offset) / HOUR);
    if (!hour || hour.wallHour !== wallHour || hour.offset !== offset) {
      const wall = new Date(wallHour * HOUR);
      hour = {
        wallHour,
        offset,
        responseSum: 0,
        responseN: 0,
        row: {
          hour_start: iso(at),
          local_date: wall.toISOString().slice(0, 10),
          local_hour: wall.getUTCHours(),
          conversations: 0,
          bookings: 0,
          escalations: 0,
          avg_response_time_ms: null,
        },
      };
      hours.push(hour);
    }
    const b = byQuarter.get(quarter);
    if (b) {
      hour.row.conversations += b.conversations;
      hour.row.bookings += b.bookings;
      hour.row.escalations += b.escalations;
      hour.responseSum += b.response_sum ?? 0;
      hour.responseN += b.response_n;
    }
  }
  return hours.map((h) => ({ ...h.row, avg_response_time_ms: h.responseN === 0 ? null : round(h.responseSum / h.responseN) }));
}
