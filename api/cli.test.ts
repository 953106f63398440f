import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { createApp, DASHBOARD_BASE } from './app.js';
import { migrate, openDb } from './db/client.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'air-cli-'));
const env = { ...process.env, DB_PATH: join(dir, 'cli.db'), EMBED_SECRET: 'cli-test-secret-0123456789abcdef0123', LOG_LEVEL: 'silent' };
const cli = (...args: string[]) => run(process.execPath, ['--import', 'tsx', 'api/cli.ts', ...args], { env });
after(() => rmSync(dir, { recursive: true, force: true }));

test('tenant, key, token, seed and aggregate work together through the CLI', async () => {
  assert.match((await cli('tenant', 'create', 'acme', '--timezone', 'America/Chicago', '--origin', 'https://crm.acme.example')).stdout, /Created tenant "acme"/);
  const key = (await cli('key', 'create', '--tenant', 'acme', '--scopes', 'read,ingest')).stdout.trim().split('\n').pop()!;
  assert.match(key, /^air_/);
  const token = (await cli('token', '--tenant', 'acme', '--scopes', 'read', '--ttl', '10m', '--client-id', 'cl_0001')).stdout.trim();
  assert.equal(token.split('.').length, 3);
  assert.match((await cli('seed', '--tenant', 'acme', '--days', '3', '--per-day', '20')).stdout, /Seeded tenant "acme"/);
  assert.match((await cli('aggregate', '--tenant', 'acme')).stdout, /Aggregated acme \d{4}-\d{2}-\d{2}/);
  assert.match((await cli('score-skills', '--tenant', 'acme')).stdout, /^Scored \d+ skills of acme \(\d+ updated\)$/m);

  const db = openDb(env.DB_PATH);
  migrate(db);
  const app = createApp({ db, config: { embedSecret: env.EMBED_SECRET, corsOrigins: [], bodyLimitBytes: 1 << 20 } });
  const feed = await app.request(`${DASHBOARD_BASE}/activity/feed?limit=200`, { headers: { authorization: `Bearer ${key}` } });
  assert.equal(feed.status, 200);
  assert.ok(((await feed.json()) as { data: unknown[] }).data.length > 0);
  const locked = await app.request(`${DASHBOARD_BASE}/activity/feed?limit=200`, { headers: { authorization: `Bearer ${token}` } });
  const rows = ((await locked.json()) as { data: { client_id: string }[] }).data;
  assert.ok(rows.every((r) => r.client_id === 'cl_0001'));
  db.$client.close();
});

test('bad input exits 2 with a one-line message', async () => {
  const cases: [string[], RegExp][] = [
    [['tenant', 'create', 'Bad Slug!'], /slug/],
    [['tenant', 'create', 'zed', '--timezone', 'Mars/Olympus'], /time zone/],
    [['tenant', 'create', 'zed', '--origin', 'https://x.example/path'], /origin/],
    [['key', 'create', '--tenant', 'nobody'], /no tenant "nobody"/],
    [['key', 'create', '--tenant', 'acme', '--scopes', 'read,root'], /unknown: root/],
    [['token', '--tenant', 'acme', '--ttl', '2d'], /--ttl/],
    [['seed', '--tenant', 'acme'], /already has data/],
    [['aggregate', '--date', '2026-13-45'], /--date must be YYYY-MM-DD/],
    [['aggregate', '--tenant', 'acme', '--date', '2999-01-01'], /--date must be a day that is over/],
    [['score-skills', '--tenant', 'nobody'], /no tenant "nobody"/],
    [['frobnicate'], /unknown command/],
  ];
  for (const [args, message] of cases) {
    await assert.rejects(cli(...args), (e: { code: number; stderr: string }) => {
      assert.equal(e.code, 2, `${args.join(' ')}: ${e.stderr}`);
      assert.match(e.stderr, message);
      return true;
    });
  }
  await assert.rejects(run(process.execPath, ['--import', 'tsx', 'api/cli.ts', 'migrate'], { env: { ...env, PORT: 'eighty' } }), (e: { code: number; stderr: string }) => {
    assert.equal(e.code, 2);
    assert.match(e.stderr, /PORT/);
    return true;
  });
});
