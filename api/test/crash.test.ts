/**
 * Crash safety (SPEC §5, §9): the real server, as a child process, is killed with SIGKILL many
 * times during sustained ingest and restarted on the same database file. Afterwards every
 * acknowledged activity is in the database exactly once, a request retried with its
 * Idempotency-Key after a crash never creates a second row, and a stream that resumes with
 * Last-Event-ID after each restart received every committed activity.new exactly once, in order.
 */
import { spawnServer, type ServerProcess } from './server-process.js';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createParser } from 'eventsource-parser';
import { createApiKey } from '../auth/keys.js';
import { createTenant } from '../auth/tenants.js';
import { signEmbedToken } from '../auth/tokens.js';
import { migrate, openDb } from '../db/client.js';

const SECRET = 'crash-test-embed-secret-0123456789abcdef';
const KILLS = 8;
const CLIENTS = 4;

/** The real server in a child process, tracked so the test kills whatever is left. */
async function startServer(dbPath: string, children: Set<ChildProcess>): Promise<ServerProcess> {
  const server = spawnServer({
    dbPath,
    secret: SECRET,
    env: { LOG_LEVEL: 'silent', INGEST_RATE_PER_SECOND: '1000000', SIMULATOR_EVENTS_PER_MINUTE: '0' },
    timeoutMs: 30_000,
  });
  const started = await server;
  children.add(started.child);
  void started.exited.then(() => children.delete(started.child));
  return started;
}

/** `unref`: a timer that does not keep the process alive once the test is done. */
const sleep = (ms: number, unref = false) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    if (unref) timer.unref();
  });

