import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createHarness, json, NOW, problem, type Harness } from '../../test/harness.js';
import { INTERNAL_URLS } from '../../test/internal-urls.js';

let h: Harness;
before(async () => {
  h = await createHarness();
});
after(() => h.close());

const put = (component: string, body: unknown, credential = h.a.keys.admin) =>
  h.request(`/monitors/${component}`, { method: 'PUT', credential, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('/monitors', () => {
  test('PUT creates (201) with defaults, then replaces (200); GET lists and reads; DELETE removes', async () => {
    const created = await json(await put('calendly_api', { probe_url: 'https://status.calendly.example/health' }), 201);
    const iso = new Date(NOW).toISOString();
    assert.deepEqual(created, {
      component_name: 'calendly_api',
      probe_url: 'https://status.calendly.example/health',
      interval_ms: 60_000,
      timeout_ms: 5_000,
      latency_threshold_ms: 1_000,
      enabled: true,
      created_at: iso,
      updated_at: iso,
      status: null,
      last_checked: null,
    });
    h.clock.now += 1000;
    const replaced = await json(
      await put('calendly_api', { probe_url: 'http://status.calendly.example:8080/ping?deep=1', interval_ms: 30_000, timeout_ms: 2_000, latency_threshold_ms: 400, enabled: false }),
      200,
    );
    assert.equal(replaced.probe_url, 'http://status.calendly.example:8080/ping?deep=1');
    assert.equal(replaced.interval_ms, 30_000);
    assert.equal(replaced.enabled, false);
    assert.equal(replaced.created_at, iso);
    assert.equal(replaced.updated_at, new Date(NOW + 1000).toISOString());

    await json(await put('crm_pipeline', { probe_url: 'https://crm.example/health' }), 201);
    const list = await json(await h.get('/monitors', h.a.keys.admin));
    assert.deepEqual(
      list.data.map((m: { component_name: string }) => m.component_name),
      ['calendly_api', 'crm_pipeline'],
    );
    assert.deepEqual(await json(await h.get('/monitors/calendly_api', h.a.keys.admin)), replaced);

    const removed = await h.request('/monitors/crm_pipeline', { method: 'DELETE', credential: h.a.keys.admin });
    assert.equal(removed.status, 204);
    await problem(await h.get('/monitors/crm_pipeline', h.a.keys.admin), 404);
    await problem(await h.request('/monitors/crm_pipeline', { method: 'DELETE', credential: h.a.keys.admin }), 404);
  });

  test('another tenant’s monitors are invisible: 404 like a missing one, and its list is its own', async () => {
    await json(await put('b_secret_api', { probe_url: 'https://b.example/health' }, h.b.keys.admin), 201);
    await problem(await h.get('/monitors/b_secret_api', h.a.keys.admin), 404);
    await problem(await h.request('/monitors/b_secret_api', { method: 'DELETE', credential: h.a.keys.admin }), 404);
    const list = await json(await h.get('/monitors', h.a.keys.admin));
    assert.ok(!JSON.stringify(list).includes('b_secret'));
    assert.equal((await json(await h.get('/monitors/b_secret_api', h.b.keys.admin))).probe_url, 'https://b.example/health');
  });

  test('only admin keys: read keys, ingest keys and embed tokens get 403', async () => {
    for (const credential of [h.a.keys.read, h.a.keys.ingest, h.a.tokens.write]) {
      await problem(await h.get('/monitors', credential), 403);
      await problem(await put('x', { probe_url: 'https://x.example' }, credential), 403);
      await problem(await h.request('/monitors/calendly_api', { method: 'DELETE', credential }), 403);
    }
    await problem(await h.get('/monitors'), 401);
  });

  test('bad input → 400 problem naming the field, and nothing written', async () => {
    const cases: [string, unknown, string, RegExp][] = [
      ['a', { probe_url: 'ftp://files.example/health' }, 'probe_url', /http or https/],
      ['a', { probe_url: 'javascript:alert(1)' }, 'probe_url', /http or https/],
      ['a', { probe_url: 'https://admin:hunter2@status.example/health' }, 'probe_url', /credentials/],
      ['a', { probe_url: 'https://token@status.example/health' }, 'probe_url', /credentials/],
      ['a', { probe_url: 'not a url' }, 'probe_url', /absolute http or https URL/],
      ['a', { probe_url: '/health' }, 'probe_url', /absolute/],
      ['a', { probe_url: `https://x.example/${'a'.repeat(2100)}` }, 'probe_url', /2048/],
      ['a', {}, 'probe_url', /.+/],
      ['a', { probe_url: 'https://x.example', interval_ms: -60_000 }, 'interval_ms', /.+/],
      ['a', { probe_url: 'https://x.example', interval_ms: 1e12 }, 'interval_ms', /.+/],
      ['a', { probe_url: 'https://x.example', interval_ms: 1.5e4 + 0.5 }, 'interval_ms', /integer|int/i],
      ['a', { probe_url: 'https://x.example', timeout_ms: 0 }, 'timeout_ms', /.+/],
      ['a', { probe_url: 'https://x.example', timeout_ms: 3_600_000 }, 'timeout_ms', /.+/],
      ['a', { probe_url: 'https://x.example', interval_ms: 10_000, timeout_ms: 20_000 }, 'timeout_ms', /must not exceed interval_ms/],
      ['a', { probe_url: 'https://x.example', latency_threshold_ms: -1 }, 'latency_threshold_ms', /.+/],
      ['a', { probe_url: 'https://x.example', enabled: 'yes' }, 'enabled', /.+/],
      ['a', { probe_url: 'https://x.example', tenant_id: 2 }, 'tenant_id', /not a known field/],
      ['Bad Name!', { probe_url: 'https://x.example' }, 'component', /a–z/],
    ];
    for (const [component, body, field, message] of cases) {
      const p = await problem(await put(encodeURIComponent(component), body), 400);
      const error = p.errors?.find((e) => e.field === field);
      assert.ok(error, `${JSON.stringify(body)}: ${JSON.stringify(p.errors)}`);
      assert.match(error.message, message);
    }
    const raw = await h.request('/monitors/a', { method: 'PUT', credential: h.a.keys.admin, headers: { 'content-type': 'application/json' }, body: '{"probe_url":' });
    await problem(raw, 400);
    const count = h.db.$client.prepare("SELECT count(*) AS n FROM ai_receptionist_monitored_components WHERE component_name IN ('a', 'Bad Name!')").get();
    assert.deepEqual(count, { n: 0 });
  });

  test('a probe URL on an internal address → 400 naming `probe_url`, for every address class and spelling; nothing written or replaced', async () => {
    await json(await put('internal_check', { probe_url: 'https://status.example/health' }), 201);
    for (const [url, reason] of INTERNAL_URLS) {
      for (const component of ['internal_check', 'internal_new']) {
        const p = await problem(await put(component, { probe_url: url }), 400);
        assert.deepEqual(p.errors?.map((e) => [e.field, e.in]), [['probe_url', 'body']], url);
        assert.match(p.errors![0]!.message, reason, url);
      }
    }
    assert.equal((await json(await h.get('/monitors/internal_check', h.a.keys.admin))).probe_url, 'https://status.example/health');
    await problem(await h.get('/monitors/internal_new', h.a.keys.admin), 404);
    assert.equal((await h.request('/monitors/internal_check', { method: 'DELETE', credential: h.a.keys.admin })).status, 204);
  });

  test('OUTBOUND_ALLOW_PRIVATE lets internal probe URLs register', async () => {
    const dev = await createHarness({ outboundAllowPrivate: true });
    try {
      const res = await dev.request('/monitors/local_api', { method: 'PUT', credential: dev.a.keys.admin, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ probe_url: 'http://127.0.0.1:8080/health' }) });
      assert.equal((await json(res, 201)).probe_url, 'http://127.0.0.1:8080/health');
    } finally {
      dev.close();
    }
  });

  test('the OpenAPI document describes the monitor routes', async () => {
    const doc = await json(await h.request('/api/v1/openapi.json'));
    const path = doc.paths['/api/v1/ai-receptionist/dashboard/monitors/{component}'];
    assert.ok(path.get && path.put && path.delete);
    assert.ok(path.put.responses['400'] && path.put.responses['201'] && path.put.responses['200']);
    assert.ok(doc.components.schemas.MonitorInput.properties.probe_url);
  });
});
