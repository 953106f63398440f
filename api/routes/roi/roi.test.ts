import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { DEFAULT_ROI } from '../../auth/principal.js';
import { activity, metrics_daily, tenants, type ActionType, type NewActivity, type RoiAssumptions } from '../../db/schema.js';
import { createHarness, json, NOW, problem, type Harness } from '../../test/harness.js';

let h: Harness;
let seq = 0;

function act(tenantId: number, at: string, action_type: ActionType, extra: Partial<NewActivity> = {}): NewActivity {
  return { id: `r_${seq++}`, tenant_id: tenantId, timestamp: Date.parse(at), action_type, channel: 'voice', outcome_status: 'success', ...extra };
}

/**
 * Tenant a (New York); now is Friday 2026-11-20 15:30 EST. Today so far: 4 conversations (one an
 * after-hours call at 01:00), 1 escalation, 1 booking.
 */
before(async () => {
  h = await createHarness();
  const a = h.a.tenant.id;
  const b = h.b.tenant.id;
  h.db
    .insert(activity)
    .values([
      act(a, '2026-11-20T06:00:00Z', 'incoming_call'),
      act(a, '2026-11-20T14:30:00Z', 'incoming_text'),
      act(a, '2026-11-20T15:00:00Z', 'appointment_booked'),
      act(a, '2026-11-20T16:00:00Z', 'escalated'),
      act(a, '2026-11-20T19:00:00Z', 'incoming_call'),
      act(a, '2026-11-20T20:29:00Z', 'outbound_followup'),
      act(b, '2026-11-20T12:00:00Z', 'incoming_call'),
    ])
    .run();
  const row = (tenant_id: number, date: string, k: Partial<typeof metrics_daily.$inferInsert>) => ({ tenant_id, date, ...k });
  h.db
    .insert(metrics_daily)
    .values([
      row(a, '2026-10-21', { total_conversations: 1000, appointments_booked: 1000 }), // 31 days ago: outside the default range
      row(a, '2026-10-30', { total_conversations: 10, appointments_booked: 5, estimated_revenue: 1 }),
      row(a, '2026-11-10', { total_conversations: 20, escalations: 4, appointments_booked: 2, after_hours_conversations: 5, missed_calls_saved: 2 }),
      row(a, '2026-11-12', { total_conversations: 10, escalations: 1, appointments_booked: 3, after_hours_conversations: 1, missed_calls_saved: 1 }),
      row(a, '2026-11-16', { total_conversations: 5 }),
      row(a, '2026-11-20', { total_conversations: 999 }), // today is live, never from this row
      row(b, '2026-11-10', { total_conversations: 777, appointments_booked: 7 }),
    ])
    .run();
});
after(() => h.close());

/** Changes the tenant's assumptions, and lets the time pass after which the server reads its tenants again. */
function setAssumptions(stored: Partial<RoiAssumptions>) {
  h.db.update(tenants).set({ roi_assumptions: stored }).where(eq(tenants.id, h.a.tenant.id)).run();
  h.clock.now += 1_000;
}

