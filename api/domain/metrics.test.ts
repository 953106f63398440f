import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_ROI } from '../auth/principal.js';
import type { ActionType, OutcomeStatus } from '../db/schema.js';
import { zone } from '../lib/time.js';
import {
  addConversationToTally,
  addToTally,
  emptyKpis,
  emptyTally,
  finalizeTally,
  isBusinessHours,
  KPI_COLUMNS,
  mergeTallies,
  nearestRank,
  rollUp,
  type Kpis,
  type TallyActivity,
} from './metrics.js';

const NY = zone('America/New_York');
const ctx = { zone: NY, business_hours: DEFAULT_ROI.business_hours };
/** Friday 2026-11-20, 10:00 in New York (EST, UTC−5): within business hours. */
const OPEN = Date.parse('2026-11-20T15:00:00Z');
/** Friday 2026-11-20, 20:00 in New York: after hours. */
const CLOSED = Date.parse('2026-11-21T01:00:00Z');

function act(action_type: ActionType, extra: Partial<TallyActivity> = {}): TallyActivity {
  return { timestamp: OPEN, action_type, outcome_status: 'success' as OutcomeStatus, confidence_score: null, response_time_ms: null, client_id: null, ...extra };
}

function kpisOf(activities: TallyActivity[], options: { exact?: boolean } = {}): Kpis {
  const t = emptyTally(options);
  for (const a of activities) addToTally(t, a, ctx);
  return finalizeTally(t, DEFAULT_ROI);
}

describe('finalizeTally', () => {
  test('an empty set has zero counts, zero percentages and money, and null averages', () => {
    const k = kpisOf([]);
    for (const column of KPI_COLUMNS) {
      const nullable = ['avg_confidence', 'avg_response_time_ms', 'p95_response_time_ms', 'positive_sentiment_pct'].includes(column);
      assert.equal(k[column], nullable ? null : 0, column);
    }
    assert.deepEqual(emptyKpis(DEFAULT_ROI), k);
  });

  test('counts each action type in its column, and conversations as the three conversation starts', () => {
    const types: ActionType[] = [
      'incoming_call', 'incoming_call', 'incoming_text', 'outbound_followup', 'appointment_booked', 'faq_answered', 'faq_answered',
      'lead_prescreened', 'crm_updated', 'escalated', 'ai_uncertainty', 'error', 'error', 'error',
    ];
    const k = kpisOf(types.map((t) => act(t)));
    assert.equal(k.total_activities, 14);
    assert.equal(k.total_conversations, 4);
    assert.deepEqual(
      [k.inbound_calls, k.inbound_texts, k.outbound_followups, k.appointments_booked, k.faq_answered, k.leads_prescreened, k.crm_updates, k.escalations, k.ai_uncertainty, k.errors],
      [2, 1, 1, 1, 2, 1, 1, 1, 1, 3],
    );
    // 4 conversations: coverage (4 − 1)/4, bookings 1/4, leads 1/4.
    assert.equal(k.ai_coverage_pct, 75);
    assert.equal(k.booking_rate_pct, 25);
    assert.equal(k.lead_conversion_pct, 25);
  });

  test('money under the default assumptions', () => {
    // 10 conversations, 2 escalations, 3 bookings; $125 a booking, 6 min a conversation, $22/h, $0.45 per interaction.
    const k = kpisOf([
      ...Array.from({ length: 10 }, () => act('incoming_text')),
      act('escalated'),
      act('escalated'),
      ...Array.from({ length: 3 }, () => act('appointment_booked')),
    ]);
    assert.equal(k.estimated_revenue, 375);
    assert.equal(k.labor_hours_saved, 0.8); // (10 − 2) × 6 / 60
    assert.equal(k.ai_cost, 4.5);
    assert.equal(k.cost_per_interaction, 0.45);
    // (375 + 0.8 × 22 − 4.5) / 4.5 × 100 = 8624.444…
    assert.equal(k.roi_pct, 8624.44);
    assert.equal(k.booking_rate_pct, 30);
    assert.equal(k.ai_coverage_pct, 80);
  });

  test('all escalated: no coverage, no hours saved, ROI −100 %', () => {
    const k = kpisOf([act('incoming_call'), act('incoming_call'), act('escalated'), act('escalated')]);
    assert.equal(k.ai_coverage_pct, 0);
    assert.equal(k.labor_hours_saved, 0);
    assert.equal(k.ai_cost, 0.9);
    assert.equal(k.roi_pct, -100);
  });

  test('averages skip nulls; unique clients count distinct non-null ids', () => {
    const k = kpisOf([
      act('faq_answered', { confidence_score: 0.9, response_time_ms: 100, client_id: 'c1' }),
      act('faq_answered', { confidence_score: 0.6, response_time_ms: null, client_id: 'c1' }),
      act('faq_answered', { confidence_score: null, response_time_ms: 300, client_id: 'c2' }),
      act('faq_answered', { confidence_score: 0.7, response_time_ms: 201, client_id: null }),
    ]);
    assert.equal(k.avg_confidence, 0.7333);
    assert.equal(k.avg_response_time_ms, 200.33);
    assert.equal(k.unique_clients, 2);
  });

  test('positive sentiment over the conversations that have one; null when none has', () => {
    const t = emptyTally();
    for (const s of ['positive', 'negative', null, 'positive', 'mixed'] as const) addConversationToTally(t, s);
    assert.equal(finalizeTally(t, DEFAULT_ROI).positive_sentiment_pct, 50);
    assert.equal(finalizeTally(addConversationToTally(emptyTally(), null), DEFAULT_ROI).positive_sentiment_pct, null);
  });
});

