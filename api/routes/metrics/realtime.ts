import type { AppContext } from '../../lib/router.js';
import type { RoiAssumptions } from '../../db/schema.js';
import {
  addConversationToTally,
  addToTally,
  emptyTally,
  finalizeTally,
  mergeTallies,
  type BusinessHours,
  type Kpis,
  type Tally,
  type TallyActivity,
  type TallyContext,
} from '../../domain/metrics.js';
import type { Statements } from '../../lib/sql.js';
import { addDays, iso, zone } from '../../lib/time.js';
import { conversationSentiments, scanActivities, type MetricsTenant } from './metrics.queries.js';

/** Today's tally is re-read from the database once it is this old: other processes may have written since. */
export const REBUILD_AFTER_MS = 60_000;
const MINUTE = 60_000;
const MINUTES_PER_DAY = 1440;

/** What GET /metrics/realtime answers. */
export interface RealtimeSnapshot {
  /** The tenant's local date. */
  date: string;
  as_of: string;
  /** Everything recorded for the local date so far. */
  today: Kpis;
  /** Yesterday from its local midnight to the start of the current wall-clock minute. */
  yesterday_same_time: Kpis;
}

interface TenantState {
  timezone: string;
  context: TallyContext;
  date: string;
  todayStart: number;
  todayEnd: number;
  yesterdayStart: number;
  /** Local midnights as wall-clock time (the local date read as UTC), for minute-of-day arithmetic. */
  todayWallMidnight: number;
  yesterdayWallMidnight: number;
  /** When today's tally was read from the database, or last found still current. */
  builtAt: number;
  /** The database's `data_version` when today's tally was read: it moves only when another connection commits. */
  dataVersion: number;
  today: Tally;
  todayVersion: number;
  /** Yesterday's activities by wall-clock minute of the day. */
  yesterdayMinutes: (Tally | undefined)[];
  /** Yesterday's minutes [0, prefixMinute) merged: "yesterday up to now", advanced as the clock moves. */
  prefix: Tally;
  prefixMinute: number;
  prefixVersion: number;
  todayKpis?: { version: number; assumptions: RoiAssumptions; kpis: Kpis; json?: string };
  yesterdayKpis?: { version: number; assumptions: RoiAssumptions; kpis: Kpis; json?: string };
}

function sameHours(a: BusinessHours, b: BusinessHours): boolean {
  return (
    a.start_hour === b.start_hour &&
    a.end_hour === b.end_hour &&
    a.weekdays.length === b.weekdays.length &&
    a.weekdays.every((d, i) => d === b.weekdays[i])
  );
}

function sameMoney(a: RoiAssumptions, b: RoiAssumptions): boolean {
  return (
    a === b ||
    (a.revenue_per_booking === b.revenue_per_booking &&
      a.minutes_per_conversation === b.minutes_per_conversation &&
      a.human_hourly_cost === b.human_hourly_cost &&
      a.ai_cost_per_interaction === b.ai_cost_per_interaction)
  );
}

/**
 * Today's KPIs per tenant, kept as running tallies instead of recounted per request (SPEC §4.4).
 *
 * For each tenant it holds today's tally and yesterday's tallies per wall-clock minute, read from
 * the database on first use for the tenant's local date, and again when that date changes or the
 * tenant's zone or business hours do. Today's tally is re-read once it is
 * {@link REBUILD_AFTER_MS} old if another process (another connection: the CLI, a second server)
 * has committed to the database since it was read (SQLite's `data_version` tells); this server's
 * own writes never cause a re-read, so a busy day is not rescanned every minute. Between reads,
 * {@link record} folds each new activity in. "Yesterday at the same time" merges yesterday's minutes up to the
 * current wall-clock minute, advancing with the clock, so each minute is merged once a day.
 * Yesterday is not re-read every minute: an activity another process writes late for yesterday
 * shows from the next date change on (metrics_daily, by the daily job, is the record of closed
 * days).
 *
 * KPIs are computed from the tallies by the same functions as metrics_daily, except that the p95
 * response time is read from a fixed log-bucket histogram (within about 5 % of the exact nearest
 * rank), and positive_sentiment_pct is brought up to date when today is re-read.
 */
export class RealtimeMetrics {
  readonly #states = new Map<number, TenantState>();
  readonly #sql: Statements;
  readonly #clock: () => number;
  readonly #dataVersion: () => number;

  constructor(ctx: Pick<AppContext, 'sql' | 'clock'>) {
    this.#sql = ctx.sql;
    this.#clock = ctx.clock;
    const version = ctx.sql.sqlite.prepare<[], number>('PRAGMA data_version').pluck();
    this.#dataVersion = () => version.get()!;
  }

  /**
   * Folds a newly stored activity into the tenant's tallies. Call it after the activity is
   * committed; an activity of neither today nor yesterday (local dates) changes nothing, and so
   * does one for a tenant whose tallies are not built yet (they will be read with it).
   */
  record(tenant: Pick<MetricsTenant, 'id'>, activity: TallyActivity): void {
    const s = this.#states.get(tenant.id);
    if (!s) return;
    const at = activity.timestamp;
    if (at >= s.todayStart && at < s.todayEnd) {
      addToTally(s.today, activity, s.context);
      s.todayVersion++;
    } else if (at >= s.yesterdayStart && at < s.todayStart) {
      const minute = minuteOfDay(s.context, at, s.yesterdayWallMidnight);
      addToTally((s.yesterdayMinutes[minute] ??= emptyTally()), activity, s.context);
      if (minute < s.prefixMinute) {
        addToTally(s.prefix, activity, s.context);
        s.prefixVersion++;
      }
    }
  }

