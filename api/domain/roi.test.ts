import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_ROI } from '../auth/principal.js';
import type { RoiAssumptions } from '../db/schema.js';
import { moneyFigures, pct, roiPct, roiReport, round } from './roi.js';

const A: RoiAssumptions = { ...DEFAULT_ROI, revenue_per_booking: 200, minutes_per_conversation: 10, human_hourly_cost: 30, ai_cost_per_interaction: 0.5 };

describe('round and pct', () => {
  test('round half away from zero, without float artefacts or −0', () => {
    assert.equal(round(1.005), 1.01);
    assert.equal(round(2.675), 2.68);
    assert.equal(round(-1.005), -1.01);
    assert.equal(round(0.1 + 0.2), 0.3);
    assert.equal(round(12.34567, 4), 12.3457);
    assert.ok(Object.is(round(-0.001), 0));
  });

  test('pct of an empty whole is 0', () => {
    assert.equal(pct(1, 3), 33.33);
    assert.equal(pct(2, 3), 66.67);
    assert.equal(pct(0, 0), 0);
  });
});

describe('roiPct', () => {
  test('(revenue + labor hours × hourly cost − AI cost) / AI cost × 100, 0 without AI cost', () => {
    assert.equal(roiPct(1000, 5, 50, A), 2200); // (1000 + 5 × 30 − 50) / 50 × 100
    assert.equal(roiPct(0, 0, 10, A), -100);
    assert.equal(roiPct(500, 3, 0, A), 0);
  });
});

describe('moneyFigures', () => {
  test('from counts and assumptions', () => {
    // 40 conversations, 4 escalated, 6 booked.
    assert.deepEqual(moneyFigures({ total_conversations: 40, escalations: 4, appointments_booked: 6 }, A), {
      estimated_revenue: 1200, // 6 × 200
      labor_hours_saved: 6, // 36 × 10 / 60
      ai_cost: 20, // 40 × 0.5
      cost_per_interaction: 0.5,
      roi_pct: 6800, // (1200 + 6 × 30 − 20) / 20 × 100
    });
  });

  test('nothing costs nothing and returns 0 %', () => {
    assert.deepEqual(moneyFigures({ total_conversations: 0, escalations: 0, appointments_booked: 0 }, A), {
      estimated_revenue: 0,
      labor_hours_saved: 0,
      ai_cost: 0,
      cost_per_interaction: 0,
      roi_pct: 0,
    });
  });
});

describe('roiReport', () => {
  test('every figure from the counts, with the assumptions stated', () => {
    const r = roiReport(
      { total_conversations: 40, escalations: 4, appointments_booked: 6, after_hours_conversations: 12, missed_calls_saved: 7 },
      A,
    );
    assert.deepEqual(r, {
      revenue_created: 1200,
      labor_hours_saved: 6,
      labor_cost_saved: 180, // 6 h × 30
      ai_cost: 20,
      cost_per_interaction: 0.5,
      human_cost: 200, // 40 × 10 / 60 h × 30
      cost_savings_pct: 90, // (200 − 20) / 200
      roi_pct: 6800, // (1200 + 180 − 20) / 20
      total_conversations: 40,
      appointments_booked: 6,
      after_hours_conversations: 12,
      missed_calls_saved: 7,
      assumptions: A,
    });
  });

  test('rounds from unrounded inputs', () => {
    // 7 conversations × 7 min = 0.8166… h; saved (7 − 1) × 7 / 60 = 0.7 h; AI cost 7 × 0.33 = 2.31.
    const r = roiReport(
      { total_conversations: 7, escalations: 1, appointments_booked: 0, after_hours_conversations: 0, missed_calls_saved: 0 },
      { ...A, minutes_per_conversation: 7, human_hourly_cost: 25, ai_cost_per_interaction: 0.33 },
    );
    assert.equal(r.labor_hours_saved, 0.7);
    assert.equal(r.labor_cost_saved, 17.5);
    assert.equal(r.human_cost, 20.42); // 0.81666… × 25 = 20.4166…
    assert.equal(r.cost_savings_pct, 88.69); // (20.4166… − 2.31) / 20.4166…
    assert.equal(r.roi_pct, 657.58); // (17.5 − 2.31) / 2.31
    assert.equal(r.cost_per_interaction, 0.33);
  });

  test('no conversations: zeros, not NaN', () => {
    const r = roiReport({ total_conversations: 0, escalations: 0, appointments_booked: 0, after_hours_conversations: 0, missed_calls_saved: 0 }, A);
    assert.equal(r.cost_savings_pct, 0);
    assert.equal(r.roi_pct, 0);
    assert.equal(r.cost_per_interaction, 0);
    assert.equal(r.human_cost, 0);
  });
});
