import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { activity, skills, type ActionType, type NewActivity, type OutcomeStatus } from '../db/schema.js';
import { scoreSkill } from '../domain/skills.js';
import { createHarness, json, NOW, type Harness } from '../test/harness.js';
import { Scheduler } from './scheduler.js';
import { scoreAllSkills, scoreTenantSkills, skillsScoringJob } from './skills.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let h: Harness;
let seq = 0;
const rows: NewActivity[] = [];

/** `ok` successes and `failed` failures of a skill, `daysAgo` days (plus an hour) before NOW. */
function outcomes(tenantId: number, skill: string, daysAgo: number, ok: number, failed: number, action: ActionType = 'faq_answered') {
  for (let i = 0; i < ok + failed; i++) add(tenantId, skill, NOW - daysAgo * DAY - HOUR - i * 60_000, i < ok ? 'success' : 'failed', action);
}

function add(tenantId: number, skill: string | null, timestamp: number, outcome: OutcomeStatus, action: ActionType = 'faq_answered') {
  rows.push({ id: `sk_${(seq++).toString().padStart(5, '0')}`, tenant_id: tenantId, timestamp, action_type: action, channel: 'voice', skill_name: skill, outcome_status: outcome });
}

interface SkillBody {
  skill_name: string;
  skill_category: string;
  accuracy_score: number | null;
  accuracy_score_7day: number | null;
  trend: number | null;
  usage_count: number;
  needs_retraining: boolean;
  last_trained_at: string | null;
  status: string;
}

/** The skills table as stored (needs_retraining as 0 or 1). */
type StoredSkill = Omit<typeof skills.$inferSelect, 'needs_retraining'> & { needs_retraining: number };
const tableRows = (tenantId: number) =>
  h.db.$client.prepare('SELECT * FROM ai_receptionist_skills WHERE tenant_id = ? ORDER BY skill_name').all(tenantId) as StoredSkill[];

before(async () => {
  h = await createHarness();
  const a = h.a.tenant.id;
  const b = h.b.tenant.id;
  h.db
    .insert(skills)
    .values([
      { tenant_id: a, skill_name: 'dropper', skill_category: 'scheduling', accuracy_score: 0.99, accuracy_score_7day: 0.99, trend: 0.05, usage_count: 500, last_trained_at: NOW - 20 * DAY },
      { tenant_id: a, skill_name: 'idle', skill_category: 'support', accuracy_score: 0.9, accuracy_score_7day: 0.9, trend: 0, usage_count: 40, needs_retraining: true },
    ])
    .run();

  // dropper: 9 of 10 the week before, 8 of 10 this week: a drop of exactly ten points.
  outcomes(a, 'dropper', 10, 9, 1);
  outcomes(a, 'dropper', 2, 8, 2);
  for (const outcome of ['escalated', 'escalated', 'escalated', 'pending'] as const) add(a, 'dropper', NOW - DAY, outcome, 'escalated');
  // steady: 9 of 10 both weeks; one more success just inside 30 days; what lies outside is ignored.
  outcomes(a, 'steady', 9, 9, 1, 'appointment_booked');
  outcomes(a, 'steady', 3, 9, 1, 'appointment_booked');
  add(a, 'steady', NOW - 30 * DAY + 1, 'success', 'appointment_booked');
  add(a, 'steady', NOW - 30 * DAY, 'failed', 'appointment_booked');
  add(a, 'steady', NOW - 45 * DAY, 'failed', 'appointment_booked');
  add(a, 'steady', NOW + HOUR, 'failed', 'appointment_booked');
  // weak: 7 of 10 this week, nothing before.
  outcomes(a, 'weak', 1, 7, 3, 'lead_prescreened');
  // edge: a failure exactly 7 days old (the week before) and a success just younger (this week).
  add(a, 'edge', NOW - 7 * DAY, 'failed', 'error');
  add(a, 'edge', NOW - 7 * DAY + 1, 'success', 'error');
  // idle: activity only long ago.
  outcomes(a, 'idle', 40, 5, 5);
  // No name, no skill.
  add(a, null, NOW - DAY, 'failed');
  add(a, '', NOW - DAY, 'failed');
  // Tenant b's dropper is its own.
  outcomes(b, 'dropper', 1, 0, 5, 'crm_updated');
  h.db.insert(activity).values(rows).run();
});
after(() => h.close());

