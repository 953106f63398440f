import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApiError } from '../lib/problem.js';
import { createHarness, NOW, type Harness } from '../test/harness.js';
import {
  canonicalJson,
  externalIdClaim,
  headerClaim,
  IDEMPOTENCY_TTL_MS,
  IdempotencyStore,
  parseIdempotencyKey,
  pruneIdempotencyKeys,
  requestHash,
} from './idempotency.js';

let h: Harness;
before(async () => {
  h = await createHarness();
});
after(() => h.close());

describe('canonicalJson and requestHash', () => {
  test('sort keys at every depth and keep array order', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } }), '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
    assert.equal(canonicalJson({ a: undefined, b: 'x' }), '{"b":"x"}');
    assert.equal(canonicalJson([undefined, 'é\n']), '[null,"é\\n"]');
  });

  test('equal requests hash alike; another route or body does not', () => {
    const h1 = requestHash('activity', { channel: 'voice', action_type: 'incoming_call' });
    assert.equal(h1, requestHash('activity', { action_type: 'incoming_call', channel: 'voice' }));
    assert.notEqual(h1, requestHash('error', { action_type: 'incoming_call', channel: 'voice' }));
    assert.notEqual(h1, requestHash('activity', { action_type: 'incoming_call', channel: 'sms' }));
  });
});

describe('parseIdempotencyKey', () => {
  test('accepts 1–255 visible ASCII characters and names the header otherwise', () => {
    assert.equal(parseIdempotencyKey(undefined), undefined);
    assert.equal(parseIdempotencyKey('8e0c1f2a-retry:1'), '8e0c1f2a-retry:1');
    assert.equal(parseIdempotencyKey('k'.repeat(255)), 'k'.repeat(255));
    for (const bad of ['', ' ', 'a b', 'k'.repeat(256), 'tab\there', 'ü']) {
      assert.throws(
        () => parseIdempotencyKey(bad),
        (e: unknown) => e instanceof ApiError && e.problem.status === 400 && e.problem.errors?.[0]?.field === 'Idempotency-Key',
      );
    }
  });
});

describe('IdempotencyStore', () => {
  test('answers the stored answer for the same request, 409 for another, and keeps tenants apart', () => {
    const store = new IdempotencyStore(h.db.$client);
    const a = h.a.tenant.id;
    const claim = headerClaim('k1', 'activity', { x: 1 });
    assert.equal(store.find(a, claim), undefined);
    store.save(a, claim, { status: 201, body: { data: { id: 'one' } } }, NOW);
    assert.deepEqual(store.find(a, headerClaim('k1', 'activity', { x: 1 })), { status: 201, body: { data: { id: 'one' } } });
    assert.equal(store.find(h.b.tenant.id, claim), undefined);
    assert.throws(
      () => store.find(a, headerClaim('k1', 'activity', { x: 2 })),
      (e: unknown) => e instanceof ApiError && e.problem.status === 409 && e.problem.errors?.[0]?.field === 'Idempotency-Key',
    );
    // A header key and an external_id never share a key.
    assert.equal(store.find(a, externalIdClaim('activity', 'k1', { x: 1 })), undefined);
    const conflict = externalIdClaim('activity', 'k1', { x: 1 }, 'items.4.external_id');
    store.save(a, conflict, { status: 201, body: {} }, NOW);
    assert.throws(
      () => store.find(a, { ...conflict, hash: 'other' }),
      (e: unknown) => e instanceof ApiError && e.problem.errors?.[0]?.field === 'items.4.external_id',
    );
  });

  test('pruning forgets keys older than 24 hours only', () => {
    const store = new IdempotencyStore(h.db.$client);
    const t = h.b.tenant.id;
    store.save(t, headerClaim('old', 'r', 1), { status: 201, body: 1 }, NOW - IDEMPOTENCY_TTL_MS - 1);
    store.save(t, headerClaim('young', 'r', 1), { status: 201, body: 1 }, NOW - IDEMPOTENCY_TTL_MS + 1);
    assert.equal(pruneIdempotencyKeys(h.db.$client, NOW), 1);
    assert.equal(store.find(t, headerClaim('old', 'r', 1)), undefined);
    assert.ok(store.find(t, headerClaim('young', 'r', 1)));
  });
});
