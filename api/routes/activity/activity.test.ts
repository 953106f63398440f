import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { activity, type NewActivity } from '../../db/schema.js';
import { createHarness, json, NOW, problem, type Harness } from '../../test/harness.js';

let h: Harness;
const MIN = 60_000;

function row(i: number, over: Partial<NewActivity> = {}): NewActivity {
  return {
    id: `act-${String(i).padStart(4, '0')}`,
    tenant_id: h.a.tenant.id,
    timestamp: NOW - i * MIN,
    client_id: i % 3 === 0 ? 'cl_a1' : 'cl_a2',
    client_name: i % 3 === 0 ? 'Maria Lopez' : 'Dan Okafor',
    client_phone: '+16175550100',
    action_type: (['incoming_call', 'incoming_text', 'appointment_booked', 'escalated'] as const)[i % 4],
    channel: i % 2 ? 'sms' : 'voice',
    message_in: i === 7 ? 'What is 50% of my <script>alert(1)</script> escrow_balance?' : 'Can I refinance?',
    message_out: 'Happy to help.',
    confidence_score: 0.9,
    outcome_status: i % 5 === 0 ? 'failed' : 'success',
    response_time_ms: 800,
    conversation_id: `conv-${i}`,
    metadata: i === 1 ? { loan_type: 'FHA' } : null,
    ...over,
  };
}

before(async () => {
  h = await createHarness();
  h.db.insert(activity).values(Array.from({ length: 120 }, (_, i) => row(i))).run();
  // Two rows sharing one timestamp: the id breaks the tie, so pagination stays total.
  h.db.insert(activity).values([row(500, { id: 'tie-a', timestamp: NOW - 30 * MIN + 1 }), row(501, { id: 'tie-b', timestamp: NOW - 30 * MIN + 1 })]).run();
  h.db.insert(activity).values({ ...row(0), id: 'b-secret', tenant_id: h.b.tenant.id, client_name: 'Bravo Secret' }).run();
});
after(() => h.close());

type Feed = { data: { id: string; timestamp: string; client_name: string; metadata: unknown; message_in: string }[]; next_cursor: string | null };

