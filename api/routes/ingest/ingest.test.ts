import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createApiKey } from '../../auth/keys.js';
import { roiAssumptions, type TenantContext } from '../../auth/principal.js';
import { REPLAYED_HEADER } from '../../ingest/idempotency.js';
import { RateLimiter } from '../../ingest/rate-limit.js';
import { CursorCodec } from '../../lib/cursor.js';
import { createLogger } from '../../lib/logger.js';
import type { AppContext } from '../../lib/router.js';
import { Statements } from '../../lib/sql.js';
import type { Delivery } from '../../stream/bus.js';
import { TOPICS } from '../../stream/events.js';
import { createHarness, json, NOW, problem, SECRET, type Harness, type TenantFixture } from '../../test/harness.js';
import { INGEST_BASE, ingestRoutes } from './ingest.routes.js';

const TABLES = [
  'ai_receptionist_activity',
  'ai_receptionist_conversations',
  'ai_receptionist_errors',
  'ai_receptionist_health_checks',
  'ai_receptionist_system_health',
  'idempotency_keys',
  'events',
] as const;

/** metric.update is pushed only when a test flushes it, so no timer writes an event while a test counts rows. */
const QUIET = { live: { metricIntervalMs: 3_600_000 } };

let h: Harness;

before(async () => {
  h = await createHarness(QUIET);
});
after(() => h.close());

function post(path: string, body: unknown, init: { credential?: string; headers?: Record<string, string> } = {}) {
  return h.request(INGEST_BASE + path, {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...init.headers },
    credential: init.credential ?? h.a.keys.ingest,
  });
}

