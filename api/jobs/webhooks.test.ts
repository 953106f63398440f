import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../config.js';
import type { Logger } from '../lib/logger.js';
import { OutboundPolicy } from '../lib/outbound.js';
import { sealWebhookSecrets } from '../routes/webhooks/webhooks.queries.js';
import { createHarness, json, NOW, type Harness } from '../test/harness.js';
import { startTestServer, type ReceivedRequest, type TestServer } from '../test/http-server.js';
import { pruneWebhookDeliveries, WebhookDispatcher } from './webhooks.js';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
let h: Harness;
const servers: TestServer[] = [];

before(async () => {
  // The receivers listen on 127.0.0.1: registering them needs the allow flag.
  h = await createHarness({ outboundAllowPrivate: true });
});
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  h.close();
});

async function receiver(handle: Parameters<typeof startTestServer>[0] = (res) => res.writeHead(204).end()) {
  const s = await startTestServer(handle);
  servers.push(s);
  return s;
}

const allowPrivate = new OutboundPolicy({ allowPrivate: true });
const dispatcher = (deps: { outbound?: OutboundPolicy; log?: Logger } = { outbound: allowPrivate }) =>
  new WebhookDispatcher({ db: h.db, clock: () => h.clock.now, live: h.live, secrets: h.secrets, ...deps }, { timeoutMs: 300 });

async function register(credential: string, url: string, events: string[]) {
  return json<{ id: string; secret: string }>(
    await h.request('/webhooks', { method: 'POST', credential, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url, events }) }),
    201,
  );
}

async function deliveries(webhookId: string, credential = h.a.keys.admin) {
  return (await json(await h.get(`/webhooks/${webhookId}/deliveries`, credential))).data as {
    id: string;
    event_type: string;
    status: string;
    attempts: number;
    next_attempt_at: string | null;
    last_response_status: number | null;
    last_error: string | null;
    attempt_log: { attempt: number; ok: boolean; response_status: number | null; error: string | null; next_attempt_at: string | null }[];
  }[];
}