describe('GET /roi', () => {
  test('defaults to the last 30 local days, today included and live', async () => {
    const body = await json(await h.get('/roi', h.a.keys.read));
    // Conversations 10 + 20 + 10 + 5 + 4 (today) = 49; escalations 0 + 4 + 1 + 0 + 1 = 6; bookings 5 + 2 + 3 + 0 + 1 = 11.
    assert.deepEqual(body, {
      start_date: '2026-10-22',
      end_date: '2026-11-20',
      revenue_created: 1375, // 11 × $125
      labor_hours_saved: 4.3, // (49 − 6) × 6 / 60
      labor_cost_saved: 94.6, // 4.3 × $22
      ai_cost: 22.05, // 49 × $0.45
      cost_per_interaction: 0.45,
      human_cost: 107.8, // 49 × 6 / 60 × $22
      cost_savings_pct: 79.55, // (107.8 − 22.05) / 107.8
      roi_pct: 6564.85, // (1375 + 94.6 − 22.05) / 22.05
      total_conversations: 49,
      appointments_booked: 11,
      after_hours_conversations: 7, // 5 + 1 + today's 01:00 call
      missed_calls_saved: 4,
      assumptions: DEFAULT_ROI,
    });
  });

  test('a past range comes from metrics_daily alone', async () => {
    const body = await json(await h.get('/roi?start_date=2026-11-09&end_date=2026-11-15', h.a.tokens.read));
    assert.equal(body.start_date, '2026-11-09');
    assert.equal(body.end_date, '2026-11-15');
    assert.equal(body.total_conversations, 30);
    assert.equal(body.appointments_booked, 5);
    assert.equal(body.revenue_created, 625);
    assert.equal(body.labor_hours_saved, 2.5); // (30 − 5) × 6 / 60
    assert.equal(body.ai_cost, 13.5);
    assert.equal(body.roi_pct, 4937.04); // (625 + 55 − 13.5) / 13.5
  });

  test('uses, and states, the tenant’s current assumptions', async () => {
    const custom: RoiAssumptions = {
      revenue_per_booking: 200,
      minutes_per_conversation: 10,
      human_hourly_cost: 30,
      ai_cost_per_interaction: 1,
      currency: 'EUR',
      business_hours: { start_hour: 8, end_hour: 20, weekdays: [1, 2, 3, 4, 5, 6] },
    };
    setAssumptions(custom);
    try {
      const body = await json(await h.get('/roi?start_date=2026-11-09&end_date=2026-11-15', h.a.keys.read));
      assert.deepEqual(body.assumptions, custom);
      assert.equal(body.revenue_created, 1000); // 5 × 200
      assert.equal(body.labor_hours_saved, 4.17); // 25 × 10 / 60
      assert.equal(body.labor_cost_saved, 125); // 4.1666… × 30
      assert.equal(body.ai_cost, 30);
      assert.equal(body.cost_per_interaction, 1);
      assert.equal(body.human_cost, 150); // 30 × 10 / 60 × 30
      assert.equal(body.cost_savings_pct, 80);
      assert.equal(body.roi_pct, 3650); // (1000 + 125 − 30) / 30

      // Defaults fill what a tenant leaves out.
      setAssumptions({ revenue_per_booking: 50 });
      const partial = await json(await h.get('/roi?start_date=2026-11-09&end_date=2026-11-15', h.a.keys.read));
      assert.deepEqual(partial.assumptions, { ...DEFAULT_ROI, revenue_per_booking: 50 });
      assert.equal(partial.revenue_created, 250);
    } finally {
      setAssumptions({});
      h.clock.now = NOW;
    }
  });

  test('a change to the tenant applies within a second (tenants are not read on every request)', async () => {
    const revenue = async () => (await json(await h.get('/roi?start_date=2026-11-09&end_date=2026-11-15', h.a.keys.read))).revenue_created;
    const before = await revenue();
    h.db.update(tenants).set({ roi_assumptions: { revenue_per_booking: 1 } }).where(eq(tenants.id, h.a.tenant.id)).run();
    try {
      h.clock.now = NOW + 999;
      assert.equal(await revenue(), before, 'not yet');
      h.clock.now = NOW + 1_000;
      assert.equal(await revenue(), 5, 'read again after 1 s: 5 bookings × 1');
    } finally {
      h.db.update(tenants).set({ roi_assumptions: {} }).where(eq(tenants.id, h.a.tenant.id)).run();
      h.clock.now = NOW + 2_000;
      await revenue();
      h.clock.now = NOW;
    }
  });

  test('today is live: an activity another process writes counts once the figures refresh', async () => {
    const before = await json(await h.get('/roi?start_date=2026-11-20&end_date=2026-11-20', h.a.keys.read));
    assert.equal(before.total_conversations, 4);
    assert.equal(before.after_hours_conversations, 1);
    // Another connection to the same file, as the CLI or a second server would write (this server's own ingest is folded in at once).
    const other = new Database(h.db.$client.name);
    drizzle({ client: other }).insert(activity).values(act(h.a.tenant.id, '2026-11-20T20:30:00Z', 'incoming_text')).run();
    other.close();
    h.clock.now = NOW + 60_000;
    try {
      const later = await json(await h.get('/roi?start_date=2026-11-20&end_date=2026-11-20', h.a.keys.read));
      assert.equal(later.total_conversations, 5);
    } finally {
      h.clock.now = NOW;
    }
  });

  test('a range with no data: zeros, not NaN', async () => {
    const body = await json(await h.get('/roi?start_date=2026-01-01&end_date=2026-01-31', h.a.keys.read));
    assert.equal(body.total_conversations, 0);
    assert.equal(body.roi_pct, 0);
    assert.equal(body.cost_savings_pct, 0);
    assert.equal(body.cost_per_interaction, 0);
  });

  test('tenant b sees only its own figures', async () => {
    const body = await json(await h.get('/roi?start_date=2026-11-01&end_date=2026-11-20', h.b.keys.read));
    assert.equal(body.total_conversations, 778); // 777 on the 10th + 1 today
    assert.equal(body.appointments_booked, 7);
  });

  test('a client-locked token may not read it; read scope is required', async () => {
    await problem(await h.get('/roi', h.a.tokens.locked), 403);
    await problem(await h.get('/roi', h.a.keys.ingest), 403);
    await problem(await h.get('/roi'), 401);
  });

  const bad: [string, string][] = [
    ['/roi?start_date=2026-13-01', 'start_date'],
    ['/roi?end_date=20261120', 'end_date'],
    ['/roi?start_date=2026-11-20&end_date=2026-11-19', 'end_date'],
    ['/roi?start_date=2025-01-01&end_date=2026-11-20', 'end_date'],
  ];
  for (const [path, field] of bad) {
    test(`400 naming ${field}: ${path}`, async () => {
      const body = await problem(await h.get(path, h.a.keys.read), 400);
      assert.deepEqual(body.errors?.map((e) => e.field), [field]);
    });
  }
});
