import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { roiAssumptions } from '../../auth/principal.js';
import { activity, conversations, metrics_daily, type ActionType, type NewActivity } from '../../db/schema.js';
import { KPI_COLUMNS, type Kpis } from '../../domain/metrics.js';
import { Statements } from '../../lib/sql.js';
import { createHarness, json, NOW, problem, type Harness } from '../../test/harness.js';
import { RealtimeMetrics } from './realtime.js';

let h: Harness;
let seq = 0;

function act(tenantId: number, at: string, action_type: ActionType, extra: Partial<NewActivity> = {}): NewActivity {
  return { id: `m_${(seq++).toString().padStart(4, '0')}`, tenant_id: tenantId, timestamp: Date.parse(at), action_type, channel: 'voice', outcome_status: 'success', ...extra };
}

type DailyInsert = typeof metrics_daily.$inferInsert;
function day(tenantId: number, date: string, k: Partial<DailyInsert>): DailyInsert {
  return { tenant_id: tenantId, date, ...k };
}

/**
 * Tenant a is in New York; "now" is Friday 2026-11-20, 15:30 EST (20:30 UTC), so today began at
 * 05:00 UTC and business hours (9–17) are 14:00–22:00 UTC.
 */
before(async () => {
  h = await createHarness();
  const a = h.a.tenant.id;
  const b = h.b.tenant.id;
  h.db
    .insert(activity)
    .values([
      // Today so far.
      act(a, '2026-11-20T06:00:00Z', 'incoming_call', { client_id: 'c1', confidence_score: 0.9, response_time_ms: 1000 }), // 01:00, after hours
      act(a, '2026-11-20T14:30:00Z', 'incoming_text', { client_id: 'c2', confidence_score: 0.7, response_time_ms: 2000, channel: 'sms' }),
      act(a, '2026-11-20T15:00:00Z', 'appointment_booked', { client_id: 'c2' }),
      act(a, '2026-11-20T16:00:00Z', 'escalated', { client_id: 'c1', outcome_status: 'escalated' }),
      act(a, '2026-11-20T19:00:00Z', 'incoming_call', { client_id: 'c3', response_time_ms: 4000 }),
      act(a, '2026-11-20T20:29:00Z', 'outbound_followup', { client_id: 'c4' }),
      // Yesterday, Thursday the 19th.
      act(a, '2026-11-19T14:00:00Z', 'incoming_call', { client_id: 'y1' }), // 09:00
      act(a, '2026-11-19T20:29:59Z', 'incoming_text', { client_id: 'y2' }), // 15:29:59
      act(a, '2026-11-19T20:30:00Z', 'appointment_booked', { client_id: 'y2' }), // 15:30
      act(a, '2026-11-19T22:00:00Z', 'incoming_call', { client_id: 'y3' }), // 17:00
      act(a, '2026-11-19T04:59:00Z', 'incoming_call'), // 23:59 on the 18th
      // Sunday 2026-11-01, 25 hours long: 01:30 EDT, 01:30 EST, 11:10 EST.
      act(a, '2026-11-01T05:30:00Z', 'incoming_call', { response_time_ms: 100 }),
      act(a, '2026-11-01T06:30:00Z', 'incoming_text', { response_time_ms: 300 }),
      act(a, '2026-11-01T06:45:00Z', 'appointment_booked'),
      act(a, '2026-11-01T16:10:00Z', 'escalated', { outcome_status: 'escalated' }),
      // Tenant b (Berlin, where it is 21:30 on the 20th).
      act(b, '2026-11-20T19:00:00Z', 'incoming_call', { client_id: 'b1', response_time_ms: 9000 }),
      act(b, '2026-11-20T19:00:00Z', 'appointment_booked', { client_id: 'b1' }),
    ])
    .run();
  h.db
    .insert(conversations)
    .values([
      { id: 'cv1', tenant_id: a, channel: 'voice', started_at: Date.parse('2026-11-20T06:00:00Z'), transcript: [], sentiment: 'positive' },
      { id: 'cv2', tenant_id: a, channel: 'sms', started_at: Date.parse('2026-11-20T14:30:00Z'), transcript: [], sentiment: 'negative' },
      { id: 'cv3', tenant_id: a, channel: 'voice', started_at: Date.parse('2026-11-19T14:00:00Z'), transcript: [], sentiment: 'positive' },
    ])
    .run();
  h.db
    .insert(metrics_daily)
    .values([
      day(a, '2026-10-30', {
        total_activities: 20, total_conversations: 10, inbound_calls: 10, appointments_booked: 5, avg_confidence: 0.9, avg_response_time_ms: 1000,
        p95_response_time_ms: 2000, unique_clients: 8, estimated_revenue: 625, labor_hours_saved: 1, ai_cost: 4.5, ai_coverage_pct: 100,
      }),
      day(a, '2026-11-10', {
        total_activities: 40, total_conversations: 20, inbound_calls: 12, inbound_texts: 8, escalations: 4, appointments_booked: 2, leads_prescreened: 4,
        avg_confidence: 0.8, avg_response_time_ms: 1000, p95_response_time_ms: 3000, unique_clients: 10, after_hours_conversations: 5,
        missed_calls_saved: 2, positive_sentiment_pct: 50, estimated_revenue: 250, labor_hours_saved: 1.6, ai_cost: 9, ai_coverage_pct: 80,
        booking_rate_pct: 10, lead_conversion_pct: 20, cost_per_interaction: 0.45, roi_pct: 2858.67,
      }),
      day(a, '2026-11-12', {
        total_activities: 10, total_conversations: 10, inbound_calls: 10, escalations: 1, appointments_booked: 3, leads_prescreened: 1,
        avg_confidence: 0.5, avg_response_time_ms: 2000, p95_response_time_ms: 5000, unique_clients: 6, after_hours_conversations: 1,
        missed_calls_saved: 1, positive_sentiment_pct: 80, estimated_revenue: 375, labor_hours_saved: 0.9, ai_cost: 4.5,
      }),
      day(a, '2026-11-16', { total_activities: 5, total_conversations: 5, inbound_texts: 5, unique_clients: 2, labor_hours_saved: 0.5, ai_cost: 2.25 }),
      // Stale or bogus rows for today and the future: today is always live, the future empty.
      day(a, '2026-11-20', { total_activities: 999, total_conversations: 999 }),
      day(a, '2026-11-25', { total_activities: 999, total_conversations: 999 }),
      day(b, '2026-11-10', { total_activities: 777, total_conversations: 777, estimated_revenue: 777 }),
    ])
    .run();
});
after(() => h.close());

