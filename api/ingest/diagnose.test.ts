import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createContext } from '../app.js';
import { skills } from '../db/schema.js';
import type { Diagnoser } from '../domain/diagnosis.js';
import { createHarness, json, NOW, SECRET, type Harness } from '../test/harness.js';
import { IngestService } from './service.js';

let h: Harness;
before(async () => {
  h = await createHarness();
  h.db
    .insert(skills)
    .values([
      { tenant_id: h.a.tenant.id, skill_name: 'General FAQ', skill_category: 'general', usage_count: 40 },
      { tenant_id: h.a.tenant.id, skill_name: 'Rate Inquiry', skill_category: 'sales', accuracy_score_7day: 0.58, needs_retraining: true },
    ])
    .run();
});
after(() => h.close());

const post = (path: string, body: unknown, credential = h.a.keys.ingest) =>
  h.request(`/api/v1/ai-receptionist/ingest${path}`, { method: 'POST', credential, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

function detected(tenantId: number) {
  return (h.db.$client.prepare("SELECT payload FROM events WHERE tenant_id = ? AND type = 'error.detected' ORDER BY seq").all(tenantId) as { payload: string }[]).map(
    (r) => JSON.parse(r.payload),
  );
}

describe('errors are diagnosed at ingest', () => {
  test('an error without a diagnosis gets one from the tenant’s facts, stored and carried by error.detected', async () => {
    const { data } = await json(await post('/errors', { error_type: 'low_confidence', severity: 'low', skill_name: 'Rate Inquiry', message_in: 'lock my rate?' }), 201);
    assert.equal(data.root_cause, 'Skill "Rate Inquiry" answered with low confidence');
    assert.match(data.recommended_fix, /^Retrain "Rate Inquiry" with this request \('lock my rate\?'\).*; its 7-day accuracy is 58% and it is flagged for retraining\.$/);
    assert.deepEqual(detected(h.a.tenant.id).at(-1), data);
    const stored = await json(await h.get(`/errors/${data.id}`, h.a.keys.read));
    assert.equal(stored.root_cause, data.root_cause);

    const uncovered = (await json(await post('/errors', { error_type: 'unrecognized_request', severity: 'medium', message_in: 'Do you buy timeshares?' }), 201)).data;
    assert.equal(uncovered.recommended_fix, `Add an answer to 'Do you buy timeshares?' to the FAQ ("General FAQ"), or create a skill that handles it.`);
  });

  test('a failing integration is named with the time it went down, in the tenant’s zone', async () => {
    h.clock.now = NOW - 10 * 60_000;
    for (let i = 0; i < 3; i++) await json(await post('/system-health/calendly_api', { status: 'down', message: 'HTTP 503' }), 200);
    h.clock.now = NOW;
    const { data } = await json(await post('/errors', { error_type: 'api_failure', severity: 'high', component: 'calendly_api' }), 201);
    assert.equal(data.root_cause, 'Integration calendly_api failing since 2026-11-20 15:20 America/New_York: HTTP 503');
    assert.match(data.recommended_fix, /^Check calendly_api's credentials and endpoint/);
    // Tenant b has no such component: its error is diagnosed from its own facts only.
    const b = (await json(await post('/errors', { error_type: 'api_failure', severity: 'high', component: 'calendly_api' }, h.b.keys.ingest), 201)).data;
    assert.equal(b.root_cause, 'Integration calendly_api failed; its health is not monitored');
  });

  test('the sender’s own root cause and fix are kept; only what is missing is filled in', async () => {
    const both = (await json(await post('/errors', { error_type: 'other', severity: 'low', root_cause: 'Mine', recommended_fix: 'My fix' }), 201)).data;
    assert.deepEqual([both.root_cause, both.recommended_fix], ['Mine', 'My fix']);
    const cause = (await json(await post('/errors', { error_type: 'transfer_failed', severity: 'high', root_cause: 'Line busy' }), 201)).data;
    assert.equal(cause.root_cause, 'Line busy');
    assert.match(cause.recommended_fix, /^Check the transfer number and the on-call schedule/);
  });

  test('a replacement diagnoser is used through the same interface', async () => {
    const calls: unknown[] = [];
    const model: Diagnoser = {
      diagnose(error, facts) {
        calls.push({ error, facts });
        return { root_cause: `model: ${error.error_type}`, recommended_fix: 'model fix' };
      },
    };
    const ctx = createContext({ db: h.db, config: { embedSecret: SECRET, corsOrigins: [], bodyLimitBytes: 1 << 20 }, clock: () => h.clock.now, live: h.live });
    const tenant = { id: h.a.tenant.id, slug: 'acme', name: 'ACME', timezone: 'America/New_York', roi: {} as never };
    const result = new IngestService(ctx, { diagnoser: model }).error(tenant, { error_type: 'other', severity: 'low', message_in: 'hi', needs_human_review: false });
    assert.equal(result.body.data.root_cause, 'model: other');
    assert.equal(result.body.data.recommended_fix, 'model fix');
    assert.deepEqual(calls, [
      {
        error: { error_type: 'other', message_in: 'hi', skill_name: null, component: null, context: null },
        facts: { timezone: 'America/New_York', component: null, skill: null, faq_skills: ['General FAQ'] },
      },
    ]);
  });
});
