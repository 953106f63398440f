import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { activity, ACTION_TYPES, conversations, metrics_daily, tenants, type NewActivity, type OutcomeStatus } from '../db/schema.js';
import { createHarness, NOW, type Harness } from '../test/harness.js';
import { aggregateDue, aggregateRange, dailyAggregationJob, dueDates, MAX_CATCH_UP_DAYS, metricsTenant } from './aggregate.js';
import { Scheduler } from './scheduler.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const OUTCOMES: OutcomeStatus[] = ['success', 'failed', 'escalated', 'pending'];

let h: Harness;
let seq = 0;

/** One activity every `stepMin` minutes over [from, to), with types, outcomes and figures cycling. */
function activities(tenantId: number, from: string, to: string, stepMin: number): NewActivity[] {
  const rows: NewActivity[] = [];
  for (let t = Date.parse(from), i = 0; t < Date.parse(to); t += stepMin * MIN, i++) {
    rows.push({
      id: `day_${(seq++).toString().padStart(6, '0')}`,
      tenant_id: tenantId,
      timestamp: t,
      action_type: ACTION_TYPES[i % ACTION_TYPES.length]!,
      channel: i % 3 ? 'voice' : 'sms',
      outcome_status: OUTCOMES[i % 7 % 4]!,
      client_id: i % 5 === 0 ? null : `cl_${i % 23}`,
      confidence_score: i % 4 === 0 ? null : (i % 97) / 100,
      response_time_ms: i % 6 === 0 ? null : 200 + ((i * 37) % 4000),
    });
  }
  return rows;
}

/**
 * A local day's [start, end) found without the code under test: the first quarter hour whose
 * local date (Intl) is the day, and the first whose local date is past it.
 */
function localDayBounds(timeZone: string, date: string): [number, number] {
  const format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  const localDate = (ms: number) => format.format(ms);
  let t = Date.parse(`${date}T00:00:00Z`) - 15 * HOUR;
  while (localDate(t) < date) t += 15 * MIN;
  const start = t;
  while (localDate(t) === date) t += 15 * MIN;
  return [start, t];
}

/** The counting KPIs of a tenant's local day, recounted in plain SQL. */
function recount(tenantId: number, timeZone: string, date: string) {
  const [from, to] = localDayBounds(timeZone, date);
  const n = (where: string) =>
    (h.db.$client.prepare(`SELECT count(*) AS n FROM ai_receptionist_activity WHERE tenant_id = ? AND timestamp >= ? AND timestamp < ? AND ${where}`).get(tenantId, from, to) as { n: number }).n;
  const avg = h.db.$client
    .prepare('SELECT avg(confidence_score) AS confidence, avg(response_time_ms) AS response FROM ai_receptionist_activity WHERE tenant_id = ? AND timestamp >= ? AND timestamp < ?')
    .get(tenantId, from, to) as { confidence: number | null; response: number | null };
  return {
    hours: (to - from) / HOUR,
    counts: {
      total_activities: n('1'),
      total_conversations: n("action_type IN ('incoming_call', 'incoming_text', 'outbound_followup')"),
      inbound_calls: n("action_type = 'incoming_call'"),
      inbound_texts: n("action_type = 'incoming_text'"),
      outbound_followups: n("action_type = 'outbound_followup'"),
      appointments_booked: n("action_type = 'appointment_booked'"),
      faq_answered: n("action_type = 'faq_answered'"),
      leads_prescreened: n("action_type = 'lead_prescreened'"),
      crm_updates: n("action_type = 'crm_updated'"),
      escalations: n("action_type = 'escalated'"),
      errors: n("action_type = 'error'"),
      ai_uncertainty: n("action_type = 'ai_uncertainty'"),
      unique_clients: (
        h.db.$client
          .prepare('SELECT count(DISTINCT client_id) AS n FROM ai_receptionist_activity WHERE tenant_id = ? AND timestamp >= ? AND timestamp < ?')
          .get(tenantId, from, to) as { n: number }
      ).n,
    },
    avg,
  };
}

function rowsOf(tenantId: number) {
  return h.db.$client.prepare('SELECT * FROM ai_receptionist_metrics_daily WHERE tenant_id = ? ORDER BY date').all(tenantId) as (typeof metrics_daily.$inferSelect)[];
}