describe('GET /activity/feed', () => {
  test('newest first, ISO timestamps, metadata as an object, only the caller’s tenant', async () => {
    const page = await json<Feed>(await h.get('/activity/feed?limit=5', h.a.tokens.read));
    assert.deepEqual(page.data.map((r) => r.id), ['act-0000', 'act-0001', 'act-0002', 'act-0003', 'act-0004']);
    assert.equal(page.data[0]!.timestamp, new Date(NOW).toISOString());
    assert.deepEqual(page.data[1]!.metadata, { loan_type: 'FHA' });
    assert.ok(page.next_cursor);
    const all = await json<Feed>(await h.get('/activity/feed?limit=200', h.a.keys.read));
    assert.equal(all.data.length, 122);
    assert.ok(!JSON.stringify(all).includes('Bravo Secret'));
  });

  test('keyset pages cover every row once, in order, while newer rows are inserted between pages', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let inserted = 0;
    do {
      const res: Feed = await json<Feed>(await h.get(`/activity/feed?limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, h.a.tokens.read));
      seen.push(...res.data.map((r) => r.id));
      cursor = res.next_cursor;
      h.db.insert(activity).values(row(1000 + inserted, { id: `new-${inserted}`, timestamp: NOW + (inserted + 1) * 1000 })).run();
      inserted++;
    } while (cursor);
    assert.equal(new Set(seen).size, seen.length, 'no row repeated');
    assert.equal(seen.length, 122, 'no row skipped');
    assert.ok(seen.indexOf('tie-b') === seen.indexOf('tie-a') - 1, 'ties ordered by id, descending');
    h.db.$client.prepare("DELETE FROM ai_receptionist_activity WHERE id LIKE 'new-%'").run();
  });

  test('offset is accepted for compatibility and agrees with the cursor', async () => {
    const first = await json<Feed>(await h.get('/activity/feed?limit=10', h.a.tokens.read));
    const byCursor = await json<Feed>(await h.get(`/activity/feed?limit=10&cursor=${encodeURIComponent(first.next_cursor!)}`, h.a.tokens.read));
    const byOffset = await json<Feed>(await h.get('/activity/feed?limit=10&offset=10', h.a.tokens.read));
    assert.deepEqual(byOffset.data.map((r) => r.id), byCursor.data.map((r) => r.id));
  });

  test('filters: action types (repeated and comma-separated), channel, client, outcome, time range, text', async () => {
    const ids = async (qs: string) => (await json<Feed>(await h.get(`/activity/feed?limit=200&${qs}`, h.a.tokens.read))).data;
    const calls = await ids('action_type=incoming_call&action_type=escalated');
    assert.equal(calls.length, 61);
    assert.deepEqual((await ids('action_type=incoming_call,escalated')).map((r) => r.id), calls.map((r) => r.id));
    assert.equal((await ids('channel=sms')).length, 61);
    assert.equal((await ids('client_id=cl_a1')).length, 41);
    assert.equal((await ids('outcome_status=failed')).length, 25);
    const from = new Date(NOW - 10 * MIN).toISOString();
    const to = new Date(NOW - 5 * MIN).toISOString();
    assert.deepEqual((await ids(`from=${from}&to=${to}`)).map((r) => r.id), ['act-0005', 'act-0006', 'act-0007', 'act-0008', 'act-0009', 'act-0010']);
    assert.deepEqual((await ids('q=' + encodeURIComponent('50%'))).map((r) => r.id), ['act-0007'], '% is literal, not a wildcard');
    assert.deepEqual((await ids('q=escrow_balance')).map((r) => r.id), ['act-0007'], '_ is literal');
    assert.equal((await ids('q=' + encodeURIComponent('50_'))).length, 0);
    assert.equal((await ids('q=maria')).length, 41, 'case-insensitive');
  });

  test('untrusted text comes back verbatim as a JSON string', async () => {
    const res = await json<Feed>(await h.get('/activity/feed?q=script', h.a.tokens.read));
    assert.equal(res.data[0]!.message_in, 'What is 50% of my <script>alert(1)</script> escrow_balance?');
  });

  test('a client-locked token sees only its client, whatever client_id it asks for', async () => {
    const mine = await json<Feed>(await h.get('/activity/feed?limit=200', h.a.tokens.locked));
    assert.equal(mine.data.length, 41);
    assert.ok(mine.data.every((r) => r.client_name === 'Maria Lopez'));
    const other = await json<Feed>(await h.get('/activity/feed?client_id=cl_a2', h.a.tokens.locked));
    assert.equal(other.data.length, 0);
  });

  test('bad input: 400 problem+json naming the field', async () => {
    const cases: [string, string][] = [
      ['limit=0', 'limit'],
      ['limit=201', 'limit'],
      ['limit=abc', 'limit'],
      ['action_type=phone_call', 'action_type'],
      ['channel=fax', 'channel'],
      ['outcome_status=great', 'outcome_status'],
      ['from=yesterday', 'from'],
      ['to=2026-13-45T00:00:00Z', 'to'],
      ['from=2026-11-20T10:00:00Z&to=2026-11-19T10:00:00Z', 'to'],
      ['cursor=not-a-cursor', 'cursor'],
      ['offset=-1', 'offset'],
      ['q=' + 'x'.repeat(201), 'q'],
    ];
    for (const [qs, field] of cases) {
      const body = await problem(await h.get(`/activity/feed?${qs}`, h.a.tokens.read), 400);
      assert.ok(body.errors?.some((e) => e.field.split('.')[0] === field), `${qs} → ${JSON.stringify(body.errors)}`);
    }
  });

  test('a tampered cursor, or one combined with offset, is refused', async () => {
    const page = await json<Feed>(await h.get('/activity/feed?limit=2', h.a.tokens.read));
    const [body, sig] = page.next_cursor!.split('.');
    const forgedBody = Buffer.from(JSON.stringify([NOW + 1e9, 'zzz'])).toString('base64url');
    for (const c of [`${forgedBody}.${sig}`, `${body}.${sig!.slice(0, -2)}AA`, `${body}`]) {
      const p = await problem(await h.get(`/activity/feed?cursor=${encodeURIComponent(c)}`, h.a.tokens.read), 400);
      assert.equal(p.errors?.[0]?.field, 'cursor');
    }
    const p = await problem(await h.get(`/activity/feed?cursor=${encodeURIComponent(page.next_cursor!)}&offset=5`, h.a.tokens.read), 400);
    assert.equal(p.errors?.[0]?.field, 'offset');
  });
});

describe('GET /activity/count', () => {
  test('total and per action type for the same filters', async () => {
    const all = await json<{ total: number; by_action_type: Record<string, number> }>(await h.get('/activity/count', h.a.tokens.read));
    assert.equal(all.total, 122);
    assert.deepEqual(all.by_action_type, { incoming_call: 31, incoming_text: 31, appointment_booked: 30, escalated: 30 });
    const sms = await json<{ total: number; by_action_type: Record<string, number> }>(await h.get('/activity/count?channel=sms&outcome_status=failed', h.a.tokens.read));
    assert.equal(sms.total, 12);
    const locked = await json<{ total: number }>(await h.get('/activity/count', h.a.tokens.locked));
    assert.equal(locked.total, 41);
    await problem(await h.get('/activity/count?action_type=nope', h.a.tokens.read), 400);
  });
});
