import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Logger } from '../lib/logger.js';
import { OutboundPolicy } from '../lib/outbound.js';
import { createHarness, json, NOW, type Harness } from '../test/harness.js';
import { startTestServer as startServer, type TestServer } from '../test/http-server.js';
import { HealthMonitor, pruneHealthChecks } from './health-monitor.js';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const allowPrivate = new OutboundPolicy({ allowPrivate: true });

let h: Harness;
let servers: Record<string, TestServer>;
const changes: { tenant: number; component: string; from: string | null; to: string; at: number; down_since: string | null }[] = [];

before(async () => {
  // The probed servers listen on 127.0.0.1: registering them needs the allow flag.
  h = await createHarness({ outboundAllowPrivate: true });
  h.live.bus.observe((e) => {
    if (e.type !== 'system.health.change') return;
    const data = JSON.parse(e.data) as { component_name: string; previous_status: string | null; status: string; down_since: string | null };
    changes.push({ tenant: e.tenantId, component: data.component_name, from: data.previous_status, to: data.status, at: h.clock.now, down_since: data.down_since });
  });
  servers = {
    healthy: await startServer((res) => res.end('ok')),
    // The server answers after 150 ms; the component's threshold is 50 ms.
    slow: await startServer((res) => setTimeout(() => res.end('ok'), 150)),
    failing: await startServer((res) => {
      res.statusCode = 503;
      res.end('unavailable');
    }),
    recovering: await startServer((res, n) => {
      res.statusCode = n <= 3 ? 500 : 200;
      res.end();
    }),
    // Accepts the request and never answers.
    hanging: await startServer(() => {}),
    stuck: await startServer(() => {}),
    sparse: await startServer((res) => res.end('ok')),
    disabled: await startServer((res) => res.end('ok')),
    other: await startServer((res) => res.end('ok')),
  };
});

after(async () => {
  await Promise.all(Object.values(servers).map((s) => s.close()));
  h.close();
});

