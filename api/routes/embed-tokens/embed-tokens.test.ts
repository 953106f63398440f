/**
 * POST /api/v1/embed-tokens settles who may mint before it reads the body: a caller that may not
 * mint gets 403 whatever it sent, and only a caller that may gets 400 for a bad body.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createHarness, json, problem, type Harness } from '../../test/harness.js';

describe('POST /api/v1/embed-tokens: the credential is judged before the body', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness({ live: { metricIntervalMs: 3_600_000 } });
  });
  after(() => h.close());

  const mint = (credential: string | undefined, body: string, contentType = 'application/json') =>
    h.request('/api/v1/embed-tokens', { method: 'POST', credential, body, headers: { 'content-type': contentType } });

  /** Bodies that are wrong in every way the validator knows. */
  const BAD_BODIES: [what: string, body: string, contentType?: string][] = [
    ['missing subject', '{}'],
    ['unknown scope', '{"subject":"u","scopes":["admin"]}'],
    ['ttl over the maximum', '{"subject":"u","ttl_seconds":86401}'],
    ['unknown field', '{"subject":"u","tenant":"bravo"}'],
    ['not JSON', '{"subject": '],
    ['an empty body', ''],
    ['a JSON array', '[]'],
    ['not declared as JSON', 'subject=u', 'application/x-www-form-urlencoded'],
  ];

  test('a caller that may not mint → 403 whatever the body (embed tokens of any scope, keys without read)', async () => {
    const refused = { 'read token': h.a.tokens.read, 'errors:write token': h.a.tokens.write, 'client-locked token': h.a.tokens.locked, 'ingest key': h.a.keys.ingest };
    for (const [who, credential] of Object.entries(refused)) {
      for (const [what, body, contentType] of [...BAD_BODIES, ['a valid body', '{"subject":"u"}'] as const]) {
        const p = await problem(await mint(credential, body, contentType), 403);
        assert.equal(p.errors, undefined, `${who}, ${what}: nothing about the body`);
      }
    }
  });

  test('no credential or a bad one → 401 whatever the body', async () => {
    for (const credential of [undefined, h.a.tokens.expired, h.a.tokens.tampered, 'air_not_a_key']) {
      for (const [, body, contentType] of BAD_BODIES) await problem(await mint(credential, body, contentType), 401);
    }
  });

  test('a caller that may mint → 400 for a bad body (415 for one not declared as JSON)', async () => {
    for (const credential of [h.a.keys.read, h.a.keys.admin, h.b.keys.admin]) {
      for (const [what, body, contentType] of BAD_BODIES) {
        const p = await problem(await mint(credential, body, contentType), contentType ? 415 : 400);
        if (!contentType) assert.ok(p.errors?.length, `${what}: ${JSON.stringify(p)}`);
      }
      // Asking for errors:write with a read key is judged on a body that is otherwise valid.
      await problem(await mint(credential, '{"subject":"u","scopes":["errors:write"],"ttl_seconds":5}'), 400);
    }
    await json(await mint(h.a.keys.read, '{"subject":"u"}'), 201);
  });
});