describe('skills scoring', () => {
  test('the scheduled job scores every tenant’s skills from their activities', async () => {
    const scheduler = new Scheduler({ clock: () => h.clock.now });
    scheduler.add(skillsScoringJob(h.db, { clock: () => h.clock.now }));
    await scheduler.runNow('score-skills');
    await scheduler.stop();

    const by = Object.fromEntries(tableRows(h.a.tenant.id).map((r) => [r.skill_name, r]));
    assert.deepEqual(Object.keys(by), ['dropper', 'edge', 'idle', 'steady', 'weak']);
    const figures = (name: string) => {
      const r = by[name]!;
      return [r.skill_category, r.accuracy_score, r.accuracy_score_7day, r.trend, r.usage_count, r.needs_retraining];
    };
    assert.deepEqual(figures('dropper'), ['scheduling', 0.85, 0.8, -0.1, 24, 1], 'a drop of ten points needs retraining');
    assert.deepEqual(figures('steady'), ['scheduling', 0.9048, 0.9, 0, 21, 0], '19 of 21 over 30 days');
    assert.deepEqual(figures('weak'), ['sales', 0.7, 0.7, null, 10, 1], 'below 0.75 over 7 days needs retraining');
    assert.deepEqual(figures('edge'), ['general', 0.5, 1, 1, 2, 0]);
    assert.deepEqual(figures('idle'), ['support', null, null, null, 0, 0], 'nothing in 30 days: no scores, no usage, nothing to retrain');
    assert.equal(by.dropper!.last_trained_at, NOW - 20 * DAY, 'last_trained_at is kept');
    assert.equal(by.dropper!.updated_at, NOW);

    const [bDropper] = tableRows(h.b.tenant.id);
    assert.deepEqual([bDropper!.skill_name, bDropper!.skill_category, bDropper!.accuracy_score, bDropper!.usage_count, bDropper!.needs_retraining], ['dropper', 'support', 0, 5, 1]);
  });

  test('each row equals scoreSkill over the raw activities that name the skill', () => {
    for (const tenant of [h.a.tenant, h.b.tenant]) {
      for (const row of tableRows(tenant.id)) {
        const raw = h.db.$client
          .prepare("SELECT timestamp, outcome_status FROM ai_receptionist_activity WHERE tenant_id = ? AND skill_name = ? AND outcome_status IN ('success', 'failed')")
          .all(tenant.id, row.skill_name) as { timestamp: number; outcome_status: string }[];
        const expected = scoreSkill(raw.map((r) => ({ timestamp: r.timestamp, success: r.outcome_status === 'success' })), NOW);
        assert.deepEqual(
          { accuracy_score: row.accuracy_score, accuracy_score_7day: row.accuracy_score_7day, trend: row.trend, needs_retraining: row.needs_retraining === 1 },
          expected,
          row.skill_name,
        );
      }
    }
  });

  test('GET /skills serves the computed figures', async () => {
    const { data } = await json<{ data: SkillBody[] }>(await h.get('/skills?sort=trend', h.a.keys.read));
    assert.deepEqual(
      data.map((s) => s.skill_name),
      ['dropper', 'steady', 'edge', 'idle', 'weak'],
    );
    const by = Object.fromEntries(data.map((s) => [s.skill_name, s]));
    const { daily_accuracy: _d, ...dropper } = by.dropper as SkillBody & { daily_accuracy: unknown };
    assert.deepEqual(dropper, {
      skill_name: 'dropper',
      skill_category: 'scheduling',
      accuracy_score: 0.85,
      accuracy_score_7day: 0.8,
      trend: -0.1,
      usage_count: 24,
      needs_retraining: true,
      last_trained_at: new Date(NOW - 20 * DAY).toISOString(),
      status: 'needs_retraining',
    });
    assert.equal(by.steady!.status, 'healthy');
    assert.equal(by.weak!.status, 'needs_retraining');
    assert.equal(by.idle!.status, 'watch');
    const one = await json<SkillBody>(await h.get('/skills/weak', h.a.tokens.read));
    assert.deepEqual([one.accuracy_score_7day, one.needs_retraining, one.usage_count], [0.7, true, 10]);
    const b = await json<{ data: SkillBody[] }>(await h.get('/skills', h.b.keys.read));
    assert.deepEqual(
      b.data.map((s) => [s.skill_name, s.usage_count]),
      [['dropper', 5]],
    );
  });

  test('re-scoring unchanged activities writes nothing; new outcomes move the figures', () => {
    const before = tableRows(h.a.tenant.id);
    assert.deepEqual(scoreTenantSkills(h.db, h.a.tenant.id, h.clock.now), { tenant_id: h.a.tenant.id, skills: 5, changed: 0 });
    assert.deepEqual(tableRows(h.a.tenant.id), before);

    // Two more failures of weak today and a recovery of dropper.
    add(h.a.tenant.id, 'weak', NOW, 'failed');
    add(h.a.tenant.id, 'weak', NOW, 'failed');
    outcomes(h.a.tenant.id, 'dropper', 0, 10, 0);
    h.db.insert(activity).values(rows.slice(-12)).run();
    assert.deepEqual(scoreTenantSkills(h.db, h.a.tenant.id, h.clock.now), { tenant_id: h.a.tenant.id, skills: 5, changed: 2 });
    const by = Object.fromEntries(tableRows(h.a.tenant.id).map((r) => [r.skill_name, r]));
    assert.equal(by.weak!.accuracy_score_7day, 0.5833); // 7 of 12
    assert.equal(by.weak!.usage_count, 12);
    assert.equal(by.dropper!.accuracy_score_7day, 0.9); // 18 of 20
    assert.equal(by.dropper!.trend, 0);
    assert.equal(by.dropper!.needs_retraining, 0, 'recovered: no longer flagged');
  });

  test('as time passes, the windows move: a week later the drop is history', async () => {
    h.clock.now = NOW + 15 * DAY;
    const results = await scoreAllSkills(h.db, h.clock.now);
    assert.deepEqual(
      results.map((r) => r.tenant_id),
      [h.a.tenant.id, h.b.tenant.id],
    );
    const by = Object.fromEntries(tableRows(h.a.tenant.id).map((r) => [r.skill_name, r]));
    assert.equal(by.dropper!.accuracy_score_7day, null);
    assert.equal(by.dropper!.trend, null);
    assert.equal(by.dropper!.needs_retraining, 0);
    assert.equal(by.dropper!.usage_count, 34);
  });
});