/** Row counts of every table ingest writes to: compared before and after a request that must write nothing. */
function counts(harness = h): Record<string, number> {
  return Object.fromEntries(TABLES.map((t) => [t, (harness.db.$client.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n]));
}

function events(tenantId: number, afterSeq = 0) {
  return (
    h.db.$client.prepare('SELECT seq, type, payload FROM events WHERE tenant_id = ? AND seq > ? ORDER BY seq').all(tenantId, afterSeq) as {
      seq: number;
      type: string;
      payload: string;
    }[]
  ).map((e) => ({ seq: e.seq, type: e.type, payload: JSON.parse(e.payload) }));
}

function lastSeq(tenantId: number): number {
  return (h.db.$client.prepare('SELECT coalesce(max(seq), 0) AS s FROM events WHERE tenant_id = ?').get(tenantId) as { s: number }).s;
}

function tenantContext(f: TenantFixture): TenantContext {
  const t = f.tenant;
  return { id: t.id, slug: t.slug, name: t.name, timezone: t.timezone, roi: roiAssumptions(t.roi_assumptions) };
}

const call = (more: Record<string, unknown> = {}) => ({
  action_type: 'incoming_call',
  channel: 'voice',
  client_id: 'cl_a1',
  client_name: 'Dana Whitfield',
  client_phone: '+1 (512) 555-0142',
  message_in: 'Hi, I want to ask about refinancing <b>now</b>',
  message_out: 'Happy to help. What is your current rate?',
  confidence_score: 0.91,
  skill_name: 'refinance_faq',
  lead_stage: 'new',
  response_time_ms: 840,
  metadata: { call_sid: 'CA123', tags: ['refi'] },
  ...more,
});

async function feed(credential = h.a.keys.read, query = 'limit=200') {
  return (await json(await h.get(`/activity/feed?${query}`, credential))).data as Record<string, unknown>[];
}

async function expectNothingWritten(request: () => Promise<Response>, status: number) {
  const before = counts();
  const body = await problem(await request(), status);
  assert.deepEqual(counts(), before);
  return body;
}

describe('POST /ingest/activity', () => {
  test('stores one activity with the server’s id and receive time, and the feed serves it exactly as answered', async () => {
    const seq = lastSeq(h.a.tenant.id);
    const res = await post('/activity', call());
    const { data } = await json(res, 201);
    assert.equal(res.headers.get(REPLAYED_HEADER), null);
    assert.match(data.id, /^[0-9a-f-]{36}$/);
    assert.equal(data.timestamp, new Date(NOW).toISOString());
    assert.equal(data.outcome_status, 'success', 'outcome_status defaults to success');
    assert.deepEqual(data.metadata, { call_sid: 'CA123', tags: ['refi'] });
    assert.equal(data.message_in, 'Hi, I want to ask about refinancing <b>now</b>');

    const served = (await feed()).find((r) => r.id === data.id);
    assert.deepEqual(served, data);
    const [event, ...more] = events(h.a.tenant.id, seq);
    assert.deepEqual(more, []);
    assert.deepEqual(event, { seq: seq + 1, type: 'activity.new', payload: data });
  });

  test('never takes ids, tenant or timestamps from the body', async () => {
    for (const field of ['id', 'timestamp', 'tenant_id']) {
      const body = await expectNothingWritten(() => post('/activity', call({ [field]: field === 'tenant_id' ? h.b.tenant.id : 'x' })), 400);
      assert.match(body.detail, new RegExp(`\\b${field}\\b`));
    }
  });

  test('publishes activity.new on the bus only once the row is committed', async () => {
    const seen: { delivery: Delivery; stored: boolean }[] = [];
    const lookup = h.db.$client.prepare('SELECT 1 FROM ai_receptionist_activity WHERE id = ?');
    const unsubscribe = h.live.bus.subscribe(h.a.tenant.id, new Set(TOPICS), (delivery) => {
      const id = (JSON.parse(delivery.event.data) as { id: string }).id;
      seen.push({ delivery, stored: lookup.get(id) !== undefined && !h.db.$client.inTransaction });
    });
    try {
      const { data } = await json(await post('/activity', call({ action_type: 'faq_answered' })), 201);
      assert.equal(seen.length, 1);
      assert.equal(seen[0]!.stored, true);
      assert.equal(seen[0]!.delivery.event.type, 'activity.new');
      assert.deepEqual(JSON.parse(seen[0]!.delivery.event.data), data);
      assert.equal(seen[0]!.delivery.event.seq, lastSeq(h.a.tenant.id));
    } finally {
      unsubscribe();
    }
  });

  test('a batch is stored in order, one activity.new each, with consecutive sequence numbers', async () => {
    const seq = lastSeq(h.a.tenant.id);
    const items = [call({ client_id: 'cl_b1' }), call({ action_type: 'appointment_booked', client_id: 'cl_b2' }), call({ action_type: 'crm_updated', client_id: 'cl_b3' })];
    const res = await post('/activity', { items });
    const body = await json(res, 201);
    assert.deepEqual(body.replayed, []);
    assert.deepEqual(
      body.data.map((a: { action_type: string; client_id: string }) => [a.action_type, a.client_id]),
      items.map((i) => [i.action_type, i.client_id]),
    );
    const evs = events(h.a.tenant.id, seq);
    assert.deepEqual(evs.map((e) => e.seq), [seq + 1, seq + 2, seq + 3]);
    assert.deepEqual(evs.map((e) => e.type), ['activity.new', 'activity.new', 'activity.new']);
    assert.deepEqual(evs.map((e) => e.payload), body.data);
    const served = await feed(h.a.keys.read, 'client_id=cl_b2');
    assert.deepEqual(served, [body.data[1]]);
  });

  test('a batch with one bad item stores nothing and names the item', async () => {
    const items = [call(), call(), call({ channel: 'fax' }), call()];
    const body = await expectNothingWritten(() => post('/activity', { items }), 400);
    assert.deepEqual(body.errors?.map((e) => e.field), ['items.2.channel']);

    const unknown = await expectNothingWritten(() => post('/activity', { items: [call(), call({ colour: 'red' })] }), 400);
    assert.equal(unknown.errors?.length, 1);
    assert.match(unknown.errors![0]!.field, /^items\.1/);
    assert.match(unknown.detail, /\bcolour\b/);
  });

  test('a batch must hold 1–1000 items and nothing else', async () => {
    assert.deepEqual((await expectNothingWritten(() => post('/activity', { items: [] }), 400)).errors?.map((e) => e.field), ['items']);
    const tooMany = Array.from({ length: 1001 }, () => ({ action_type: 'crm_updated', channel: 'chat' }));
    assert.deepEqual((await expectNothingWritten(() => post('/activity', { items: tooMany }), 400)).errors?.map((e) => e.field), ['items']);
    assert.match((await expectNothingWritten(() => post('/activity', { items: [call()], note: 'x' }), 400)).detail, /\bnote\b/);
  });

  test('rejects unknown fields, wrong types and out-of-range values, naming each field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [call({ confidence_score: 'high' }), 'confidence_score'],
      [call({ confidence_score: 1.5 }), 'confidence_score'],
      [call({ action_type: 'teleported' }), 'action_type'],
      [call({ response_time_ms: 12.5 }), 'response_time_ms'],
      [call({ client_phone: 'call me maybe' }), 'client_phone'],
      [call({ client_id: 'x'.repeat(129) }), 'client_id'],
      [call({ message_in: 'x'.repeat(10_001) }), 'message_in'],
      [call({ metadata: ['not', 'an', 'object'] }), 'metadata'],
      [call({ metadata: { blob: 'x'.repeat(8 * 1024) } }), 'metadata'],
      [call({ external_id: '' }), 'external_id'],
    ];
    for (const [body, field] of cases) {
      const p = await expectNothingWritten(() => post('/activity', body), 400);
      assert.deepEqual(p.errors?.map((e) => e.field), [field], JSON.stringify(body).slice(0, 80));
    }
    const missing = await expectNothingWritten(() => post('/activity', { channel: 'voice' }), 400);
    assert.deepEqual(missing.errors?.map((e) => e.field), ['action_type']);
    const unknown = await expectNothingWritten(() => post('/activity', call({ colour: 'red' })), 400);
    assert.match(unknown.detail, /\bcolour\b/);
  });

  test('null means absent for optional fields', async () => {
    const { data } = await json(await post('/activity', { action_type: 'crm_updated', channel: 'chat', client_id: null, metadata: null }), 201);
    assert.equal(data.client_id, null);
    assert.equal(data.metadata, null);
  });

  test('malformed JSON is a 400 and another content type a 415, both problem+json', async () => {
    await expectNothingWritten(() => post('/activity', '{"action_type": "incoming_call",'), 400);
    await expectNothingWritten(
      () => h.request(`${INGEST_BASE}/activity`, { method: 'POST', body: JSON.stringify(call()), headers: { 'content-type': 'text/plain' }, credential: h.a.keys.ingest }),
      415,
    );
  });
});

