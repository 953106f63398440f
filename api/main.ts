import { STATUS_CODES, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
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
import { HealthMonitor, MONITOR_TICK_MS, pruneHealthChecks } from './jobs/health-monitor.js';
import { Scheduler } from './jobs/scheduler.js';
import { skillsScoringJob } from './jobs/skills.js';
import { pruneWebhookDeliveries, WEBHOOK_TICK_MS, WebhookDispatcher } from './jobs/webhooks.js';
import { createLogger, type Logger } from './lib/logger.js';
import { ApiError, PROBLEM_TYPE_BASE, type Problem } from './lib/problem.js';
import { OutboundPolicy } from './lib/outbound.js';
import { SecretBox } from './lib/secret-box.js';
import { HOUR } from './lib/time.js';
import { sealWebhookSecrets } from './routes/webhooks/webhooks.queries.js';
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
  // Probes and deliveries go only to public addresses unless OUTBOUND_ALLOW_PRIVATE is set.
  const outbound = new OutboundPolicy({ allowPrivate: config.outboundAllowPrivate });
  if (config.outboundAllowPrivate) log.warn('OUTBOUND_ALLOW_PRIVATE is set: probes and webhooks may call loopback, private and link-local addresses');
  // Webhook secrets stored in clear (or under an older key) are sealed under the current key before anything reads them.
  const secrets = SecretBox.fromConfig(config);
  const sealed = sealWebhookSecrets(db, secrets);
  if (sealed.resealed) log.info('sealed stored webhook secrets', { count: sealed.resealed });
  if (sealed.unreadable) log.error('stored webhook secrets that do not open (their deliveries fail): was DATA_KEY or EMBED_SECRET changed?', { count: sealed.unreadable });
  // Monitored components are probed by their own intervals; the job only looks for those due.
  const monitor = new HealthMonitor({ ...ctx, outbound });
  scheduler.add({ name: 'health-monitor', everyMs: MONITOR_TICK_MS, runAtStart: true, run: async (signal) => void (await monitor.runDue(signal)) });
  // Webhooks are delivered as events are published; the job queues what that missed and retries what is due.
  const webhooks = new WebhookDispatcher({ ...ctx, outbound, secrets });
  scheduler.add({ name: 'webhook-deliveries', everyMs: WEBHOOK_TICK_MS, runAtStart: true, run: (signal) => webhooks.run(signal) });
  // The check history and the delivery log are kept for their retention (pending deliveries always).
  scheduler.add({
    name: 'prune-logs',
    everyMs: HOUR,
    runAtStart: true,
    run: () => {
      const checks = pruneHealthChecks(db, ctx.clock(), config.healthCheckRetentionMs);
      const deliveries = pruneWebhookDeliveries(db, ctx.clock(), config.webhookLogRetentionMs);
      if (checks || deliveries) log.info('pruned logs', { health_checks: checks, webhook_deliveries: deliveries });
    },
  });
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

  const server = serveHttp({ fetch, port: config.port, hostname: config.host }) as HttpServer;
  answerClientErrors(server, log);
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

/** Parser refusals answered other than 400, with what the client is told (never the parser's own message). */
const CLIENT_ERRORS: Record<string, { status: 408 | 413 | 431; detail: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, detail: 'The request header block is larger than the server accepts.' },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: { status: 413, detail: 'The chunk extensions of the request body are larger than the server accepts.' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, detail: 'The request did not arrive in full in time.' },
};
const EXTRA_TITLES: Record<number, [slug: string, title: string]> = {
  408: ['request-timeout', 'Request timeout'],
  431: ['header-fields-too-large', 'Request header fields too large'],
};
/** A socket answered but not yet flushed is destroyed after this long anyway, so a peer that does not read cannot hold it. */
const CLIENT_ERROR_LINGER_MS = 5_000;

/** The complete HTTP/1.1 message answering a parser error: problem+json, `connection: close`. */
export function clientErrorResponse(code: unknown): string {
  const name = typeof code === 'string' && /^[A-Z][A-Z0-9_]{0,63}$/.test(code) ? code : undefined;
  const known = name ? CLIENT_ERRORS[name] : undefined;
  const status = known?.status ?? 400;
  const detail = `${known?.detail ?? 'The request is not valid HTTP/1.1.'}${name ? ` (${name})` : ''} The connection is closed.`;
  const extra = EXTRA_TITLES[status];
  const problem: Problem = extra
    ? { type: PROBLEM_TYPE_BASE + extra[0], title: extra[1], status, detail }
    : new ApiError(status as 400 | 413, detail).problem;
  const body = JSON.stringify(problem);
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
    'content-type: application/problem+json\r\n' +
    `content-length: ${Buffer.byteLength(body)}\r\n` +
    'cache-control: no-store\r\nx-content-type-options: nosniff\r\nconnection: close\r\n\r\n' +
    body
  );
}

/**
 * What Node's HTTP parser refuses before the app sees a request (conflicting Content-Length and
 * Transfer-Encoding, a bad chunk size, an invalid header line, an oversized header block, a
 * request that does not arrive in time) is answered as problem+json like every other error, then
 * the connection is closed. Nothing is written once a response on the connection has begun (it
 * would corrupt that response); a reset or unwritable connection is simply destroyed.
 */
export function answerClientErrors(server: HttpServer, log?: Logger): void {
  /** Responses begun on each connection and not yet finished or aborted. */
  const open = new WeakMap<Duplex, Set<ServerResponse>>();
  const answered = new WeakSet<Duplex>();
  server.on('request', (_req, res: ServerResponse) => {
    const socket = res.socket;
    if (!socket) return;
    let responses = open.get(socket);
    if (!responses) open.set(socket, (responses = new Set()));
    responses.add(res);
    res.once('close', () => responses.delete(res));
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // The parser reports again for every chunk that arrives after its error: the first answer stands.
    if (answered.has(socket)) return;
    answered.add(socket);
    log?.debug('refused a malformed request', { code: err.code });
    const begun = [...(open.get(socket) ?? [])].some((res) => res.headersSent);
    if (err.code === 'ECONNRESET' || !socket.writable || begun) {
      socket.destroy();
      return;
    }
    const linger = setTimeout(() => socket.destroy(), CLIENT_ERROR_LINGER_MS);
    linger.unref();
    socket.end(clientErrorResponse(err.code), () => {
      clearTimeout(linger);
      socket.destroy();
    });
  });
}
