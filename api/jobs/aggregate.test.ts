import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { roiAssumptions } from '../auth/principal.js';
import { activity, ACTION_TYPES, conversations, metrics_daily, type ActionType, type NewActivity, type OutcomeStatus, type Sentiment } from '../db/schema.js';
import { nearestRank } from '../domain/metrics.js';
import { zone } from '../lib/time.js';
import { createHarness, type Harness } from '../test/harness.js';
import { aggregateDay, aggregateRange } from './aggregate.js';

let h: Harness;
let seq = 0;
const tenantA = () => ({ id: h.a.tenant.id, timezone: h.a.tenant.timezone, roi: roiAssumptions(h.a.tenant.roi_assumptions) });

function act(tenantId: number, at: string | number, action_type: ActionType, extra: Partial<NewActivity> = {}): NewActivity {
  return {
    id: `agg_${(seq++).toString().padStart(5, '0')}`,
    tenant_id: tenantId,
    timestamp: typeof at === 'number' ? at : Date.parse(at),
    action_type,
    channel: 'voice',
    outcome_status: 'success',
    ...extra,
  };
}

function conversation(tenantId: number, at: string, sentiment: Sentiment | null) {
  h.db
    .insert(conversations)
    .values({ id: `conv_${seq++}`, tenant_id: tenantId, channel: 'voice', started_at: Date.parse(at), transcript: [], sentiment })
    .run();
}

before(async () => {
  h = await createHarness();
});
after(() => h.close());

