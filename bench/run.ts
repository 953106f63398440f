/**
 * `npm run bench`: the benchmarks of SPEC §9 that exist so far, printed as one table with the
 * baseline measured in the same run. `--quick` shrinks the data and the load for a smoke run;
 * `--rows N` sets the size of the big tenant (default 1,000,000).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import { createTenant } from '../api/auth/tenants.js';
import { roiAssumptions } from '../api/auth/principal.js';
import { signEmbedToken } from '../api/auth/tokens.js';
import { migrate, openDb } from '../api/db/client.js';
import { Statements } from '../api/lib/sql.js';
import type { AppContext } from '../api/lib/router.js';
import type { Principal } from '../api/auth/principal.js';
import { listActivities } from '../api/routes/activity/activity.queries.js';
import { seedTenant } from '../api/seed/generator.js';
import { fanOutBench, fmtMs, preparedFeedBench, time } from './baselines.js';
import { spawnServer } from '../api/test/server-process.js';
import { bundleBench } from './bundle.js';
import { feedRenderBench } from './feed-render.js';
import { liveBenchmarks } from './live.js';
import { renderBench } from './render.js';
import { printTable, type Row } from './table.js';

const { values: args } = parseArgs({ options: { quick: { type: 'boolean', default: false }, rows: { type: 'string' } } });
const ROWS = Number(args.rows ?? (args.quick ? 100_000 : 1_000_000));
const OTHER_TENANT_ROWS = Math.round(ROWS / 20);
const HTTP_SECONDS = args.quick ? 3 : 10;
const SECRET = 'bench-embed-secret-0123456789abcdefghij';
const DIR = join(process.cwd(), '.bench');

const table: Row[] = [];
const log = (s: string) => process.stderr.write(s + '\n');

// --- data ---------------------------------------------------------------------------------------
rmSync(DIR, { recursive: true, force: true });
mkdirSync(DIR, { recursive: true });
const dbPath = join(DIR, 'bench.db');
const db = openDb(dbPath);
migrate(db);
const now = Date.now();
for (const slug of ['other-1', 'other-2', 'other-3']) {
  const t = createTenant(db, { slug, timezone: 'Europe/Berlin' });
  seedTenant(db, { tenantId: t.id, timezone: t.timezone, rows: OTHER_TENANT_ROWS, now, seed: t.id });
}
const tenant = createTenant(db, { slug: 'bench', timezone: 'America/New_York' });
log(`seeding ${ROWS.toLocaleString('en-US')} activities…`);
const seedStart = performance.now();
seedTenant(db, { tenantId: tenant.id, timezone: tenant.timezone, rows: ROWS, now, onProgress: () => {} });
const seedSeconds = (performance.now() - seedStart) / 1000;
table.push({ figure: `seed ${ROWS.toLocaleString('en-US')} activities`, goal: '≤ 60 s (1M)', measured: `${seedSeconds.toFixed(1)} s`, ok: seedSeconds <= (60 * ROWS) / 1_000_000 });
db.$client.pragma('wal_checkpoint(TRUNCATE)');
db.$client.exec('ANALYZE');

// --- feed query, in process ---------------------------------------------------------------------
const ctx: Pick<AppContext, 'sql'> = { sql: new Statements(db.$client) };
const auth: Principal = {
  tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name, timezone: tenant.timezone, roi: roiAssumptions(tenant.roi_assumptions) },
  kind: 'embed_token',
  subject: 'bench',
  scopes: new Set(['read']),
  clientId: null,
};
const LIMIT = 50;
const keyAt = (offset: number) =>
  db.$client
    .prepare<[number, number], { timestamp: number; id: string }>(
      'SELECT timestamp, id FROM ai_receptionist_activity WHERE tenant_id = ? ORDER BY timestamp DESC, id DESC LIMIT 1 OFFSET ?',
    )
    .get(tenant.id, offset - 1)!;
const depths: [string, number][] = [
  ['first page', 0],
  ['20,000 rows deep', 20_000],
  [`last page (${(ROWS - LIMIT).toLocaleString('en-US')} deep)`, ROWS - LIMIT],
];
for (const [label, depth] of depths) {
  const key = depth === 0 ? undefined : keyAt(depth);
  const keyset = time(() => listActivities(ctx, auth, {}, { limit: LIMIT, key: key ? [key.timestamp, key.id] : undefined }), 2000);
  const offsetIterations = depth > 100_000 ? 20 : 300;
  const offset = time(() => listActivities(ctx, auth, {}, { limit: LIMIT, offset: depth }), offsetIterations);
  table.push({ figure: `feed ${label}, keyset (baseline: offset)`, goal: 'keyset p99 ≤ 2 ms', measured: fmtMs(keyset), baseline: fmtMs(offset), ok: keyset.p99 <= 2 });
}
const filtered = time(() => listActivities(ctx, auth, { action_type: ['appointment_booked'] }, { limit: LIMIT }), 2000);
table.push({ figure: 'feed first page, action_type filter', goal: 'p99 ≤ 2 ms', measured: fmtMs(filtered), ok: filtered.p99 <= 2 });
table.push(preparedFeedBench(db, ctx.sql, auth, LIMIT));
log('SSE fan-out, in process…');
table.push(fanOutBench(10_000, args.quick ? 100 : 500));
db.$client.close();

// --- HTTP throughput ----------------------------------------------------------------------------
const require = createRequire(import.meta.url);


function load(url: string, token: string, connections: number): Promise<{ rps: number; errors: number; non2xx: number; p99: number }> {
  const bin = require.resolve('autocannon/autocannon.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, '-c', String(connections), '-d', String(HTTP_SECONDS), '-j', '-H', `authorization=Bearer ${token}`, url], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.once('exit', () => {
      try {
        const r = JSON.parse(out);
        resolve({ rps: r.requests.average, errors: r.errors + r.timeouts, non2xx: r.non2xx, p99: r.latency.p99 });
      } catch (e) {
        reject(e);
      }
    });
  });
}

const { child, port } = await spawnServer({ dbPath, secret: SECRET });
try {
  const token = (await signEmbedToken(SECRET, { tenant: 'bench', subject: 'bench', scopes: ['read'], ttlSeconds: 3600 })).token;
  const base = `http://127.0.0.1:${port}/api/v1/ai-receptionist/dashboard`;
  for (const [path, goal, target] of [
    ['/metrics/realtime', '≥ 10,000 req/s', 10_000],
    ['/activity/feed?limit=50', 'report', 0],
  ] as const) {
    await load(base + path, token, 8); // warm-up: caches, JIT
    const r = await load(base + path, token, 64);
    table.push({
      figure: `HTTP GET ${path.split('?')[0]} (64 connections, ${HTTP_SECONDS} s)`,
      goal,
      measured: `${Math.round(r.rps).toLocaleString('en-US')} req/s, p99 ${r.p99} ms, ${r.errors + r.non2xx} errors`,
      ok: r.errors + r.non2xx === 0 && r.rps >= target,
    });
  }
} finally {
  child.kill('SIGTERM');
}

// --- ingest and SSE, against a server of their own ----------------------------------------------
table.push(...(await liveBenchmarks({ dbPath, secret: SECRET, quick: args.quick, tenantSlug: 'bench' })));

// --- widgets: bundle sizes, and the feed holding many items in Chromium ------------------------
// A part that fails is a row saying so, so the rest of the table is still printed.
const failedRow = (figure: string) => (e: unknown): Row[] => [{ figure, goal: 'runs', measured: `failed: ${e instanceof Error ? e.message : String(e)}`, ok: false }];
log('bundle sizes…');
table.push(...(await bundleBench().catch(failedRow('bundle sizes'))));
log('the feed in Chromium…');
table.push(...(await feedRenderBench({ quick: args.quick }).catch(failedRow('the feed in Chromium'))));
log('first render with data, per widget…');
table.push(...(await renderBench({ quick: args.quick }).catch(failedRow('first render with data, per widget'))));

// --- report -------------------------------------------------------------------------------------
printTable(table);
process.stdout.write(`\n${ROWS.toLocaleString('en-US')} activities in the measured tenant, ${(OTHER_TENANT_ROWS * 3).toLocaleString('en-US')} in three others; ${new Date().toISOString()}\n`);
