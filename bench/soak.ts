/**
 * `npm run test:soak`: the load test of SPEC §9 against a real server on loopback. 1,000 SSE
 * clients (in two processes) stay connected while a mixed REST load (feed, realtime metrics,
 * system health) and a steady ingest run for 60 s (`--seconds N` to shorten, `--clients N`,
 * `--rate N` ingests per second). Passes when nothing failed, every client received every event
 * exactly once, and the server's memory came back down after the clients left. Prints a table;
 * exits 1 when a check fails.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createApiKey } from '../api/auth/keys.js';
import { createTenant } from '../api/auth/tenants.js';
import { signEmbedToken } from '../api/auth/tokens.js';
import { migrate, openDb } from '../api/db/client.js';
import { seedTenant } from '../api/seed/generator.js';
import { ACTIVITY, autocannon, awaitDeliveries, ClientProcess, post, publisher, rssKb, startServer, type LoadResult, type Server } from './live.js';
import { printTable, type Row } from './table.js';
import { stopProcess as stop } from '../api/test/server-process.js';

const { values: args } = parseArgs({
  options: { seconds: { type: 'string', default: '60' }, clients: { type: 'string', default: '1000' }, rate: { type: 'string', default: '5' } },
});
const SECONDS = Number(args.seconds);
const CLIENTS = Number(args.clients);
const RATE = Number(args.rate);
const SECRET = 'soak-embed-secret-0123456789abcdefghijkl';
/** RSS after the clients left may exceed the RSS before they came by at most this much. */
const RSS_BOUND_MB = 64;

const log = (s: string) => process.stderr.write(s + '\n');
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;

const dir = mkdtempSync(join(tmpdir(), 'soak-'));
const dbPath = join(dir, 'soak.db');
const db = openDb(dbPath);
migrate(db);
const tenant = createTenant(db, { slug: 'soak', timezone: 'America/New_York' });
seedTenant(db, { tenantId: tenant.id, timezone: tenant.timezone, rows: 20_000, now: Date.now(), seed: 7 });
const apiKey = createApiKey(db, tenant.id, ['ingest'], 'soak').key;
db.$client.close();
const token = (await signEmbedToken(SECRET, { tenant: 'soak', subject: 'soak', scopes: ['read'], ttlSeconds: 3600 })).token;