/** Today's figures for tenant a, by hand from the activities above (default assumptions). */
const TODAY: Partial<Kpis> = {
  total_activities: 6,
  total_conversations: 4,
  inbound_calls: 2,
  inbound_texts: 1,
  outbound_followups: 1,
  appointments_booked: 1,
  escalations: 1,
  ai_coverage_pct: 75,
  booking_rate_pct: 25,
  lead_conversion_pct: 0,
  avg_confidence: 0.8,
  avg_response_time_ms: 2333.33,
  after_hours_conversations: 1,
  missed_calls_saved: 1,
  unique_clients: 4,
  positive_sentiment_pct: 50,
  estimated_revenue: 125,
  labor_hours_saved: 0.3,
  ai_cost: 1.8,
  cost_per_interaction: 0.45,
  roi_pct: 7211.11, // (125 + 0.3 × 22 − 1.8) / 1.8 × 100
};

function assertSubset(actual: Record<string, unknown>, expected: Record<string, unknown>) {
  for (const [k, v] of Object.entries(expected)) assert.deepEqual(actual[k], v, k);
}

function withClock<T>(at: string | number, run: () => Promise<T>): Promise<T> {
  h.clock.now = typeof at === 'number' ? at : Date.parse(at);
  return run().finally(() => (h.clock.now = NOW));
}