describe('idempotency', () => {
  test('20 concurrent requests with one key: one activity, one event, 20 identical answers, 19 marked replayed', async () => {
    const before = counts();
    const responses = await Promise.all(Array.from({ length: 20 }, () => post('/activity', call(), { headers: { 'Idempotency-Key': 'retry-me-1' } })));
    const bodies = await Promise.all(responses.map((r) => json(r, 201)));
    assert.equal(new Set(bodies.map((b) => JSON.stringify(b))).size, 1);
    assert.equal(responses.filter((r) => r.headers.get(REPLAYED_HEADER) === 'true').length, 19);
    const after = counts();
    assert.equal(after.ai_receptionist_activity, before.ai_receptionist_activity! + 1);
    assert.equal(after.events, before.events! + 1);
    assert.equal(after.idempotency_keys, before.idempotency_keys! + 1);
  });

  test('the same key with another body is a 409 naming the header, and writes nothing', async () => {
    await json(await post('/activity', call(), { headers: { 'Idempotency-Key': 'retry-me-2' } }), 201);
    const body = await expectNothingWritten(() => post('/activity', call({ confidence_score: 0.5 }), { headers: { 'Idempotency-Key': 'retry-me-2' } }), 409);
    assert.deepEqual(body.errors?.map((e) => e.field), ['Idempotency-Key']);
    // A batch is another request than a single activity, even of the same item.
    await expectNothingWritten(() => post('/activity', { items: [call()] }, { headers: { 'Idempotency-Key': 'retry-me-2' } }), 409);
  });

  test('the key is the same request whatever the order of the body’s fields', async () => {
    const body = call({ client_id: 'cl_order' });
    const reversed = Object.fromEntries(Object.entries(body).reverse());
    const first = await json(await post('/activity', body, { headers: { 'Idempotency-Key': 'order-1' } }), 201);
    const res = await post('/activity', reversed, { headers: { 'Idempotency-Key': 'order-1' } });
    assert.deepEqual(await json(res, 201), first);
    assert.equal(res.headers.get(REPLAYED_HEADER), 'true');
  });

  test('a malformed key is a 400 naming the header', async () => {
    for (const key of ['has space', 'x'.repeat(256), 'é']) {
      const body = await expectNothingWritten(() => post('/activity', call(), { headers: { 'Idempotency-Key': key } }), 400);
      assert.deepEqual(body.errors?.map((e) => e.field), ['Idempotency-Key']);
    }
  });

  test('keys are per tenant', async () => {
    const a = await json(await post('/activity', call(), { headers: { 'Idempotency-Key': 'shared-key' } }), 201);
    const res = await post('/activity', call(), { headers: { 'Idempotency-Key': 'shared-key' }, credential: h.b.keys.ingest });
    const b = await json(res, 201);
    assert.equal(res.headers.get(REPLAYED_HEADER), null);
    assert.notEqual(a.data.id, b.data.id);
  });

  test('an activity’s external_id: a repeat answers the first answer, another body is a 409', async () => {
    const first = await json(await post('/activity', call({ external_id: 'CA-ext-1' })), 201);
    const before = counts();
    const res = await post('/activity', call({ external_id: 'CA-ext-1' }));
    assert.deepEqual(await json(res, 201), first);
    assert.equal(res.headers.get(REPLAYED_HEADER), 'true');
    // Under a new Idempotency-Key it is still the same event.
    const again = await post('/activity', call({ external_id: 'CA-ext-1' }), { headers: { 'Idempotency-Key': 'new-key-for-ext' } });
    assert.deepEqual(await json(again, 201), first);
    assert.equal(again.headers.get(REPLAYED_HEADER), 'true');
    assert.equal(counts().ai_receptionist_activity, before.ai_receptionist_activity);
    assert.equal(counts().events, before.events);

    const conflict = await expectNothingWritten(() => post('/activity', call({ external_id: 'CA-ext-1', outcome_status: 'failed' })), 409);
    assert.deepEqual(conflict.errors?.map((e) => e.field), ['external_id']);
  });

  test('a batch without a key checks each item’s external_id on its own and lists the repeats in `replayed`', async () => {
    const x1 = call({ external_id: 'B-1' });
    const x2 = call({ external_id: 'B-2', action_type: 'lead_prescreened' });
    const x3 = call({ external_id: 'B-3', action_type: 'escalated' });
    const first = await json(await post('/activity', { items: [x1, x2] }), 201);
    const before = counts();
    const second = await json(await post('/activity', { items: [x2, x3] }), 201);
    assert.deepEqual(second.replayed, [0]);
    assert.deepEqual(second.data[0], first.data[1]);
    assert.equal(second.data[1].action_type, 'escalated');
    assert.equal(counts().ai_receptionist_activity, before.ai_receptionist_activity! + 1);
    assert.equal(counts().events, before.events! + 1);

    // A single POST of an item first sent in a batch is a repeat too.
    const single = await post('/activity', x1);
    assert.deepEqual((await json(single, 201)).data, first.data[0]);
    assert.equal(single.headers.get(REPLAYED_HEADER), 'true');

    // The same external_id twice in one batch: created once.
    const dup = await json(await post('/activity', { items: [call({ external_id: 'B-4' }), call({ external_id: 'B-4' })] }), 201);
    assert.deepEqual(dup.replayed, [1]);
    assert.deepEqual(dup.data[1], dup.data[0]);

    // An item repeating an external_id with other content fails the whole batch.
    const conflict = await expectNothingWritten(() => post('/activity', { items: [call({ external_id: 'B-5' }), { ...x3, confidence_score: 0.1 }] }), 409);
    assert.deepEqual(conflict.errors?.map((e) => e.field), ['items.1.external_id']);

    // Every item a repeat: the whole answer is a replay.
    const all = await post('/activity', { items: [x1, x2] });
    assert.deepEqual((await json(all, 201)).replayed, [0, 1]);
    assert.equal(all.headers.get(REPLAYED_HEADER), 'true');
  });

  test('once its stored answer is pruned, an external_id still creates nothing', async () => {
    const first = await json(await post('/activity', call({ external_id: 'CA-old' })), 201);
    h.db.$client.prepare("DELETE FROM idempotency_keys WHERE key = 'activity:CA-old'").run();
    const res = await post('/activity', call({ external_id: 'CA-old' }));
    assert.deepEqual(await json(res, 201), first);
    assert.equal(res.headers.get(REPLAYED_HEADER), 'true');
  });
});

