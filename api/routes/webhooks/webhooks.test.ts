import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createHarness, json, NOW, problem, type Harness } from '../../test/harness.js';
import { INTERNAL_URLS } from '../../test/internal-urls.js';
import { MAX_WEBHOOKS_PER_TENANT } from './webhooks.queries.js';

let h: Harness;
before(async () => {
  h = await createHarness();
});
after(() => h.close());

const create = (body: unknown, credential = h.a.keys.admin) =>
  h.request('/webhooks', { method: 'POST', credential, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

const count = () => (h.db.$client.prepare('SELECT count(*) AS n FROM webhooks').get() as { n: number }).n;

describe('/webhooks', () => {
  test('create answers the secret once; list and read never show it; delete removes it', async () => {
    const created = await json(await create({ url: 'https://crm.example/hooks/ai', events: ['fix.approved', 'error.detected', 'fix.approved'], description: 'CRM' }), 201);
    assert.match(created.id, /^wh_[0-9a-f]{32}$/);
    assert.match(created.secret, /^whsec_[A-Za-z0-9_-]{43}$/);
    const { secret, ...webhook } = created;
    assert.deepEqual(webhook, {
      id: created.id,
      url: 'https://crm.example/hooks/ai',
      events: ['fix.approved', 'error.detected'],
      description: 'CRM',
      created_at: new Date(NOW).toISOString(),
    });
    const list = await h.get('/webhooks', h.a.keys.admin);
    const text = await list.clone().text();
    assert.ok(!text.includes(secret), 'the list never holds a secret');
    assert.deepEqual((await json(list)).data, [webhook]);
    const one = await h.get(`/webhooks/${created.id}`, h.a.keys.admin);
    assert.ok(!(await one.clone().text()).includes(secret));
    assert.deepEqual(await json(one), webhook);
    assert.deepEqual(await json(await h.get(`/webhooks/${created.id}/deliveries`, h.a.keys.admin)), { data: [], next_cursor: null });

    const second = await json(await create({ url: 'http://crm.example:9/x', events: ['system.health.change'] }), 201);
    assert.notEqual(second.secret, secret);
    assert.equal((await h.request(`/webhooks/${second.id}`, { method: 'DELETE', credential: h.a.keys.admin })).status, 204);
    await problem(await h.get(`/webhooks/${second.id}`, h.a.keys.admin), 404);
    await problem(await h.request(`/webhooks/${second.id}`, { method: 'DELETE', credential: h.a.keys.admin }), 404);
  });

  test('another tenant’s webhook answers 404 like a missing one, and lists hold only the tenant’s own', async () => {
    const b = await json(await create({ url: 'https://b.example/secret-hook', events: ['error.detected'] }, h.b.keys.admin), 201);
    for (const path of [`/webhooks/${b.id}`, `/webhooks/${b.id}/deliveries`]) await problem(await h.get(path, h.a.keys.admin), 404);
    await problem(await h.request(`/webhooks/${b.id}`, { method: 'DELETE', credential: h.a.keys.admin }), 404);
    assert.ok(!(await (await h.get('/webhooks', h.a.keys.admin)).text()).includes('secret-hook'));
    assert.equal((await json(await h.get(`/webhooks/${b.id}`, h.b.keys.admin))).url, 'https://b.example/secret-hook');
  });

  test('only admin keys: read and ingest keys and embed tokens get 403, no credential 401', async () => {
    for (const credential of [h.a.keys.read, h.a.keys.ingest, h.a.tokens.write]) {
      await problem(await h.get('/webhooks', credential), 403);
      await problem(await create({ url: 'https://x.example', events: ['fix.approved'] }, credential), 403);
    }
    await problem(await h.get('/webhooks'), 401);
  });

  test('a bad webhook URL or event list → 400 problem naming the field, and nothing written', async () => {
    const before = count();
    const cases: [unknown, string, RegExp][] = [
      [{ url: 'ftp://crm.example/hook', events: ['fix.approved'] }, 'url', /http or https/],
      [{ url: 'file:///etc/passwd', events: ['fix.approved'] }, 'url', /http or https/],
      [{ url: 'https://user:pass@crm.example/hook', events: ['fix.approved'] }, 'url', /credentials/],
      [{ url: 'crm.example/hook', events: ['fix.approved'] }, 'url', /absolute http or https URL/],
      [{ url: '', events: ['fix.approved'] }, 'url', /.+/],
      [{ events: ['fix.approved'] }, 'url', /.+/],
      [{ url: 'https://crm.example/hook', events: [] }, 'events', /.+/],
      [{ url: 'https://crm.example/hook', events: ['fix.approved', 'everything'] }, 'events.1', /.+/],
      [{ url: 'https://crm.example/hook', events: 'fix.approved' }, 'events', /.+/],
      [{ url: 'https://crm.example/hook', events: ['fix.approved'], secret: 'mine' }, 'secret', /not a known field/],
    ];
    for (const [body, field, message] of cases) {
      const p = await problem(await create(body), 400);
      const error = p.errors?.find((e) => e.field === field);
      assert.ok(error, `${JSON.stringify(body)}: ${JSON.stringify(p.errors)}`);
      assert.match(error.message, message);
    }
    await problem(await h.get('/webhooks/wh_x/deliveries?limit=0', h.a.keys.admin), 400);
    await problem(await h.get('/webhooks/wh_x/deliveries?status=lost', h.a.keys.admin), 400);
    assert.equal(count(), before);
  });

  test('the secret is stored sealed: the column never holds it', async () => {
    const created = await json(await create({ url: 'https://crm.example/sealed', events: ['fix.approved'] }), 201);
    const stored = h.db.$client.prepare('SELECT secret FROM webhooks WHERE id = ?').pluck().get(created.id) as string;
    assert.match(stored, /^v1:[\w-]+:[\w-]+:[\w-]+$/);
    assert.ok(!stored.includes(created.secret) && !stored.includes(created.secret.slice('whsec_'.length)));
    assert.equal((await h.request(`/webhooks/${created.id}`, { method: 'DELETE', credential: h.a.keys.admin })).status, 204);
  });

  test('a URL on an internal address → 400 naming `url`, for every address class and spelling; nothing written', async () => {
    const before = count();
    for (const [url, reason] of INTERNAL_URLS) {
      const p = await problem(await create({ url, events: ['fix.approved'] }), 400);
      assert.deepEqual(p.errors?.map((e) => [e.field, e.in]), [['url', 'body']], url);
      assert.match(p.errors![0]!.message, reason, url);
      assert.match(p.errors![0]!.message, /^must be a public address: /);
    }
    assert.equal(count(), before);
  });

  test('OUTBOUND_ALLOW_PRIVATE lets internal URLs register (development, local receivers)', async () => {
    const dev = await createHarness({ outboundAllowPrivate: true });
    try {
      for (const url of ['http://127.0.0.1:9/x', 'http://localhost:9/x', 'http://[::1]:9/x', 'http://10.0.0.7/x']) {
        const res = await dev.request('/webhooks', { method: 'POST', credential: dev.a.keys.admin, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url, events: ['fix.approved'] }) });
        assert.equal((await json(res, 201)).url, url);
      }
    } finally {
      dev.close();
    }
  });

  test(`at most ${MAX_WEBHOOKS_PER_TENANT} webhooks per tenant (409 beyond)`, async () => {
    const existing = (await json(await h.get('/webhooks', h.a.keys.admin))).data.length;
    for (let i = existing; i < MAX_WEBHOOKS_PER_TENANT; i++) await json(await create({ url: `https://crm.example/${i}`, events: ['fix.approved'] }), 201);
    await problem(await create({ url: 'https://crm.example/one-more', events: ['fix.approved'] }), 409);
    // Tenant b's allowance is its own.
    await json(await create({ url: 'https://b.example/2', events: ['fix.approved'] }, h.b.keys.admin), 201);
  });

  test('the OpenAPI document describes the webhook routes', async () => {
    const doc = await json(await h.request('/api/v1/openapi.json'));
    const base = '/api/v1/ai-receptionist/dashboard/webhooks';
    assert.ok(doc.paths[base].get && doc.paths[base].post.responses['201'] && doc.paths[base].post.responses['400']);
    assert.ok(doc.paths[`${base}/{id}`].delete && doc.paths[`${base}/{id}/deliveries`].get.responses['404']);
    assert.ok(JSON.stringify(doc.components.schemas.CreatedWebhook).includes('"secret"'));
  });
});