describe('GET /metrics/realtime', () => {
  test('today so far, every figure as defined', async () => {
    const body = await json(await h.get('/metrics/realtime', h.a.keys.read));
    assert.equal(body.date, '2026-11-20');
    assert.equal(body.as_of, '2026-11-20T20:30:00.000Z');
    assertSubset(body.today, TODAY);
    assert.deepEqual(Object.keys(body.today).sort(), [...KPI_COLUMNS].sort());
    // p95 of 1000, 2000, 4000 is 4000; today's comes from a log-bucket histogram.
    assert.ok(Math.abs(body.today.p95_response_time_ms - 4000) / 4000 < 0.05, String(body.today.p95_response_time_ms));
  });

  test('yesterday is cut at the same wall-clock minute, and the cut moves with the clock', async () => {
    const at15h30 = await json(await h.get('/metrics/realtime', h.a.keys.read));
    assertSubset(at15h30.yesterday_same_time, {
      total_activities: 2, // 09:00 and 15:29:59; not 15:30, not 23:59 on the 18th
      total_conversations: 2,
      appointments_booked: 0,
      unique_clients: 2,
      positive_sentiment_pct: 100,
      after_hours_conversations: 0,
    });
    const at15h31 = await withClock('2026-11-20T20:31:00Z', async () => json(await h.get('/metrics/realtime', h.a.keys.read)));
    assertSubset(at15h31.yesterday_same_time, { total_activities: 3, appointments_booked: 1, booking_rate_pct: 50, estimated_revenue: 125 });
    assertSubset(at15h31.today, TODAY);
    const at17h01 = await withClock('2026-11-20T22:01:00Z', async () => json(await h.get('/metrics/realtime', h.a.keys.read)));
    assertSubset(at17h01.yesterday_same_time, { total_activities: 4, inbound_calls: 2, after_hours_conversations: 1, missed_calls_saved: 1 });
    const at5h = await withClock('2026-11-20T10:00:00Z', async () => json(await h.get('/metrics/realtime', h.a.keys.read)));
    assert.equal(at5h.yesterday_same_time.total_activities, 0);
    assert.equal(at5h.today.total_activities, 6);
  });

  test('after local midnight, today starts empty and yesterday is the old today', async () => {
    const body = await withClock('2026-11-21T05:00:00Z', async () => json(await h.get('/metrics/realtime', h.a.keys.read)));
    assert.equal(body.date, '2026-11-21');
    assert.equal(body.today.total_activities, 0);
    assert.equal(body.today.avg_response_time_ms, null);
    assert.equal(body.today.ai_coverage_pct, 0);
    assert.equal(body.yesterday_same_time.total_activities, 0); // up to 00:00
  });

  test('tenant b sees only its own day, in its own zone', async () => {
    const body = await json(await h.get('/metrics/realtime', h.b.keys.read));
    assert.equal(body.date, '2026-11-20');
    assertSubset(body.today, { total_activities: 2, total_conversations: 1, appointments_booked: 1, unique_clients: 1, p95_response_time_ms: 9000 });
  });
});