describe('group commit', () => {
  test('concurrent activity requests share one transaction; a refused one fails alone and writes nothing', async () => {
    await json(await post('/activity', call(), { headers: { 'Idempotency-Key': 'group-1' } }), 201);
    const outbox = h.live.outbox;
    const commit = outbox.commit;
    let commits = 0;
    outbox.commit = function (this: typeof outbox, ...args: Parameters<typeof commit>) {
      commits++;
      return commit.apply(this, args);
    } as typeof commit;
    const before = counts();
    const seq = lastSeq(h.a.tenant.id);
    try {
      const [one, conflict, batch, repeat] = await Promise.all([
        post('/activity', call({ client_id: 'g1' })),
        post('/activity', call({ confidence_score: 0.2 }), { headers: { 'Idempotency-Key': 'group-1' } }),
        post('/activity', { items: [call({ client_id: 'g2' }), call({ client_id: 'g3', external_id: 'G-3' }), call({ client_id: 'g3', external_id: 'G-3' })] }),
        post('/activity', call(), { headers: { 'Idempotency-Key': 'group-1' } }),
      ]);
      assert.equal(commits, 1);
      const created = [(await json(one, 201)).data, ...(await json(batch, 201)).data.slice(0, 2)];
      await problem(conflict, 409);
      assert.equal(repeat.headers.get(REPLAYED_HEADER), 'true');
      await json(repeat, 201);
      assert.deepEqual(
        events(h.a.tenant.id, seq).map((e) => [e.seq, e.payload.client_id]),
        created.map((a, i) => [seq + 1 + i, a.client_id]),
      );
      const after = counts();
      assert.equal(after.ai_receptionist_activity, before.ai_receptionist_activity! + 3);
      assert.equal(after.idempotency_keys, before.idempotency_keys! + 1, 'only G-3 is a new key');
    } finally {
      outbox.commit = commit;
    }
  });

  test('another tenant’s requests in the same turn commit in their own transaction and sequence', async () => {
    const aSeq = lastSeq(h.a.tenant.id);
    const bSeq = lastSeq(h.b.tenant.id);
    const [a, b] = await Promise.all([post('/activity', call({ client_id: 'ga' })), post('/activity', call({ client_id: 'gb' }), { credential: h.b.keys.ingest })]);
    assert.deepEqual(events(h.a.tenant.id, aSeq).map((e) => [e.seq, e.payload.id]), [[aSeq + 1, (await json(a, 201)).data.id]]);
    assert.deepEqual(events(h.b.tenant.id, bSeq).map((e) => [e.seq, e.payload.id]), [[bSeq + 1, (await json(b, 201)).data.id]]);
  });
});

