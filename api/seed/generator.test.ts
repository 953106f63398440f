import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate, openDb, type Db } from '../db/client.js';
import { tenants, type TranscriptTurn } from '../db/schema.js';
import { scoreSkill } from '../domain/skills.js';
import { zone } from '../lib/time.js';
import { seedTenant, type SeedOptions } from './generator.js';

/** A Wednesday afternoon in New York, three days after the switch to daylight time. */
const NOW = Date.UTC(2025, 2, 12, 18, 7, 33);
const START_TYPES = "('incoming_call', 'incoming_text', 'outbound_followup')";

function seed(options: Partial<SeedOptions> = {}) {
  const db = openDb(join(mkdtempSync(join(tmpdir(), 'seed-')), 't.db'));
  migrate(db);
  const tenant = db.insert(tenants).values({ slug: 't', name: 'T', timezone: 'America/New_York' }).returning().get();
  const result = seedTenant(db, { tenantId: tenant.id, timezone: tenant.timezone, now: NOW, ...options });
  return { db, result };
}

function all<T = Record<string, unknown>>(db: Db, sql: string, ...params: unknown[]): T[] {
  return db.$client.prepare(sql).all(...params) as T[];
}

function one<T = Record<string, unknown>>(db: Db, sql: string, ...params: unknown[]): T {
  return db.$client.prepare(sql).get(...params) as T;
}

const demo = seed();

test('reports what it wrote', () => {
  const { db, result } = demo;
  assert.equal(result.activities, one<{ n: number }>(db, 'SELECT count(*) n FROM ai_receptionist_activity').n);
  assert.equal(result.conversations, one<{ n: number }>(db, 'SELECT count(*) n FROM ai_receptionist_conversations').n);
  assert.equal(result.errors, one<{ n: number }>(db, 'SELECT count(*) n FROM ai_receptionist_errors').n);
  assert.equal(result.skills, 12);
  assert.equal(result.components, 11);
  // About 150 conversations a day over 14 days, today's included only up to now.
  assert.ok(result.conversations > 1700 && result.conversations < 2400, `${result.conversations} conversations`);
  assert.ok(result.errors >= 40 && result.errors <= 80, `${result.errors} errors`);
});

test('is deterministic: the same seed and now give identical rows, another seed different ones', () => {
  const again = seed();
  const rows = (db: Db) => all(db, 'SELECT * FROM ai_receptionist_activity ORDER BY id');
  assert.deepEqual(rows(again.db), rows(demo.db));
  assert.deepEqual(
    all(again.db, 'SELECT * FROM ai_receptionist_conversations ORDER BY id'),
    all(demo.db, 'SELECT * FROM ai_receptionist_conversations ORDER BY id'),
  );
  assert.deepEqual(all(again.db, 'SELECT * FROM ai_receptionist_errors ORDER BY id'), all(demo.db, 'SELECT * FROM ai_receptionist_errors ORDER BY id'));
  const other = seed({ seed: 7, days: 2 });
  assert.notDeepEqual(rows(other.db).slice(0, 10), rows(demo.db).slice(0, 10));
});

test('every conversation has exactly one starting activity, and it comes first', () => {
  const { db } = demo;
  const starts = all<{ id: string; starts: number; first: number; started_at: number }>(
    db,
    `SELECT c.id, c.started_at,
       (SELECT count(*) FROM ai_receptionist_activity a WHERE a.conversation_id = c.id AND a.action_type IN ${START_TYPES}) starts,
       (SELECT min(timestamp) FROM ai_receptionist_activity a WHERE a.conversation_id = c.id) first
     FROM ai_receptionist_conversations c`,
  );
  assert.ok(starts.length > 0);
  for (const c of starts) {
    assert.equal(c.starts, 1, `conversation ${c.id}`);
    assert.equal(c.first, c.started_at, `conversation ${c.id}`);
  }
  const orphans = one<{ n: number }>(
    db,
    'SELECT count(*) n FROM ai_receptionist_activity a WHERE NOT EXISTS (SELECT 1 FROM ai_receptionist_conversations c WHERE c.id = a.conversation_id)',
  );
  assert.equal(orphans.n, 0);
});

