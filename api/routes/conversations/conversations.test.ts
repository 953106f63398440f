import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { activity, conversations, type ActionType, type ConversationRow, type TranscriptTurn } from '../../db/schema.js';
import { createHarness, json, NOW, problem, type Harness } from '../../test/harness.js';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const at = (ms: number) => new Date(ms).toISOString();
const turn = (speaker: TranscriptTurn['speaker'], text: string, ms: number, confidence?: number): TranscriptTurn =>
  confidence === undefined ? { speaker, text, at: at(ms) } : { speaker, text, at: at(ms), confidence };

type NewConversation = Partial<ConversationRow> & Pick<ConversationRow, 'id' | 'channel' | 'started_at'>;

let h: Harness;
let aId: number;

function addConversation(tenantId: number, c: NewConversation) {
  h.db.insert(conversations).values({ tenant_id: tenantId, transcript: [], ...c }).run();
}

const A_CONVERSATIONS: NewConversation[] = [
  {
    id: 'c01',
    client_id: 'cl_a1',
    client_name: 'Ana Lopez',
    client_phone: '+15550001',
    channel: 'voice',
    started_at: NOW - 10 * MIN,
    ended_at: NOW - 5 * MIN,
    summary: 'Booked a refinance consult',
    intent: 'refinance',
    sentiment: 'positive',
    outcome: 'appointment_booked',
    ended_reason: 'completed',
    avg_confidence_score: 0.92,
    total_turns: 3,
    transcript: [
      turn('ai', 'Hello, how can I help?', NOW - 10 * MIN, 0.99),
      turn('caller', 'I want to refinance at 5% or less', NOW - 9 * MIN),
      turn('ai', 'Booked you for Monday at 10', NOW - 8 * MIN, 0.85),
    ],
  },
  {
    id: 'c02',
    client_id: 'cl_a2',
    client_name: 'Bob <script>alert(1)</script>',
    client_phone: '+15550002',
    channel: 'sms',
    started_at: NOW - 20 * MIN,
    summary: 'Asked about escrow_100 fees',
    sentiment: 'neutral',
    outcome: 'faq_answered',
    total_turns: 1,
    transcript: [turn('caller', 'what is escrow?', NOW - 20 * MIN)],
  },
  {
    id: 'c03',
    client_id: 'cl_a1',
    client_name: 'Ana Lopez',
    channel: 'chat',
    started_at: NOW - 20 * MIN,
    ended_at: NOW - 19 * MIN,
    sentiment: 'negative',
    outcome: 'escalated',
    total_turns: 2,
    transcript: [turn('caller', 'I need a human', NOW - 20 * MIN), turn('agent', 'Transferring you now', NOW - 19 * MIN)],
  },
  {
    id: 'c04',
    client_id: 'cl_a3',
    client_name: 'Carla',
    channel: 'email',
    started_at: NOW - 2 * DAY,
    sentiment: 'mixed',
    outcome: 'appointment_booked',
    transcript: [turn('caller', 'Are you 100% sure about the rate?', NOW - 2 * DAY)],
  },
  { id: 'c05', channel: 'voice', started_at: NOW - 3 * DAY },
  { id: 'c06', client_id: 'cl_a2', channel: 'voice', started_at: NOW - 30 * DAY, sentiment: 'positive' },
];
// c02 and c03 started in the same millisecond: ties come out by id, descending.
const A_ORDER = ['c01', 'c03', 'c02', 'c04', 'c05', 'c06'];

