import { ACTIVITY_COLUMNS, type ActivityDbRow } from '../activity/activity.queries.js';
import { ERROR_COLUMNS, type ErrorDbRow } from '../errors/errors.queries.js';
import type { AppContext } from '../../lib/router.js';
import { Where } from '../../lib/sql.js';
import { addDays, dateRange, iso, QUARTER_HOUR, zone } from '../../lib/time.js';

export const SKILL_SORTS = ['accuracy', 'usage', 'trend'] as const;
export type SkillSort = (typeof SKILL_SORTS)[number];

export const SKILL_STATUSES = ['healthy', 'watch', 'needs_retraining'] as const;
export type SkillStatus = (typeof SKILL_STATUSES)[number];

/** 7-day accuracy at or above which a skill is healthy, and below which it needs retraining. */
export const HEALTHY_ACCURACY = 0.85;
export const WATCH_ACCURACY = 0.75;

/** How many failures of each kind the detail of a skill lists. */
export const RECENT_FAILURES = 20;

const ORDER_BY: Record<SkillSort, string> = {
  accuracy: 'accuracy_score IS NULL, accuracy_score DESC, skill_name',
  usage: 'usage_count DESC, skill_name',
  // Most declining first: the skills that need attention lead.
  trend: 'trend IS NULL, trend ASC, skill_name',
};

const COLUMNS = 'skill_name, skill_category, accuracy_score, accuracy_score_7day, trend, usage_count, needs_retraining, last_trained_at';

export interface SkillDbRow {
  skill_name: string;
  skill_category: string;
  accuracy_score: number | null;
  accuracy_score_7day: number | null;
  trend: number | null;
  usage_count: number;
  needs_retraining: number;
  last_trained_at: number | null;
}

export interface DailyAccuracy {
  date: string;
  /** Successes / (successes + failures) of the day's activities naming the skill; null when there were none. */
  accuracy: number | null;
  total: number;
}

export function listSkills(ctx: AppContext, tenantId: number, sort: SkillSort): SkillDbRow[] {
  return ctx.sql
    .get<SkillDbRow>(`SELECT ${COLUMNS} FROM ai_receptionist_skills WHERE tenant_id = ? ORDER BY ${ORDER_BY[sort]}`)
    .all(tenantId);
}

export function getSkill(ctx: AppContext, tenantId: number, skillName: string): SkillDbRow | undefined {
  return ctx.sql.get<SkillDbRow>(`SELECT ${COLUMNS} FROM ai_receptionist_skills WHERE tenant_id = ? AND skill_name = ?`).get(tenantId, skillName);
}

/**
 * Daily accuracy over the last `days` local days (today included), for every skill or for one.
 *
 * One grouped query counts the decided outcomes per skill and quarter hour; the quarter hours are
 * folded into the tenant's local dates here. No UTC offset in use is finer than 15 minutes, so a
 * quarter hour never straddles a local midnight, and the database need not know the time zone.
 */
export function dailyAccuracy(
  ctx: AppContext,
  tenant: { id: number; timezone: string },
  now: number,
  days: number,
  skillName?: string,
): Map<string, DailyAccuracy[]> {
  const z = zone(tenant.timezone);
  const today = z.localDate(now);
  const dates = dateRange(addDays(today, 1 - days), today);
  const where = new Where(tenant.id);
  if (skillName === undefined) where.add('skill_name IS NOT NULL');
  else where.eq('skill_name', skillName);
  where
    .add('timestamp >= ? AND timestamp < ?', z.startOfDay(dates[0]!), z.startOfDay(addDays(today, 1)))
    .add("outcome_status IN ('success', 'failed')");
  const rows = ctx.sql
    .get<{ skill_name: string; bucket: number; total: number; succeeded: number }>(
      `SELECT skill_name, timestamp / ${QUARTER_HOUR} AS bucket, count(*) AS total, sum(outcome_status = 'success') AS succeeded ` +
        `FROM ai_receptionist_activity WHERE ${where} GROUP BY skill_name, bucket`,
    )
    .all(...where.params);

  const counts = new Map<string, Map<string, { total: number; succeeded: number }>>();
  for (const r of rows) {
    let perDate = counts.get(r.skill_name);
    if (!perDate) counts.set(r.skill_name, (perDate = new Map()));
    const date = z.localDate(r.bucket * QUARTER_HOUR);
    const c = perDate.get(date);
    if (c) {
      c.total += r.total;
      c.succeeded += r.succeeded;
    } else {
      perDate.set(date, { total: r.total, succeeded: r.succeeded });
    }
  }
  const out = new Map<string, DailyAccuracy[]>();
  for (const [skill, perDate] of counts) {
    out.set(
      skill,
      dates.map((date) => {
        const c = perDate.get(date);
        return { date, accuracy: c ? c.succeeded / c.total : null, total: c?.total ?? 0 };
      }),
    );
  }
  return out;
}

/** The same days with no activity, for a skill that had none. */
export function emptyDays(timeZone: string, now: number, days: number): DailyAccuracy[] {
  const today = zone(timeZone).localDate(now);
  return dateRange(addDays(today, 1 - days), today).map((date) => ({ date, accuracy: null, total: 0 }));
}

export function recentFailedActivities(ctx: AppContext, tenantId: number, skillName: string): ActivityDbRow[] {
  return ctx.sql
    .get<ActivityDbRow>(
      `SELECT ${ACTIVITY_COLUMNS} FROM ai_receptionist_activity WHERE tenant_id = ? AND skill_name = ? AND outcome_status = 'failed' ` +
        'ORDER BY timestamp DESC, id DESC LIMIT ?',
    )
    .all(tenantId, skillName, RECENT_FAILURES);
}

export function recentSkillErrors(ctx: AppContext, tenantId: number, skillName: string): ErrorDbRow[] {
  return ctx.sql
    .get<ErrorDbRow>(
      `SELECT ${ERROR_COLUMNS.join(', ')} FROM ai_receptionist_errors WHERE tenant_id = ? AND skill_name = ? ORDER BY timestamp DESC, id DESC LIMIT ?`,
    )
    .all(tenantId, skillName, RECENT_FAILURES);
}

/**
 * Healthy at 85 % 7-day accuracy or more, watch from 75 %, needs retraining below that or when
 * flagged by scoring. Without a 7-day figure (no decided outcomes that week) the 30-day accuracy
 * decides; with neither, the skill is on watch: nothing shows it works.
 */
export function skillStatus(row: Pick<SkillDbRow, 'accuracy_score' | 'accuracy_score_7day' | 'needs_retraining'>): SkillStatus {
  if (row.needs_retraining) return 'needs_retraining';
  const accuracy = row.accuracy_score_7day ?? row.accuracy_score;
  if (accuracy === null) return 'watch';
  if (accuracy >= HEALTHY_ACCURACY) return 'healthy';
  return accuracy >= WATCH_ACCURACY ? 'watch' : 'needs_retraining';
}

export function serializeSkill(row: SkillDbRow) {
  return { ...row, needs_retraining: row.needs_retraining !== 0, last_trained_at: iso(row.last_trained_at), status: skillStatus(row) };
}