async function configure(credential: string, component: string, body: Record<string, unknown>) {
  const res = await h.request(`/monitors/${component}`, { method: 'PUT', credential, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return json(res, 201);
}

function component(tenantId: number, name: string) {
  return h.db.$client
    .prepare('SELECT status, consecutive_failures, down_since, uptime_percentage, latency_ms, message FROM ai_receptionist_system_health WHERE tenant_id = ? AND component_name = ?')
    .get(tenantId, name) as { status: string; consecutive_failures: number; down_since: number | null; uptime_percentage: number; latency_ms: number | null; message: string };
}

function sequence(name: string, tenant = h.a.tenant.id) {
  return changes.filter((c) => c.component === name && c.tenant === tenant).map((c) => [c.from, c.to, (c.at - NOW) / MIN]);
}

describe('the health monitor against real HTTP servers', () => {
  const monitor = () => new HealthMonitor({ db: h.db, clock: () => h.clock.now, live: h.live, outbound: allowPrivate });
  let m: HealthMonitor;

  before(async () => {
    const admin = h.a.keys.admin;
    await configure(admin, 'healthy_api', { probe_url: servers.healthy!.url, latency_threshold_ms: 5_000 });
    await configure(admin, 'slow_api', { probe_url: servers.slow!.url, latency_threshold_ms: 50 });
    await configure(admin, 'failing_api', { probe_url: servers.failing!.url });
    await configure(admin, 'recovering_api', { probe_url: servers.recovering!.url, latency_threshold_ms: 5_000 });
    await configure(admin, 'hanging_api', { probe_url: servers.hanging!.url, timeout_ms: 200 });
    await configure(admin, 'sparse_api', { probe_url: servers.sparse!.url, interval_ms: 2 * MIN, latency_threshold_ms: 5_000 });
    await configure(admin, 'disabled_api', { probe_url: servers.disabled!.url, enabled: false });
    await configure(h.b.keys.admin, 'healthy_api', { probe_url: servers.other!.url, latency_threshold_ms: 5_000 });
    m = monitor();
    // Eight rounds, one minute apart.
    for (let round = 0; round < 8; round++) {
      const started = performance.now();
      await m.runDue();
      // The hanging server never answers: the round still ends, bounded by that probe's timeout.
      assert.ok(performance.now() - started < 5_000, `round ${round} took ${performance.now() - started} ms`);
      if (round < 7) h.clock.now += MIN;
    }
  });

  test('a healthy component becomes active once, and stays so without further events', () => {
    assert.deepEqual(sequence('healthy_api'), [[null, 'active', 0]]);
    assert.equal(servers.healthy!.received.length, 8);
    const c = component(h.a.tenant.id, 'healthy_api');
    assert.equal(c.status, 'active');
    assert.equal(c.uptime_percentage, 100);
    assert.equal(c.consecutive_failures, 0);
    assert.ok(c.latency_ms !== null && c.latency_ms >= 0);
  });

  test('a component slower than its latency threshold is degraded', () => {
    assert.deepEqual(sequence('slow_api'), [[null, 'degraded', 0]]);
    const c = component(h.a.tenant.id, 'slow_api');
    assert.ok(c.latency_ms! >= 150, String(c.latency_ms));
    assert.match(c.message, /^slow: \d+ ms, above the 50 ms threshold$/);
    assert.equal(c.uptime_percentage, 100);
  });

  test('a failing component is degraded at the first failure and down at the third, keeping down_since', () => {
    assert.deepEqual(sequence('failing_api'), [
      [null, 'degraded', 0],
      ['degraded', 'down', 2],
    ]);
    const c = component(h.a.tenant.id, 'failing_api');
    assert.equal(c.status, 'down');
    assert.equal(c.down_since, NOW + 2 * MIN);
    assert.equal(c.consecutive_failures, 8);
    assert.equal(c.uptime_percentage, 0);
    assert.equal(c.message, 'HTTP 503 (8 failures in a row)');
    assert.equal(changes.find((x) => x.component === 'failing_api' && x.to === 'down')!.down_since, new Date(NOW + 2 * MIN).toISOString());
  });

  test('a recovering component goes down, then degraded while recent checks failed, then active', () => {
    assert.deepEqual(sequence('recovering_api'), [
      [null, 'degraded', 0],
      ['degraded', 'down', 2],
      ['down', 'degraded', 3],
      ['degraded', 'active', 7],
    ]);
    const c = component(h.a.tenant.id, 'recovering_api');
    assert.equal(c.status, 'active');
    assert.equal(c.down_since, null);
    assert.equal(c.uptime_percentage, 62.5);
  });

  test('a hanging component fails by its timeout', () => {
    assert.deepEqual(sequence('hanging_api'), [
      [null, 'degraded', 0],
      ['degraded', 'down', 2],
    ]);
    const c = component(h.a.tenant.id, 'hanging_api');
    assert.equal(c.message, 'timed out after 200 ms (8 failures in a row)');
    const checks = h.db.$client
      .prepare("SELECT count(*) AS n, sum(ok) AS ok FROM ai_receptionist_health_checks WHERE tenant_id = ? AND component_name = 'hanging_api'")
      .get(h.a.tenant.id);
    assert.deepEqual(checks, { n: 8, ok: 0 });
  });

  test('each component is probed by its own interval; a disabled one never', () => {
    assert.equal(servers.sparse!.received.length, 4);
    assert.equal(servers.disabled!.received.length, 0);
    assert.equal(component(h.a.tenant.id, 'disabled_api'), undefined);
  });

  test('each tenant’s components are its own', async () => {
    assert.equal(servers.other!.received.length, 8);
    assert.deepEqual(sequence('healthy_api', h.b.tenant.id), [[null, 'active', 0]]);
    const names = (await json(await h.get('/system-health', h.b.keys.read))).data.map((c: { component_name: string }) => c.component_name);
    assert.deepEqual(names, ['healthy_api']);
  });

  test('the stream carries exactly these status changes, one event each', () => {
    const stored = h.db.$client
      .prepare("SELECT count(*) AS n FROM events WHERE tenant_id = ? AND type = 'system.health.change'")
      .get(h.a.tenant.id) as { n: number };
    assert.equal(stored.n, changes.filter((c) => c.tenant === h.a.tenant.id).length);
    assert.equal(stored.n, 1 + 1 + 2 + 4 + 2 + 1);
  });

  test('uptime counts only the last 24 hours of checks', async () => {
    h.clock.now += 25 * 60 * MIN;
    await m.runDue();
    assert.equal(component(h.a.tenant.id, 'recovering_api').uptime_percentage, 100);
    assert.equal(component(h.a.tenant.id, 'failing_api').uptime_percentage, 0);
    // Still down: no new event, and down_since is kept.
    assert.equal(sequence('failing_api').length, 2);
    assert.equal(component(h.a.tenant.id, 'failing_api').down_since, NOW + 2 * MIN);
  });

  test('the component detail lists the monitor’s checks', async () => {
    const detail = await json(await h.get('/system-health/recovering_api', h.a.keys.read));
    assert.equal(detail.checks.length, 9);
    assert.deepEqual(
      detail.checks.map((c: { ok: boolean }) => c.ok),
      [true, true, true, true, true, true, false, false, false],
    );
  });

  test('a probe cut short by shutdown records nothing', async () => {
    await configure(h.a.keys.admin, 'shutdown_api', { probe_url: servers.stuck!.url, timeout_ms: 30_000 });
    const controller = new AbortController();
    const reached = servers.stuck!.nextRequest();
    const run = new HealthMonitor({ db: h.db, clock: () => h.clock.now, live: h.live, outbound: allowPrivate }).runDue(controller.signal);
    await reached;
    controller.abort();
    const started = performance.now();
    await run;
    assert.ok(performance.now() - started < 5_000);
    assert.equal(component(h.a.tenant.id, 'shutdown_api'), undefined);
  });
});

describe('the outbound policy when probing', () => {
  test('without the allow flag, a probe URL whose name resolves to 127.0.0.1 is a failed probe that says why, logged, and the server is never reached', async () => {
    const listening = await startServer((res) => res.end('ok'));
    const dev = await createHarness({ outboundAllowPrivate: true });
    try {
      // Registered while allowed (or while its name resolved elsewhere); the policy is on when probing.
      const url = `http://localhost:${new URL(listening.url).port}/health`;
      const res = await dev.request('/monitors/rebound_api', { method: 'PUT', credential: dev.a.keys.admin, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ probe_url: url }) });
      await json(res, 201);
      const warnings: { msg: string; fields?: Record<string, unknown> }[] = [];
      const log: Logger = { debug() {}, info() {}, error() {}, warn: (msg, fields) => void warnings.push({ msg, fields }) };
      const strict = new HealthMonitor({ db: dev.db, clock: () => dev.clock.now, live: dev.live, log });
      for (let round = 0; round < 3; round++) {
        await strict.runDue();
        dev.clock.now += MIN;
      }
      assert.equal(listening.received.length, 0);
      const c = dev.db.$client
        .prepare("SELECT status, consecutive_failures, message FROM ai_receptionist_system_health WHERE component_name = 'rebound_api'")
        .get() as { status: string; consecutive_failures: number; message: string };
      assert.equal(c.status, 'down');
      assert.equal(c.consecutive_failures, 3);
      assert.match(c.message, /^refused: localhost resolves to (127\.0\.0\.1|::1), a loopback address \(3 failures in a row\)$/);
      assert.equal(warnings.length, 3);
      assert.deepEqual(warnings[0], { msg: 'health probe refused by the outbound policy', fields: { url, reason: c.message.replace(/ \(3 failures in a row\)$/, '') } });

      // With the flag (development), the same monitor reaches the server.
      await new HealthMonitor({ db: dev.db, clock: () => dev.clock.now, live: dev.live, outbound: allowPrivate }).runDue();
      assert.equal(listening.received.length, 1);
    } finally {
      dev.close();
      await listening.close();
    }
  });
});