test('nothing is dated after now', () => {
  const { db } = demo;
  const latest = one<Record<string, number>>(
    db,
    `SELECT (SELECT max(timestamp) FROM ai_receptionist_activity) activity,
       (SELECT max(max(started_at), max(coalesce(ended_at, 0))) FROM ai_receptionist_conversations) conversation,
       (SELECT max(max(timestamp), max(coalesce(resolved_at, 0))) FROM ai_receptionist_errors) error,
       (SELECT max(at) FROM ai_receptionist_error_audit) audit,
       (SELECT max(checked_at) FROM ai_receptionist_health_checks) health_check,
       (SELECT max(last_checked) FROM ai_receptionist_system_health) health`,
  );
  for (const [table, at] of Object.entries(latest)) assert.ok(at <= NOW, `${table}: ${at} > ${NOW}`);
  for (const { transcript } of all<{ transcript: string }>(db, 'SELECT transcript FROM ai_receptionist_conversations')) {
    for (const turn of JSON.parse(transcript) as TranscriptTurn[]) assert.ok(Date.parse(turn.at) <= NOW);
  }
});

test('conversations are well formed: 4 to 12 turns, 30 s to 9 min, confidence on AI turns only', () => {
  const { db } = demo;
  const rows = all<{ transcript: string; total_turns: number; started_at: number; ended_at: number | null; outcome: string | null }>(
    db,
    'SELECT transcript, total_turns, started_at, ended_at, outcome FROM ai_receptionist_conversations',
  );
  for (const row of rows) {
    const turns = JSON.parse(row.transcript) as TranscriptTurn[];
    assert.equal(row.total_turns, turns.length);
    for (const turn of turns) {
      assert.equal(turn.speaker === 'ai', turn.confidence !== undefined);
      assert.doesNotMatch(turn.text, /[{}]/, 'every placeholder is filled');
    }
    if (row.ended_at === null) continue; // still under way at `now`
    assert.ok(turns.length >= 4 && turns.length <= 12, `${turns.length} turns`);
    const duration = row.ended_at - row.started_at;
    assert.ok(duration >= 30_000 && duration <= 9 * 60_000, `${duration} ms`);
    assert.ok(row.outcome);
  }
  const placeholders = one<{ n: number }>(db, "SELECT count(*) n FROM ai_receptionist_activity WHERE message_in LIKE '%{%' OR message_out LIKE '%{%'");
  assert.equal(placeholders.n, 0);
});

test('the mix is believable: channels, outbound share, bookings, escalations', () => {
  const { db } = demo;
  const share = (where: string, of = 'ai_receptionist_conversations') =>
    one<{ p: number }>(db, `SELECT avg(CASE WHEN ${where} THEN 1.0 ELSE 0 END) p FROM ${of}`).p;
  assert.ok(Math.abs(share("channel = 'voice'") - 0.55) < 0.05);
  assert.ok(Math.abs(share("channel = 'sms'") - 0.35) < 0.05);
  const conversations = one<{ n: number }>(db, `SELECT count(*) n FROM ai_receptionist_activity WHERE action_type IN ${START_TYPES}`).n;
  const count = (action: string) => one<{ n: number }>(db, 'SELECT count(*) n FROM ai_receptionist_activity WHERE action_type = ?', action).n / conversations;
  assert.ok(Math.abs(count('outbound_followup') - 0.12) < 0.03);
  const bookings = one<{ n: number }>(db, "SELECT count(*) n FROM ai_receptionist_activity WHERE action_type = 'appointment_booked' AND outcome_status = 'success'").n;
  assert.ok(bookings / conversations >= 0.2 && bookings / conversations <= 0.3, `booking rate ${bookings / conversations}`);
  assert.ok(Math.abs(count('escalated') - 0.08) < 0.03);
  assert.ok(Math.abs(count('ai_uncertainty') - 0.05) < 0.025);
  assert.ok(Math.abs(count('error') - 0.02) < 0.015);
  const escalatedOutcome = one<{ n: number }>(db, "SELECT count(*) n FROM ai_receptionist_activity WHERE action_type = 'escalated' AND outcome_status <> 'escalated'");
  assert.equal(escalatedOutcome.n, 0);
});