const rows: Row[] = [];
const clients: ClientProcess[] = [];
const loaders = new Set<ChildProcess>();
let server: Server | undefined;
try {
  server = await startServer({ dbPath, secret: SECRET, quick: false, tenantSlug: 'soak' });
  const { port } = server;
  const pid = server.child.pid!;
  const base = `http://127.0.0.1:${port}/api/v1/ai-receptionist`;
  const streamUrl = `${base}/dashboard/stream?topics=activity`;

  for (let i = 0; i < 2; i++) clients.push(await ClientProcess.start());
  // Warm-up, not counted: the stream, REST and ingest paths loaded and compiled.
  await clients[0]!.open(streamUrl, token, 100);
  for (const path of ['/activity/feed?limit=50', '/metrics/realtime', '/system-health']) {
    await autocannon(['-c', '2', '-a', '200', '-H', `authorization=Bearer ${token}`, `${base}/dashboard${path}`], loaders);
  }
  for (let i = 0; i < 5; i++) await post(port, apiKey, JSON.stringify({ ...ACTIVITY, metadata: { sent_at: Date.now(), phase: 'warm-up' } }));
  await clients[0]!.drop();
  await sleep(2000);
  const rssBefore = rssKb(pid);

  log(`soak: opening ${int(CLIENTS)} streams from ${clients.length} processes…`);
  const share = (i: number) => Math.floor(CLIENTS / clients.length) + (i < CLIENTS % clients.length ? 1 : 0);
  const opened = await Promise.all(clients.map((c, i) => c.open(streamUrl, token, share(i))));
  const held = opened.reduce((n, o) => n + o.open, 0);
  const openFailed = opened.reduce((n, o) => n + o.failed, 0);
  rows.push({
    figure: 'SSE clients connected (2 processes)',
    goal: `${int(CLIENTS)}, 0 failed`,
    measured: `${int(held)} held, ${openFailed} failed${openFailed ? `: ${opened.find((o) => o.error)?.error}` : ''}`,
    ok: held === CLIENTS && openFailed === 0,
  });

  log(`soak: ${SECONDS} s of REST load and ${RATE} ingests/s…`);
  const rest: [string, Promise<LoadResult>][] = [
    ['/activity/feed?limit=50', 100],
    ['/metrics/realtime', 100],
    ['/system-health', 50],
  ].map(([path, rate]) => [
    String(path),
    autocannon(['-c', '4', '-R', String(rate), '-d', String(SECONDS), '-H', `authorization=Bearer ${token}`, `${base}/dashboard${path}`], loaders),
  ]);
  const statuses: Promise<number>[] = [];
  const events = Math.max(1, Math.round(RATE * SECONDS));
  const start = performance.now();
  for (let i = 0; i < events; i++) {
    const wait = start + (i * 1000) / RATE - performance.now();
    if (wait > 0) await sleep(wait);
    const body = JSON.stringify({ ...ACTIVITY, client_id: `cl_${i % 20}`, metadata: { sent_at: performance.timeOrigin + performance.now(), phase: 'latency' } });
    statuses.push(post(port, apiKey, body).catch(() => 0));
  }
  const ingestErrors = (await Promise.all(statuses)).filter((s) => s !== 201).length;
  rows.push({ figure: `ingest, one activity per POST (${RATE}/s for ${SECONDS} s)`, goal: '0 errors', measured: `${int(events)} sent, ${ingestErrors} errors`, ok: ingestErrors === 0 });
  for (const [path, result] of rest) {
    const r = await result;
    rows.push({
      figure: `REST GET ${path.split('?')[0]} (4 connections, paced)`,
      goal: '0 errors',
      measured: `${int(r.ok2xx)} answered 2xx (${int(r.ok2xx / r.seconds)} req/s), p99 ${r.p99} ms, ${r.errors} errors`,
      ok: r.errors === 0 && r.ok2xx > 0,
    });
  }

  const stats = await awaitDeliveries(clients, 'latency', events * held, 60_000);
  const rssPeak = rssKb(pid);
  const counts = (await Promise.all(clients.map((c) => c.counts()))).flatMap((c) => [...c.counts]);
  const dropped = stats.reduce((n, s) => n + s.dropped, 0);
  const short = counts.filter((n) => n !== events).length;
  rows.push({
    figure: `events delivered per client (${int(events)} events × ${int(counts.length)} clients)`,
    goal: `every client ${int(events)}`,
    measured:
      `min ${int(Math.min(...counts))}, max ${int(Math.max(...counts))}; ${short} clients short, ${dropped} streams dropped; ` +
      `${int(counts.reduce((a, b) => a + b, 0))} deliveries`,
    ok: counts.length === CLIENTS && short === 0 && dropped === 0,
  });

  log('soak: clients leave…');
  await Promise.all(clients.map((c) => c.drop()));
  await Promise.all(clients.splice(0).map((c) => c.stop()));
  // Idle until the server's collector has run: RSS settles when nothing allocates.
  let rssAfter = rssKb(pid);
  for (let i = 0; i < 10; i++) {
    await sleep(1000);
    rssAfter = rssKb(pid);
    if (rssAfter <= rssBefore + RSS_BOUND_MB * 1024) break;
  }
  rows.push({
    figure: 'server RSS before clients → with clients → after they left (≤ 10 s idle)',
    goal: `after ≤ before + ${RSS_BOUND_MB} MB`,
    measured: `${mb(rssBefore)} → ${mb(rssPeak)} → ${mb(rssAfter)}`,
    ok: rssAfter <= rssBefore + RSS_BOUND_MB * 1024,
  });
} catch (e) {
  rows.push({ figure: 'soak test', goal: 'runs', measured: `failed: ${e instanceof Error ? e.message : String(e)}`, ok: false });
} finally {
  publisher.destroy();
  await Promise.all([...clients.map((c) => c.stop()), ...[...loaders].map((c) => stop(c, 1000))]);
  if (server) await stop(server.child);
  rmSync(dir, { recursive: true, force: true });
}

printTable(rows);
const failed = rows.filter((r) => r.ok === false).length;
process.stdout.write(`\n${failed ? `${failed} checks failed` : 'all checks passed'}; ${SECONDS} s, ${new Date().toISOString()}\n`);
process.exitCode = failed ? 1 : 0;