/** What a receiver does, with node:crypto only: recompute the HMAC over "<timestamp>.<body>" and compare in constant time. */
function verify(secret: string, r: ReceivedRequest): boolean {
  const timestamp = String(r.headers['webhook-timestamp']);
  const expected = Buffer.from(`v1=${createHmac('sha256', secret).update(`${timestamp}.${r.body}`).digest('hex')}`);
  const given = Buffer.from(String(r.headers['webhook-signature']));
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function ingestError(credential: string, body: Record<string, unknown>): Promise<{ data: { id: string } & Record<string, unknown> }> {
  const res = await h.request('/api/v1/ai-receptionist/ingest/errors', {
    method: 'POST',
    credential,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return json(res, 201);
}

describe('webhook deliveries to real receivers', () => {
  let live: WebhookDispatcher;
  let a: TestServer;
  let b: TestServer;
  let hookA: { id: string; secret: string };
  let hookB: { id: string; secret: string };

  before(async () => {
    live = dispatcher();
    live.start();
    a = await receiver();
    b = await receiver();
    hookA = await register(h.a.keys.admin, a.url, ['error.detected', 'fix.approved']);
    hookB = await register(h.b.keys.admin, b.url, ['error.detected', 'error.updated', 'fix.approved', 'system.health.change', 'activity.new']);
  });
  after(() => live.stop());

  test('an event is POSTed as JSON, signed with HMAC-SHA256 over "<timestamp>.<body>", and logged as delivered', async () => {
    const received = a.nextRequest();
    const { data: error } = await ingestError(h.a.keys.ingest, { error_type: 'unrecognized_request', severity: 'medium', message_in: 'Do you lend on boats?' });
    const r = await received;
    await live.idle();

    assert.equal(r.method, 'POST');
    assert.equal(r.headers['content-type'], 'application/json');
    assert.equal(r.headers['webhook-timestamp'], String(NOW / 1000));
    assert.match(String(r.headers['webhook-signature']), /^v1=[0-9a-f]{64}$/);
    assert.ok(verify(hookA.secret, r), 'the signature verifies with the secret shown at creation');
    assert.ok(!verify(hookB.secret, r), 'and with no other secret');
    assert.ok(!verify(hookA.secret, { ...r, body: r.body.replace('boats', 'cars') }), 'a changed body fails verification');

    const body = JSON.parse(r.body);
    assert.equal(body.type, 'error.detected');
    assert.equal(body.id, r.headers['webhook-id']);
    assert.equal(body.created_at, new Date(NOW).toISOString());
    assert.deepEqual(body.data, error);
    assert.equal(body.data.root_cause, 'No skill covers this request');
    const seq = h.db.$client.prepare("SELECT max(seq) AS seq FROM events WHERE tenant_id = ? AND type = 'error.detected'").get(h.a.tenant.id) as { seq: number };
    assert.equal(body.event_id, seq.seq);

    const [d] = await deliveries(hookA.id);
    assert.equal(d!.id, r.headers['webhook-id']);
    assert.deepEqual(
      [d!.event_type, d!.status, d!.attempts, d!.last_response_status, d!.last_error, d!.next_attempt_at],
      ['error.detected', 'delivered', 1, 204, null, null],
    );
    assert.deepEqual(d!.attempt_log.map((x) => [x.attempt, x.ok, x.response_status]), [[1, true, 204]]);
  });

  test('no delivery ever reaches another tenant’s webhook', async () => {
    await live.run();
    await live.idle();
    assert.equal(b.received.length, 0);
    assert.deepEqual(await deliveries(hookB.id, h.b.keys.admin), []);
    // Tenant a cannot even see tenant b's webhook.
    assert.equal((await h.get(`/webhooks/${hookB.id}/deliveries`, h.a.keys.admin)).status, 404);

    const received = b.nextRequest();
    await ingestError(h.b.keys.ingest, { error_type: 'other', severity: 'low', message_in: 'B only' });
    const r = await received;
    assert.ok(verify(hookB.secret, r));
    assert.equal(JSON.parse(r.body).data.message_in, 'B only');
    await live.idle();
    await live.run();
    assert.ok(a.received.every((x) => !x.body.includes('B only')));
    assert.equal((await deliveries(hookA.id)).length, 1);
  });

  test('only the subscribed event types are delivered', async () => {
    await json(
      await h.request('/api/v1/ai-receptionist/ingest/system-health/crm_pipeline', {
        method: 'POST',
        credential: h.a.keys.ingest,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ status: 'down' }),
      }),
    );
    await live.idle();
    await live.run();
    assert.deepEqual(
      (await deliveries(hookA.id)).map((d) => d.event_type),
      ['error.detected'],
    );
  });

  test('a failing receiver is retried with backoff until it succeeds; the delivery id stays, each attempt is signed anew', async () => {
    const flaky = await receiver((res, n) => res.writeHead(n === 1 ? 500 : 200).end());
    const hook = await register(h.a.keys.admin, flaky.url, ['fix.approved']);
    const { data: error } = await ingestError(h.a.keys.ingest, { error_type: 'transfer_failed', severity: 'high' });
    const first = flaky.nextRequest();
    await json(await h.request(`/errors/${error.id}/approve-fix`, { method: 'POST', credential: h.a.keys.admin, headers: { 'content-type': 'application/json' }, body: '{}' }));
    const r1 = await first;
    await live.idle();

    let [d] = await deliveries(hook.id);
    assert.deepEqual([d!.status, d!.attempts, d!.last_response_status, d!.last_error], ['pending', 1, 500, 'HTTP 500']);
    assert.equal(d!.next_attempt_at, new Date(NOW + MIN).toISOString());

    // Not due yet: nothing is sent.
    h.clock.now = NOW + MIN - 1;
    await live.run();
    assert.equal(flaky.received.length, 1);

    h.clock.now = NOW + MIN;
    const second = flaky.nextRequest();
    await live.run();
    const r2 = await second;
    [d] = await deliveries(hook.id);
    assert.deepEqual([d!.status, d!.attempts, d!.last_response_status, d!.next_attempt_at], ['delivered', 2, 200, null]);
    assert.deepEqual(
      d!.attempt_log.map((x) => [x.attempt, x.ok, x.response_status, x.error, x.next_attempt_at]),
      [
        [1, false, 500, 'HTTP 500', new Date(NOW + MIN).toISOString()],
        [2, true, 200, null, null],
      ],
    );
    assert.equal(r1.headers['webhook-id'], r2.headers['webhook-id']);
    assert.equal(r1.body, r2.body);
    assert.equal(r2.headers['webhook-timestamp'], String((NOW + MIN) / 1000));
    assert.ok(verify(hook.secret, r1) && verify(hook.secret, r2));
    assert.equal(JSON.parse(r2.body).data.error_id, error.id);

    await live.run();
    assert.equal(flaky.received.length, 2, 'a delivered event is not sent again');
    h.clock.now = NOW;
  });

  test('a hanging receiver times out; after five attempts the delivery is given up as failed', async () => {
    const hanging = await receiver(() => {});
    const hook = await register(h.a.keys.admin, hanging.url, ['error.detected']);
    const first = hanging.nextRequest();
    await ingestError(h.a.keys.ingest, { error_type: 'other', severity: 'low' });
    await first;
    await live.idle();
    for (const wait of [1, 4, 16, 64]) {
      h.clock.now += wait * MIN;
      await live.run();
    }
    const [d] = await deliveries(hook.id);
    assert.deepEqual([d!.status, d!.attempts, d!.next_attempt_at], ['failed', 5, null]);
    assert.deepEqual(
      d!.attempt_log.map((x) => [x.attempt, x.ok, x.response_status, x.error]),
      [1, 2, 3, 4, 5].map((n) => [n, false, null, 'timed out after 300 ms']),
    );
    assert.equal(d!.attempt_log[4]!.next_attempt_at, null);
    h.clock.now += 1000 * MIN;
    await live.run();
    assert.equal(hanging.received.length, 5);
    h.clock.now = NOW;
    assert.equal((await h.request(`/webhooks/${hook.id}`, { method: 'DELETE', credential: h.a.keys.admin })).status, 204);
  });

  test('deliveries survive a restart: events committed while stopped, and pending retries, are delivered by the next server', async () => {
    const down = await receiver((res, n) => res.writeHead(n === 1 ? 503 : 204).end());
    const hook = await register(h.a.keys.admin, down.url, ['error.detected']);
    const first = down.nextRequest();
    await ingestError(h.a.keys.ingest, { error_type: 'other', severity: 'low', message_in: 'before the restart' });
    await first;
    await live.idle();
    await live.stop();

    // The server is down: this event is committed, but no dispatcher is listening.
    await ingestError(h.a.keys.ingest, { error_type: 'other', severity: 'low', message_in: 'while stopped' });
    assert.equal(down.received.length, 1);

    const restarted = dispatcher();
    h.clock.now = NOW + MIN;
    await restarted.run();
    assert.deepEqual(
      down.received.slice(1).map((r) => JSON.parse(r.body).data.message_in).sort(),
      ['before the restart', 'while stopped'],
    );
    assert.deepEqual(
      (await deliveries(hook.id)).map((d) => [d.status, d.attempts]),
      [
        ['delivered', 1],
        ['delivered', 2],
      ],
    );
    await restarted.stop();
    h.clock.now = NOW;
    live = dispatcher();
    live.start();
  });

  test('a deleted webhook loses its log and receives nothing more', async () => {
    const res = await h.request(`/webhooks/${hookA.id}`, { method: 'DELETE', credential: h.a.keys.admin });
    assert.equal(res.status, 204);
    const before = a.received.length;
    await ingestError(h.a.keys.ingest, { error_type: 'other', severity: 'low' });
    await live.run();
    await live.idle();
    assert.equal(a.received.length, before);
    assert.equal((await h.get(`/webhooks/${hookA.id}/deliveries`, h.a.keys.admin)).status, 404);
    const left = h.db.$client.prepare('SELECT count(*) AS n FROM webhook_deliveries WHERE webhook_id = ?').get(hookA.id);
    assert.deepEqual(left, { n: 0 });
  });
});

/** A logger that keeps what it is told. */
function recordingLog() {
  const entries: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  const at = (level: string) => (msg: string, fields?: Record<string, unknown>) => void entries.push({ level, msg, fields });
  return { entries, log: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } satisfies Logger };
}