before(async () => {
  h = await createHarness();
  aId = h.a.tenant.id;
  for (const c of A_CONVERSATIONS) addConversation(aId, c);
  addConversation(h.b.tenant.id, {
    id: 'cb1',
    client_id: 'cl_a1',
    client_name: 'B-SECRET name',
    channel: 'voice',
    started_at: NOW - MIN,
    summary: 'B-SECRET summary',
    transcript: [turn('caller', 'B-SECRET words refinance', NOW - MIN)],
  });
  const act = (id: string, tenant_id: number, minutesAgo: number, action_type: ActionType, conversation_id: string) =>
    ({ id, tenant_id, timestamp: NOW - minutesAgo * MIN, action_type, conversation_id, channel: 'voice', outcome_status: 'success' }) as const;
  h.db
    .insert(activity)
    .values([
      act('act3', aId, 6, 'crm_updated', 'c01'),
      act('act1', aId, 10, 'incoming_call', 'c01'),
      act('act2', aId, 8, 'appointment_booked', 'c01'),
      act('act4', aId, 20, 'incoming_text', 'c02'),
      // Tenant b's activity naming a's conversation id.
      act('actb', h.b.tenant.id, 7, 'escalated', 'c01'),
    ])
    .run();
});

after(() => h.close());

const ids = (body: { data: { id: string }[] }) => body.data.map((r) => r.id);
/** The parameters a 400 names; an element of a repeated parameter is named with its index (`channel.1`). */
const fieldsAtFault = (body: { errors?: { field: string }[] }) => body.errors?.map((e) => e.field.replace(/\.\d+$/, ''));