  /** Today so far and yesterday up to the same wall-clock minute, in the tenant's zone. */
  snapshot(tenant: MetricsTenant): RealtimeSnapshot {
    const { date, as_of, today, yesterday_same_time } = this.#current(tenant);
    return { date, as_of, today: today.kpis, yesterday_same_time: yesterday_same_time.kpis };
  }

  /**
   * {@link snapshot} as JSON, for the hot route: each set of KPIs is serialized once per change,
   * not once per request (only `as_of` is new each time).
   */
  snapshotJson(tenant: MetricsTenant): string {
    const { date, as_of, today, yesterday_same_time } = this.#current(tenant);
    today.json ??= JSON.stringify(today.kpis);
    yesterday_same_time.json ??= JSON.stringify(yesterday_same_time.kpis);
    return `{"date":${JSON.stringify(date)},"as_of":${JSON.stringify(as_of)},"today":${today.json},"yesterday_same_time":${yesterday_same_time.json}}`;
  }

  #current(tenant: MetricsTenant) {
    const now = this.#clock();
    const s = this.#state(tenant, now);
    const minute = minuteOfDay(s.context, now, s.todayWallMidnight);
    if (minute < s.prefixMinute) {
      s.prefix = emptyTally();
      s.prefixMinute = 0;
      s.prefixVersion++;
    }
    for (; s.prefixMinute < minute; s.prefixMinute++) {
      const m = s.yesterdayMinutes[s.prefixMinute];
      if (m) {
        mergeTallies(s.prefix, m);
        s.prefixVersion++;
      }
    }

    const a = tenant.roi;
    let t = s.todayKpis;
    if (!t || t.version !== s.todayVersion || !sameMoney(t.assumptions, a)) {
      t = s.todayKpis = { version: s.todayVersion, assumptions: a, kpis: finalizeTally(s.today, a) };
    }
    let y = s.yesterdayKpis;
    if (!y || y.version !== s.prefixVersion || !sameMoney(y.assumptions, a)) {
      y = s.yesterdayKpis = { version: s.prefixVersion, assumptions: a, kpis: finalizeTally(s.prefix, a) };
    }
    return { date: s.date, as_of: iso(now), today: t, yesterday_same_time: y };
  }

  #state(tenant: MetricsTenant, now: number): TenantState {
    let s = this.#states.get(tenant.id);
    if (
      !s ||
      now < s.todayStart ||
      now >= s.todayEnd ||
      s.timezone !== tenant.timezone ||
      !sameHours(s.context.business_hours, tenant.roi.business_hours)
    ) {
      s = this.#build(tenant, now);
      this.#states.set(tenant.id, s);
    } else if (now - s.builtAt >= REBUILD_AFTER_MS || now < s.builtAt) {
      if (this.#dataVersion() !== s.dataVersion) this.#readToday(tenant.id, s, now);
      else s.builtAt = now;
    }
    return s;
  }

  /** Reads yesterday's activities into per-minute tallies, then today's. */
  #build(tenant: MetricsTenant, now: number): TenantState {
    const z = zone(tenant.timezone);
    const context: TallyContext = { zone: z, business_hours: tenant.roi.business_hours };
    const date = z.localDate(now);
    const yesterday = addDays(date, -1);
    const yesterdayStart = z.startOfDay(yesterday);
    const [todayStart, todayEnd] = z.dayRange(date);
    const yesterdayWallMidnight = Date.parse(`${yesterday}T00:00:00Z`);

    const yesterdayMinutes: (Tally | undefined)[] = new Array(MINUTES_PER_DAY);
    const minuteTally = (at: number) => (yesterdayMinutes[minuteOfDay(context, at, yesterdayWallMidnight)] ??= emptyTally());
    scanActivities(this.#sql, tenant.id, yesterdayStart, todayStart, (a) => addToTally(minuteTally(a.timestamp), a, context));
    for (const c of conversationSentiments(this.#sql, tenant.id, yesterdayStart, todayStart)) addConversationToTally(minuteTally(c.started_at), c.sentiment);

    const s: TenantState = {
      timezone: tenant.timezone,
      context,
      date,
      todayStart,
      todayEnd,
      yesterdayStart,
      todayWallMidnight: Date.parse(`${date}T00:00:00Z`),
      yesterdayWallMidnight,
      builtAt: now,
      dataVersion: 0,
      today: emptyTally(),
      todayVersion: 0,
      yesterdayMinutes,
      prefix: emptyTally(),
      prefixMinute: 0,
      prefixVersion: 0,
    };
    this.#readToday(tenant.id, s, now);
    return s;
  }

  /** Replaces today's tally with one read from the database. */
  #readToday(tenantId: number, s: TenantState, now: number): void {
    s.dataVersion = this.#dataVersion();
    const today = emptyTally();
    scanActivities(this.#sql, tenantId, s.todayStart, s.todayEnd, (a) => addToTally(today, a, s.context));
    for (const c of conversationSentiments(this.#sql, tenantId, s.todayStart, s.todayEnd)) addConversationToTally(today, c.sentiment);
    s.today = today;
    s.todayVersion++;
    s.builtAt = now;
  }
}

/** The wall-clock minute of its local day an instant falls in (in a 25-hour day the repeated hour maps onto the same minutes). */
function minuteOfDay(ctx: TallyContext, at: number, wallMidnight: number): number {
  return Math.max(0, Math.min(MINUTES_PER_DAY - 1, Math.floor((ctx.zone.wall(at) - wallMidnight) / MINUTE)));
}