describe('POST /ingest/conversations', () => {
  const conversation = (more: Record<string, unknown> = {}) => ({
    external_id: 'conv-1',
    client_id: 'cl_c1',
    client_name: 'Sam Ortiz',
    client_phone: '+15125550199',
    channel: 'voice',
    started_at: '2026-11-20T15:00:00-05:00',
    ended_at: '2026-11-20T20:04:30Z',
    transcript: [
      { speaker: 'caller', text: 'Can I book a call with a loan officer?', at: '2026-11-20T15:00:05-05:00' },
      { speaker: 'ai', text: 'Sure — Monday at 10?', at: '2026-11-20T20:00:09Z', confidence: 0.9 },
      { speaker: 'caller', text: 'Perfect.', at: '2026-11-20T20:00:15Z' },
      { speaker: 'ai', text: 'Booked.', at: '2026-11-20T20:00:18Z', confidence: 0.8 },
    ],
    summary: 'Booked a call for Monday.',
    intent: 'book_appointment',
    sentiment: 'positive',
    outcome: 'appointment_booked',
    ended_reason: 'caller_hung_up',
    ...more,
  });

  test('stores the conversation with its own times, and GET /conversations/{id} reads it back', async () => {
    const { data } = await json(await post('/conversations', conversation()), 201);
    assert.match(data.id, /^[0-9a-f-]{36}$/);
    assert.equal(data.started_at, '2026-11-20T20:00:00.000Z');
    assert.equal(data.duration_seconds, 270);
    assert.equal(data.total_turns, 4);
    assert.equal(data.avg_confidence_score, 0.85);

    const detail = await json(await h.get(`/conversations/${data.id}`, h.a.keys.read));
    const { transcript, activities, ...summary } = detail;
    assert.deepEqual(summary, data);
    assert.deepEqual(activities, []);
    assert.deepEqual(transcript[0], { speaker: 'caller', text: 'Can I book a call with a loan officer?', at: '2026-11-20T20:00:05.000Z', confidence: null });
    assert.equal(transcript[3].confidence, 0.8);

    const res = await post('/conversations', conversation());
    assert.deepEqual((await json(res, 201)).data, data);
    assert.equal(res.headers.get(REPLAYED_HEADER), 'true');
    await expectNothingWritten(() => post('/conversations', conversation({ summary: 'Something else' })), 409);
  });

  test('started_at defaults to the receive time; times in the future or out of order are rejected', async () => {
    const { data } = await json(await post('/conversations', { channel: 'sms' }), 201);
    assert.equal(data.started_at, new Date(NOW).toISOString());
    assert.equal(data.ended_at, null);
    assert.equal(data.total_turns, 0);
    assert.equal(data.avg_confidence_score, null);

    const future = new Date(NOW + 10 * 60_000).toISOString();
    for (const [body, field] of [
      [{ channel: 'sms', started_at: future }, 'started_at'],
      [{ channel: 'sms', started_at: '2026-11-20T19:00:00Z', ended_at: future }, 'ended_at'],
      [{ channel: 'sms', started_at: '2026-11-20T19:00:00Z', ended_at: '2026-11-20T18:00:00Z' }, 'ended_at'],
      [{ channel: 'sms', ended_at: '2026-11-20T18:00:00Z' }, 'ended_at'],
      [{ channel: 'sms', started_at: 'yesterday' }, 'started_at'],
    ] as const) {
      const p = await expectNothingWritten(() => post('/conversations', body), 400);
      assert.deepEqual(p.errors?.map((e) => e.field), [field], JSON.stringify(body));
    }
  });

  test('validates the transcript turn by turn', async () => {
    const turn = { speaker: 'ai', text: 'hi', at: '2026-11-20T20:00:00Z' };
    const cases: [unknown[], string][] = [
      [[turn, { ...turn, speaker: 'robot' }], 'transcript.1.speaker'],
      [[{ ...turn, text: 'x'.repeat(10_001) }], 'transcript.0.text'],
      [[{ ...turn, confidence: 2 }], 'transcript.0.confidence'],
      [[{ ...turn, at: 'noon' }], 'transcript.0.at'],
      [Array.from({ length: 501 }, () => turn), 'transcript'],
    ];
    for (const [transcript, field] of cases) {
      const p = await expectNothingWritten(() => post('/conversations', { channel: 'chat', transcript }), 400);
      assert.deepEqual(p.errors?.map((e) => e.field), [field]);
    }
    const unknown = await expectNothingWritten(() => post('/conversations', { channel: 'chat', transcript: [{ ...turn, mood: 'happy' }] }), 400);
    assert.match(unknown.detail, /\bmood\b/);
  });
});

