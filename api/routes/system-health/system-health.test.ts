import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { health_checks, system_health, type HealthStatus } from '../../db/schema.js';
import { createHarness, json, NOW, problem, type Harness } from '../../test/harness.js';
import { summarize } from './system-health.queries.js';

const MIN = 60_000;
let h: Harness;

before(async () => {
  h = await createHarness();
  const a = h.a.tenant.id;
  const b = h.b.tenant.id;
  h.db
    .insert(system_health)
    .values([
      { tenant_id: a, component_name: 'voice_endpoint', status: 'active', latency_ms: 120, error_rate: 0, uptime_percentage: 100, last_checked: NOW - MIN },
      {
        tenant_id: a,
        component_name: 'calendly_api',
        status: 'down',
        latency_ms: null,
        error_rate: 1,
        uptime_percentage: 91.5,
        last_checked: NOW - MIN,
        down_since: NOW - 15 * MIN,
        consecutive_failures: 3,
        message: '<script>alert("down")</script>',
      },
      {
        tenant_id: a,
        component_name: 'crm_pipeline',
        status: 'degraded',
        latency_ms: 2400,
        error_rate: 0.2,
        uptime_percentage: 99,
        last_checked: NOW - 2 * MIN,
        consecutive_failures: 1,
      },
      { tenant_id: a, component_name: 'openai_api', status: 'active', latency_ms: 300, error_rate: 0.01, uptime_percentage: 99.9, last_checked: NOW - MIN },
      { tenant_id: a, component_name: 'zapier.triggers-v2', status: 'unknown' },
      { tenant_id: b, component_name: 'voice_endpoint', status: 'down', message: 'B-SECRET', consecutive_failures: 9 },
      { tenant_id: b, component_name: 'b_only', status: 'active', message: 'B-SECRET' },
    ])
    .run();
  const check = (tenant_id: number, component_name: string, checked_at: number, ok: boolean, latency_ms: number | null, message: string | null) => ({
    tenant_id,
    component_name,
    checked_at,
    ok,
    status: (ok ? 'active' : 'down') as HealthStatus,
    latency_ms,
    message,
  });
  const checks = Array.from({ length: 120 }, (_, i) =>
    check(a, 'calendly_api', NOW - i * MIN, i >= 3, i < 3 ? null : 100 + i, i === 0 ? '<b>timeout</b>' : null),
  );
  // Two checks in the same millisecond come out newest-inserted first.
  checks.push(check(a, 'voice_endpoint', NOW - MIN, true, 110, 'first'), check(a, 'voice_endpoint', NOW - MIN, true, 130, 'second'));
  checks.push(check(b, 'voice_endpoint', NOW, false, null, 'B-SECRET'));
  h.db.insert(health_checks).values(checks).run();
});

after(() => h.close());

describe('summarize', () => {
  const of = (...statuses: HealthStatus[]) => summarize(statuses.map((status) => ({ status })));
  test('counts every status and names the worst', () => {
    assert.deepEqual(of('active', 'down', 'degraded', 'active', 'unknown'), { active: 2, degraded: 1, down: 1, unknown: 1, overall: 'down' });
    assert.equal(of('active', 'degraded', 'unknown').overall, 'degraded');
    assert.equal(of('active', 'unknown').overall, 'unknown');
    assert.equal(of('active', 'active').overall, 'active');
    assert.equal(of('down', 'active').overall, 'down');
  });
  test('nothing to report is unknown', () => {
    assert.deepEqual(of(), { active: 0, degraded: 0, down: 0, unknown: 0, overall: 'unknown' });
  });
});

