import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DASHBOARD_BASE } from './app.js';
import { conversations, errors, skills, system_health } from './db/schema.js';
import { createHarness, json, NOW, problem, type Harness } from './test/harness.js';

let h: Harness;
/** Rows that exist only in tenant b: reading them with tenant a's credential must look exactly like a missing id. */
const B_IDS: Record<string, string> = { skill_name: 'Bravo Secret Skill', component: 'bravo_secret_component', id: 'bravo-secret-id' };

before(async () => {
  h = await createHarness({ corsOrigins: ['https://global.example'] });
  const tenant_id = h.b.tenant.id;
  h.db.insert(skills).values({ tenant_id, skill_name: B_IDS.skill_name!, accuracy_score: 0.9 }).run();
  h.db.insert(system_health).values({ tenant_id, component_name: B_IDS.component!, status: 'active', message: 'bravo secret' }).run();
  h.db.insert(conversations).values({ id: B_IDS.id!, tenant_id, channel: 'voice', started_at: NOW, transcript: [{ speaker: 'caller', text: 'bravo secret', at: new Date(NOW).toISOString() }] }).run();
  h.db.insert(errors).values({ id: B_IDS.id!, tenant_id, timestamp: NOW, error_type: 'other', severity: 'low', message_in: 'bravo secret' }).run();
});
after(() => h.close());

async function readRoutes(): Promise<{ path: string; aggregate: boolean }[]> {
  const doc = await json<{ paths: Record<string, Record<string, { parameters?: { name: string; in: string }[]; security?: { bearer?: string[] }[] }>> }>(
    await h.request('/api/v1/openapi.json'),
  );
  // Admin routes (monitors, webhooks) declare the `admin` scope and are tested with their features.
  const adminOnly = (op: { security?: { bearer?: string[] }[] }) => op.security?.some((s) => s.bearer?.includes('admin')) ?? false;
  return Object.entries(doc.paths)
    .filter(([p, ops]) => p.startsWith(DASHBOARD_BASE) && ops.get && !adminOnly(ops.get) && !p.endsWith('/stream'))
    .map(([p]) => ({ path: p.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(B_IDS[name] ?? 'x')), aggregate: /metrics|roi|skills|patterns/.test(p) }));
}

describe('every read route', () => {
  test('the OpenAPI document lists the read routes of SPEC §4.1', async () => {
    const paths = (await readRoutes()).map((r) => r.path.slice(DASHBOARD_BASE.length));
    for (const p of ['/activity/feed', '/activity/count', '/metrics/realtime', '/metrics/daily', '/metrics/hourly', '/skills', '/roi', '/errors', '/errors/patterns', '/system-health', '/conversations']) {
      assert.ok(paths.includes(p), `${p} missing from ${paths.join(', ')}`);
    }
    assert.ok(paths.some((p) => p.startsWith('/conversations/')) && paths.some((p) => p.startsWith('/skills/')) && paths.some((p) => p.startsWith('/system-health/')));
  });

  test('no credential, a malformed header, an expired, tampered or unknown credential → 401 problem+json with a challenge', async () => {
    for (const { path } of await readRoutes()) {
      for (const init of [
        {},
        { headers: { authorization: 'Basic dXNlcjpwYXNz' } },
        { credential: h.a.tokens.expired },
        { credential: h.a.tokens.tampered },
        { credential: 'air_AAAAAAAAAAAA_not-a-real-secret' },
        { credential: h.a.keys.read.slice(0, -3) + 'xyz' },
      ]) {
        const res = await h.request(path, init);
        await problem(res, 401);
        assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
      }
    }
  });

  test('a credential without the read scope → 403', async () => {
    for (const { path } of await readRoutes()) await problem(await h.get(path, h.a.keys.ingest), 403);
  });

  test('another tenant’s ids → 404 exactly like a missing one, with none of its data', async () => {
    for (const { path } of await readRoutes()) {
      if (!Object.values(B_IDS).some((id) => path.includes(encodeURIComponent(id)))) continue;
      const foreign = await h.get(path, h.a.keys.read);
      const text = await foreign.clone().text();
      await problem(foreign, 404);
      assert.ok(!/bravo secret/i.test(text), `${path} leaked: ${text}`);
      const own = await h.get(path, h.b.keys.read);
      assert.equal(own.status, 200, `${path} as tenant b`);
    }
  });

  test('tenant-wide aggregates refuse a client-locked token; per-client lists accept it', async () => {
    for (const { path, aggregate } of await readRoutes()) {
      if (/bravo/i.test(path)) continue;
      const res = await h.get(path, h.a.tokens.locked);
      if (aggregate) await problem(res, 403);
      else assert.equal(res.status, 200, path);
    }
  });

  test('an admin key reads everything', async () => {
    for (const { path } of await readRoutes()) {
      if (/bravo/i.test(path)) continue;
      assert.equal((await h.get(path, h.a.keys.admin)).status, 200, path);
    }
  });
});

