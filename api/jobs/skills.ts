/**
 * Skills scoring (SPEC §4.6): recomputes every skill of a tenant from the activities that name it,
 * with the rules of api/domain/skills.ts, and writes them to the skills table, so the skills
 * endpoints serve measured figures.
 *
 * - A skill named by activities but without a row gets one, with a category from what those
 *   activities did (`skillCategory`); existing rows keep their category and last_trained_at.
 * - A skill with a row and no activity in the window keeps its row, with no scores and no usage.
 * - usage_count is the number of activities naming the skill over the same 30 days as
 *   accuracy_score, whatever their outcome.
 * - A row is only rewritten (updated_at included) when a figure changed.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Db } from '../db/client.js';
import type { ActionType, OutcomeStatus, Tenant } from '../db/schema.js';
import { scoreSkill, skillCategory, type SkillSample } from '../domain/skills.js';
import type { Logger } from '../lib/logger.js';
import { Statements } from '../lib/sql.js';
import { DAY, HOUR } from '../lib/time.js';
import type { Job } from './scheduler.js';

/** The longest window scoring reads (accuracy_score's). */
export const SCORING_WINDOW_DAYS = 30;
export const SCORING_INTERVAL_MS = HOUR;

const statements = new WeakMap<Db, Statements>();
function statementsFor(db: Db): Statements {
  let s = statements.get(db);
  if (!s) statements.set(db, (s = new Statements(db.$client)));
  return s;
}

// Activities in (now − 30 days, now], counted per skill, whole days of age and outcome: the
// scoring windows are whole days back from `now`, so the counts score exactly as the rows would.
const COUNTS =
  'SELECT skill_name, (CAST(? AS INTEGER) - timestamp) / 86400000 AS age_days, outcome_status, count(*) AS n FROM ai_receptionist_activity ' +
  "WHERE tenant_id = ? AND skill_name IS NOT NULL AND skill_name <> '' AND timestamp > ? AND timestamp <= ? " +
  'GROUP BY skill_name, age_days, outcome_status';

const ACTIONS =
  'SELECT action_type, count(*) AS n FROM ai_receptionist_activity ' +
  'WHERE tenant_id = ? AND skill_name = ? AND timestamp > ? AND timestamp <= ? GROUP BY action_type';

const FIGURES = ['accuracy_score', 'accuracy_score_7day', 'trend', 'usage_count', 'needs_retraining'] as const;

const UPSERT =
  `INSERT INTO ai_receptionist_skills (tenant_id, skill_name, skill_category, ${FIGURES.join(', ')}, updated_at) ` +
  `VALUES (?, ?, ?, ${FIGURES.map(() => '?').join(', ')}, ?) ` +
  `ON CONFLICT (tenant_id, skill_name) DO UPDATE SET ${FIGURES.map((c) => `${c} = excluded.${c}`).join(', ')}, updated_at = excluded.updated_at ` +
  `WHERE (${FIGURES.join(', ')}) IS NOT (${FIGURES.map((c) => `excluded.${c}`).join(', ')})`;

export interface SkillsScored {
  tenant_id: number;
  /** Skills scored (every row of the tenant after the run). */
  skills: number;
  /** Rows created or changed. */
  changed: number;
}

/** Scores every skill of one tenant at `now`, in one transaction. */
export function scoreTenantSkills(db: Db, tenantId: number, now: number): SkillsScored {
  const sql = statementsFor(db);
  const since = now - SCORING_WINDOW_DAYS * DAY;
  const perSkill = new Map<string, { usage: number; samples: SkillSample[] }>();
  const counts = sql.get<{ skill_name: string; age_days: number; outcome_status: OutcomeStatus; n: number }>(COUNTS).all(now, tenantId, since, now);
  for (const r of counts) {
    let skill = perSkill.get(r.skill_name);
    if (!skill) perSkill.set(r.skill_name, (skill = { usage: 0, samples: [] }));
    skill.usage += r.n;
    if (r.outcome_status === 'success' || r.outcome_status === 'failed') {
      skill.samples.push({ timestamp: now - r.age_days * DAY, success: r.outcome_status === 'success', count: r.n });
    }
  }
  return db.$client.transaction(() => {
    const known = new Set(sql.get<{ skill_name: string }>('SELECT skill_name FROM ai_receptionist_skills WHERE tenant_id = ?').all(tenantId).map((r) => r.skill_name));
    const names = new Set([...known, ...perSkill.keys()]);
    let changed = 0;
    for (const name of names) {
      const stats = perSkill.get(name);
      const score = scoreSkill(stats?.samples ?? [], now);
      const category = known.has(name)
        ? 'general' // not written: an existing row keeps its category
        : skillCategory(new Map(sql.get<{ action_type: ActionType; n: number }>(ACTIONS).all(tenantId, name, since, now).map((r) => [r.action_type, r.n])));
      changed += sql
        .get(UPSERT)
        .run(tenantId, name, category, score.accuracy_score, score.accuracy_score_7day, score.trend, stats?.usage ?? 0, score.needs_retraining ? 1 : 0, now).changes;
    }
    return { tenant_id: tenantId, skills: names.size, changed };
  })();
}

/** Scores the skills of the given tenants (every tenant by default), yielding between tenants. */
export async function scoreAllSkills(
  db: Db,
  now: number,
  options: { tenants?: readonly Pick<Tenant, 'id'>[]; signal?: AbortSignal } = {},
): Promise<SkillsScored[]> {
  const out: SkillsScored[] = [];
  for (const t of options.tenants ?? db.query.tenants.findMany().sync()) {
    if (options.signal?.aborted) break;
    out.push(scoreTenantSkills(db, t.id, now));
    await yieldToEventLoop();
  }
  return out;
}

/** The scheduled scoring: hourly and at start-up. */
export function skillsScoringJob(db: Db, options: { clock: () => number; log?: Logger }): Job {
  return {
    name: 'score-skills',
    everyMs: SCORING_INTERVAL_MS,
    runAtStart: true,
    run: async (signal) => {
      for (const r of await scoreAllSkills(db, options.clock(), { signal })) {
        if (r.changed) options.log?.debug('scored skills', { ...r });
      }
    },
  };
}
