import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { activity, errors, skills, type NewActivity, type OutcomeStatus, type SkillRow } from '../../db/schema.js';
import { createHarness, json, NOW, problem, type Harness } from '../../test/harness.js';
import { skillStatus } from './skills.queries.js';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;

let h: Harness;
const activities: (NewActivity & { tenant_id: number })[] = [];

function act(tenantId: number, at: string | number, skill: string | null, outcome: OutcomeStatus) {
  const timestamp = typeof at === 'number' ? at : Date.parse(at);
  activities.push({
    id: `act_${activities.length.toString().padStart(3, '0')}`,
    tenant_id: tenantId,
    timestamp,
    action_type: outcome === 'failed' ? 'error' : 'faq_answered',
    channel: 'voice',
    skill_name: skill,
    outcome_status: outcome,
    message_in: outcome === 'failed' ? `<script>failed ${activities.length}</script>` : null,
  });
}

type NewSkill = Partial<SkillRow> & { skill_name: string };
const A_SKILLS: NewSkill[] = [
  { skill_name: 'booking', accuracy_score: 0.9, accuracy_score_7day: 0.88, trend: -0.02, usage_count: 100, last_trained_at: NOW - 10 * DAY },
  { skill_name: 'faq', skill_category: '<script>alert(1)</script>', accuracy_score: 0.8, accuracy_score_7day: 0.8, trend: 0.05, usage_count: 300 },
  { skill_name: 'prescreen', accuracy_score: 0.7, accuracy_score_7day: 0.6, trend: -0.2, usage_count: 50 },
  { skill_name: 'transfer', accuracy_score: 0.95, accuracy_score_7day: 0.9, trend: -0.12, usage_count: 10, needs_retraining: true },
  { skill_name: 'new_skill', usage_count: 0 },
  { skill_name: 'fallback', accuracy_score: 0.86, usage_count: 5 },
  { skill_name: 'exact85', accuracy_score: 0.85, accuracy_score_7day: 0.85, trend: 0, usage_count: 20 },
  { skill_name: 'exact75', accuracy_score: 0.75, accuracy_score_7day: 0.75, trend: 0, usage_count: 20 },
];

before(async () => {
  h = await createHarness();
  const a = h.a.tenant.id;
  const b = h.b.tenant.id;
  h.db.insert(skills).values(A_SKILLS.map((s) => ({ tenant_id: a, ...s }))).run();
  h.db
    .insert(skills)
    .values([
      { tenant_id: b, skill_name: 'booking', skill_category: 'B-SECRET', accuracy_score: 0.1, usage_count: 999 },
      { tenant_id: b, skill_name: 'b_only', skill_category: 'B-SECRET', usage_count: 1 },
    ])
    .run();

  // Tenant a is in New York. Today is 2026-11-20 (EST, UTC−5); DST ended on 2026-11-01.
  for (const outcome of ['success', 'success', 'success', 'failed', 'escalated', 'pending'] as const) act(a, '2026-11-20T14:00:00Z', 'booking', outcome);
  act(a, '2026-11-20T04:59:00Z', 'booking', 'success'); // 23:59 on the 19th, local
  act(a, '2026-11-20T05:00:00Z', 'booking', 'failed'); // midnight of the 20th, local
  act(a, '2026-11-07T05:00:00Z', 'booking', 'failed'); // the first of the last 14 days
  act(a, '2026-11-07T04:59:00Z', 'booking', 'success'); // the 6th: in 30 days, not in 14
  act(a, '2026-11-02T04:30:00Z', 'booking', 'failed'); // 23:30 EST on November 1st
  act(a, '2026-10-31T04:30:00Z', 'booking', 'success'); // 00:30 EDT on October 31st
  act(a, '2026-10-22T04:00:00Z', 'booking', 'success'); // midnight EDT, first of the last 30 days
  act(a, '2026-10-22T03:59:00Z', 'booking', 'failed'); // October 21st: too old
  act(a, '2026-11-21T05:00:00Z', 'booking', 'success'); // tomorrow, local: not shown
  for (const outcome of ['success', 'success', 'failed'] as const) act(a, '2026-11-10T15:00:00Z', 'prescreen', outcome);
  act(a, '2026-11-20T14:00:00Z', 'unlisted_skill', 'failed');
  act(a, '2026-11-20T14:00:00Z', null, 'failed');
  for (let i = 0; i < 25; i++) act(a, NOW - 90 * DAY - i * MIN, 'booking', 'failed');
  // Tenant b's activities for a skill of the same name count for b only.
  for (let i = 0; i < 5; i++) act(b, '2026-11-20T14:00:00Z', 'booking', 'failed');
  h.db.insert(activity).values(activities).run();

  const error = (id: string, tenant_id: number, timestamp: number, skill_name: string, message_in: string | null) =>
    ({ id, tenant_id, timestamp, skill_name, message_in, error_type: 'api_failure', severity: 'high' }) as const;
  const errorRows = Array.from({ length: 22 }, (_, i) => error(`err_${String(i).padStart(2, '0')}`, a, NOW - i * 60 * MIN, 'booking', `<script>${i}</script>`));
  errorRows.push(error('err_faq', a, NOW, 'faq', null), error('err_b', b, NOW, 'booking', 'B-SECRET'));
  h.db.insert(errors).values(errorRows).run();
});

