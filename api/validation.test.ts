import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { DASHBOARD_BASE } from './app.js';
import { createHarness, json, type Harness } from './test/harness.js';

/**
 * Property: whatever a client puts in the query string or path of any read route, the answer is
 * never a 5xx, and every 4xx is a complete problem+json document.
 */
let h: Harness;
let routes: { path: string; params: string[] }[];

before(async () => {
  h = await createHarness();
  const doc = await json<{ paths: Record<string, { get?: { parameters?: { name: string; in: string }[] } }> }>(await h.request('/api/v1/openapi.json'));
  routes = Object.entries(doc.paths)
    .filter(([p, ops]) => p.startsWith(DASHBOARD_BASE) && ops.get && !p.endsWith('/stream'))
    .map(([p, ops]) => ({ path: p, params: (ops.get!.parameters ?? []).filter((x) => x.in === 'query').map((x) => x.name) }));
});
after(() => h.close());

const nasty = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom('', '0', '-1', '201', '1e309', 'NaN', 'null', '[]', '{}', '2026-02-30', '2026-11-20T25:00:00Z', '%00', '\u0000', '😀', "' OR 1=1 --", '<script>', 'a'.repeat(600)),
  fc.integer().map(String),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
);

test('random query strings and path segments never cause a 5xx; every 4xx is problem+json', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.nat(),
      fc.array(fc.tuple(fc.oneof(fc.constantFrom(...new Set(routes.flatMap((r) => r.params))), fc.string({ maxLength: 12 })), nasty), { maxLength: 5 }),
      nasty,
      async (which, pairs, segment) => {
        const route = routes[which % routes.length]!;
        const path = route.path.replace(/\{\w+\}/g, encodeURIComponent(segment) || 'x');
        const qs = new URLSearchParams();
        for (const [k, v] of pairs) qs.append(k, v);
        const res = await h.get(`${path}?${qs}`, h.a.keys.admin);
        assert.ok(res.status < 500, `${path}?${qs} → ${res.status} ${await res.clone().text()}`);
        if (res.status >= 400) {
          assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
          const body = (await res.json()) as { status: number; title: string; detail: string };
          assert.equal(body.status, res.status);
          assert.ok(body.title && body.detail);
        } else {
          await res.arrayBuffer();
        }
      },
    ),
    { numRuns: 1500, seed: 20261121 },
  );
});
