import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { authenticate } from './auth/middleware.js';
import type { Principal } from './auth/principal.js';
import { renderDocs } from './docs.js';
import { CursorCodec } from './lib/cursor.js';
import { ApiError, invalidField, problemResponse } from './lib/problem.js';
import { API_BASE, createRouter, DASHBOARD_BASE, type AppContext, type AppDeps, type AppEnv } from './lib/router.js';
import { createLogger } from './lib/logger.js';
import { withErrorResponses } from './lib/openapi.js';
import { OutboundPolicy } from './lib/outbound.js';
import { SecretBox } from './lib/secret-box.js';
import { Statements } from './lib/sql.js';
import { StreamHub } from './stream/hub.js';
import { LivePipeline } from './stream/live.js';
import { streamRoutes } from './stream/stream.routes.js';
import { activityRoutes } from './routes/activity/activity.routes.js';
import { conversationRoutes } from './routes/conversations/conversations.routes.js';
import { embedTokenRoutes } from './routes/embed-tokens/embed-tokens.routes.js';
import { errorRoutes } from './routes/errors/errors.routes.js';
import { errorWorkflowRoutes } from './routes/errors/errors.workflow.js';
import { INGEST_BASE, ingestRoutes } from './routes/ingest/ingest.routes.js';
import { RateLimiter } from './ingest/rate-limit.js';
import { metricsRoutes } from './routes/metrics/metrics.routes.js';
import { monitorRoutes } from './routes/monitors/monitors.routes.js';
import { roiRoutes } from './routes/roi/roi.routes.js';
import { skillRoutes } from './routes/skills/skills.routes.js';
import { systemHealthRoutes } from './routes/system-health/system-health.routes.js';
import { webhookRoutes } from './routes/webhooks/webhooks.routes.js';

export { API_BASE, createRouter, DASHBOARD_BASE, type AppContext, type AppDeps, type AppEnv } from './lib/router.js';

/** The dependencies every route shares, resolved once: also what the demo simulator ingests through. */
export function createContext(deps: AppDeps): AppContext {
  const clock = deps.clock ?? Date.now;
  const sql = new Statements(deps.db.$client);
  return {
    db: deps.db,
    clock,
    cursors: new CursorCodec(deps.config.embedSecret),
    sql,
    log: deps.log ?? createLogger('silent'),
    live: deps.live ?? new LivePipeline(deps.db, { sql, clock }),
  };
}