function assertRecounted(tenantId: number, timeZone: string) {
  const rows = rowsOf(tenantId);
  assert.ok(rows.length > 0);
  for (const row of rows) {
    const { counts, avg } = recount(tenantId, timeZone, row.date);
    const { tenant_id: _t, date: _d, computed_at: _c, ...kpis } = row;
    assert.deepEqual(Object.fromEntries(Object.keys(counts).map((k) => [k, kpis[k as keyof typeof kpis]])), counts, `${timeZone} ${row.date}`);
    if (avg.confidence === null) assert.equal(row.avg_confidence, null);
    else assert.ok(Math.abs(row.avg_confidence! - avg.confidence) <= 0.00005, `${row.date} avg_confidence`);
    if (avg.response === null) assert.equal(row.avg_response_time_ms, null);
    else assert.ok(Math.abs(row.avg_response_time_ms! - avg.response) <= 0.005, `${row.date} avg_response_time_ms`);
  }
}

const dates = (tenantId: number) => rowsOf(tenantId).map((r) => r.date);

before(async () => {
  h = await createHarness();
  const a = h.a.tenant.id; // America/New_York
  const b = h.b.tenant.id; // Europe/Berlin
  h.db
    .insert(activity)
    .values([
      // New York springs forward on 2026-03-08 (23 hours) and falls back on 2026-11-01 (25 hours).
      ...activities(a, '2026-03-06T00:00:00Z', '2026-03-10T00:00:00Z', 20),
      ...activities(a, '2026-10-30T00:00:00Z', '2026-11-03T00:00:00Z', 20),
      ...activities(a, '2026-11-18T00:00:00Z', '2026-11-20T20:00:00Z', 45),
      // Berlin falls back on 2026-10-25 (25 hours).
      ...activities(b, '2026-10-23T00:00:00Z', '2026-10-27T00:00:00Z', 25),
      ...activities(b, '2026-11-18T00:00:00Z', '2026-11-20T20:00:00Z', 35),
    ])
    .run();
});
after(() => h.close());

