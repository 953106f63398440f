/**
 * In-process baselines of `npm run bench` (SPEC §9): the feed's first page through the prepared
 * statement the route uses against the same query built and prepared by drizzle on every call,
 * and the SSE fan-out with the frame serialized and encoded once per event (the EventBus) against
 * once per client.
 */
import { desc, eq, sql as raw } from 'drizzle-orm';
import type { Principal } from '../api/auth/principal.js';
import type { Db } from '../api/db/client.js';
import { activity } from '../api/db/schema.js';
import type { Statements } from '../api/lib/sql.js';
import { listActivities } from '../api/routes/activity/activity.queries.js';
import { EventBus, type Delivery } from '../api/stream/bus.js';
import { frameOf, type StreamEvent } from '../api/stream/events.js';
import type { Row } from './table.js';

export interface Percentiles {
  p50: number;
  p99: number;
}

function percentiles(samples: number[]): Percentiles {
  const s = [...samples].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
  return { p50: at(50), p99: at(99) };
}

/** Runs `fn` `iterations` times after a warm-up; per-call milliseconds. */
export function time(fn: () => void, iterations: number): Percentiles {
  for (let i = 0; i < Math.min(50, iterations); i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t = performance.now();
    fn();
    samples.push(performance.now() - t);
  }
  return percentiles(samples);
}

export const fmtMs = (p: Percentiles) => `p50 ${p.p50.toFixed(3)} ms, p99 ${p.p99.toFixed(3)} ms`;

/**
 * The feed's first page (50 rows, newest first) as the route runs it — a statement prepared once
 * and reused — against drizzle's query builder, which builds the SQL and prepares it on every call.
 */
export function preparedFeedBench(db: Db, sql: Statements, auth: Principal, limit = 50): Row {
  const tenantId = auth.tenant.id;
  const prepared = () => listActivities({ sql }, auth, {}, { limit });
  const unprepared = () =>
    db
      .select({
        id: activity.id,
        timestamp: activity.timestamp,
        client_id: activity.client_id,
        client_name: activity.client_name,
        client_phone: activity.client_phone,
        action_type: activity.action_type,
        channel: activity.channel,
        message_in: activity.message_in,
        message_out: activity.message_out,
        confidence_score: activity.confidence_score,
        skill_name: activity.skill_name,
        lead_stage: activity.lead_stage,
        outcome_status: activity.outcome_status,
        response_time_ms: activity.response_time_ms,
        conversation_id: activity.conversation_id,
        // The raw JSON text, as the prepared statement reads it (drizzle would parse it).
        metadata: raw<string | null>`${activity.metadata}`,
      })
      .from(activity)
      .where(eq(activity.tenant_id, tenantId))
      .orderBy(desc(activity.timestamp), desc(activity.id))
      .limit(limit + 1)
      .all();
  const same = JSON.stringify(prepared()) === JSON.stringify(unprepared());
  const p = time(prepared, 2000);
  const u = time(unprepared, 2000);
  return {
    figure: 'feed first page: prepared statement (baseline: drizzle query built and prepared per call)',
    goal: 'same rows, prepared faster',
    measured: `${fmtMs(p)}${same ? '' : ' — DIFFERENT ROWS'}`,
    baseline: fmtMs(u),
    ok: same && p.p50 < u.p50,
  };
}

/** An activity.new as ingest emits it (about 500 bytes of JSON). */
function sampleEvent(seq: number): StreamEvent {
  const data = JSON.stringify({
    id: `01a1f${String(seq).padStart(27, '0')}`,
    timestamp: new Date(1_790_000_000_000 + seq).toISOString(),
    client_id: 'cl_1042',
    client_name: 'Ann Example',
    client_phone: '+1 555 0100',
    action_type: 'appointment_booked',
    channel: 'voice',
    message_in: 'Can I book a cleaning for Tuesday afternoon?',
    message_out: 'Booked: Tuesday 3:30 pm with Dr. Lee. You will get a text reminder.',
    confidence_score: 0.94,
    skill_name: 'scheduling',
    lead_stage: 'booked',
    outcome_status: 'success',
    response_time_ms: 820,
    conversation_id: null,
    metadata: { source: 'bench' },
  });
  return { tenantId: 1, seq, type: 'activity.new', data, createdAt: 0, audience: 'cl_1042' };
}

/**
 * The cost of one event's fan-out to `subscribers` in-process subscribers of the real EventBus:
 * each subscriber takes the frame the bus encoded once for everyone, against a subscriber that
 * serializes and encodes its own frame (the baseline). The listeners only count bytes, so the
 * figure is the fan-out itself, without sockets.
 */
export function fanOutBench(subscribers: number, events: number): Row {
  const encoder = new TextEncoder();
  let bytes = 0;
  const run = (listener: (d: Delivery) => void): { timing: Percentiles; bytes: number } => {
    const bus = new EventBus();
    const topics = new Set(['activity'] as const);
    for (let i = 0; i < subscribers; i++) bus.subscribe(1, topics, listener);
    bytes = 0;
    let seq = 0;
    const timing = time(() => bus.publish(sampleEvent(++seq)), events);
    return { timing, bytes: bytes / seq };
  };
  const once = run((d) => {
    bytes += d.frame.byteLength;
  });
  const perClient = run((d) => {
    bytes += encoder.encode(frameOf(d.event)).byteLength;
  });
  const n = subscribers.toLocaleString('en-US');
  const fmt = (r: { timing: Percentiles }) => `${fmtMs(r.timing)} per event (${((r.timing.p50 * 1000) / subscribers).toFixed(3)} µs per subscriber)`;
  return {
    figure: `SSE fan-out, ${n} in-process subscribers: frame serialized once per event (baseline: once per client)`,
    goal: 'same bytes, once per event faster',
    measured: fmt(once),
    baseline: fmt(perClient),
    ok: once.bytes === perClient.bytes && once.timing.p50 < perClient.timing.p50,
  };
}