const storedSecret = (id: string) => h.db.$client.prepare('SELECT secret FROM webhooks WHERE id = ?').pluck().get(id) as string;

describe('sealed secrets and the outbound policy at delivery time', () => {
  let r: TestServer;
  before(async () => {
    r = await receiver();
  });

  test('the stored column never holds the secret, and deliveries still verify with node:crypto HMAC', async () => {
    const hook = await register(h.a.keys.admin, r.url, ['error.detected']);
    assert.match(storedSecret(hook.id), /^v1:/);
    assert.ok(!storedSecret(hook.id).includes(hook.secret));
    const all = h.db.$client.prepare('SELECT * FROM webhooks').all();
    assert.ok(!JSON.stringify(all).includes(hook.secret), 'no column of any webhook row');

    const d = dispatcher();
    await ingestError(h.a.keys.ingest, { error_type: 'other', severity: 'low', message_in: 'sealed' });
    const received = r.nextRequest();
    await d.run();
    assert.ok(verify(hook.secret, await received));
    assert.deepEqual((await deliveries(hook.id)).map((x) => x.status), ['delivered']);
    assert.equal((await h.request(`/webhooks/${hook.id}`, { method: 'DELETE', credential: h.a.keys.admin })).status, 204);
  });

  test('a row written before sealing (secret in clear) still delivers, and start-up sealing reseals it', async () => {
    const hook = await register(h.a.keys.admin, r.url, ['error.detected']);
    h.db.$client.prepare('UPDATE webhooks SET secret = ? WHERE id = ?').run(hook.secret, hook.id);
    const d = dispatcher();
    await ingestError(h.a.keys.ingest, { error_type: 'other', severity: 'low', message_in: 'legacy' });
    let received = r.nextRequest();
    await d.run();
    assert.ok(verify(hook.secret, await received), 'signed with the plain secret as stored');

    assert.deepEqual(sealWebhookSecrets(h.db, h.secrets), { resealed: 1, unreadable: 0 });
    assert.match(storedSecret(hook.id), /^v1:/);
    assert.deepEqual(sealWebhookSecrets(h.db, h.secrets), { resealed: 0, unreadable: 0 }, 'idempotent');
    await ingestError(h.a.keys.ingest, { error_type: 'other', severity: 'low', message_in: 'resealed' });
    received = r.nextRequest();
    await d.run();
    assert.ok(verify(hook.secret, await received), 'the same secret, now sealed');
    assert.deepEqual((await deliveries(hook.id)).map((x) => x.status), ['delivered', 'delivered']);
    assert.equal((await h.request(`/webhooks/${hook.id}`, { method: 'DELETE', credential: h.a.keys.admin })).status, 204);
  });

  test('a tampered ciphertext: a failed attempt that says why, nothing sent, no crash', async () => {
    const hook = await register(h.a.keys.admin, r.url, ['error.detected']);
    const [prefix, iv, tag, ciphertext] = storedSecret(hook.id).split(':') as [string, string, string, string];
    const bytes = Buffer.from(ciphertext, 'base64url');
    bytes[3]! ^= 0x40;
    h.db.$client.prepare('UPDATE webhooks SET secret = ? WHERE id = ?').run(`${prefix}:${iv}:${tag}:${bytes.toString('base64url')}`, hook.id);
    const { entries, log } = recordingLog();
    const d = dispatcher({ outbound: allowPrivate, log });
    const before = r.received.length;
    await ingestError(h.a.keys.ingest, { error_type: 'other', severity: 'low', message_in: 'tampered' });
    await d.run();
    assert.equal(r.received.length, before);
    const [x] = await deliveries(hook.id);
    assert.deepEqual([x!.status, x!.attempts, x!.last_response_status], ['pending', 1, null]);
    assert.match(x!.last_error!, /^not sent: the webhook's signing secret cannot be read \(the sealed value does not open/);
    assert.deepEqual(x!.attempt_log.map((a) => [a.ok, a.error === x!.last_error]), [[false, true]]);
    assert.ok(entries.some((e) => e.level === 'error' && e.msg === 'webhook secret unreadable' && e.fields?.webhook === hook.id));
    assert.deepEqual(sealWebhookSecrets(h.db, h.secrets), { resealed: 0, unreadable: 1 }, 'left as it is, and counted');
    assert.equal((await h.request(`/webhooks/${hook.id}`, { method: 'DELETE', credential: h.a.keys.admin })).status, 204);
  });

  test('without the allow flag, a URL whose name resolves to 127.0.0.1 is refused when delivering: a failed attempt, logged, and the receiver is never reached', async () => {
    // Registered while allowed (or while its name resolved elsewhere); the policy is on when delivering.
    const hook = await register(h.a.keys.admin, `http://localhost:${new URL(r.url).port}/hook`, ['error.detected']);
    const { entries, log } = recordingLog();
    const strict = dispatcher({ log });
    const before = r.received.length;
    await ingestError(h.a.keys.ingest, { error_type: 'other', severity: 'low', message_in: 'to localhost' });
    await strict.run();
    assert.equal(r.received.length, before, 'the server listening on 127.0.0.1 got nothing');
    const [x] = await deliveries(hook.id);
    assert.deepEqual([x!.status, x!.attempts, x!.last_response_status], ['pending', 1, null]);
    assert.match(x!.last_error!, /^refused: localhost resolves to (127\.0\.0\.1|::1), a loopback address$/);
    assert.equal(x!.next_attempt_at, new Date(h.clock.now + MIN).toISOString());
    assert.ok(entries.some((e) => e.level === 'warn' && e.msg === 'webhook delivery refused by the outbound policy' && e.fields?.error === x!.last_error));

    // The same delivery goes out once the policy allows it (development).
    h.clock.now += MIN;
    const received = r.nextRequest();
    await dispatcher().run();
    assert.ok(verify(hook.secret, await received));
    assert.deepEqual((await deliveries(hook.id)).map((d) => [d.status, d.attempts]), [['delivered', 2]]);
    h.clock.now = NOW;
    assert.equal((await h.request(`/webhooks/${hook.id}`, { method: 'DELETE', credential: h.a.keys.admin })).status, 204);
  });
});

describe('pruning the delivery log', () => {
  test('finished deliveries older than the retention go with their attempts; pending ones stay however old', async () => {
    const hook = await register(h.b.keys.admin, 'https://crm.example/prune', ['error.detected']);
    const tenant = h.b.tenant.id;
    const insert = h.db.$client.prepare(
      "INSERT INTO webhook_deliveries (id, tenant_id, webhook_id, event_seq, event_type, body, status, attempts, created_at) VALUES (?, ?, ?, ?, 'error.detected', '{}', ?, 1, ?)",
    );
    const attempt = h.db.$client.prepare('INSERT INTO webhook_delivery_attempts (tenant_id, delivery_id, attempt, attempted_at, duration_ms, ok) VALUES (?, ?, 1, ?, 5, 0)');
    const rows: [id: string, status: string, createdAt: number][] = [
      ['old_delivered', 'delivered', NOW - 40 * DAY],
      ['old_failed', 'failed', NOW - 31 * DAY],
      ['old_pending', 'pending', NOW - 40 * DAY],
      ['at_cutoff', 'delivered', NOW - 30 * DAY],
      ['recent', 'delivered', NOW - DAY],
    ];
    // A backlog larger than one batch.
    for (let i = 0; i < 2_345; i++) rows.push([`backlog_${i}`, i % 2 ? 'failed' : 'delivered', NOW - 60 * DAY + i]);
    h.db.$client.transaction(() => {
      for (const [i, [id, status, at]] of rows.entries()) {
        insert.run(id, tenant, hook.id, 1_000_000 + i, status, at);
        attempt.run(tenant, id, at);
      }
    })();

    assert.equal(pruneWebhookDeliveries(h.db, NOW, 30 * DAY), 2 + 2_345);
    const left = h.db.$client.prepare('SELECT id FROM webhook_deliveries WHERE webhook_id = ? ORDER BY id').pluck().all(hook.id);
    assert.deepEqual(left, ['at_cutoff', 'old_pending', 'recent']);
    const attempts = h.db.$client
      .prepare('SELECT delivery_id FROM webhook_delivery_attempts WHERE tenant_id = ? AND delivery_id IN (SELECT value FROM json_each(?)) ORDER BY delivery_id')
      .pluck()
      .all(tenant, JSON.stringify(rows.map(([id]) => id)));
    assert.deepEqual(attempts, ['at_cutoff', 'old_pending', 'recent']);

    // A day later the delivery at the cutoff has aged out; the pending one still stays.
    assert.equal(pruneWebhookDeliveries(h.db, NOW + DAY, 30 * DAY), 1);
    pruneWebhookDeliveries(h.db, NOW + 1000 * DAY, 30 * DAY);
    assert.deepEqual(h.db.$client.prepare('SELECT id FROM webhook_deliveries WHERE webhook_id = ?').pluck().all(hook.id), ['old_pending']);
  });
});

test('the retentions of the delivery log and the check history: 30 days by default, at least a day', () => {
  const base = { EMBED_SECRET: 'config-test-secret-0123456789abcdef0123' };
  const defaults = loadConfig(base);
  assert.deepEqual([defaults.webhookLogRetentionMs, defaults.healthCheckRetentionMs], [30 * DAY, 30 * DAY]);
  const set = loadConfig({ ...base, WEBHOOK_LOG_RETENTION_DAYS: '7', HEALTH_CHECK_RETENTION_DAYS: '1.5' });
  assert.deepEqual([set.webhookLogRetentionMs, set.healthCheckRetentionMs], [7 * DAY, 1.5 * DAY]);
  for (const name of ['WEBHOOK_LOG_RETENTION_DAYS', 'HEALTH_CHECK_RETENTION_DAYS']) {
    assert.throws(() => loadConfig({ ...base, [name]: '0.5' }), (e: Error) => e instanceof ConfigError && e.message.includes(name));
  }
});