describe('RealtimeMetrics', () => {
  const tenant = () => ({ id: h.a.tenant.id, timezone: 'America/New_York', roi: roiAssumptions({}) });

  test('folds its own activities in without re-reading; after 60 s re-reads only if another process wrote', () => {
    const live = new RealtimeMetrics({ sql: new Statements(h.db.$client), clock: () => h.clock.now });
    // Another process writing to the same database file (the CLI, a second server): another connection.
    const otherConnection = new Database(h.db.$client.name);
    const otherProcess = drizzle({ client: otherConnection });
    try {
      assert.equal(live.snapshot(tenant()).today.total_activities, 6);
      const recorded = act(h.a.tenant.id, '2026-11-20T20:29:30Z', 'appointment_booked', { client_id: 'c9' });
      h.db.insert(activity).values(recorded).run();
      live.record(tenant(), recorded);
      // Written by this server but not recorded: it would show if today were re-read.
      h.db.insert(activity).values(act(h.a.tenant.id, '2026-11-20T20:29:35Z', 'faq_answered')).run();
      h.clock.now = NOW + 60_000;
      const folded = live.snapshot(tenant()).today;
      assert.equal(folded.total_activities, 7, 'the recorded one only: no recount, though 60 s passed, as nobody else wrote');
      assert.equal(folded.appointments_booked, 2);
      assert.equal(folded.unique_clients, 5);

      otherProcess.insert(activity).values(act(h.a.tenant.id, '2026-11-20T20:29:40Z', 'faq_answered')).run();
      h.clock.now = NOW + 119_999;
      assert.equal(live.snapshot(tenant()).today.total_activities, 7, 'not before 60 s');
      h.clock.now = NOW + 120_000;
      const reread = live.snapshot(tenant()).today;
      assert.equal(reread.total_activities, 9, 'another process wrote: today re-read, every row once');
      assert.equal(reread.appointments_booked, 2);

      // A late activity of yesterday, before the cut, moves "yesterday at this time".
      const late = act(h.a.tenant.id, '2026-11-19T15:00:00Z', 'faq_answered');
      h.db.insert(activity).values(late).run();
      live.record(tenant(), late);
      assert.equal(live.snapshot(tenant()).yesterday_same_time.total_activities, 4); // 09:00, 10:00, 15:29:59, 15:30 (the clock is at 15:32)
      // Another tenant's or another day's activity changes nothing.
      live.record(tenant(), act(h.a.tenant.id, '2026-11-10T15:00:00Z', 'faq_answered'));
      live.record({ id: h.b.tenant.id }, act(h.b.tenant.id, '2026-11-20T15:00:00Z', 'faq_answered'));
      assert.equal(live.snapshot(tenant()).today.total_activities, 9);
    } finally {
      otherConnection.close();
      h.clock.now = NOW;
      h.db.$client.prepare('DELETE FROM ai_receptionist_activity WHERE timestamp IN (?, ?, ?, ?)').run(
        Date.parse('2026-11-20T20:29:30Z'),
        Date.parse('2026-11-20T20:29:35Z'),
        Date.parse('2026-11-20T20:29:40Z'),
        Date.parse('2026-11-19T15:00:00Z'),
      );
    }
  });

  test('snapshotJson is the snapshot’s JSON, and follows a recorded activity', () => {
    const live = new RealtimeMetrics({ sql: new Statements(h.db.$client), clock: () => h.clock.now });
    assert.equal(live.snapshotJson(tenant()), JSON.stringify(live.snapshot(tenant())));
    live.record(tenant(), act(h.a.tenant.id, '2026-11-20T20:29:50Z', 'appointment_booked', { client_id: 'c7' }));
    const after = live.snapshotJson(tenant());
    assert.equal(after, JSON.stringify(live.snapshot(tenant())));
    assert.equal(JSON.parse(after).today.appointments_booked, live.snapshot(tenant()).today.appointments_booked);
    assert.equal(JSON.parse(after).today.total_activities, 7);
  });

  test('snapshots are computed with the assumptions passed in', () => {
    const live = new RealtimeMetrics({ sql: new Statements(h.db.$client), clock: () => h.clock.now });
    const today = live.snapshot({ ...tenant(), roi: roiAssumptions({ revenue_per_booking: 1000 }) }).today;
    assert.equal(today.estimated_revenue, 1000);
    assert.equal(live.snapshot(tenant()).today.estimated_revenue, 125);
  });
});