describe('the app', () => {
  test('unknown routes answer 404 problem+json', async () => {
    await problem(await h.request('/api/v1/nope'), 404);
    await problem(await h.get('/nope', h.a.keys.read), 404);
  });

  test('healthz, docs and the OpenAPI document need no credential', async () => {
    assert.deepEqual(await json(await h.request('/healthz')), { status: 'ok' });
    const docs = await h.request('/docs');
    assert.equal(docs.status, 200);
    const html = await docs.text();
    assert.match(html, /\/activity\/feed/);
    assert.ok(!/<script/i.test(html), 'the reference page needs no script');
    const doc = await json<{ openapi: string; paths: Record<string, Record<string, { responses: Record<string, unknown> }>> }>(await h.request('/api/v1/openapi.json'));
    assert.equal(doc.openapi, '3.1.0');
    const feed = doc.paths[`${DASHBOARD_BASE}/activity/feed`]!.get!;
    assert.ok(feed.responses['400'] && feed.responses['401'] && feed.responses['403']);
  });

  test('CORS: preflights for any allowed origin; responses only for the caller’s own tenant’s origins', async () => {
    const preflight = (origin: string) =>
      h.request(`${DASHBOARD_BASE}/activity/feed`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
    assert.equal((await preflight('https://acme.crm.example')).headers.get('access-control-allow-origin'), 'https://acme.crm.example');
    assert.equal((await preflight('https://global.example')).headers.get('access-control-allow-origin'), 'https://global.example');
    assert.equal((await preflight('https://evil.example')).headers.get('access-control-allow-origin'), null);

    const get = (origin: string, credential: string) => h.get('/activity/feed', credential, { headers: { origin } });
    assert.equal((await get('https://acme.crm.example', h.a.tokens.read)).headers.get('access-control-allow-origin'), 'https://acme.crm.example');
    assert.equal((await get('https://bravo.crm.example', h.a.tokens.read)).headers.get('access-control-allow-origin'), null, 'b’s origin cannot read a’s data');
    assert.equal((await get('https://global.example', h.a.tokens.read)).headers.get('access-control-allow-origin'), 'https://global.example');
    const evil = await get('https://evil.example', h.a.tokens.read);
    assert.equal(evil.status, 200, 'authorization never depends on Origin');
    assert.equal(evil.headers.get('access-control-allow-origin'), null);
    const unauth = await h.request(`${DASHBOARD_BASE}/activity/feed`, { headers: { origin: 'https://acme.crm.example' } });
    assert.equal(unauth.status, 401);
    assert.equal(unauth.headers.get('access-control-allow-origin'), 'https://acme.crm.example', 'a widget can see its 401 and refresh');
  });

  test('bodies over the limit → 413 problem+json', async () => {
    const big = JSON.stringify({ subject: 'x'.repeat(2 * 1024 * 1024) });
    await problem(await h.request('/api/v1/embed-tokens', { method: 'POST', credential: h.a.keys.admin, body: big, headers: { 'content-type': 'application/json' } }), 413);
  });
});

describe('POST /api/v1/embed-tokens', () => {
  const mint = (credential: string, body: unknown) =>
    h.request('/api/v1/embed-tokens', { method: 'POST', credential, body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' } });

  test('an API key mints a working token for its own tenant only', async () => {
    const res = await json<{ token: string; scopes: string[]; tenant: string; expires_at: string }>(await mint(h.a.keys.read, { subject: 'officer@acme' }), 201);
    assert.equal(res.tenant, 'acme');
    assert.deepEqual(res.scopes, ['read']);
    assert.equal(Date.parse(res.expires_at), Math.floor(NOW / 1000) * 1000 + 15 * 60_000);
    assert.equal((await h.get('/activity/feed', res.token)).status, 200);
    const locked = await json<{ token: string; client_id: string }>(await mint(h.a.keys.read, { subject: 'u', client_id: 'cl_a1' }), 201);
    assert.equal(locked.client_id, 'cl_a1');
    await problem(await h.get('/metrics/realtime', locked.token), 403);
  });

  test('errors:write needs an admin key; tokens cannot mint tokens; ingest keys cannot either', async () => {
    const p = await problem(await mint(h.a.keys.read, { subject: 'u', scopes: ['read', 'errors:write'] }), 403);
    assert.equal(p.errors?.[0]?.field, 'scopes');
    assert.equal((await mint(h.a.keys.admin, { subject: 'u', scopes: ['read', 'errors:write'] })).status, 201);
    await problem(await mint(h.a.tokens.read, { subject: 'u' }), 403);
    await problem(await mint(h.a.keys.ingest, { subject: 'u' }), 403);
  });

  test('bad bodies → 400 naming the field', async () => {
    const cases: [unknown, string][] = [
      [{}, 'subject'],
      [{ subject: 'u', scopes: ['admin'] }, 'scopes'],
      [{ subject: 'u', ttl_seconds: 86_401 }, 'ttl_seconds'],
      [{ subject: 'u', ttl_seconds: '900' }, 'ttl_seconds'],
      [{ subject: 'u', tenant: 'bravo' }, ''],
    ];
    for (const [body, field] of cases) {
      const p = await problem(await mint(h.a.keys.admin, body), 400);
      assert.ok(p.errors?.some((e) => e.field.startsWith(field)), `${JSON.stringify(body)} → ${JSON.stringify(p.errors)}`);
    }
    await problem(await mint(h.a.keys.admin, '{"subject": '), 400);
  });
});
