import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { conversations, error_audit, errors, type ErrorRow } from '../../db/schema.js';
import { createHarness, json, NOW, problem, type Harness } from '../../test/harness.js';
import { ERROR_COLUMNS } from './errors.queries.js';

const MIN = 60_000;
type NewError = Partial<ErrorRow> & { id: string };

let h: Harness;
let aId: number;

function addError(tenantId: number, e: NewError) {
  h.db
    .insert(errors)
    .values({ tenant_id: tenantId, timestamp: NOW - MIN, error_type: 'other', severity: 'low', ...e })
    .run();
}

function addConversation(tenantId: number, id: string, clientId: string) {
  h.db.insert(conversations).values({ id, tenant_id: tenantId, client_id: clientId, channel: 'voice', started_at: NOW - 60 * MIN, transcript: [] }).run();
}

/** Follows next_cursor to the end and returns every id in the order served. */
async function walk(path: string, credential: string, limit: number, between?: (page: number) => void): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 100; page++) {
    const sep = path.includes('?') ? '&' : '?';
    const url = `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const body: { data: { id: string }[]; next_cursor: string | null } = await json(await h.get(url, credential));
    assert.ok(body.data.length <= limit);
    ids.push(...body.data.map((r) => r.id));
    cursor = body.next_cursor;
    if (!cursor) return ids;
    between?.(page);
  }
  throw new Error('pagination did not end');
}

const err = (id: string, minutesAgo: number, error_type: ErrorRow['error_type'], severity: ErrorRow['severity'], more: Partial<ErrorRow> = {}): NewError => ({
  id,
  timestamp: NOW - minutesAgo * MIN,
  error_type,
  severity,
  ...more,
});
const CALENDLY = 'calendly down';
const UNCOVERED = 'no skill covers this request';

// Tenant a's errors.
const A_ERRORS: NewError[] = [
  err('e01', 1, 'api_failure', 'critical', {
    skill_name: 'booking',
    component: 'calendly_api',
    root_cause: CALENDLY,
    conversation_id: 'cv_a1_1',
    message_in: 'book me Monday',
  }),
  err('e02', 2, 'api_failure', 'high', {
    skill_name: 'booking',
    root_cause: CALENDLY,
    resolution_status: 'fix_approved',
    conversation_id: 'cv_other',
    message_in: 'can I move my slot',
  }),
  err('e03', 3, 'unrecognized_request', 'medium', {
    skill_name: 'faq',
    root_cause: UNCOVERED,
    message_in: '<script>alert(1)</script>',
    context: '<b>"quoted", comma</b>',
  }),
  err('e04', 3, 'unrecognized_request', 'medium', {
    skill_name: 'faq',
    root_cause: UNCOVERED,
    resolution_status: 'resolved',
    resolved_by: 'user@acme',
    resolved_at: NOW - MIN,
    conversation_id: 'cv_a1_2',
  }),
  err('e05', 3, 'low_confidence', 'low', { skill_name: 'faq', root_cause: 'low confidence', needs_human_review: true }),
  err('e06', 60, 'unrecognized_request', 'low', { skill_name: 'prescreen', root_cause: UNCOVERED, message_in: 'what is an escrow' }),
  err('e07', 2 * 60, 'transfer_failed', 'high', { resolution_status: 'needs_review' }),
  err('e08', 24 * 60, 'integration_down', 'critical', { component: 'crm_pipeline', root_cause: 'crm down', resolution_status: 'wont_fix' }),
  err('e09', 25 * 60, 'api_failure', 'medium', { root_cause: CALENDLY, message_in: 'first calendly failure', conversation_id: 'cv_a1_1' }),
  err('e10', 48 * 60, 'other', 'low'),
  err('e11', 49 * 60, 'other', 'low'),
  err('e12', 50 * 60, 'other', 'medium', { conversation_id: 'cv_b' }),
];
const AUDIT_E04 = [
  { at: NOW - 2 * MIN, actor: 'user@acme', action: 'needs-review', from_status: 'unresolved', to_status: 'needs_review', note: null },
  { at: NOW - MIN, actor: 'user@acme', action: 'resolve', from_status: 'needs_review', to_status: 'resolved', note: '<i>done</i>' },
] as const;
// Rows with equal timestamps (e03–e05) come out by id descending.
const A_ORDER = ['e01', 'e02', 'e05', 'e04', 'e03', 'e06', 'e07', 'e08', 'e09', 'e10', 'e11', 'e12'];

before(async () => {
  h = await createHarness();
  aId = h.a.tenant.id;
  addConversation(aId, 'cv_a1_1', 'cl_a1');
  addConversation(aId, 'cv_a1_2', 'cl_a1');
  addConversation(aId, 'cv_other', 'cl_a2');
  for (const e of A_ERRORS) addError(aId, e);
  // Tenant b: its own error, and a conversation with the same id and client as one of a's.
  addConversation(h.b.tenant.id, 'cv_b', 'cl_a1');
  addError(h.b.tenant.id, err('b01', 1, 'api_failure', 'critical', { message_in: 'B-SECRET words', root_cause: 'B-SECRET cause', conversation_id: 'cv_b' }));
  h.db.insert(error_audit).values([AUDIT_E04[0]!, AUDIT_E04[1]!].map((entry) => ({ tenant_id: aId, error_id: 'e04', ...entry }))).run();
  h.db
    .insert(error_audit)
    .values([
      { tenant_id: aId, error_id: 'e01', at: NOW, actor: 'key:x', action: 'approve-fix', from_status: 'unresolved', to_status: 'fix_approved' },
      // b's trail for an id a also uses.
      { tenant_id: h.b.tenant.id, error_id: 'e04', at: NOW, actor: 'B-SECRET actor', action: 'resolve', from_status: 'unresolved', to_status: 'resolved' },
    ])
    .run();
});

after(() => h.close());

const ids = (body: { data: { id: string }[] }) => body.data.map((r) => r.id);
/** The parameters a 400 names; an element of a repeated parameter is named with its index (`status.1`). */
const fieldsAtFault = (body: { errors?: { field: string }[] }) => body.errors?.map((e) => e.field.replace(/\.\d+$/, ''));

describe('GET /errors', () => {
  test('lists the tenant’s errors newest first, serialized', async () => {
    const body = await json(await h.get('/errors', h.a.keys.read));
    assert.deepEqual(ids(body), A_ORDER);
    assert.equal(body.next_cursor, null);
    const e04 = body.data.find((r: { id: string }) => r.id === 'e04');
    assert.deepEqual(e04, {
      id: 'e04',
      timestamp: new Date(NOW - 3 * MIN).toISOString(),
      error_type: 'unrecognized_request',
      severity: 'medium',
      message_in: null,
      context: null,
      skill_name: 'faq',
      component: null,
      conversation_id: 'cv_a1_2',
      root_cause: 'no skill covers this request',
      recommended_fix: null,
      needs_human_review: false,
      resolution_status: 'resolved',
      resolved_by: 'user@acme',
      resolved_at: new Date(NOW - MIN).toISOString(),
    });
    assert.equal(body.data.find((r: { id: string }) => r.id === 'e05').needs_human_review, true);
    assert.ok(!JSON.stringify(body).includes('B-SECRET'));
  });

  test('tenant b sees only its own', async () => {
    assert.deepEqual(ids(await json(await h.get('/errors', h.b.tokens.read))), ['b01']);
  });

  test('text comes back verbatim', async () => {
    const res = await h.get('/errors?error_type=unrecognized_request', h.a.tokens.read);
    assert.match(res.headers.get('content-type')!, /^application\/json/);
    const e03 = (await json(res)).data.find((r: { id: string }) => r.id === 'e03');
    assert.equal(e03.message_in, '<script>alert(1)</script>');
    assert.equal(e03.context, '<b>"quoted", comma</b>');
  });

  const filters: [string, string[]][] = [
    ['status=unresolved', ['e01', 'e05', 'e03', 'e06', 'e09', 'e10', 'e11', 'e12']],
    ['status=resolved&status=wont_fix', ['e04', 'e08']],
    ['status=fix_approved,needs_review', ['e02', 'e07']],
    ['severity=critical', ['e01', 'e08']],
    ['severity=low,medium', ['e05', 'e04', 'e03', 'e06', 'e09', 'e10', 'e11', 'e12']],
    ['error_type=api_failure', ['e01', 'e02', 'e09']],
    ['error_type=api_failure&error_type=transfer_failed', ['e01', 'e02', 'e07', 'e09']],
    ['skill_name=faq', ['e05', 'e04', 'e03']],
    ['skill_name=nope', []],
    [`from=${new Date(NOW - 60 * MIN).toISOString()}`, ['e01', 'e02', 'e05', 'e04', 'e03', 'e06']],
    [`to=${new Date(NOW - 24 * 60 * MIN).toISOString()}`, ['e08', 'e09', 'e10', 'e11', 'e12']],
    [`from=2026-11-18T14:00:00-05:00&to=2026-11-19T20:30:00Z`, ['e08', 'e09', 'e10', 'e11']],
    ['status=unresolved&severity=low', ['e05', 'e06', 'e10', 'e11']],
    ['status=unresolved&error_type=api_failure&skill_name=booking', ['e01']],
    [`severity=medium&error_type=other&to=${new Date(NOW - 48 * 60 * MIN).toISOString()}`, ['e12']],
  ];
  for (const [query, expected] of filters) {
    test(`filters: ${query}`, async () => {
      assert.deepEqual(ids(await json(await h.get(`/errors?${query}`, h.a.keys.read))), expected);
    });
  }

  test('keyset pagination walks every row once, ties included', async () => {
    for (const limit of [1, 2, 3, 5, 12, 200]) assert.deepEqual(await walk('/errors', h.a.keys.read, limit), A_ORDER, `limit ${limit}`);
    assert.deepEqual(await walk('/errors?severity=low,medium', h.a.keys.read, 3), ['e05', 'e04', 'e03', 'e06', 'e09', 'e10', 'e11', 'e12']);
  });

  test('rows inserted between pages neither shift nor repeat the walk', async () => {
    const inserted: string[] = [];
    const older: string[] = [];
    const seen = await walk('/errors', h.a.keys.read, 4, (page) => {
      // A newer row lands before the cursor and is not served; an older one lands after it and is.
      addError(aId, { id: `new_${page}`, timestamp: NOW });
      addError(aId, { id: `old_${page}`, timestamp: NOW - (100 + page) * 60 * MIN });
      inserted.push(`new_${page}`, `old_${page}`);
      older.push(`old_${page}`);
    });
    assert.deepEqual(seen, [...A_ORDER, ...older]);
    h.db.$client.prepare(`DELETE FROM ai_receptionist_errors WHERE id IN (${inserted.map(() => '?').join(', ')})`).run(...inserted);
  });

  test('offset is accepted, and not together with a cursor', async () => {
    assert.deepEqual(ids(await json(await h.get('/errors?limit=3&offset=3', h.a.keys.read))), A_ORDER.slice(3, 6));
    const first = await json(await h.get('/errors?limit=2', h.a.keys.read));
    const body = await problem(await h.get(`/errors?cursor=${encodeURIComponent(first.next_cursor)}&offset=2`, h.a.keys.read), 400);
    assert.deepEqual(fieldsAtFault(body), ['offset']);
  });

  test('a client-locked token sees only errors of its client’s conversations', async () => {
    assert.deepEqual(ids(await json(await h.get('/errors', h.a.tokens.locked))), ['e01', 'e04', 'e09']);
    assert.deepEqual(ids(await json(await h.get('/errors?severity=critical', h.a.tokens.locked))), ['e01']);
    assert.deepEqual(await walk('/errors', h.a.tokens.locked, 1), ['e01', 'e04', 'e09']);
    // cv_b is a conversation of client cl_a1 too, but in tenant b.
    assert.ok(!ids(await json(await h.get('/errors', h.a.tokens.locked))).includes('e12'));
  });

  test('CSV: the filtered rows, every column, as an attachment', async () => {
    const res = await h.get('/errors?format=csv&error_type=unrecognized_request&limit=1', h.a.tokens.read);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /^text\/csv/);
    assert.equal(res.headers.get('content-disposition'), 'attachment; filename="errors.csv"');
    const lines = (await res.text()).trimEnd().split('\r\n');
    assert.equal(lines[0], ERROR_COLUMNS.join(','));
    assert.equal(lines.length, 1 + 3, 'limit does not apply to CSV');
    const e04 = 'e04,2026-11-20T20:27:00.000Z,unrecognized_request,medium,,,faq,,cv_a1_2,no skill covers this request,,false,resolved,user@acme,';
    assert.equal(lines[1], e04 + new Date(NOW - MIN).toISOString());
    assert.ok(lines[2]!.startsWith('e03,'));
    assert.ok(lines[2]!.includes(',<script>alert(1)</script>,"<b>""quoted"", comma</b>",faq,'));
    assert.ok(lines[3]!.startsWith('e06,'));
  });

  test('CSV of a locked token holds only its client’s errors', async () => {
    const text = await (await h.get('/errors?format=csv', h.a.tokens.locked)).text();
    assert.deepEqual(
      text.trimEnd().split('\r\n').slice(1).map((l) => l.split(',')[0]),
      ['e01', 'e04', 'e09'],
    );
  });

  const bad: [string, string][] = [
    ['status=bogus', 'status'],
    ['status=unresolved,bogus', 'status'],
    ['severity=urgent', 'severity'],
    ['error_type=timeout', 'error_type'],
    ['from=yesterday', 'from'],
    ['to=2026-11-20', 'to'],
    ['limit=0', 'limit'],
    ['limit=201', 'limit'],
    ['limit=ten', 'limit'],
    ['offset=-1', 'offset'],
    ['format=xml', 'format'],
    ['cursor=bm90LWEtY3Vyc29y.AAAAAAAAAAAAAAAAAAAAAA', 'cursor'],
    [`skill_name=${'x'.repeat(201)}`, 'skill_name'],
    ['from=2026-11-20T00:00:00Z&to=2026-11-19T00:00:00Z', 'to'],
  ];
  for (const [query, field] of bad) {
    test(`400 naming ${field}: ${query.slice(0, 60)}`, async () => {
      const body = await problem(await h.get(`/errors?${query}`, h.a.keys.read), 400);
      assert.deepEqual(fieldsAtFault(body), [field]);
    });
  }

  test('a cursor with a forged signature is a 400 naming cursor', async () => {
    const { next_cursor } = await json(await h.get('/errors?limit=2', h.a.keys.read));
    const [payload, sig] = (next_cursor as string).split('.');
    const forged = `${payload}.${sig![0] === 'A' ? 'B' : 'A'}${sig!.slice(1)}`;
    const body = await problem(await h.get(`/errors?cursor=${encodeURIComponent(forged)}`, h.a.keys.read), 400);
    assert.deepEqual(fieldsAtFault(body), ['cursor']);
  });

  test('credentials: none, expired, tampered → 401; no read scope → 403', async () => {
    await problem(await h.get('/errors'), 401);
    await problem(await h.get('/errors', h.a.tokens.expired), 401);
    await problem(await h.get('/errors', h.a.tokens.tampered), 401);
    await problem(await h.get('/errors', h.a.keys.ingest), 403);
  });
});

describe('GET /errors/{id}', () => {
  test('one error with its audit trail, oldest first', async () => {
    const body = await json(await h.get('/errors/e04', h.a.tokens.read));
    assert.equal(body.id, 'e04');
    assert.equal(body.resolution_status, 'resolved');
    assert.deepEqual(
      body.audit,
      AUDIT_E04.map((entry) => ({ ...entry, at: new Date(entry.at).toISOString() })),
    );
    assert.deepEqual((await json(await h.get('/errors/e06', h.a.tokens.read))).audit, []);
  });

  test('missing, or another tenant’s, is 404 alike', async () => {
    await problem(await h.get('/errors/nope', h.a.keys.read), 404);
    const res = await h.get('/errors/b01', h.a.keys.read);
    const text = await res.clone().text();
    await problem(res, 404);
    assert.ok(!text.includes('B-SECRET'));
    // b's audit row for an id that a also has does not leak into a's trail.
    assert.ok(!JSON.stringify(await json(await h.get('/errors/e04', h.a.keys.read))).includes('B-SECRET'));
  });

  test('a client-locked token reads only its client’s errors', async () => {
    assert.equal((await json(await h.get('/errors/e01', h.a.tokens.locked))).id, 'e01');
    await problem(await h.get('/errors/e02', h.a.tokens.locked), 404);
    await problem(await h.get('/errors/e03', h.a.tokens.locked), 404);
  });

  test('an over-long id is a 400 naming id', async () => {
    const body = await problem(await h.get(`/errors/${'x'.repeat(201)}`, h.a.keys.read), 400);
    assert.deepEqual(fieldsAtFault(body), ['id']);
  });
});

describe('GET /errors/patterns', () => {
  const calendly = {
    error_type: 'api_failure',
    root_cause: 'calendly down',
    count: 3,
    unresolved: 2,
    first_seen: new Date(NOW - 25 * 60 * MIN).toISOString(),
    last_seen: new Date(NOW - MIN).toISOString(),
    example_message_in: 'book me Monday',
  };
  const uncovered = {
    error_type: 'unrecognized_request',
    root_cause: 'no skill covers this request',
    count: 3,
    unresolved: 2,
    first_seen: new Date(NOW - 60 * MIN).toISOString(),
    last_seen: new Date(NOW - 3 * MIN).toISOString(),
    example_message_in: '<script>alert(1)</script>',
  };

  test('groups by type and root cause, most frequent first', async () => {
    const { data } = await json(await h.get('/errors/patterns', h.a.keys.read));
    assert.deepEqual(data[0], calendly);
    assert.deepEqual(data[1], uncovered);
    assert.deepEqual(
      data.slice(2).map((p: { error_type: string; root_cause: string | null; count: number }) => [p.error_type, p.root_cause, p.count]),
      [
        ['other', null, 3],
        ['low_confidence', 'low confidence', 1],
        ['transfer_failed', null, 1],
        ['integration_down', 'crm down', 1],
      ],
    );
    assert.equal(data.reduce((n: number, p: { count: number }) => n + p.count, 0), A_ORDER.length);
    assert.ok(!JSON.stringify(data).includes('B-SECRET'));
  });

  test('the example is the latest message there is', async () => {
    const { data } = await json(await h.get('/errors/patterns', h.a.keys.read));
    assert.equal(data.find((p: { error_type: string }) => p.error_type === 'other').example_message_in, null);
  });

  test('filters by status and time', async () => {
    const unresolved = (await json(await h.get('/errors/patterns?status=unresolved', h.a.keys.read))).data;
    assert.deepEqual(
      unresolved.find((p: { root_cause: string | null }) => p.root_cause === 'calendly down'),
      { ...calendly, count: 2, unresolved: 2 },
    );
    assert.ok(unresolved.every((p: { count: number; unresolved: number }) => p.count === p.unresolved));
    const recent = (await json(await h.get(`/errors/patterns?from=${new Date(NOW - 2 * MIN).toISOString()}`, h.a.keys.read))).data;
    assert.deepEqual(recent, [{ ...calendly, count: 2, unresolved: 1, first_seen: new Date(NOW - 2 * MIN).toISOString() }]);
    const old = (await json(await h.get(`/errors/patterns?status=unresolved&to=${new Date(NOW - 24 * 60 * MIN).toISOString()}`, h.a.keys.read))).data;
    assert.deepEqual(
      old.map((p: { error_type: string; count: number }) => [p.error_type, p.count]),
      [
        ['other', 3],
        ['api_failure', 1],
      ],
    );
  });

  test('CSV', async () => {
    const res = await h.get('/errors/patterns?format=csv&status=unresolved,resolved', h.a.tokens.read);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /^text\/csv/);
    assert.equal(res.headers.get('content-disposition'), 'attachment; filename="error-patterns.csv"');
    const lines = (await res.text()).trimEnd().split('\r\n');
    assert.equal(lines[0], 'error_type,root_cause,count,unresolved,first_seen,last_seen,example_message_in');
    assert.equal(lines[1], `unrecognized_request,no skill covers this request,3,2,${uncovered.first_seen},${uncovered.last_seen},<script>alert(1)</script>`);
    assert.equal(lines[2], 'other,,3,3,2026-11-18T18:30:00.000Z,2026-11-18T20:30:00.000Z,');
    assert.equal(lines[3], `api_failure,calendly down,2,2,${calendly.first_seen},${calendly.last_seen},book me Monday`);
    assert.equal(lines.length, 5);
  });

  test('is tenant-wide: a client-locked token gets 403', async () => {
    await problem(await h.get('/errors/patterns', h.a.tokens.locked), 403);
  });

  test('bad input is a 400 naming the field', async () => {
    for (const [query, field] of [
      ['status=open', 'status'],
      ['from=2026-13-01T00:00:00Z', 'from'],
      ['format=pdf', 'format'],
    ] as const) {
      const body = await problem(await h.get(`/errors/patterns?${query}`, h.a.keys.read), 400);
      assert.deepEqual(fieldsAtFault(body), [field]);
    }
  });
});