test('SIGKILL during sustained ingest loses no acknowledged activity, duplicates none, and streams resume without a gap', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'crash-test-'));
  const dbPath = join(dir, 'crash.db');
  const children = new Set<ChildProcess>();
  t.after(() => {
    for (const c of children) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  const setup = openDb(dbPath);
  migrate(setup);
  const tenant = createTenant(setup, { slug: 'crash', timezone: 'America/New_York' });
  const other = createTenant(setup, { slug: 'crash-other', timezone: 'Europe/Berlin' });
  const apiKey = createApiKey(setup, tenant.id, ['ingest'], 'crash').key;
  const otherKey = createApiKey(setup, other.id, ['ingest'], 'crash-other').key;
  setup.$client.close();
  const token = (await signEmbedToken(SECRET, { tenant: 'crash', subject: 'crash-stream', scopes: ['read'], ttlSeconds: 3600 })).token;

  // The current server; `up` resolves when one is listening (replaced while it is down).
  let server: ServerProcess | undefined;
  let markUp!: () => void;
  let up = new Promise<void>((resolve) => (markUp = resolve));
  let ingesting = true;

  // --- ingest clients: each request is retried with the same key and body until acknowledged ---
  const acknowledged = new Map<string, string>(); // Idempotency-Key → activity id
  let failures = 0;
  let replays = 0;
  let sent = 0;
  const ingestClient = async (n: number) => {
    for (let i = 0; ingesting; i++) {
      const key = `c${n}-r${i}`;
      // Half the requests carry an external_id too; the other half rely on the header alone.
      const body = JSON.stringify({
        action_type: 'incoming_call',
        channel: 'voice',
        client_id: `cl_${n}`,
        outcome_status: 'success',
        metadata: { key },
        ...(i % 2 === 0 ? { external_id: `ext-${key}` } : {}),
      });
      for (let attempt = 0; ; attempt++) {
        await up;
        const s = server!;
        sent++;
        try {
          const res = await fetch(`http://127.0.0.1:${s.port}/api/v1/ai-receptionist/ingest/activity`, {
            method: 'POST',
            headers: { authorization: `Bearer ${n === 0 && i % 5 === 4 ? otherKey : apiKey}`, 'content-type': 'application/json', 'idempotency-key': key },
            body,
            signal: AbortSignal.timeout(10_000),
          });
          const text = await res.text();
          assert.equal(res.status, 201, `ingest answered ${res.status}: ${text}`);
          if (attempt > 0 && res.headers.get('idempotent-replayed') === 'true') replays++;
          if (!(n === 0 && i % 5 === 4)) acknowledged.set(key, (JSON.parse(text) as { data: { id: string } }).data.id);
          break;
        } catch (e) {
          if (e instanceof assert.AssertionError) throw e;
          failures++; // reset or refused: the server died; retry once a new one listens
          if (server === s) await sleep(10);
        }
      }
    }
  };

  // --- a stream that resumes with Last-Event-ID after every restart ---
  const received: { id: number; type: string; activityId?: string }[] = [];
  let lastEventId = '0'; // from the very first event
  let streamDone = false;
  let reconnects = 0;
  const connections: string[] = [];
  const notify = new Set<() => void>();
  const streamClient = async () => {
    while (!streamDone) {
      await up;
      const s = server!;
      try {
        const res = await fetch(`http://127.0.0.1:${s.port}/api/v1/ai-receptionist/dashboard/stream?topics=activity`, {
          headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream', 'last-event-id': lastEventId },
        });
        assert.equal(res.status, 200);
        reconnects++;
        connections.push(`port ${s.port} after ${lastEventId}`);
        const parser = createParser({
          onEvent: (e) => {
            assert.notEqual(e.event, 'reset', 'the stream was reset: events were lost');
            if (e.id !== undefined) lastEventId = e.id;
            if (e.event === 'ready') connections.push(`ready ${e.id}`);
            if (e.event === 'activity.new') {
              received.push({ id: Number(e.id), type: e.event, activityId: (JSON.parse(e.data) as { id: string }).id });
              for (const f of notify) f();
            }
          },
        });
        const decoder = new TextDecoder();
        for await (const chunk of res.body! as AsyncIterable<Uint8Array>) {
          parser.feed(decoder.decode(chunk, { stream: true }));
          if (streamDone) break;
        }
      } catch (e) {
        if (e instanceof assert.AssertionError) throw e;
      }
      if (server === s && !streamDone) await sleep(10);
    }
  };

  const startTimes: number[] = [];
  const start = async () => {
    const t0 = performance.now();
    server = await startServer(dbPath, children);
    startTimes.push(Math.round(performance.now() - t0));
    markUp();
  };
  await start();
  const clients = Array.from({ length: CLIENTS }, (_, n) => ingestClient(n));
  const stream = streamClient();
  const failFast = Promise.race([...clients, stream]).then(() => undefined);
  void failFast.catch(() => {});

  const delays: number[] = [];
  for (let k = 0; k < KILLS; k++) {
    const delay = 150 + Math.floor(Math.random() * 650);
    delays.push(delay);
    await Promise.race([sleep(delay), failFast]);
    const s = server!;
    up = new Promise<void>((resolve) => (markUp = resolve));
    s.child.kill('SIGKILL');
    await s.exited;
    await start();
  }
  await Promise.race([sleep(500), failFast]);
  ingesting = false;
  await Promise.all(clients);

  // The database, read beside the running server (WAL): what was committed.
  const db = openDb(dbPath);
  const rows = db.$client
    .prepare<[number], { id: string; key: string }>("SELECT id, json_extract(metadata, '$.key') AS key FROM ai_receptionist_activity WHERE tenant_id = ?")
    .all(tenant.id);
  const events = db.$client
    .prepare<[number], { seq: number; id: string }>("SELECT seq, json_extract(payload, '$.id') AS id FROM events WHERE tenant_id = ? AND type = 'activity.new' ORDER BY seq")
    .all(tenant.id);
  db.$client.close();

  // The stream catches up with everything committed, then stops.
  const newest = events.at(-1)!.seq;
  await Promise.race([
    new Promise<void>((resolve) => {
      const check = () => (received.at(-1)?.id ?? 0) >= newest && resolve();
      notify.add(check);
      check();
    }),
    sleep(15_000, true),
  ]);
  streamDone = true;
  const s = server!;
  s.child.kill('SIGKILL');
  await s.exited;
  await stream;

  t.diagnostic(
    `${KILLS} kills after ${delays.join(', ')} ms; ${sent} requests sent, ${acknowledged.size} acknowledged, ${failures} failed by a kill ` +
      `and retried, ${replays} retries answered as replays (committed before the kill); ${rows.length} rows; ` +
      `${received.length} activity.new received over ${reconnects} connections; restarts took ${startTimes.join(', ')} ms`,
  );

  // Every acknowledged activity is stored, under its key, exactly once; nothing else is.
  assert.ok(acknowledged.size > 100, `only ${acknowledged.size} activities acknowledged`);
  assert.ok(failures > 0, 'no request was cut by a kill: the test proved nothing');
  const byId = new Map(rows.map((r) => [r.id, r.key]));
  for (const [key, id] of acknowledged) assert.equal(byId.get(id), key, `acknowledged activity ${id} (${key}) is missing`);
  const keys = rows.map((r) => r.key);
  assert.equal(new Set(keys).size, keys.length, 'an Idempotency-Key created two activities');
  assert.equal(rows.length, acknowledged.size, 'rows that no acknowledgement accounts for');

  // One activity.new per committed activity, and the stream received each exactly once, in order.
  assert.deepEqual(new Set(events.map((e) => e.id)), new Set(byId.keys()));
  for (let i = 1; i < received.length; i++) assert.ok(received[i]!.id > received[i - 1]!.id, `event ${received[i]!.id} after ${received[i - 1]!.id}`);
  const got = new Set(received.map((r) => r.id));
  const missing = events.filter((e) => !got.has(e.seq)).map((e) => e.seq);
  assert.equal(missing.length, 0, `missing ${missing.join(', ')} (newest ${newest}); connections: ${connections.join('; ')}`);
  assert.deepEqual(
    received.map((r) => [r.id, r.activityId]),
    events.map((e) => [e.seq, e.id]),
    'the stream missed or repeated events',
  );
});