after(() => h.close());

interface Day {
  date: string;
  accuracy: number | null;
  total: number;
}
const names = (body: { data: { skill_name: string }[] }) => body.data.map((s) => s.skill_name);
const nonEmpty = (days: Day[]) => days.filter((d) => d.total > 0);

describe('skillStatus', () => {
  const s = (accuracy_score_7day: number | null, accuracy_score: number | null = null, needs_retraining = 0) =>
    skillStatus({ accuracy_score_7day, accuracy_score, needs_retraining });
  test('thresholds on 7-day accuracy', () => {
    assert.equal(s(1), 'healthy');
    assert.equal(s(0.85), 'healthy');
    assert.equal(s(0.8499), 'watch');
    assert.equal(s(0.75), 'watch');
    assert.equal(s(0.7499), 'needs_retraining');
    assert.equal(s(0), 'needs_retraining');
  });
  test('the flag overrides, the 30-day figure stands in, and nothing known is watch', () => {
    assert.equal(s(0.99, 0.99, 1), 'needs_retraining');
    assert.equal(s(null, 0.9), 'healthy');
    assert.equal(s(null, 0.5), 'needs_retraining');
    assert.equal(s(0.9, 0.5), 'healthy');
    assert.equal(s(null, null), 'watch');
  });
});