describe('POST /ingest/errors', () => {
  test('stores an unresolved error with the rules’ diagnosis, emits error.detected, and GET /errors/{id} reads it back', async () => {
    const seq = lastSeq(h.a.tenant.id);
    const input = {
      error_type: 'unrecognized_request',
      severity: 'medium',
      message_in: 'Do you do reverse mortgages in Guam?',
      context: 'No skill matched (best: refinance_faq at 0.31)',
      skill_name: 'refinance_faq',
      component: 'openai_api',
      conversation_id: 'cv-1',
      external_id: 'err-1',
    };
    const { data } = await json(await post('/errors', input), 201);
    assert.equal(data.resolution_status, 'unresolved');
    assert.equal(data.root_cause, 'No skill covers this request');
    assert.equal(data.recommended_fix, "Add an answer to 'Do you do reverse mortgages in Guam?' to the FAQ, or create a skill that handles it.");
    assert.equal(data.needs_human_review, false);
    assert.equal(data.timestamp, new Date(NOW).toISOString());

    const { audit, ...detail } = await json(await h.get(`/errors/${data.id}`, h.a.keys.read));
    assert.deepEqual(detail, data);
    assert.deepEqual(audit, []);
    assert.deepEqual(events(h.a.tenant.id, seq), [{ seq: seq + 1, type: 'error.detected', payload: data }]);

    const res = await post('/errors', input);
    assert.deepEqual((await json(res, 201)).data, data);
    assert.equal(res.headers.get(REPLAYED_HEADER), 'true');
    await expectNothingWritten(() => post('/errors', { ...input, severity: 'high' }), 409);
  });

  test('requires type and severity, and checks the rest', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ severity: 'low' }, 'error_type'],
      [{ error_type: 'other', severity: 'apocalyptic' }, 'severity'],
      [{ error_type: 'other', severity: 'low', component: 'Calendly API' }, 'component'],
      [{ error_type: 'other', severity: 'low', needs_human_review: 'yes' }, 'needs_human_review'],
      [{ error_type: 'other', severity: 'low', resolution_status: 'resolved' }, ''],
    ];
    for (const [body, field] of cases) {
      const p = await expectNothingWritten(() => post('/errors', body), 400);
      if (field) assert.deepEqual(p.errors?.map((e) => e.field), [field]);
      else assert.match(p.detail, /\bresolution_status\b/);
    }
  });
});