export function createApp(deps: AppDeps, ctx: AppContext = createContext(deps)) {
  const app = createRouter();

  app.use('*', cors(deps));
  const limit = deps.config.bodyLimitBytes;
  const limitBody = bodyLimit({
    maxSize: limit,
    onError: () => {
      throw new ApiError(413, `The request body exceeds ${limit} bytes.`);
    },
  });
  // A declared Content-Length is checked from the header alone (Node's parser never delivers more
  // than it declares); only chunked bodies are counted as they stream. Touching the body otherwise
  // makes the Node adapter build a full Request object, which costs hot routes much of their time.
  app.use('/api/*', (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const length = c.req.header('content-length');
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) {
      if (Number(length) > limit) throw new ApiError(413, `The request body exceeds ${limit} bytes.`);
      return next();
    }
    return limitBody(c, next);
  });
  // The stream alone also takes `access_token` in the query, for EventSource clients.
  app.use(`${DASHBOARD_BASE}/stream`, authenticate(deps, { allowQueryToken: true }));
  app.use(`${API_BASE}/*`, authenticate(deps));
  app.use('/api/v1/embed-tokens', authenticate(deps));

  const hub = new StreamHub(ctx.live, { maxPerTenant: deps.config.sseMaxPerTenant, heartbeatMs: deps.config.sseHeartbeatMs });
  app.route(DASHBOARD_BASE, streamRoutes(ctx, hub));
  app.route(DASHBOARD_BASE, activityRoutes(ctx));
  app.route(DASHBOARD_BASE, metricsRoutes(ctx, ctx.live.realtime));
  app.route(DASHBOARD_BASE, skillRoutes(ctx));
  app.route(DASHBOARD_BASE, roiRoutes(ctx, ctx.live.realtime));
  app.route(DASHBOARD_BASE, errorRoutes(ctx));
  app.route(DASHBOARD_BASE, errorWorkflowRoutes(ctx));
  app.route(DASHBOARD_BASE, systemHealthRoutes(ctx));
  app.route(DASHBOARD_BASE, conversationRoutes(ctx));
  const outbound = new OutboundPolicy({ allowPrivate: deps.config.outboundAllowPrivate });
  app.route(DASHBOARD_BASE, monitorRoutes(ctx, outbound));
  app.route(DASHBOARD_BASE, webhookRoutes(ctx, { outbound, secrets: SecretBox.fromConfig(deps.config) }));
  app.route('/api/v1', embedTokenRoutes(ctx, deps.config.embedSecret));
  const rate = deps.config.ingestRatePerSecond;
  app.route(INGEST_BASE, ingestRoutes(ctx, { rateLimiter: new RateLimiter({ clock: ctx.clock, ratePerSecond: rate, burst: rate && rate * 2 }) }));

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key (`air_…`, server to server) or an embed token (a JWT minted for a browser).',
  });
  const openapi = {
    openapi: '3.1.0',
    info: {
      title: 'AI Receptionist Dashboard API',
      version: '1.0.0',
      description:
        'Read what an AI receptionist did, how well, and at what return; errors are RFC 9457 problem+json. ' +
        'Lists are paginated with opaque keyset cursors (`next_cursor`).',
    },
    security: [{ bearer: [] }],
  };
  let document: ReturnType<typeof app.getOpenAPI31Document> | undefined;
  let docsHtml: string | undefined;
  const openapiDocument = () => (document ??= withErrorResponses(app.getOpenAPI31Document(openapi)));
  app.get('/api/v1/openapi.json', (c) => c.json(openapiDocument()));
  app.get('/docs', (c) => c.html((docsHtml ??= renderDocs(openapiDocument() as never))));

  const ping = deps.db.$client.prepare('SELECT 1');
  app.get('/healthz', (c) => {
    ping.get();
    return c.json({ status: 'ok' });
  });
  app.get('/', (c) =>
    c.html(
      '<!doctype html><meta charset="utf-8"><title>AI Receptionist Dashboard</title>' +
        '<h1>AI Receptionist Dashboard API</h1><ul><li><a href="/docs">API reference</a></li>' +
        '<li><a href="/api/v1/openapi.json">OpenAPI document</a></li><li><a href="/healthz">Health</a></li></ul>',
    ),
  );

  app.notFound((c) => problemResponse({ type: 'about:blank', title: 'Not found', status: 404, detail: `No route for ${c.req.method} ${c.req.path}.` }));
  app.onError((err) => {
    if (err instanceof ApiError) return problemResponse(err.problem, err.headers);
    if (err instanceof HTTPException) {
      // Hono's validators throw a bare 400 for a body that does not parse: name the body as the field at fault.
      if (err.status === 400) return problemResponse(invalidField('body', err.message || 'is not valid JSON', 'body').problem);
      return problemResponse(new ApiError(err.status as 400, err.message || 'The request could not be processed.').problem);
    }
    const reference = randomUUID();
    ctx.log.error('unhandled error', { reference, error: err instanceof Error ? err.stack : String(err) });
    return problemResponse(new ApiError(500, `Something went wrong on our side (reference ${reference}).`).problem);
  });
  return app;
}

export type App = ReturnType<typeof createApp>;

const CORS_ALLOW_HEADERS = 'Authorization, Content-Type, Idempotency-Key, Last-Event-ID';
const CORS_EXPOSE_HEADERS = 'Content-Disposition, Retry-After, WWW-Authenticate, Idempotent-Replayed';

/**
 * Per-tenant CORS. A preflight carries no credential, so it is answered for any origin some tenant
 * (or CORS_ORIGINS) allows; the real response then gets CORS headers only if the caller's own tenant
 * allows the origin. Unauthenticated answers (401) are readable by any allowed origin so a widget can
 * refresh its token. Authorization itself never looks at Origin.
 */
function cors(deps: AppDeps): MiddlewareHandler<AppEnv> {
  const global = new Set(deps.config.corsOrigins);
  const anyTenant = deps.db.$client.prepare<[string]>('SELECT 1 FROM tenant_origins WHERE origin = ? LIMIT 1');
  const forTenant = deps.db.$client.prepare<[number, string]>('SELECT 1 FROM tenant_origins WHERE tenant_id = ? AND origin = ?');
  return async (c, next) => {
    const origin = c.req.header('origin');
    if (!origin) return next();
    if (c.req.method === 'OPTIONS' && c.req.header('access-control-request-method')) {
      const headers: Record<string, string> = { Vary: 'Origin' };
      if (global.has(origin) || anyTenant.get(origin)) {
        Object.assign(headers, {
          'Access-Control-Allow-Origin': origin,
          'Access-Control-Allow-Methods': 'GET, POST, PUT, PATCH, DELETE, OPTIONS',
          'Access-Control-Allow-Headers': CORS_ALLOW_HEADERS,
          'Access-Control-Max-Age': '600',
        });
      }
      return new Response(null, { status: 204, headers });
    }
    await next();
    const auth = c.get('auth') as Principal | undefined;
    const allowed = global.has(origin) || (auth ? forTenant.get(auth.tenant.id, origin) : anyTenant.get(origin));
    c.res.headers.append('Vary', 'Origin');
    if (allowed) {
      c.res.headers.set('Access-Control-Allow-Origin', origin);
      c.res.headers.set('Access-Control-Expose-Headers', CORS_EXPOSE_HEADERS);
    }
  };
}