describe('GET /skills', () => {
  test('every skill of the tenant, by 30-day accuracy by default', async () => {
    const body = await json(await h.get('/skills', h.a.keys.read));
    assert.deepEqual(names(body), ['transfer', 'booking', 'fallback', 'exact85', 'faq', 'exact75', 'prescreen', 'new_skill']);
    assert.deepEqual(names(await json(await h.get('/skills?sort=accuracy', h.a.keys.read))), names(body));
    assert.ok(!JSON.stringify(body).includes('B-SECRET'));
  });

  test('sort=usage: most used first', async () => {
    assert.deepEqual(names(await json(await h.get('/skills?sort=usage', h.a.keys.read))), [
      'faq',
      'booking',
      'prescreen',
      'exact75',
      'exact85',
      'transfer',
      'fallback',
      'new_skill',
    ]);
  });

  test('sort=trend: most declining first, no trend last', async () => {
    assert.deepEqual(names(await json(await h.get('/skills?sort=trend', h.a.tokens.read))), [
      'prescreen',
      'transfer',
      'booking',
      'exact75',
      'exact85',
      'faq',
      'fallback',
      'new_skill',
    ]);
  });

  test('fields and derived status', async () => {
    const { data } = await json(await h.get('/skills', h.a.keys.read));
    const by = Object.fromEntries(data.map((s: { skill_name: string }) => [s.skill_name, s]));
    const { daily_accuracy, ...booking } = by.booking;
    assert.equal(daily_accuracy.length, 14);
    assert.deepEqual(booking, {
      skill_name: 'booking',
      skill_category: 'general',
      accuracy_score: 0.9,
      accuracy_score_7day: 0.88,
      trend: -0.02,
      usage_count: 100,
      needs_retraining: false,
      last_trained_at: new Date(NOW - 10 * DAY).toISOString(),
      status: 'healthy',
    });
    assert.deepEqual(
      Object.fromEntries(data.map((s: { skill_name: string; status: string }) => [s.skill_name, s.status])),
      {
        transfer: 'needs_retraining',
        booking: 'healthy',
        fallback: 'healthy',
        exact85: 'healthy',
        faq: 'watch',
        exact75: 'watch',
        prescreen: 'needs_retraining',
        new_skill: 'watch',
      },
    );
    assert.equal(by.transfer.needs_retraining, true);
    assert.equal(by.new_skill.accuracy_score, null);
    assert.equal(by.new_skill.last_trained_at, null);
    assert.equal(by.faq.skill_category, '<script>alert(1)</script>');
  });

  test('daily accuracy: the last 14 local days, folded at the tenant’s midnight', async () => {
    const { data } = await json(await h.get('/skills', h.a.keys.read));
    const by = Object.fromEntries(data.map((s: { skill_name: string; daily_accuracy: Day[] }) => [s.skill_name, s.daily_accuracy]));
    const booking: Day[] = by.booking;
    assert.equal(booking[0]!.date, '2026-11-07');
    assert.equal(booking[13]!.date, '2026-11-20');
    assert.deepEqual(
      booking.map((d) => d.date),
      Array.from({ length: 14 }, (_, i) => `2026-11-${String(7 + i).padStart(2, '0')}`),
    );
    assert.deepEqual(nonEmpty(booking), [
      { date: '2026-11-07', accuracy: 0, total: 1 },
      { date: '2026-11-19', accuracy: 1, total: 1 },
      { date: '2026-11-20', accuracy: 0.6, total: 5 },
    ]);
    assert.deepEqual(booking[1], { date: '2026-11-08', accuracy: null, total: 0 });
    assert.deepEqual(nonEmpty(by.prescreen), [{ date: '2026-11-10', accuracy: 2 / 3, total: 3 }]);
    for (const skill of ['faq', 'new_skill', 'transfer']) {
      assert.equal(by[skill].length, 14);
      assert.deepEqual(nonEmpty(by[skill]), []);
    }
  });

  test('tenant b: its own skills and activities, in its own zone', async () => {
    const { data } = await json(await h.get('/skills', h.b.keys.read));
    assert.deepEqual(names({ data }), ['booking', 'b_only']);
    assert.deepEqual(nonEmpty(data[0].daily_accuracy), [{ date: '2026-11-20', accuracy: 0, total: 5 }]);
  });

  test('bad sort is a 400 naming sort', async () => {
    const body = await problem(await h.get('/skills?sort=name', h.a.keys.read), 400);
    assert.deepEqual(body.errors?.map((e) => e.field), ['sort']);
  });

  test('tenant-wide: a client-locked token gets 403; no credential 401', async () => {
    await problem(await h.get('/skills', h.a.tokens.locked), 403);
    await problem(await h.get('/skills'), 401);
    await problem(await h.get('/skills', h.a.tokens.tampered), 401);
  });
});