describe('GET /metrics/daily', () => {
  test('defaults to the last 14 local days; past days from metrics_daily, today live', async () => {
    const body = await json(await h.get('/metrics/daily', h.a.keys.read));
    assert.equal(body.granularity, 'day');
    assert.equal(body.start_date, '2026-11-07');
    assert.equal(body.end_date, '2026-11-20');
    assert.deepEqual(
      body.data.map((r: any) => [r.period_start, r.period_end, r.total_activities]),
      [
        ['2026-11-10', '2026-11-10', 40],
        ['2026-11-12', '2026-11-12', 10],
        ['2026-11-16', '2026-11-16', 5],
        ['2026-11-20', '2026-11-20', 6],
      ],
    );
    assertSubset(body.data[0], { total_conversations: 20, escalations: 4, avg_confidence: 0.8, roi_pct: 2858.67, positive_sentiment_pct: 50 });
    assertSubset(body.data[3], TODAY);
  });

  test('days after today have no row, even when a row exists', async () => {
    const body = await json(await h.get('/metrics/daily?start_date=2026-11-19&end_date=2026-11-30', h.a.keys.read));
    assert.deepEqual(body.data.map((r: any) => r.period_start), ['2026-11-20']);
    const past = await json(await h.get('/metrics/daily?start_date=2026-10-01&end_date=2026-10-31', h.a.keys.read));
    assert.deepEqual(past.data.map((r: any) => r.period_start), ['2026-10-30']);
  });

  test('weeks run Monday to Sunday, clipped to the range, rolled up from the days', async () => {
    const body = await json(await h.get('/metrics/daily?start_date=2026-11-04&end_date=2026-11-20&granularity=week', h.a.keys.read));
    assert.equal(body.granularity, 'week');
    assert.deepEqual(
      body.data.map((r: any) => [r.period_start, r.period_end]),
      [
        ['2026-11-09', '2026-11-15'],
        ['2026-11-16', '2026-11-20'],
      ],
    );
    const [w1, w2] = body.data;
    assertSubset(w1, {
      total_activities: 50,
      total_conversations: 30,
      escalations: 5,
      appointments_booked: 5,
      leads_prescreened: 5,
      ai_coverage_pct: 83.33, // 25 / 30
      booking_rate_pct: 16.67,
      lead_conversion_pct: 16.67,
      avg_confidence: 0.74, // (0.8 × 40 + 0.5 × 10) / 50
      avg_response_time_ms: 1200, // (1000 × 40 + 2000 × 10) / 50
      p95_response_time_ms: 5000, // the largest daily p95
      unique_clients: 16, // client-days
      after_hours_conversations: 6,
      missed_calls_saved: 3,
      positive_sentiment_pct: 60, // (50 × 20 + 80 × 10) / 30
      estimated_revenue: 625,
      labor_hours_saved: 2.5,
      ai_cost: 13.5,
      cost_per_interaction: 0.45,
      roi_pct: 4937.04, // (625 + 2.5 × 22 − 13.5) / 13.5 × 100
    });
    assertSubset(w2, {
      total_activities: 11,
      total_conversations: 9,
      escalations: 1,
      ai_coverage_pct: 88.89,
      avg_confidence: 0.8, // only today has confidences
      avg_response_time_ms: 2333.33,
      unique_clients: 6,
      estimated_revenue: 125,
      labor_hours_saved: 0.8,
      ai_cost: 4.05,
      roi_pct: 3420.99, // (125 + 0.8 × 22 − 4.05) / 4.05 × 100
    });
  });

  test('months are calendar months, clipped to the range', async () => {
    const body = await json(await h.get('/metrics/daily?start_date=2026-10-15&end_date=2026-11-20&granularity=month', h.a.keys.read));
    assert.deepEqual(
      body.data.map((r: any) => [r.period_start, r.period_end, r.total_activities]),
      [
        ['2026-10-15', '2026-10-31', 20],
        ['2026-11-01', '2026-11-20', 61],
      ],
    );
    assertSubset(body.data[0], { booking_rate_pct: 50, ai_coverage_pct: 100, roi_pct: 14277.78 }); // (625 + 1 × 22 − 4.5) / 4.5 × 100
    assertSubset(body.data[1], {
      total_conversations: 39,
      escalations: 6,
      appointments_booked: 6,
      ai_coverage_pct: 84.62, // 33 / 39
      booking_rate_pct: 15.38,
      avg_confidence: 0.7464, // (0.8 × 40 + 0.5 × 10 + 0.8 × 6) / 56
      p95_response_time_ms: 5000,
      estimated_revenue: 750,
      labor_hours_saved: 3.3,
      ai_cost: 17.55,
    });
  });

  test('CSV: every column, one row per period, as an attachment', async () => {
    const res = await h.get('/metrics/daily?start_date=2026-11-09&end_date=2026-11-20&format=csv', h.a.keys.read);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /^text\/csv/);
    assert.equal(res.headers.get('content-disposition'), 'attachment; filename="metrics-daily-2026-11-09-2026-11-20.csv"');
    const lines = (await res.text()).trimEnd().split('\r\n');
    assert.equal(lines[0], ['period_start', 'period_end', ...KPI_COLUMNS].join(','));
    assert.equal(lines.length, 1 + 4);
    const header = lines[0]!.split(',');
    const row = Object.fromEntries(lines[1]!.split(',').map((v, i) => [header[i], v]));
    assertSubset(row, { period_start: '2026-11-10', period_end: '2026-11-10', total_conversations: '20', avg_confidence: '0.8', ai_cost: '9', roi_pct: '2858.67' });
    const row16 = Object.fromEntries(lines[3]!.split(',').map((v, i) => [header[i], v]));
    assert.equal(row16.avg_confidence, ''); // null
    const weekly = await h.get('/metrics/daily?start_date=2026-11-09&end_date=2026-11-20&granularity=week&format=csv', h.a.keys.read);
    assert.equal(weekly.headers.get('content-disposition'), 'attachment; filename="metrics-weekly-2026-11-09-2026-11-20.csv"');
    assert.equal((await weekly.text()).trimEnd().split('\r\n').length, 1 + 2);
  });

  test('tenant b sees only its rows', async () => {
    const body = await json(await h.get('/metrics/daily?start_date=2026-11-01&end_date=2026-11-20', h.b.keys.read));
    assert.deepEqual(
      body.data.map((r: any) => [r.period_start, r.total_activities]),
      [
        ['2026-11-10', 777],
        ['2026-11-20', 2],
      ],
    );
  });
});