test('the lead funnel narrows on every local day: conversations ≥ pre-screens ≥ bookings', () => {
  const newYork = zone('America/New_York');
  // Four minutes past local midnight: today holds only the first few conversations.
  const justAfterMidnight = Date.UTC(2025, 2, 12, 4, 4, 0);
  for (const [label, db] of [
    ['demo', demo.db],
    ['bulk', seed({ rows: 20_000, seed: 7 }).db],
    ['just after midnight', seed({ rows: 20_000, now: justAfterMidnight }).db],
  ] as const) {
    const days = new Map<string, { conversations: number; prescreens: number; bookings: number }>();
    const rows = all<{ timestamp: number; action_type: string }>(
      db,
      `SELECT timestamp, action_type FROM ai_receptionist_activity WHERE action_type IN ${START_TYPES.slice(0, -1)}, 'lead_prescreened', 'appointment_booked')`,
    );
    for (const { timestamp, action_type } of rows) {
      const day = newYork.localDate(timestamp);
      const d = days.get(day) ?? { conversations: 0, prescreens: 0, bookings: 0 };
      if (action_type === 'lead_prescreened') d.prescreens++;
      else if (action_type === 'appointment_booked') d.bookings++;
      else d.conversations++;
      days.set(day, d);
    }
    assert.ok(days.size >= 13, `${label}: ${days.size} days`);
    for (const [day, d] of days) {
      assert.ok(d.conversations >= d.prescreens && d.prescreens >= d.bookings, `${label} ${day}: ${JSON.stringify(d)}`);
    }
    // Each booking (made or failed) comes after a pre-screen in its own conversation.
    const unscreened = one<{ n: number }>(
      db,
      `SELECT count(*) n FROM ai_receptionist_activity b WHERE b.action_type = 'appointment_booked' AND NOT EXISTS (
         SELECT 1 FROM ai_receptionist_activity p WHERE p.conversation_id = b.conversation_id AND p.action_type = 'lead_prescreened'
           AND p.timestamp < b.timestamp)`,
    );
    assert.equal(unscreened.n, 0, label);
  }
});

test('the skills table is scoreSkill over the activities that name each skill', () => {
  const { db } = demo;
  const skills = all<{ skill_name: string; accuracy_score: number; accuracy_score_7day: number; trend: number; usage_count: number; needs_retraining: number }>(
    db,
    'SELECT * FROM ai_receptionist_skills',
  );
  assert.equal(skills.length, 12);
  for (const skill of skills) {
    const activities = all<{ timestamp: number; outcome_status: string }>(
      db,
      'SELECT timestamp, outcome_status FROM ai_receptionist_activity WHERE skill_name = ?',
      skill.skill_name,
    );
    const samples = activities
      .filter((a) => a.outcome_status === 'success' || a.outcome_status === 'failed')
      .map((a) => ({ timestamp: a.timestamp, success: a.outcome_status === 'success' }));
    const expected = scoreSkill(samples, NOW);
    assert.deepEqual(
      {
        accuracy_score: skill.accuracy_score,
        accuracy_score_7day: skill.accuracy_score_7day,
        trend: skill.trend,
        needs_retraining: skill.needs_retraining === 1,
      },
      expected,
      skill.skill_name,
    );
    assert.equal(skill.usage_count, activities.length, skill.skill_name);
    assert.ok(skill.usage_count > 0, skill.skill_name);
  }
  assert.ok(skills.some((s) => s.needs_retraining === 1), 'at least one skill needs retraining');
  assert.ok(skills.filter((s) => s.needs_retraining === 0).length >= 9, 'most skills are healthy');
  const unknown = one<{ n: number }>(
    db,
    'SELECT count(*) n FROM ai_receptionist_activity WHERE skill_name IS NOT NULL AND skill_name NOT IN (SELECT skill_name FROM ai_receptionist_skills)',
  );
  assert.equal(unknown.n, 0);
});

test('system health: one component degraded, one down, the rest active, consistent with the checks', () => {
  const { db } = demo;
  const components = all<{
    component_name: string;
    status: string;
    uptime_percentage: number;
    error_rate: number;
    last_checked: number;
    down_since: number | null;
    consecutive_failures: number;
  }>(db, 'SELECT * FROM ai_receptionist_system_health');
  assert.equal(components.length, 11);
  assert.deepEqual(components.filter((c) => c.status === 'degraded').map((c) => c.component_name), ['outlook_sync']);
  assert.deepEqual(components.filter((c) => c.status === 'down').map((c) => c.component_name), ['zapier_triggers']);
  assert.equal(components.filter((c) => c.status === 'active').length, 9);
  for (const c of components) {
    const checks = all<{ checked_at: number; ok: number; status: string }>(
      db,
      'SELECT checked_at, ok, status FROM ai_receptionist_health_checks WHERE component_name = ? ORDER BY checked_at',
      c.component_name,
    );
    assert.equal(checks.length, 288, 'every 5 minutes for 24 hours');
    assert.ok(checks[0]!.checked_at > NOW - 24 * 3_600_000);
    assert.equal(c.last_checked, checks.at(-1)!.checked_at);
    assert.equal(c.status, checks.at(-1)!.status);
    assert.equal(c.uptime_percentage, Math.round((checks.filter((k) => k.ok).length / checks.length) * 10_000) / 100);
  }
  const down = components.find((c) => c.status === 'down')!;
  assert.ok(down.consecutive_failures >= 3);
  assert.ok(down.down_since! >= NOW - 45 * 60_000 && down.down_since! <= NOW - 35 * 60_000, 'down for about 40 minutes');
  const degraded = components.find((c) => c.status === 'degraded')!;
  assert.ok(degraded.error_rate > 0.05 && degraded.error_rate < 0.12);
});