describe('aggregateDay', () => {
  test('a 25-hour day (DST ends 2026-11-01 in New York) counts both 1:30s and nothing of the days around it', () => {
    const [start, end] = zone('America/New_York').dayRange('2026-11-01');
    assert.equal(end - start, 25 * 3_600_000);
    const a = h.a.tenant.id;
    h.db
      .insert(activity)
      .values([
        act(a, '2026-11-01T03:59:59Z', 'incoming_call'), // 23:59:59 EDT on October 31
        act(a, '2026-11-01T04:00:00Z', 'incoming_call'), // 00:00 EDT
        act(a, '2026-11-01T05:30:00Z', 'incoming_text'), // 01:30 EDT
        act(a, '2026-11-01T06:30:00Z', 'incoming_text'), // 01:30 EST, an hour later
        act(a, '2026-11-02T04:59:59Z', 'faq_answered'), // 23:59:59 EST
        act(a, '2026-11-02T05:00:00Z', 'faq_answered'), // 00:00 EST on November 2
      ])
      .run();
    const row = aggregateDay(h.db, tenantA(), '2026-11-01');
    assert.equal(row.date, '2026-11-01');
    assert.equal(row.tenant_id, a);
    assert.equal(row.total_activities, 4);
    assert.equal(row.total_conversations, 3);
    assert.equal(row.inbound_texts, 2);
    assert.equal(row.faq_answered, 1);
    assert.equal(row.after_hours_conversations, 3); // a Sunday
  });

  test('a crafted weekday: every figure as defined', () => {
    const a = h.a.tenant.id;
    const b = h.b.tenant.id;
    // Wednesday 2026-11-18 in New York (EST, UTC−5): business hours 9:00–17:00 are 14:00–22:00 UTC.
    const day: NewActivity[] = [
      act(a, '2026-11-18T13:59:00Z', 'incoming_call', { client_id: 'c1', confidence_score: 0.8, response_time_ms: 1000 }), // 8:59, after hours
      act(a, '2026-11-18T14:00:00Z', 'incoming_call', { client_id: 'c2', confidence_score: 0.6, response_time_ms: 3000 }), // 9:00
      act(a, '2026-11-18T21:59:00Z', 'incoming_text', { client_id: 'c1', response_time_ms: 500 }), // 16:59
      act(a, '2026-11-18T22:00:00Z', 'incoming_call', { client_id: 'c3', outcome_status: 'failed' }), // 17:00, after hours, failed
      act(a, '2026-11-18T22:30:00Z', 'outbound_followup', { outcome_status: 'pending', channel: 'sms' }), // after hours
      act(a, '2026-11-18T15:00:00Z', 'appointment_booked', { client_id: 'c2', confidence_score: 1 }),
      act(a, '2026-11-18T15:01:00Z', 'escalated', { client_id: 'c3', outcome_status: 'escalated' }),
      act(a, '2026-11-18T15:02:00Z', 'lead_prescreened'),
      act(a, '2026-11-18T15:03:00Z', 'crm_updated'),
      act(a, '2026-11-18T15:04:00Z', 'faq_answered'),
      act(a, '2026-11-18T15:05:00Z', 'ai_uncertainty'),
      act(a, '2026-11-18T15:06:00Z', 'error', { outcome_status: 'failed' }),
    ];
    const elsewhere: NewActivity[] = [
      act(b, '2026-11-18T15:00:00Z', 'appointment_booked', { client_id: 'b1' }),
      act(b, '2026-11-18T15:00:00Z', 'incoming_call', { client_id: 'b2', response_time_ms: 99_999 }),
      act(a, '2026-11-19T05:00:00Z', 'incoming_call'), // the 19th
    ];
    h.db.insert(activity).values([...day, ...elsewhere]).run();
    conversation(a, '2026-11-18T14:00:00Z', 'positive');
    conversation(a, '2026-11-18T16:00:00Z', 'negative');
    conversation(a, '2026-11-18T17:00:00Z', null);
    conversation(a, '2026-11-18T04:00:00Z', 'positive'); // 23:00 on the 17th
    conversation(b, '2026-11-18T16:00:00Z', 'positive');

    const row = aggregateDay(h.db, tenantA(), '2026-11-18', Date.parse('2026-11-19T06:00:00Z'));
    const { tenant_id: _t, date: _d, computed_at, ...kpis } = row;
    assert.equal(computed_at, Date.parse('2026-11-19T06:00:00Z'));
    assert.deepEqual(kpis, {
      total_activities: 12,
      total_conversations: 5,
      inbound_calls: 3,
      inbound_texts: 1,
      outbound_followups: 1,
      appointments_booked: 1,
      faq_answered: 1,
      leads_prescreened: 1,
      crm_updates: 1,
      escalations: 1,
      errors: 1,
      ai_uncertainty: 1,
      ai_coverage_pct: 80, // (5 − 1) / 5
      booking_rate_pct: 20,
      lead_conversion_pct: 20,
      avg_confidence: 0.8, // (0.8 + 0.6 + 1) / 3
      avg_response_time_ms: 1500, // (1000 + 3000 + 500) / 3
      p95_response_time_ms: 3000, // rank ⌈0.95 × 3⌉ = 3
      after_hours_conversations: 3, // 8:59, 17:00, 17:30
      missed_calls_saved: 1, // the 8:59 call; the 17:00 one failed
      unique_clients: 3,
      positive_sentiment_pct: 50, // 1 of the 2 rated conversations started that day
      estimated_revenue: 125, // 1 × $125
      labor_hours_saved: 0.4, // (5 − 1) × 6 min
      ai_cost: 2.25, // 5 × $0.45
      cost_per_interaction: 0.45,
      roi_pct: 5846.67, // (125 + 0.4 × 22 − 2.25) / 2.25 × 100
    });
    assert.deepEqual(h.db.select().from(metrics_daily).all().find((r) => r.date === '2026-11-18' && r.tenant_id === h.a.tenant.id), row);
  });

  test('uses the assumptions it is given', () => {
    const row = aggregateDay(h.db, { ...tenantA(), roi: roiAssumptions({ revenue_per_booking: 300, ai_cost_per_interaction: 1 }) }, '2026-11-18');
    assert.equal(row.estimated_revenue, 300);
    assert.equal(row.ai_cost, 5);
    assert.equal(row.roi_pct, 6076); // (300 + 0.4 × 22 − 5) / 5 × 100
  });

  test('re-running changes nothing, computed_at included; new data changes the row', () => {
    const first = aggregateDay(h.db, tenantA(), '2026-11-18', 1_000);
    const again = aggregateDay(h.db, tenantA(), '2026-11-18', 2_000);
    assert.deepEqual(again, first);
    assert.equal(again.computed_at, 1_000);
    h.db.insert(activity).values(act(h.a.tenant.id, '2026-11-18T18:00:00Z', 'appointment_booked')).run();
    const changed = aggregateDay(h.db, tenantA(), '2026-11-18', 3_000);
    assert.equal(changed.appointments_booked, 2);
    assert.equal(changed.computed_at, 3_000);
    assert.equal(h.db.select().from(metrics_daily).all().filter((r) => r.date === '2026-11-18').length, 1);
  });

  test('the row equals recounting the activities', () => {
    const a = h.a.tenant.id;
    // Deterministic pseudo-random activities over three days, the middle one is Thursday 2026-11-12 (EST).
    let x = 12345;
    const rand = (n: number) => ((x = (x * 1103515245 + 12345) % 2 ** 31), x % n);
    const from = Date.parse('2026-11-11T05:00:00Z');
    const rows: NewActivity[] = [];
    for (let i = 0; i < 600; i++) {
      rows.push(
        act(a, from + rand(3 * 86_400_000), ACTION_TYPES[rand(ACTION_TYPES.length)]!, {
          outcome_status: (['success', 'failed', 'escalated', 'pending'] as OutcomeStatus[])[rand(4)],
          client_id: rand(5) === 0 ? null : `r${rand(40)}`,
          confidence_score: rand(4) === 0 ? null : rand(1000) / 1000,
          response_time_ms: rand(3) === 0 ? null : 100 + rand(5000),
        }),
      );
    }
    h.db.insert(activity).values(rows).run();

    const start = Date.parse('2026-11-12T00:00:00-05:00');
    const end = Date.parse('2026-11-13T00:00:00-05:00');
    const day = rows.filter((r) => r.timestamp >= start && r.timestamp < end);
    const n = (t: ActionType) => day.filter((r) => r.action_type === t).length;
    const conversationsCount = n('incoming_call') + n('incoming_text') + n('outbound_followup');
    const localHour = (ms: number) => new Date(ms - 5 * 3_600_000).getUTCHours();
    const afterHours = day.filter((r) => ['incoming_call', 'incoming_text', 'outbound_followup'].includes(r.action_type) && (localHour(r.timestamp) < 9 || localHour(r.timestamp) >= 17));
    const confidences = day.map((r) => r.confidence_score).filter((v): v is number => v != null);
    const times = day.map((r) => r.response_time_ms).filter((v): v is number => v != null);

    const row = aggregateDay(h.db, tenantA(), '2026-11-12');
    assert.ok(day.length > 150);
    assert.equal(row.total_activities, day.length);
    assert.equal(row.total_conversations, conversationsCount);
    assert.equal(row.inbound_calls, n('incoming_call'));
    assert.equal(row.appointments_booked, n('appointment_booked'));
    assert.equal(row.crm_updates, n('crm_updated'));
    assert.equal(row.escalations, n('escalated'));
    assert.equal(row.errors, n('error'));
    assert.equal(row.ai_uncertainty, n('ai_uncertainty'));
    assert.equal(row.after_hours_conversations, afterHours.length);
    assert.equal(row.missed_calls_saved, afterHours.filter((r) => r.action_type === 'incoming_call' && r.outcome_status !== 'failed').length);
    assert.equal(row.unique_clients, new Set(day.map((r) => r.client_id).filter((c) => c != null)).size);
    assert.equal(row.avg_confidence, Math.round((confidences.reduce((s, v) => s + v, 0) / confidences.length) * 10_000) / 10_000);
    assert.equal(row.avg_response_time_ms, Math.round((times.reduce((s, v) => s + v, 0) / times.length) * 100) / 100);
    assert.equal(row.p95_response_time_ms, [...times].sort((p, q) => p - q)[Math.ceil(0.95 * times.length) - 1]);
    assert.equal(row.p95_response_time_ms, nearestRank(times, 0.95));
    assert.equal(row.booking_rate_pct, Math.round((n('appointment_booked') / conversationsCount) * 10_000) / 100);
  });
});

describe('aggregateRange', () => {
  test('one row per local day, days without activity included, in one go', () => {
    const rows = aggregateRange(h.db, tenantA(), '2026-10-31', '2026-11-02', 5_000);
    assert.deepEqual(
      rows.map((r) => [r.date, r.total_activities]),
      [
        ['2026-10-31', 1],
        ['2026-11-01', 4],
        ['2026-11-02', 1],
      ],
    );
    const empty = aggregateRange(h.db, tenantA(), '2026-10-01', '2026-10-01', 5_000)[0]!;
    assert.equal(empty.total_activities, 0);
    assert.equal(empty.avg_confidence, null);
    assert.equal(empty.roi_pct, 0);
  });

  test('tenant b has its own rows, in its own days', () => {
    const b = { id: h.b.tenant.id, timezone: h.b.tenant.timezone, roi: roiAssumptions(h.b.tenant.roi_assumptions) };
    const [row] = aggregateRange(h.db, b, '2026-11-18', '2026-11-18');
    assert.equal(row!.total_activities, 2);
    assert.equal(row!.p95_response_time_ms, 99_999);
    assert.equal(row!.positive_sentiment_pct, 100);
  });
});