describe('POST /ingest/system-health/{component}', () => {
  const report = (body: Record<string, unknown>, component = 'calendly_api') => post(`/system-health/${component}`, body);
  const healthEvents = (seq: number) => events(h.a.tenant.id, seq).filter((e) => e.type === 'system.health.change');

  test('keeps the component’s state and emits system.health.change only when its status changes', async () => {
    let seq = lastSeq(h.a.tenant.id);
    const first = (await json(await report({ status: 'active', latency_ms: 210 }), 200)).data;
    assert.equal(first.status, 'active');
    assert.equal(first.last_checked, new Date(NOW).toISOString());
    assert.equal(first.uptime_percentage, 100);
    assert.deepEqual(healthEvents(seq).map((e) => e.payload), [{ ...first, previous_status: null }]);

    seq = lastSeq(h.a.tenant.id);
    h.clock.now += 60_000;
    const second = (await json(await report({ status: 'active' }), 200)).data;
    assert.equal(second.latency_ms, 210, 'latency is kept when a heartbeat does not report it');
    assert.deepEqual(healthEvents(seq), []);

    h.clock.now += 60_000;
    const downAt = h.clock.now;
    const down1 = (await json(await report({ status: 'down', message: 'HTTP 503' }), 200)).data;
    assert.equal(down1.down_since, new Date(downAt).toISOString());
    assert.equal(down1.consecutive_failures, 1);
    h.clock.now += 60_000;
    const down2 = (await json(await report({ status: 'down', message: 'HTTP 503' }), 200)).data;
    assert.equal(down2.down_since, new Date(downAt).toISOString(), 'down_since stays at the first failure');
    assert.equal(down2.consecutive_failures, 2);
    assert.equal(down2.uptime_percentage, 50);
    assert.equal(down2.error_rate, 0.5);
    const changes = healthEvents(seq);
    assert.deepEqual(changes.map((e) => e.payload), [{ ...down1, previous_status: 'active' }]);

    seq = lastSeq(h.a.tenant.id);
    h.clock.now += 60_000;
    const up = (await json(await report({ status: 'active', error_rate: 0.01 }), 200)).data;
    assert.equal(up.down_since, null);
    assert.equal(up.consecutive_failures, 0);
    assert.equal(up.error_rate, 0.01);
    assert.equal(up.message, null);
    assert.deepEqual(healthEvents(seq).map((e) => e.payload.previous_status), ['down']);

    const detail = await json(await h.get('/system-health/calendly_api', h.a.keys.read));
    const { checks, ...component } = detail;
    assert.deepEqual(component, up);
    assert.deepEqual(checks.map((c: { status: string; ok: boolean }) => [c.status, c.ok]), [
      ['active', true],
      ['down', false],
      ['down', false],
      ['active', true],
      ['active', true],
    ]);
    h.clock.now = NOW;
  });

  test('a repeated Idempotency-Key adds no second check', async () => {
    const before = counts();
    const headers = { 'Idempotency-Key': 'beat-1' };
    const first = await json(await post('/system-health/voice_endpoint', { status: 'degraded' }, { headers }), 200);
    const res = await post('/system-health/voice_endpoint', { status: 'degraded' }, { headers });
    assert.deepEqual(await json(res, 200), first);
    assert.equal(res.headers.get(REPLAYED_HEADER), 'true');
    assert.equal(counts().ai_receptionist_health_checks, before.ai_receptionist_health_checks! + 1);
    // The same key for another component is another request.
    await expectNothingWritten(() => post('/system-health/crm_pipeline', { status: 'degraded' }, { headers }), 409);
  });

  test('checks the component name and the report', async () => {
    assert.deepEqual((await expectNothingWritten(() => report({ status: 'active' }, 'Calendly'), 400)).errors?.map((e) => e.field), ['component']);
    assert.deepEqual((await expectNothingWritten(() => report({ status: 'fine' }), 400)).errors?.map((e) => e.field), ['status']);
    assert.deepEqual((await expectNothingWritten(() => report({ status: 'active', error_rate: 3 }), 400)).errors?.map((e) => e.field), ['error_rate']);
    assert.match((await expectNothingWritten(() => report({ status: 'active', uptime_percentage: 100 }), 400)).detail, /\buptime_percentage\b/);
  });
});

describe('tenants and scopes', () => {
  test('each tenant’s events have their own sequence, and never the other tenant’s rows', async () => {
    const aSeq = lastSeq(h.a.tenant.id);
    const bSeq = lastSeq(h.b.tenant.id);
    const a1 = (await json(await post('/activity', call({ client_id: 'only-a' })), 201)).data;
    const b1 = (await json(await post('/activity', call({ client_id: 'only-b' }), { credential: h.b.keys.ingest }), 201)).data;
    const a2 = (await json(await post('/errors', { error_type: 'other', severity: 'low' }), 201)).data;
    assert.deepEqual(events(h.a.tenant.id, aSeq).map((e) => [e.seq, e.type, e.payload.id]), [
      [aSeq + 1, 'activity.new', a1.id],
      [aSeq + 2, 'error.detected', a2.id],
    ]);
    assert.deepEqual(events(h.b.tenant.id, bSeq).map((e) => [e.seq, e.type, e.payload.id]), [[bSeq + 1, 'activity.new', b1.id]]);
    assert.ok(!(await feed()).some((r) => r.id === b1.id));
    assert.ok((await feed(h.b.keys.read)).some((r) => r.id === b1.id));
  });

  test('only an ingest key may ingest', async () => {
    for (const credential of [h.a.keys.read, h.a.keys.admin, h.a.tokens.read, h.a.tokens.write]) {
      await expectNothingWritten(() => post('/activity', call(), { credential }), 403);
      await expectNothingWritten(() => post('/system-health/x', { status: 'active' }, { credential }), 403);
    }
    await expectNothingWritten(() => h.request(`${INGEST_BASE}/activity`, { method: 'POST', body: JSON.stringify(call()), headers: { 'content-type': 'application/json' } }), 401);
  });

  test('the OpenAPI document lists the ingest routes', async () => {
    const doc = await json(await h.get('/api/v1/openapi.json'));
    for (const path of ['/activity', '/conversations', '/errors', '/system-health/{component}']) {
      const op = doc.paths[`${INGEST_BASE}${path}`]?.post;
      assert.ok(op, path);
      assert.deepEqual(op.tags, ['Ingest']);
      assert.ok(op.parameters.some((p: { name: string }) => p.name === 'Idempotency-Key'), path);
      assert.ok(op.responses['413'] && op.responses['400'], path);
    }
  });
});