async function walk(path: string, credential: string, limit: number, between?: (page: number) => void): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 100; page++) {
    const sep = path.includes('?') ? '&' : '?';
    const url = `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const body: { data: { id: string }[]; next_cursor: string | null } = await json(await h.get(url, credential));
    assert.ok(body.data.length <= limit);
    seen.push(...ids(body));
    cursor = body.next_cursor;
    if (!cursor) return seen;
    between?.(page);
  }
  throw new Error('pagination did not end');
}

describe('GET /conversations', () => {
  test('the tenant’s conversations newest first, without transcripts', async () => {
    const body = await json(await h.get('/conversations', h.a.keys.read));
    assert.deepEqual(ids(body), A_ORDER);
    assert.equal(body.next_cursor, null);
    assert.deepEqual(body.data[0], {
      id: 'c01',
      client_id: 'cl_a1',
      client_name: 'Ana Lopez',
      client_phone: '+15550001',
      channel: 'voice',
      started_at: at(NOW - 10 * MIN),
      ended_at: at(NOW - 5 * MIN),
      duration_seconds: 300,
      summary: 'Booked a refinance consult',
      intent: 'refinance',
      sentiment: 'positive',
      outcome: 'appointment_booked',
      ended_reason: 'completed',
      avg_confidence_score: 0.92,
      total_turns: 3,
    });
    for (const c of body.data) assert.ok(!('transcript' in c));
    const c02 = body.data.find((c: { id: string }) => c.id === 'c02');
    assert.equal(c02.ended_at, null);
    assert.equal(c02.duration_seconds, null);
    assert.equal(c02.client_name, 'Bob <script>alert(1)</script>');
    assert.ok(!JSON.stringify(body).includes('B-SECRET'));
  });

  test('tenant b sees only its own', async () => {
    assert.deepEqual(ids(await json(await h.get('/conversations', h.b.keys.read))), ['cb1']);
  });

  const filters: [string, string[]][] = [
    ['client_id=cl_a1', ['c01', 'c03']],
    ['client_id=cl_zz', []],
    ['channel=voice', ['c01', 'c05', 'c06']],
    ['channel=sms,chat', ['c03', 'c02']],
    ['channel=sms&channel=email', ['c02', 'c04']],
    ['sentiment=positive', ['c01', 'c06']],
    ['sentiment=negative&sentiment=mixed', ['c03', 'c04']],
    ['outcome=appointment_booked', ['c01', 'c04']],
    ['outcome=booked', []],
    [`from=${at(NOW - 60 * MIN)}`, ['c01', 'c03', 'c02']],
    [`to=${at(NOW - 2 * DAY)}`, ['c04', 'c05', 'c06']],
    [`from=${at(NOW - 20 * MIN)}&to=${at(NOW - 20 * MIN)}`, ['c03', 'c02']],
    ['client_id=cl_a2&channel=voice', ['c06']],
    [`sentiment=positive&from=${at(NOW - DAY)}`, ['c01']],
    ['outcome=appointment_booked&channel=email&client_id=cl_a3', ['c04']],
    // q: the words spoken, the summary, the client's name and phone; case-insensitive.
    ['q=refinance', ['c01']],
    ['q=HELLO', ['c01']],
    ['q=human', ['c03']],
    ['q=transferring', ['c03']],
    ['q=escrow', ['c02']],
    ['q=carla', ['c04']],
    ['q=5550002', ['c02']],
    ['q=ana lopez', ['c01', 'c03']],
    // …and not the transcript's JSON: keys, speakers, times.
    ['q=speaker', []],
    ['q=caller', []],
    [`q=${encodeURIComponent('"text"')}`, []],
    ['q=2026-11', []],
    // LIKE wildcards in the text are literal.
    [`q=${encodeURIComponent('%')}`, ['c01', 'c04']],
    [`q=${encodeURIComponent('100%')}`, ['c04']],
    ['q=_', ['c02']],
    [`q=${encodeURIComponent('r_f')}`, []],
    [`q=${encodeURIComponent('<script>')}`, ['c02']],
    ['q=ana&channel=chat', ['c03']],
  ];
  for (const [query, expected] of filters) {
    test(`filters: ${decodeURIComponent(query)}`, async () => {
      assert.deepEqual(ids(await json(await h.get(`/conversations?${query}`, h.a.keys.read))), expected);
    });
  }

  test('keyset pagination walks every row once, ties included', async () => {
    for (const limit of [1, 2, 4, 6, 50]) assert.deepEqual(await walk('/conversations', h.a.keys.read, limit), A_ORDER, `limit ${limit}`);
    assert.deepEqual(await walk('/conversations?channel=voice,chat', h.a.keys.read, 1), ['c01', 'c03', 'c05', 'c06']);
  });

  test('rows inserted between pages neither shift nor repeat the walk', async () => {
    const inserted: string[] = [];
    const older: string[] = [];
    const seen = await walk('/conversations', h.a.keys.read, 2, (page) => {
      addConversation(aId, { id: `new_${page}`, channel: 'voice', started_at: NOW });
      addConversation(aId, { id: `old_${page}`, channel: 'voice', started_at: NOW - (100 + page) * DAY });
      inserted.push(`new_${page}`, `old_${page}`);
      older.push(`old_${page}`);
    });
    assert.deepEqual(seen, [...A_ORDER, ...older]);
    h.db.$client.prepare(`DELETE FROM ai_receptionist_conversations WHERE id IN (${inserted.map(() => '?').join(', ')})`).run(...inserted);
  });

  test('offset is accepted', async () => {
    assert.deepEqual(ids(await json(await h.get('/conversations?limit=2&offset=2', h.a.keys.read))), ['c02', 'c04']);
  });

  test('a client-locked token sees only its client’s conversations', async () => {
    assert.deepEqual(ids(await json(await h.get('/conversations', h.a.tokens.locked))), ['c01', 'c03']);
    assert.deepEqual(await walk('/conversations', h.a.tokens.locked, 1), ['c01', 'c03']);
    assert.deepEqual(ids(await json(await h.get('/conversations?client_id=cl_a2', h.a.tokens.locked))), []);
    assert.deepEqual(ids(await json(await h.get('/conversations?q=escrow', h.a.tokens.locked))), []);
    assert.deepEqual(ids(await json(await h.get('/conversations?channel=chat', h.a.tokens.locked))), ['c03']);
  });

  const bad: [string, string][] = [
    ['channel=fax', 'channel'],
    ['channel=voice,fax', 'channel'],
    ['sentiment=happy', 'sentiment'],
    ['from=last-week', 'from'],
    ['to=2026-11-20T25:00:00Z', 'to'],
    ['limit=0', 'limit'],
    ['limit=201', 'limit'],
    ['offset=x', 'offset'],
    ['q=', 'q'],
    [`q=${'x'.repeat(201)}`, 'q'],
    [`client_id=${'x'.repeat(201)}`, 'client_id'],
    ['cursor=not-a-cursor', 'cursor'],
    [`from=${at(NOW)}&to=${at(NOW - DAY)}`, 'to'],
  ];
  for (const [query, field] of bad) {
    test(`400 naming ${field}: ${query.slice(0, 50)}`, async () => {
      assert.deepEqual(fieldsAtFault(await problem(await h.get(`/conversations?${query}`, h.a.keys.read), 400)), [field]);
    });
  }

  test('a cursor with a forged signature is a 400 naming cursor', async () => {
    const { next_cursor } = await json(await h.get('/conversations?limit=1', h.a.keys.read));
    const [payload, sig] = (next_cursor as string).split('.');
    const forged = `${payload}.${sig![0] === 'A' ? 'B' : 'A'}${sig!.slice(1)}`;
    assert.deepEqual(fieldsAtFault(await problem(await h.get(`/conversations?cursor=${encodeURIComponent(forged)}`, h.a.keys.read), 400)), ['cursor']);
  });

  test('credentials', async () => {
    await problem(await h.get('/conversations'), 401);
    await problem(await h.get('/conversations', h.a.tokens.tampered), 401);
    await problem(await h.get('/conversations', h.a.keys.ingest), 403);
  });
});

describe('GET /conversations/{id}', () => {
  test('everything, with the transcript and the activities in order', async () => {
    const body = await json(await h.get('/conversations/c01', h.a.tokens.read));
    assert.equal(body.id, 'c01');
    assert.equal(body.duration_seconds, 300);
    assert.equal(body.summary, 'Booked a refinance consult');
    assert.deepEqual(body.transcript, [
      { speaker: 'ai', text: 'Hello, how can I help?', at: at(NOW - 10 * MIN), confidence: 0.99 },
      { speaker: 'caller', text: 'I want to refinance at 5% or less', at: at(NOW - 9 * MIN), confidence: null },
      { speaker: 'ai', text: 'Booked you for Monday at 10', at: at(NOW - 8 * MIN), confidence: 0.85 },
    ]);
    assert.deepEqual(body.activities, [
      { id: 'act1', action_type: 'incoming_call', timestamp: at(NOW - 10 * MIN) },
      { id: 'act2', action_type: 'appointment_booked', timestamp: at(NOW - 8 * MIN) },
      { id: 'act3', action_type: 'crm_updated', timestamp: at(NOW - 6 * MIN) },
    ]);
  });

  test('text comes back verbatim', async () => {
    const body = await json(await h.get('/conversations/c02', h.a.keys.read));
    assert.equal(body.client_name, 'Bob <script>alert(1)</script>');
    assert.deepEqual(body.activities, [{ id: 'act4', action_type: 'incoming_text', timestamp: at(NOW - 20 * MIN) }]);
    const empty = await json(await h.get('/conversations/c05', h.a.keys.read));
    assert.deepEqual(empty.transcript, []);
    assert.deepEqual(empty.activities, []);
    assert.equal(empty.client_id, null);
  });

  test('missing, or another tenant’s, is 404 alike', async () => {
    await problem(await h.get('/conversations/nope', h.a.keys.read), 404);
    const res = await h.get('/conversations/cb1', h.a.keys.read);
    const text = await res.clone().text();
    await problem(res, 404);
    assert.ok(!text.includes('B-SECRET'));
    // And b cannot read a's, even with a client-locked token for the same client id.
    await problem(await h.get('/conversations/c01', h.b.tokens.locked), 404);
    assert.ok(!(await (await h.get('/conversations/c01', h.a.keys.read)).text()).includes('actb'));
  });

  test('a client-locked token reads only its client’s', async () => {
    assert.equal((await json(await h.get('/conversations/c03', h.a.tokens.locked))).id, 'c03');
    await problem(await h.get('/conversations/c02', h.a.tokens.locked), 404);
    await problem(await h.get('/conversations/c05', h.a.tokens.locked), 404);
  });

  test('an over-long id is a 400 naming id', async () => {
    assert.deepEqual(fieldsAtFault(await problem(await h.get(`/conversations/${'x'.repeat(201)}`, h.a.keys.read), 400)), ['id']);
  });
});