describe('business hours', () => {
  const at = (local: string) => Date.parse(`${local}-05:00`);
  const hours = DEFAULT_ROI.business_hours; // 9–17, Monday–Friday

  test('9:00 is open, 17:00 is closed, and the minutes either side', () => {
    assert.equal(isBusinessHours(at('2026-11-20T08:59:59'), NY, hours), false);
    assert.equal(isBusinessHours(at('2026-11-20T09:00:00'), NY, hours), true);
    assert.equal(isBusinessHours(at('2026-11-20T16:59:59'), NY, hours), true);
    assert.equal(isBusinessHours(at('2026-11-20T17:00:00'), NY, hours), false);
  });

  test('weekends are closed; other weekdays follow the list', () => {
    assert.equal(isBusinessHours(at('2026-11-21T12:00:00'), NY, hours), false); // Saturday
    assert.equal(isBusinessHours(at('2026-11-22T12:00:00'), NY, hours), false); // Sunday
    assert.equal(isBusinessHours(at('2026-11-22T12:00:00'), NY, { ...hours, weekdays: [7] }), true);
    assert.equal(isBusinessHours(at('2026-11-16T12:00:00'), NY, { ...hours, weekdays: [2, 3] }), false); // Monday
  });

  test('uses local time: 9:00 in Berlin is 8:00 UTC in winter', () => {
    const berlin = zone('Europe/Berlin');
    assert.equal(isBusinessHours(Date.parse('2026-11-20T07:59:00Z'), berlin, hours), false);
    assert.equal(isBusinessHours(Date.parse('2026-11-20T08:00:00Z'), berlin, hours), true);
  });

  test('after-hours conversation starts, and missed calls saved unless failed', () => {
    const k = kpisOf([
      act('incoming_call', { timestamp: CLOSED }),
      act('incoming_call', { timestamp: CLOSED, outcome_status: 'escalated' }),
      act('incoming_call', { timestamp: CLOSED, outcome_status: 'failed' }),
      act('incoming_text', { timestamp: CLOSED }),
      act('outbound_followup', { timestamp: CLOSED }),
      act('appointment_booked', { timestamp: CLOSED }), // not a conversation start
      act('incoming_call', { timestamp: OPEN }),
      act('incoming_call', { timestamp: at('2026-11-20T17:00:00') }),
      act('incoming_call', { timestamp: at('2026-11-20T09:00:00') }),
    ]);
    assert.equal(k.after_hours_conversations, 6);
    assert.equal(k.missed_calls_saved, 3);
  });
});

describe('p95 response time', () => {
  test('nearest rank', () => {
    assert.equal(nearestRank([], 0.95), null);
    assert.equal(nearestRank([42], 0.95), 42);
    assert.equal(nearestRank([5, 1, 3], 0.95), 5); // rank ⌈2.85⌉ = 3
    assert.equal(nearestRank(Array.from({ length: 20 }, (_, i) => 20 - i), 0.95), 19); // rank 19 of 1…20
    assert.equal(nearestRank(Array.from({ length: 100 }, (_, i) => i + 1), 0.95), 95);
    assert.equal(nearestRank(Array.from({ length: 101 }, (_, i) => i + 1), 0.95), 96); // rank ⌈95.95⌉ = 96
  });

  test('an exact tally gives the nearest rank; the histogram is within 5 %', () => {
    const values = Array.from({ length: 1000 }, (_, i) => 50 + ((i * 7919) % 1000) * 3);
    const activities = values.map((v) => act('faq_answered', { response_time_ms: v }));
    const exact = kpisOf(activities, { exact: true }).p95_response_time_ms!;
    assert.equal(exact, nearestRank(values, 0.95));
    assert.equal(exact, 50 + 949 * 3);
    const approx = kpisOf(activities).p95_response_time_ms!;
    assert.ok(Math.abs(approx - exact) / exact < 0.05, `${approx} vs ${exact}`);
  });

  test('the histogram estimate stays within the observed values', () => {
    assert.equal(kpisOf([act('faq_answered', { response_time_ms: 700 })]).p95_response_time_ms, 700);
    assert.equal(kpisOf([act('faq_answered', { response_time_ms: 0 })]).p95_response_time_ms, 0);
  });
});