describe('GET /system-health', () => {
  test('every component of the tenant by name, with a summary', async () => {
    const body = await json(await h.get('/system-health', h.a.keys.read));
    assert.deepEqual(
      body.data.map((c: { component_name: string }) => c.component_name),
      ['calendly_api', 'crm_pipeline', 'openai_api', 'voice_endpoint', 'zapier.triggers-v2'],
    );
    assert.deepEqual(body.summary, { active: 2, degraded: 1, down: 1, unknown: 1, overall: 'down' });
    assert.deepEqual(body.data[0], {
      component_name: 'calendly_api',
      status: 'down',
      latency_ms: null,
      error_rate: 1,
      uptime_percentage: 91.5,
      last_checked: new Date(NOW - MIN).toISOString(),
      down_since: new Date(NOW - 15 * MIN).toISOString(),
      consecutive_failures: 3,
      message: '<script>alert("down")</script>',
    });
    assert.deepEqual(body.data[4], {
      component_name: 'zapier.triggers-v2',
      status: 'unknown',
      latency_ms: null,
      error_rate: null,
      uptime_percentage: null,
      last_checked: null,
      down_since: null,
      consecutive_failures: 0,
      message: null,
    });
    assert.ok(!JSON.stringify(body).includes('B-SECRET'));
  });

  test('tenant b sees its own', async () => {
    const body = await json(await h.get('/system-health', h.b.tokens.read));
    assert.deepEqual(
      body.data.map((c: { component_name: string }) => c.component_name),
      ['b_only', 'voice_endpoint'],
    );
    assert.deepEqual(body.summary, { active: 1, degraded: 0, down: 1, unknown: 0, overall: 'down' });
  });

  test('infrastructure status is readable with a client-locked token', async () => {
    assert.equal((await json(await h.get('/system-health', h.a.tokens.locked))).data.length, 5);
  });

  test('credentials', async () => {
    await problem(await h.get('/system-health'), 401);
    await problem(await h.get('/system-health', h.a.tokens.expired), 401);
    await problem(await h.get('/system-health', h.a.keys.ingest), 403);
  });
});

describe('GET /system-health/{component}', () => {
  test('the component and its latest 100 checks, newest first', async () => {
    const body = await json(await h.get('/system-health/calendly_api', h.a.tokens.read));
    assert.equal(body.component_name, 'calendly_api');
    assert.equal(body.status, 'down');
    assert.equal(body.checks.length, 100);
    assert.deepEqual(body.checks[0], { checked_at: new Date(NOW).toISOString(), ok: false, status: 'down', latency_ms: null, message: '<b>timeout</b>' });
    assert.deepEqual(body.checks[3], { checked_at: new Date(NOW - 3 * MIN).toISOString(), ok: true, status: 'active', latency_ms: 103, message: null });
    assert.equal(body.checks[99].checked_at, new Date(NOW - 99 * MIN).toISOString());
    for (let i = 1; i < 100; i++) assert.ok(body.checks[i - 1].checked_at > body.checks[i].checked_at);
  });

  test('only its own checks, ties newest-inserted first', async () => {
    const body = await json(await h.get('/system-health/voice_endpoint', h.a.keys.read));
    assert.equal(body.status, 'active');
    assert.deepEqual(
      body.checks.map((c: { message: string }) => c.message),
      ['second', 'first'],
    );
    assert.ok(!JSON.stringify(body).includes('B-SECRET'));
    assert.deepEqual((await json(await h.get('/system-health/zapier.triggers-v2', h.a.keys.read))).checks, []);
  });

  test('unknown, or only another tenant’s, is 404 alike', async () => {
    await problem(await h.get('/system-health/pinecone_db', h.a.keys.read), 404);
    const res = await h.get('/system-health/b_only', h.a.keys.read);
    const text = await res.clone().text();
    await problem(res, 404);
    assert.ok(!text.includes('B-SECRET'));
  });

  for (const name of ['Voice_Endpoint', 'voice%20endpoint', 'a%2Fb', 'x'.repeat(65), '%3Cscript%3E']) {
    test(`a bad component name is a 400 naming component: ${name.slice(0, 20)}`, async () => {
      const body = await problem(await h.get(`/system-health/${name}`, h.a.keys.read), 400);
      assert.deepEqual(body.errors?.map((e) => e.field), ['component']);
    });
  }

  test('64 characters is a valid name', async () => {
    await problem(await h.get(`/system-health/${'x'.repeat(64)}`, h.a.keys.read), 404);
  });
});