test('errors carry a diagnosis, and each status change has its audit row', () => {
  const { db } = demo;
  const errors = all<{ id: string; root_cause: string; recommended_fix: string; resolution_status: string; resolved_by: string | null; resolved_at: number | null }>(
    db,
    'SELECT * FROM ai_receptionist_errors',
  );
  for (const e of errors) {
    assert.ok(e.root_cause && e.recommended_fix);
    const audit = all<{ from_status: string; to_status: string; actor: string; at: number }>(db, 'SELECT * FROM ai_receptionist_error_audit WHERE error_id = ?', e.id);
    if (e.resolution_status === 'unresolved') {
      assert.equal(audit.length, 0);
      assert.equal(e.resolved_by, null);
    } else {
      assert.deepEqual(audit.map((a) => [a.from_status, a.to_status, a.actor, a.at]), [['unresolved', e.resolution_status, e.resolved_by, e.resolved_at]]);
    }
  }
  assert.ok(errors.filter((e) => e.resolution_status === 'unresolved').length > errors.length / 2, 'mostly unresolved');
  assert.ok(errors.some((e) => e.resolution_status !== 'unresolved'));
});

test('bulk mode writes exactly `rows` activities, in conversations that each start once', () => {
  const progress: [number, number][] = [];
  const { db, result } = seed({ rows: 20_000, onProgress: (done, total) => progress.push([done, total]) });
  assert.equal(result.activities, 20_000);
  assert.equal(one<{ n: number }>(db, 'SELECT count(*) n FROM ai_receptionist_activity').n, 20_000);
  assert.deepEqual(progress, [[10_000, 20_000], [20_000, 20_000]]);
  const badStarts = one<{ n: number }>(
    db,
    `SELECT count(*) n FROM (SELECT conversation_id FROM ai_receptionist_activity GROUP BY conversation_id
       HAVING sum(action_type IN ${START_TYPES}) <> 1)`,
  );
  assert.equal(badStarts.n, 0);
  assert.ok(one<{ t: number }>(db, 'SELECT max(timestamp) t FROM ai_receptionist_activity').t <= NOW);
  // Spread over every day, not front-loaded.
  const perDay = all(db, "SELECT date(timestamp / 1000, 'unixepoch', '-4 hours') d FROM ai_receptionist_activity GROUP BY d");
  assert.ok(perDay.length >= 14);
});

test('bulk mode with fewer rows than the transcript sample still writes exactly `rows`', () => {
  const { db, result } = seed({ rows: 500 });
  assert.equal(result.activities, 500);
  assert.equal(one<{ n: number }>(db, 'SELECT count(*) n FROM ai_receptionist_activity').n, 500);
  const starts = one<{ n: number }>(
    db,
    `SELECT count(*) n FROM ai_receptionist_conversations c WHERE (SELECT count(*) FROM ai_receptionist_activity a
       WHERE a.conversation_id = c.id AND a.action_type IN ${START_TYPES}) <> 1`,
  );
  assert.equal(starts.n, 0);
});

test('two tenants seeded with the same seed in one database get distinct ids', () => {
  const { db } = seed({ rows: 2_000 });
  const other = db.insert(tenants).values({ slug: 'u', name: 'U', timezone: 'America/New_York' }).returning().get();
  seedTenant(db, { tenantId: other.id, timezone: other.timezone, now: NOW, rows: 2_000 });
  for (const table of ['ai_receptionist_activity', 'ai_receptionist_conversations', 'ai_receptionist_errors']) {
    const shared = one<{ n: number }>(db, `SELECT count(*) AS n FROM ${table} a JOIN ${table} b ON a.id = b.id AND a.tenant_id < b.tenant_id`);
    assert.equal(shared.n, 0, table);
    assert.ok(one<{ n: number }>(db, `SELECT count(DISTINCT tenant_id) AS n FROM ${table}`).n === 2, table);
  }
});