describe('GET /metrics/hourly', () => {
  test('a 25-hour day has 25 rows, two of them local hour 1', async () => {
    const body = await json(await h.get('/metrics/hourly?date=2026-11-01', h.a.keys.read));
    assert.equal(body.timezone, 'America/New_York');
    assert.equal(body.start_date, '2026-11-01');
    assert.equal(body.end_date, '2026-11-01');
    assert.equal(body.data.length, 25);
    assert.deepEqual(body.data[0], {
      hour_start: '2026-11-01T04:00:00.000Z',
      local_date: '2026-11-01',
      local_hour: 0,
      conversations: 0,
      bookings: 0,
      escalations: 0,
      avg_response_time_ms: null,
    });
    assert.deepEqual(body.data[1], {
      hour_start: '2026-11-01T05:00:00.000Z',
      local_date: '2026-11-01',
      local_hour: 1,
      conversations: 1,
      bookings: 0,
      escalations: 0,
      avg_response_time_ms: 100,
    });
    assert.deepEqual(body.data[2], {
      hour_start: '2026-11-01T06:00:00.000Z',
      local_date: '2026-11-01',
      local_hour: 1,
      conversations: 1,
      bookings: 1,
      escalations: 0,
      avg_response_time_ms: 300,
    });
    assert.deepEqual(
      body.data.map((r: any) => r.local_hour),
      [0, 1, 1, ...Array.from({ length: 22 }, (_, i) => i + 2)],
    );
    const eleven = body.data.find((r: any) => r.local_hour === 11);
    assert.equal(eleven.hour_start, '2026-11-01T16:00:00.000Z');
    assert.equal(eleven.escalations, 1);
    assert.equal(body.data[24].hour_start, '2026-11-02T04:00:00.000Z');
  });

  test('defaults to today; a range gives every hour of every day', async () => {
    const today = await json(await h.get('/metrics/hourly', h.a.keys.read));
    assert.equal(today.start_date, '2026-11-20');
    assert.equal(today.data.length, 24);
    const h1 = today.data[1];
    assert.deepEqual([h1.local_hour, h1.hour_start, h1.conversations, h1.avg_response_time_ms], [1, '2026-11-20T06:00:00.000Z', 1, 1000]);
    const h15 = today.data[15];
    assert.deepEqual([h15.local_hour, h15.conversations, h15.bookings, h15.escalations], [15, 1, 0, 0]);

    const range = await json(await h.get('/metrics/hourly?start_date=2026-10-31&end_date=2026-11-01', h.a.keys.read));
    assert.equal(range.data.length, 24 + 25);
    assert.equal(range.data[0].hour_start, '2026-10-31T04:00:00.000Z');
    assert.equal(range.data[24].local_date, '2026-11-01');
    const single = await json(await h.get('/metrics/hourly?start_date=2026-11-19', h.a.keys.read));
    assert.equal(single.end_date, '2026-11-19');
    assert.equal(single.data.reduce((s: number, r: any) => s + r.conversations, 0), 3);
  });

  test('tenant b: Berlin hours, its own activities only', async () => {
    const body = await json(await h.get('/metrics/hourly?date=2026-11-20', h.b.keys.read));
    assert.equal(body.timezone, 'Europe/Berlin');
    assert.equal(body.data[0].hour_start, '2026-11-19T23:00:00.000Z');
    assert.equal(body.data.reduce((s: number, r: any) => s + r.conversations, 0), 1);
    const twenty = body.data[20];
    assert.deepEqual([twenty.conversations, twenty.bookings, twenty.avg_response_time_ms], [1, 1, 9000]);
  });
});