describe('GET /skills/{skill_name}', () => {
  test('the skill with 30 days of accuracy, across the DST change', async () => {
    const body = await json(await h.get('/skills/booking', h.a.keys.read));
    assert.equal(body.skill_name, 'booking');
    assert.equal(body.status, 'healthy');
    const days: Day[] = body.daily_accuracy;
    assert.equal(days.length, 30);
    assert.equal(days[0]!.date, '2026-10-22');
    assert.equal(days[29]!.date, '2026-11-20');
    assert.deepEqual(nonEmpty(days), [
      { date: '2026-10-22', accuracy: 1, total: 1 },
      { date: '2026-10-31', accuracy: 1, total: 1 },
      { date: '2026-11-01', accuracy: 0, total: 1 },
      { date: '2026-11-06', accuracy: 1, total: 1 },
      { date: '2026-11-07', accuracy: 0, total: 1 },
      { date: '2026-11-19', accuracy: 1, total: 1 },
      { date: '2026-11-20', accuracy: 0.6, total: 5 },
    ]);
  });

  test('recent failures: the latest 20 failed activities and 20 errors of the skill, newest first', async () => {
    const { recent_failures } = await json(await h.get('/skills/booking', h.a.keys.read));
    const expected = activities
      .filter((x) => x.tenant_id === h.a.tenant.id && x.skill_name === 'booking' && x.outcome_status === 'failed')
      .sort((x, y) => y.timestamp - x.timestamp || (y.id < x.id ? -1 : 1))
      .slice(0, 20);
    assert.deepEqual(
      recent_failures.activities.map((x: { id: string }) => x.id),
      expected.map((x) => x.id),
    );
    const first = recent_failures.activities[0];
    assert.equal(first.outcome_status, 'failed');
    assert.equal(first.timestamp, new Date(expected[0]!.timestamp).toISOString());
    assert.equal(first.message_in, expected[0]!.message_in);
    assert.match(first.message_in, /^<script>failed \d+<\/script>$/);
    assert.deepEqual(Object.keys(first).sort(), [
      'action_type',
      'channel',
      'client_id',
      'client_name',
      'client_phone',
      'confidence_score',
      'conversation_id',
      'id',
      'lead_stage',
      'message_in',
      'message_out',
      'metadata',
      'outcome_status',
      'response_time_ms',
      'skill_name',
      'timestamp',
    ]);
    assert.deepEqual(
      recent_failures.errors.map((e: { id: string }) => e.id),
      Array.from({ length: 20 }, (_, i) => `err_${String(i).padStart(2, '0')}`),
    );
    assert.equal(recent_failures.errors[3].message_in, '<script>3</script>');
    assert.equal(recent_failures.errors[3].needs_human_review, false);
  });

  test('a skill with no activity', async () => {
    const body = await json(await h.get('/skills/new_skill', h.a.keys.read));
    assert.equal(body.daily_accuracy.length, 30);
    assert.deepEqual(nonEmpty(body.daily_accuracy), []);
    assert.deepEqual(body.recent_failures, { activities: [], errors: [] });
    assert.deepEqual((await json(await h.get('/skills/faq', h.a.keys.read))).recent_failures.errors.map((e: { id: string }) => e.id), ['err_faq']);
  });

  test('names are taken verbatim from the path', async () => {
    h.db.insert(skills).values({ tenant_id: h.a.tenant.id, skill_name: 'rate quote/refi', usage_count: 1 }).run();
    try {
      assert.equal((await json(await h.get(`/skills/${encodeURIComponent('rate quote/refi')}`, h.a.keys.read))).skill_name, 'rate quote/refi');
    } finally {
      h.db.$client.prepare("DELETE FROM ai_receptionist_skills WHERE skill_name = 'rate quote/refi'").run();
    }
  });

  test('unknown, or only another tenant’s, is 404 alike', async () => {
    await problem(await h.get('/skills/unlisted_skill', h.a.keys.read), 404);
    const res = await h.get('/skills/b_only', h.a.keys.read);
    const text = await res.clone().text();
    await problem(res, 404);
    assert.ok(!text.includes('B-SECRET'));
    await problem(await h.get(`/skills/${'x'.repeat(200)}`, h.a.keys.read), 404);
    // A name both tenants use answers with the caller's own skill, activities and errors.
    const body = await json(await h.get('/skills/booking', h.a.keys.read));
    assert.ok(!JSON.stringify(body).includes('B-SECRET'));
    assert.equal(body.skill_category, 'general');
  });

  test('an over-long name is a 400 naming skill_name', async () => {
    const body = await problem(await h.get(`/skills/${'x'.repeat(201)}`, h.a.keys.read), 400);
    assert.deepEqual(body.errors?.map((e) => e.field), ['skill_name']);
  });

  test('tenant-wide: a client-locked token gets 403', async () => {
    await problem(await h.get('/skills/booking', h.a.tokens.locked), 403);
  });
});
