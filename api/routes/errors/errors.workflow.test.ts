import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { signEmbedToken } from '../../auth/tokens.js';
import { conversations, errors, type ErrorRow } from '../../db/schema.js';
import { createHarness, json, NOW, problem, SECRET, type Harness } from '../../test/harness.js';

let h: Harness;
let lockedWriter: string;

const FIX = { root_cause: 'Calendly answered HTTP 503 for 4 minutes', recommended_fix: 'Retry bookings with backoff and alert on 3 failures' };

function addError(tenantId: number, id: string, more: Partial<ErrorRow> = {}) {
  h.db
    .insert(errors)
    .values({ id, tenant_id: tenantId, timestamp: NOW - 60_000, error_type: 'api_failure', severity: 'high', skill_name: 'booking', component: 'calendly_api', ...FIX, ...more })
    .run();
}

before(async () => {
  h = await createHarness();
  const a = h.a.tenant.id;
  h.db.insert(conversations).values({ id: 'cv_a1', tenant_id: a, client_id: 'cl_a1', channel: 'voice', started_at: NOW - 3_600_000, transcript: [] }).run();
  h.db.insert(conversations).values({ id: 'cv_a2', tenant_id: a, client_id: 'cl_a2', channel: 'voice', started_at: NOW - 3_600_000, transcript: [] }).run();
  for (const id of ['e-approve', 'e-review', 'e-wont', 'e-admin', 'e-body', 'e-scope']) addError(a, id);
  addError(a, 'e-mine', { conversation_id: 'cv_a1' });
  addError(a, 'e-theirs', { conversation_id: 'cv_a2' });
  addError(a, 'e-done', { resolution_status: 'resolved', resolved_by: 'ops@acme', resolved_at: NOW - 30_000 });
  addError(h.b.tenant.id, 'e-bravo');
  lockedWriter = (await signEmbedToken(SECRET, { tenant: 'acme', subject: 'agent@acme', scopes: ['read', 'errors:write'], clientId: 'cl_a1' }, NOW)).token;
});
after(() => h.close());