describe('access and input', () => {
  const routes = ['/metrics/realtime', '/metrics/daily', '/metrics/hourly'];

  test('a client-locked token may not read tenant-wide figures', async () => {
    for (const path of routes) await problem(await h.get(path, h.a.tokens.locked), 403);
  });

  test('read scope is required; a credential is required', async () => {
    for (const path of routes) {
      await problem(await h.get(path, h.a.keys.ingest), 403);
      await problem(await h.get(path), 401);
    }
    await json(await h.get('/metrics/daily', h.a.keys.admin));
  });

  const bad: [string, string][] = [
    ['/metrics/daily?start_date=2026-13-01', 'start_date'],
    ['/metrics/daily?end_date=2026-02-30', 'end_date'],
    ['/metrics/daily?granularity=year', 'granularity'],
    ['/metrics/daily?format=xml', 'format'],
    ['/metrics/daily?start_date=2026-11-10&end_date=2026-11-09', 'end_date'],
    ['/metrics/daily?start_date=2025-11-19&end_date=2026-11-20', 'end_date'], // 367 days
    ['/metrics/hourly?date=2026-11-01&start_date=2026-11-01', 'date'],
    ['/metrics/hourly?date=2026-11-01&end_date=2026-11-02', 'date'],
    ['/metrics/hourly?date=tomorrow', 'date'],
    ['/metrics/hourly?start_date=2026-10-01&end_date=2026-11-01', 'end_date'], // 32 days
    ['/metrics/hourly?start_date=2026-11-02&end_date=2026-11-01', 'end_date'],
  ];
  for (const [path, field] of bad) {
    test(`400 naming ${field}: ${path}`, async () => {
      const body = await problem(await h.get(path, h.a.keys.read), 400);
      assert.deepEqual(body.errors?.map((e) => e.field), [field]);
    });
  }

  test('the longest ranges are accepted', async () => {
    await json(await h.get('/metrics/daily?start_date=2025-11-20&end_date=2026-11-20&granularity=month', h.a.keys.read));
    const hourly = await json(await h.get('/metrics/hourly?start_date=2026-10-21&end_date=2026-11-20', h.a.keys.read));
    assert.equal(hourly.data.length, 31 * 24 + 1);
  });
});