describe('pruning the check history', () => {
  test('checks older than the retention go; the last 24 hours (uptime) always stay; every tenant’s components', async () => {
    const p = await createHarness();
    try {
      const sqlite = p.db.$client;
      const insertCheck = sqlite.prepare("INSERT INTO ai_receptionist_health_checks (tenant_id, component_name, checked_at, ok, status) VALUES (?, ?, ?, 1, 'active')");
      const insertComponent = sqlite.prepare("INSERT INTO ai_receptionist_system_health (tenant_id, component_name, status, last_checked) VALUES (?, ?, 'active', ?)");
      const ages = [90 * DAY, 31 * DAY, 30 * DAY + 1, 30 * DAY, 29 * DAY, 2 * DAY, 23 * 60 * MIN, MIN];
      sqlite.transaction(() => {
        for (const [tenant, name] of [[p.a.tenant.id, 'crm_pipeline'], [p.b.tenant.id, 'voice_endpoint']] as const) {
          insertComponent.run(tenant, name, NOW);
          for (const age of ages) insertCheck.run(tenant, name, NOW - age);
        }
        // A backlog larger than one batch.
        for (let i = 0; i < 12_000; i++) insertCheck.run(p.a.tenant.id, 'crm_pipeline', NOW - 100 * DAY - i);
      })();
      const remaining = (tenant: number) =>
        sqlite.prepare('SELECT ? - checked_at FROM ai_receptionist_health_checks WHERE tenant_id = ? ORDER BY checked_at').pluck().all(NOW, tenant);

      assert.equal(pruneHealthChecks(p.db, NOW, 30 * DAY), 2 * 3 + 12_000);
      const kept = [30 * DAY, 29 * DAY, 2 * DAY, 23 * 60 * MIN, MIN];
      assert.deepEqual(remaining(p.a.tenant.id), kept);
      assert.deepEqual(remaining(p.b.tenant.id), kept);

      // A retention shorter than a day still keeps the day uptime is computed from.
      assert.equal(pruneHealthChecks(p.db, NOW, 60 * MIN), 2 * 3);
      assert.deepEqual(remaining(p.a.tenant.id), [23 * 60 * MIN, MIN]);
      assert.equal(pruneHealthChecks(p.db, NOW, 60 * MIN), 0);
    } finally {
      p.close();
    }
  });
});