describe('mergeTallies', () => {
  test('merging equals tallying everything at once', () => {
    const all = [
      act('incoming_call', { timestamp: CLOSED, client_id: 'c1', confidence_score: 0.5, response_time_ms: 10 }),
      act('escalated', { client_id: 'c2', response_time_ms: 20 }),
      act('incoming_text', { client_id: 'c1', confidence_score: 1, response_time_ms: 30 }),
      act('appointment_booked', { client_id: 'c3' }),
    ];
    const left = emptyTally({ exact: true });
    const right = emptyTally({ exact: true });
    all.forEach((a, i) => addToTally(i < 2 ? left : right, a, ctx));
    addConversationToTally(right, 'positive');
    const whole = emptyTally({ exact: true });
    for (const a of all) addToTally(whole, a, ctx);
    addConversationToTally(whole, 'positive');
    assert.deepEqual(finalizeTally(mergeTallies(left, right), DEFAULT_ROI), finalizeTally(whole, DEFAULT_ROI));
  });

  test('an exact tally merged with an approximate one becomes approximate', () => {
    const exact = addToTally(emptyTally({ exact: true }), act('faq_answered', { response_time_ms: 5 }), ctx);
    const merged = mergeTallies(exact, addToTally(emptyTally(), act('faq_answered', { response_time_ms: 9 }), ctx));
    assert.equal(merged.response_values, null);
    assert.equal(finalizeTally(merged, DEFAULT_ROI).p95_response_time_ms, 9);
  });
});

describe('rollUp', () => {
  const day = (k: Partial<Kpis>): Kpis => ({ ...emptyKpis(DEFAULT_ROI), ...k });

  test('sums counts and money, recomputes ratios, weights averages, takes the largest p95', () => {
    const days = [
      day({
        total_activities: 30, total_conversations: 10, inbound_calls: 10, escalations: 2, appointments_booked: 3, leads_prescreened: 1,
        avg_confidence: 0.9, avg_response_time_ms: 100, p95_response_time_ms: 400, unique_clients: 5, after_hours_conversations: 4,
        missed_calls_saved: 3, positive_sentiment_pct: 50, estimated_revenue: 375, labor_hours_saved: 0.8, ai_cost: 4.5,
      }),
      day({
        total_activities: 10, total_conversations: 5, inbound_texts: 5, escalations: 0, appointments_booked: 1, leads_prescreened: 2,
        avg_confidence: 0.5, avg_response_time_ms: 300, p95_response_time_ms: 900, unique_clients: 4, after_hours_conversations: 1,
        missed_calls_saved: 0, positive_sentiment_pct: 80, estimated_revenue: 125, labor_hours_saved: 0.5, ai_cost: 2.25,
      }),
      day({}), // a day without activity weighs nothing
    ];
    const r = rollUp(days, DEFAULT_ROI);
    assert.equal(r.total_activities, 40);
    assert.equal(r.total_conversations, 15);
    assert.equal(r.inbound_calls, 10);
    assert.equal(r.inbound_texts, 5);
    assert.equal(r.escalations, 2);
    assert.equal(r.appointments_booked, 4);
    assert.equal(r.ai_coverage_pct, 86.67); // 13 / 15
    assert.equal(r.booking_rate_pct, 26.67); // 4 / 15
    assert.equal(r.lead_conversion_pct, 20); // 3 / 15
    assert.equal(r.avg_confidence, 0.8); // (0.9 × 30 + 0.5 × 10) / 40
    assert.equal(r.avg_response_time_ms, 150); // (100 × 30 + 300 × 10) / 40
    assert.equal(r.p95_response_time_ms, 900);
    assert.equal(r.unique_clients, 9); // client-days
    assert.equal(r.after_hours_conversations, 5);
    assert.equal(r.missed_calls_saved, 3);
    assert.equal(r.positive_sentiment_pct, 60); // (50 × 10 + 80 × 5) / 15
    assert.equal(r.estimated_revenue, 500);
    assert.equal(r.labor_hours_saved, 1.3);
    assert.equal(r.ai_cost, 6.75);
    assert.equal(r.cost_per_interaction, 0.45);
    assert.equal(r.roi_pct, 7731.11); // (500 + 1.3 × 22 − 6.75) / 6.75 × 100
  });

  test('of nothing is empty', () => {
    assert.deepEqual(rollUp([], DEFAULT_ROI), emptyKpis(DEFAULT_ROI));
  });
});
