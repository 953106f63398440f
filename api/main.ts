import { serve as serveHttp } from '@hono/node-server';
import { createApp, createContext } from './app.js';
import { roiAssumptions } from './auth/principal.js';
import { IngestService } from './ingest/service.js';
import { TrafficSimulator } from './seed/simulator.js';
import { addOrigins } from './auth/tenants.js';
import { signEmbedToken } from './auth/tokens.js';
import type { Config } from './config.js';
import { createDemoHost } from './demo-host.js';
import { migrate, openDb } from './db/client.js';
import { dailyAggregationJob } from './jobs/aggregate.js';
import { HealthMonitor, MONITOR_TICK_MS } from './jobs/health-monitor.js';
import { Scheduler } from './jobs/scheduler.js';
import { skillsScoringJob } from './jobs/skills.js';
import { WEBHOOK_TICK_MS, WebhookDispatcher } from './jobs/webhooks.js';
import { createLogger } from './lib/logger.js';
import { HOUR } from './lib/time.js';
import { ensureDemoTenant } from './seed/demo.js';

/**
 * The process entry of `serve`: config → database (migrated) → app → HTTP server and the periodic
 * jobs (api/jobs/scheduler.ts), with a graceful shutdown on SIGINT/SIGTERM that stops the jobs
 * before the database closes. With `demo`, the demo tenant is created and seeded when empty, the
 * traffic simulator keeps it moving, the demo CRM page is served at `/` (see demo-host.ts), and a
 * read token for the tenant is printed for API explorers.
 */
export async function startServer(config: Config, options: { demo?: boolean } = {}) {
  const log = createLogger(config.logLevel);
  const db = openDb(config.dbPath);
  migrate(db);
  const deps = { db, config, log };
  const ctx = createContext(deps);
  const live = ctx.live;
  const app = createApp(deps, ctx);
  // Periodic jobs (SPEC §4.6), started once the server listens and stopped before the database closes.
  const scheduler = new Scheduler({ clock: ctx.clock, log });
  // Events past the retention window are pruned hourly (and at start-up).
  scheduler.add({ name: 'prune-events', everyMs: HOUR, runAtStart: true, run: () => void live.prune() });
  scheduler.add(dailyAggregationJob(db, { clock: ctx.clock, log }));
  scheduler.add(skillsScoringJob(db, { clock: ctx.clock, log }));
  // Monitored components are probed by their own intervals; the job only looks for those due.
  const monitor = new HealthMonitor(ctx);
  scheduler.add({ name: 'health-monitor', everyMs: MONITOR_TICK_MS, runAtStart: true, run: async (signal) => void (await monitor.runDue(signal)) });
  // Webhooks are delivered as events are published; the job queues what that missed and retries what is due.
  const webhooks = new WebhookDispatcher(ctx);
  scheduler.add({ name: 'webhook-deliveries', everyMs: WEBHOOK_TICK_MS, runAtStart: true, run: (signal) => webhooks.run(signal) });
  let simulator: TrafficSimulator | undefined;

  let demoToken: string | undefined;
  let fetch = app.fetch;
  if (options.demo) {
    const origins = [`http://localhost:${config.port}`, `http://127.0.0.1:${config.port}`];
    const { tenant, seeded } = ensureDemoTenant(db, origins);
    addOrigins(db, tenant.id, origins);
    if (seeded) log.info('seeded the demo tenant', { tenant: tenant.slug });
    const context = { id: tenant.id, slug: tenant.slug, name: tenant.name, timezone: tenant.timezone, roi: roiAssumptions(tenant.roi_assumptions) };
    simulator = new TrafficSimulator(new IngestService(ctx), context, { eventsPerMinute: config.simulatorEventsPerMinute, log });
    simulator.start();
    demoToken = (await signEmbedToken(config.embedSecret, { tenant: tenant.slug, subject: 'demo-user', scopes: ['read', 'errors:write'], ttlSeconds: 24 * 3600 }))
      .token;
    fetch = createDemoHost(app, { tenant: tenant.slug, embedSecret: config.embedSecret }).fetch;
  }

  const server = serveHttp({ fetch, port: config.port, hostname: config.host });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  scheduler.start();
  webhooks.start();
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://localhost:${port}`;
  process.stdout.write(
    `AI Receptionist Dashboard listening on ${url}\n` +
      (options.demo ? `  Demo CRM page: ${url}/\n` : '') +
      `  API reference: ${url}/docs\n  OpenAPI:       ${url}/api/v1/openapi.json\n` +
      (demoToken ? `  Demo tenant read token (24 h):\n  ${demoToken}\n` : ''),
  );

  let closing = false;
  const close = async () => {
    if (closing) return;
    closing = true;
    simulator?.stop();
    await scheduler.stop();
    await webhooks.stop();
    live.close();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    if ('closeAllConnections' in server) server.closeAllConnections();
    await closed;
    db.$client.close();
  };
  const onSignal = () => void close().then(() => process.exit(0));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return { url, port, app, db, scheduler, close };
}