describe('daily aggregation job', () => {
  test('nothing is due for a tenant without activity, nor today', () => {
    const c = h.db.insert(tenants).values({ slug: 'quiet', name: 'Quiet', timezone: 'Asia/Tokyo' }).returning().get();
    assert.deepEqual(dueDates(h.db, c, NOW), []);
    h.db.insert(activity).values({ id: 'quiet_today', tenant_id: c.id, timestamp: NOW, action_type: 'incoming_call', channel: 'voice', outcome_status: 'success' }).run();
    assert.deepEqual(dueDates(h.db, c, NOW), [], 'its first activity is today, which is not over');
    h.db.delete(activity).where(eq(activity.id, 'quiet_today')).run();
    h.db.delete(tenants).where(eq(tenants.id, c.id)).run();
  });

  test('at start-up, each tenant is caught up in its own days: from its first activity to its yesterday, not today', async () => {
    // 02:00 UTC on November 20: 21:00 on the 19th in New York, 03:00 on the 20th in Berlin.
    h.clock.now = Date.parse('2026-11-20T02:00:00Z');
    const scheduler = new Scheduler({ clock: () => h.clock.now });
    const job = dailyAggregationJob(h.db, { clock: () => h.clock.now });
    const ran = new Promise<void>((resolve, reject) => scheduler.add({ ...job, run: (signal) => Promise.resolve(job.run(signal)).then(resolve, reject) }));
    scheduler.start();
    await ran;
    await scheduler.stop();

    const a = dates(h.a.tenant.id);
    assert.equal(a[0], '2026-03-05', 'the first activity, 00:00 UTC on March 6, is the evening of March 5 in New York');
    assert.equal(a.at(-1), '2026-11-18');
    assert.equal(a.length, 259, 'every day from March 5 to November 18, none skipped');
    const b = dates(h.b.tenant.id);
    assert.equal(b[0], '2026-10-23');
    assert.equal(b.at(-1), '2026-11-19');
    assert.equal(b.length, 28);
  });

  test('a day across a daylight-saving change is 23 or 25 hours, and every row equals a recount of the activities', () => {
    assert.equal(recount(h.a.tenant.id, 'America/New_York', '2026-03-08').hours, 23);
    assert.equal(recount(h.a.tenant.id, 'America/New_York', '2026-11-01').hours, 25);
    assert.equal(recount(h.b.tenant.id, 'Europe/Berlin', '2026-10-25').hours, 25);
    const row = (tenantId: number, date: string) => rowsOf(tenantId).find((r) => r.date === date)!;
    // One activity every 20 minutes: 69 in 23 hours, 75 in 25, 72 in a plain day.
    assert.equal(row(h.a.tenant.id, '2026-03-08').total_activities, 69);
    assert.equal(row(h.a.tenant.id, '2026-03-07').total_activities, 72);
    assert.equal(row(h.a.tenant.id, '2026-11-01').total_activities, 75);
    assert.equal(row(h.a.tenant.id, '2026-10-31').total_activities, 72);
    assert.equal(row(h.b.tenant.id, '2026-10-25').total_activities, 60); // every 25 minutes for 25 hours
    assert.equal(row(h.a.tenant.id, '2026-06-15').total_activities, 0);
    assertRecounted(h.a.tenant.id, 'America/New_York');
    assertRecounted(h.b.tenant.id, 'Europe/Berlin');
  });

  test('re-running changes nothing, not even computed_at', async () => {
    const before = [rowsOf(h.a.tenant.id), rowsOf(h.b.tenant.id)];
    h.clock.now = Date.parse('2026-11-20T04:30:00Z'); // 23:30 in New York, 05:30 in Berlin
    assert.deepEqual(await aggregateDue(h.db, h.clock.now), []);
    // Forced: every day again.
    aggregateRange(h.db, metricsTenant(h.a.tenant), '2026-03-05', '2026-11-18', h.clock.now);
    aggregateRange(h.db, metricsTenant(h.b.tenant), '2026-10-23', '2026-11-19', h.clock.now);
    assert.deepEqual([rowsOf(h.a.tenant.id), rowsOf(h.b.tenant.id)], before);
  });

  test('after each local midnight, that tenant’s previous day is aggregated, and only it', async () => {
    h.clock.now = Date.parse('2026-11-20T05:05:00Z'); // 00:05 on the 20th in New York, 06:05 in Berlin
    const done = await aggregateDue(h.db, h.clock.now);
    assert.deepEqual(done, [{ tenant_id: h.a.tenant.id, dates: ['2026-11-19'] }]);
    assertRecounted(h.a.tenant.id, 'America/New_York');
  });

  test('in the first hours of a day, the day before is aggregated again: a conversation reported after midnight counts', async () => {
    const a = h.a.tenant.id;
    const row = () => rowsOf(a).find((r) => r.date === '2026-11-19')!;
    assert.equal(row().positive_sentiment_pct, null);
    // Started at 23:50 on the 19th, reported at 00:20 on the 20th.
    h.db.insert(conversations).values({ id: 'conv_late', tenant_id: a, channel: 'voice', started_at: Date.parse('2026-11-20T04:50:00Z'), transcript: [], sentiment: 'positive' }).run();
    h.clock.now = Date.parse('2026-11-20T05:20:00Z');
    assert.deepEqual(await aggregateDue(h.db, h.clock.now), [{ tenant_id: a, dates: ['2026-11-19'] }]);
    assert.equal(row().positive_sentiment_pct, 100);
    assert.equal(row().computed_at, h.clock.now);
    h.clock.now = Date.parse('2026-11-20T08:00:00Z'); // 03:00: settled
    assert.deepEqual(dueDates(h.db, h.a.tenant, h.clock.now), []);
  });

  test('a catch-up reaches back at most a year, and stops between days when aborted', async () => {
    const c = h.db.insert(tenants).values({ slug: 'old', name: 'Old', timezone: 'UTC' }).returning().get();
    h.db.insert(activity).values({ id: 'old_1', tenant_id: c.id, timestamp: Date.parse('2024-01-01T12:00:00Z'), action_type: 'incoming_call', channel: 'voice', outcome_status: 'success' }).run();
    const due = dueDates(h.db, c, NOW);
    assert.equal(due.length, MAX_CATCH_UP_DAYS);
    assert.equal(due.at(-1), '2026-11-19');
    const abort = new AbortController();
    // The first day is written before aggregateDue first yields; aborted then, it stops there.
    const run = aggregateDue(h.db, NOW, { tenants: [c], signal: abort.signal });
    abort.abort();
    assert.deepEqual(await run, [{ tenant_id: c.id, dates: [due[0]] }]);
    assert.deepEqual(dates(c.id), [due[0]]);
    // The next run goes on from there.
    const [rest] = await aggregateDue(h.db, NOW, { tenants: [c] });
    assert.equal(rest!.dates.length, MAX_CATCH_UP_DAYS - 1);
    assert.deepEqual(dates(c.id), due);
  });
});