function act(id: string, action: string, body?: unknown, credential = h.a.tokens.write) {
  return h.request(`/errors/${id}/${action}`, {
    method: 'POST',
    credential,
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
}

function count(table: string): number {
  return (h.db.$client.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
}

function snapshot() {
  return {
    audit: count('ai_receptionist_error_audit'),
    events: count('events'),
    errors: h.db.$client.prepare('SELECT id, resolution_status, resolved_by, resolved_at, needs_human_review FROM ai_receptionist_errors ORDER BY id').all(),
  };
}

function events(tenantId: number, afterSeq: number) {
  return (h.db.$client.prepare('SELECT seq, type, payload FROM events WHERE tenant_id = ? AND seq > ? ORDER BY seq').all(tenantId, afterSeq) as { seq: number; type: string; payload: string }[]).map(
    (e) => ({ seq: e.seq, type: e.type, payload: JSON.parse(e.payload) }),
  );
}

function lastSeq(tenantId: number): number {
  return (h.db.$client.prepare('SELECT coalesce(max(seq), 0) AS s FROM events WHERE tenant_id = ?').get(tenantId) as { s: number }).s;
}

/** Asserts the request is refused with `status` and changes nothing at all. */
async function refused(request: () => Promise<Response>, status: number) {
  const before = snapshot();
  const body = await problem(await request(), status);
  assert.deepEqual(snapshot(), before);
  return body;
}

describe('approve-fix', () => {
  test('records who approved, answers the error with its audit trail, and emits error.updated then fix.approved', async () => {
    const seq = lastSeq(h.a.tenant.id);
    const answer = await json(await act('e-approve', 'approve-fix', { note: '  Ship the retry  ' }));
    assert.equal(answer.resolution_status, 'fix_approved');
    assert.equal(answer.resolved_by, 'user@acme');
    assert.equal(answer.resolved_at, null, 'an approved fix is not resolved yet');
    assert.deepEqual(answer.audit, [
      { at: new Date(NOW).toISOString(), actor: 'user@acme', action: 'approve-fix', from_status: 'unresolved', to_status: 'fix_approved', note: 'Ship the retry' },
    ]);
    assert.deepEqual(await json(await h.get('/errors/e-approve', h.a.keys.read)), answer);

    const { audit, ...error } = answer;
    assert.deepEqual(events(h.a.tenant.id, seq), [
      { seq: seq + 1, type: 'error.updated', payload: error },
      {
        seq: seq + 2,
        type: 'fix.approved',
        payload: {
          error_id: 'e-approve',
          error_type: 'api_failure',
          ...FIX,
          skill_name: 'booking',
          component: 'calendly_api',
          approved_by: 'user@acme',
          approved_at: new Date(NOW).toISOString(),
          note: 'Ship the retry',
        },
      },
    ]);
  });

  test('approving twice is a 409 and changes nothing', async () => {
    const body = await refused(() => act('e-approve', 'approve-fix'), 409);
    assert.match(body.detail, /already fix_approved/);
  });
});

describe('the state machine', () => {
  test('open statuses move freely; resolved and wont_fix are final', async () => {
    h.clock.now = NOW + 1000;
    const review = await json(await act('e-review', 'needs-review'));
    assert.equal(review.resolution_status, 'needs_review');
    assert.equal(review.needs_human_review, true);
    await refused(() => act('e-review', 'needs-review'), 409);

    h.clock.now = NOW + 2000;
    const approved = await json(await act('e-review', 'approve-fix', {}));
    assert.equal(approved.resolution_status, 'fix_approved');
    assert.equal(approved.needs_human_review, false);

    h.clock.now = NOW + 3000;
    const resolved = await json(await act('e-review', 'resolve', { note: 'Deployed' }));
    assert.equal(resolved.resolution_status, 'resolved');
    assert.equal(resolved.resolved_at, new Date(NOW + 3000).toISOString());
    assert.deepEqual(
      resolved.audit.map((e: { action: string; from_status: string; to_status: string; note: string | null }) => [e.action, e.from_status, e.to_status, e.note]),
      [
        ['needs-review', 'unresolved', 'needs_review', null],
        ['approve-fix', 'needs_review', 'fix_approved', null],
        ['resolve', 'fix_approved', 'resolved', 'Deployed'],
      ],
    );
    for (const action of ['approve-fix', 'needs-review', 'wont-fix', 'resolve']) {
      assert.match((await refused(() => act('e-review', action), 409)).detail, /final/);
    }

    const wont = await json(await act('e-wont', 'wont-fix', { note: 'Loan officers handle these' }));
    assert.equal(wont.resolution_status, 'wont_fix');
    assert.equal(wont.resolved_at, new Date(NOW + 3000).toISOString());
    await refused(() => act('e-wont', 'resolve'), 409);
    await refused(() => act('e-done', 'approve-fix'), 409);
    h.clock.now = NOW;
  });
});

describe('who may act', () => {
  test('an admin key may, and is recorded as its key', async () => {
    const answer = await json(await act('e-admin', 'resolve', undefined, h.a.keys.admin));
    assert.match(answer.resolved_by, /^key:/);
    assert.equal(answer.audit[0].actor, answer.resolved_by);
  });

  test('read-only credentials and ingest keys may not', async () => {
    for (const credential of [h.a.tokens.read, h.a.tokens.locked, h.a.keys.read, h.a.keys.ingest]) {
      await refused(() => act('e-scope', 'approve-fix', undefined, credential), 403);
    }
    await refused(() => h.request('/errors/e-scope/approve-fix', { method: 'POST' }), 401);
  });

  test('another tenant’s error is not found, exactly like a missing one', async () => {
    const theirs = await refused(() => act('e-bravo', 'approve-fix'), 404);
    const missing = await refused(() => act('e-nope', 'approve-fix'), 404);
    assert.equal(theirs.detail, missing.detail);
    const own = await json(await act('e-bravo', 'needs-review', undefined, h.b.tokens.write));
    assert.equal(own.resolved_by, 'user@bravo');
  });

  test('a client-locked token acts only on the errors it can read', async () => {
    await refused(() => act('e-theirs', 'approve-fix', undefined, lockedWriter), 404);
    const mine = await json(await act('e-mine', 'approve-fix', undefined, lockedWriter));
    assert.equal(mine.resolved_by, 'agent@acme');
  });
});

describe('the body', () => {
  test('is optional, strict, and its note is limited', async () => {
    await refused(() => act('e-body', 'needs-review', { note: 'x', reason: 'y' }), 400);
    const long = await refused(() => act('e-body', 'needs-review', { note: 'x'.repeat(2001) }), 400);
    assert.deepEqual(long.errors?.map((e) => e.field), ['note']);
    await refused(() => act('e-body', 'needs-review', { note: 42 }), 400);
    await refused(() => act('e-body', 'needs-review', '{"note":'), 400);
    const blank = await json(await act('e-body', 'needs-review', { note: '   ' }));
    assert.equal(blank.audit[0].note, null);
  });
});

describe('the OpenAPI document', () => {
  test('lists the four actions', async () => {
    const doc = await json(await h.get('/api/v1/openapi.json'));
    for (const action of ['approve-fix', 'needs-review', 'wont-fix', 'resolve']) {
      const op = doc.paths[`/api/v1/ai-receptionist/dashboard/errors/{id}/${action}`]?.post;
      assert.ok(op, action);
      assert.deepEqual(op.tags, ['Errors']);
      assert.ok(op.responses['200'] && op.responses['404'], action);
    }
  });
});
