import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createTenant } from './auth/tenants.js';
import type { Config } from './config.js';
import { migrate, openDb } from './db/client.js';
import { activity } from './db/schema.js';
import { addDays } from './lib/time.js';
import { startServer } from './main.js';

const dir = mkdtempSync(join(tmpdir(), 'air-main-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const config: Config = {
  port: 0,
  host: '127.0.0.1',
  dbPath: join(dir, 'main.db'),
  embedSecret: 'main-test-secret-0123456789abcdef0123',
  logLevel: 'silent',
  corsOrigins: [],
  bodyLimitBytes: 1 << 20,
  eventRetentionMs: 7 * 86_400_000,
  sseMaxPerTenant: 10,
  sseHeartbeatMs: 15_000,
  ingestRatePerSecond: 100,
  simulatorEventsPerMinute: 0,
  outboundAllowPrivate: false,
  healthCheckRetentionMs: 30 * 86_400_000,
  webhookLogRetentionMs: 30 * 86_400_000,
};

test('serve runs the jobs from start-up and stops them before the database closes', async () => {
  const db = openDb(config.dbPath);
  migrate(db);
  const tenant = createTenant(db, { slug: 'acme', timezone: 'UTC' });
  const twoDaysAgo = Date.now() - 2 * 86_400_000;
  db.insert(activity).values({ id: 'main_1', tenant_id: tenant.id, timestamp: twoDaysAgo, action_type: 'faq_answered', channel: 'sms', skill_name: 'faq', outcome_status: 'success' }).run();
  db.$client.close();

  const server = await startServer(config);
  try {
    assert.deepEqual(server.scheduler.jobNames.filter((n) => ['prune-events', 'aggregate-daily', 'score-skills'].includes(n)).sort(), [
      'aggregate-daily',
      'prune-events',
      'score-skills',
    ]);
    // Waits for the start-up runs, then runs each once more.
    await server.scheduler.runNow('aggregate-daily');
    await server.scheduler.runNow('score-skills');
    const status = Object.fromEntries(server.scheduler.status().map((s) => [s.name, s]));
    assert.ok(status['aggregate-daily']!.runs >= 1 && status['aggregate-daily']!.failures === 0);
    const day = new Date(twoDaysAgo).toISOString().slice(0, 10);
    const dates = server.db.$client.prepare('SELECT date FROM ai_receptionist_metrics_daily WHERE tenant_id = ? ORDER BY date').pluck().all(tenant.id);
    assert.deepEqual(dates, [day, addDays(day, 1)], 'the missed days, up to yesterday');
    const usage = server.db.$client.prepare('SELECT usage_count FROM ai_receptionist_skills WHERE tenant_id = ? AND skill_name = ?').pluck().get(tenant.id, 'faq');
    assert.equal(usage, 1);
  } finally {
    await server.close();
  }
  assert.equal(server.db.$client.open, false);
  await assert.rejects(server.scheduler.runNow('aggregate-daily'), /stopped/);
});