describe('realtime metrics', () => {
  test('ingested activities are counted in today’s figures as they arrive, and pushed as metric.update', async () => {
    const tenant = tenantContext(h.a);
    const before = (await json(await h.get('/metrics/realtime', h.a.keys.read))).today;
    await json(await post('/activity', { items: [call({ action_type: 'appointment_booked' }), call({ action_type: 'incoming_text', channel: 'sms' })] }), 201);
    const seq = lastSeq(h.a.tenant.id);
    h.live.flushMetricUpdates([tenant]);
    const [update] = events(h.a.tenant.id, seq);
    assert.equal(update?.type, 'metric.update');
    const today = (await json(await h.get('/metrics/realtime', h.a.keys.read))).today;
    assert.deepEqual(update.payload.today, today);
    assert.equal(today.total_activities, before.total_activities + 2);
    assert.equal(today.appointments_booked, before.appointments_booked + 1);
    assert.equal(today.inbound_texts, before.inbound_texts + 1);
  });
});

describe('limits', () => {
  test('a body over the limit is a 413', async () => {
    const small = await createHarness({ ...QUIET, bodyLimitBytes: 2048 });
    try {
      const before = counts(small);
      const res = await small.request(`${INGEST_BASE}/activity`, {
        method: 'POST',
        body: JSON.stringify(call({ message_in: 'x'.repeat(4096) })),
        headers: { 'content-type': 'application/json' },
        credential: small.a.keys.ingest,
      });
      await problem(res, 413);
      assert.deepEqual(counts(small), before);
    } finally {
      small.close();
    }
  });

  test('each credential has its own bucket: 429 with Retry-After once it is empty, refilled with time', async () => {
    const limited = await createHarness(QUIET);
    try {
      const ctx: AppContext = {
        db: limited.db,
        clock: () => limited.clock.now,
        cursors: new CursorCodec(SECRET),
        sql: new Statements(limited.db.$client),
        log: createLogger('silent'),
        live: limited.live,
      };
      const base = `${INGEST_BASE}-limited`;
      limited.app.route(base, ingestRoutes(ctx, { rateLimiter: new RateLimiter({ ratePerSecond: 0.5, burst: 2, clock: ctx.clock }) }));
      const other = createApiKey(limited.db, limited.a.tenant.id, ['ingest']).key;
      const send = (credential: string) =>
        limited.request(`${base}/activity`, { method: 'POST', body: JSON.stringify(call()), headers: { 'content-type': 'application/json' }, credential });

      await json(await send(limited.a.keys.ingest), 201);
      await json(await send(limited.a.keys.ingest), 201);
      const before = counts(limited);
      const refused = await send(limited.a.keys.ingest);
      await problem(refused, 429);
      assert.equal(refused.headers.get('retry-after'), '2');
      assert.deepEqual(counts(limited), before);
      // Another key of the same tenant is not limited by the first one's traffic.
      await json(await send(other), 201);
      limited.clock.now += 2000;
      await json(await send(limited.a.keys.ingest), 201);
      await problem(await send(limited.a.keys.ingest), 429);
    } finally {
      limited.close();
    }
  });

  test('the limiter refills at its rate up to its burst and answers whole seconds', () => {
    let now = 0;
    const limiter = new RateLimiter({ ratePerSecond: 4, burst: 3, clock: () => now });
    assert.deepEqual([limiter.take('k'), limiter.take('k'), limiter.take('k'), limiter.take('k')], [0, 0, 0, 1]);
    now += 250;
    assert.equal(limiter.take('k'), 0);
    assert.equal(limiter.take('k'), 1);
    now += 60_000;
    assert.deepEqual([limiter.take('k'), limiter.take('k'), limiter.take('k'), limiter.take('k')], [0, 0, 0, 1], 'never more than the burst');
    assert.equal(limiter.take('other'), 0);
    assert.throws(() => new RateLimiter({ ratePerSecond: 0 }));
  });
});
