/**
 * A @web/test-runner plugin (Node side) that runs REAL API servers for the widget tests: the
 * production app (createContext/createApp), a fresh SQLite file per server, real API keys and real
 * embed tokens. Browser tests drive it through `executeServerCommand` (see ./api.ts).
 *
 * Every server lives in the test runner's own process; `serverStop` closes whatever a test left
 * open, and an `exit` listener removes any temporary directory still there if the runner dies.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAdaptorServer } from '@hono/node-server';
import type { TestRunnerPlugin } from '@web/test-runner';
import { createApp, createContext, type AppContext, type AppDeps, DASHBOARD_BASE } from '../../api/app.js';
import { createApiKey } from '../../api/auth/keys.js';
import { createTenant, addOrigins } from '../../api/auth/tenants.js';
import { signEmbedToken } from '../../api/auth/tokens.js';
import { migrate, openDb, type Db } from '../../api/db/client.js';
import type { Scope, Tenant } from '../../api/db/schema.js';
import { createLogger } from '../../api/lib/logger.js';
import { ensureDemoTenant, seedAndAggregate } from '../../api/seed/demo.js';
import { INGEST_BASE } from '../../api/routes/ingest/ingest.routes.js';

export type Seed = 'demo' | 'empty';

/** What `api-start` answers (JSON). */
export interface ApiInfo {
  id: string;
  /** `http://127.0.0.1:<port>`, the same across `api-restart`. */
  apiBase: string;
  tenant: { id: number; slug: string; name: string; timezone: string };
  /** The second tenant, for isolation checks (seeded with a little data of its own under 'demo'). */
  otherTenant: { id: number; slug: string; name: string; timezone: string };
  tokens: {
    /** scope `read` */
    read: string;
    /** scopes `read errors:write` */
    write: string;
    /** scope `read`, of the other tenant */
    otherTenant: string;
    /** scope `read`, locked to `clientId` (null when there is no seeded client) */
    clientLocked: string | null;
  };
  /** The seeded client with the most activities (null for 'empty'). */
  clientId: string | null;
}

/** What `api-ingest` and `api-fetch` answer: the status and the body (parsed when JSON). */
export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
}

export interface StartPayload {
  seed?: Seed;
}
export interface IdPayload {
  id: string;
}
export interface IngestPayload extends IdPayload {
  path: string;
  body: unknown;
  headers?: Record<string, string>;
}
export interface FetchPayload extends IdPayload {
  path: string;
  token?: 'read' | 'write';
}

type Config = AppDeps['config'] & { sseHeartbeatMs: number };

interface Running {
  db: Db;
  ctx: AppContext;
  server: Server;
}

interface Instance {
  info: ApiInfo;
  dir: string;
  dbPath: string;
  port: number;
  config: Config;
  ingestKey: string;
  running: Running | undefined;
  /** Serializes start/stop/restart of one instance. */
  busy: Promise<unknown>;
}

const TOKEN_TTL_SECONDS = 3600;
const LISTEN_RETRY_MS = 3000;

const log = createLogger('error');

function tenantInfo(t: Tenant) {
  return { id: t.id, slug: t.slug, name: t.name, timezone: t.timezone };
}

/** Opens the database and serves the real app on `port` (0: a free one), retrying while the port is still taken. */
async function boot(dbPath: string, config: Config, port: number): Promise<Running> {
  const db = openDb(dbPath);
  migrate(db);
  const deps: AppDeps = { db, config, log };
  const ctx = createContext(deps);
  const app = createApp(deps, ctx);
  ctx.live.prune();
  const server = createAdaptorServer({ fetch: app.fetch, createServer }) as Server;
  const deadline = Date.now() + LISTEN_RETRY_MS;
  for (;;) {
    try {
      await new Promise<void>((resolve, reject) => {
        const onError = (e: Error) => {
          server.off('listening', onListening);
          reject(e);
        };
        const onListening = () => {
          server.off('error', onError);
          resolve();
        };
        server.once('error', onError);
        server.once('listening', onListening);
        server.listen(port, '127.0.0.1');
      });
      return { db, ctx, server };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EADDRINUSE' || Date.now() > deadline) {
        ctx.live.close();
        db.$client.close();
        throw e;
      }
      // The port is released by the old server but not yet reusable: retry shortly.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/** Drops every connection at once (as a crash or a restart would), then closes the pipeline and the database. */
async function halt(r: Running): Promise<void> {
  const closed = new Promise<void>((resolve) => r.server.close(() => resolve()));
  r.server.closeAllConnections();
  await closed;
  // Open streams are released when their response closes; wait for that (a few ticks) so no
  // stream of the old app touches the database after it is closed.
  const deadline = Date.now() + 2000;
  while (r.ctx.live.bus.subscriberCount() > 0 && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
  if (r.ctx.live.bus.subscriberCount() > 0) log.error('widget-test API: streams still open after the server closed', { open: r.ctx.live.bus.subscriberCount() });
  r.ctx.live.close();
  r.db.$client.close();
}

function topClient(db: Db, tenantId: number): string | null {
  const row = db.$client
    .prepare<[number], { client_id: string }>(
      'SELECT client_id FROM ai_receptionist_activity WHERE tenant_id = ? AND client_id IS NOT NULL GROUP BY client_id ORDER BY count(*) DESC, client_id LIMIT 1',
    )
    .get(tenantId);
  return row?.client_id ?? null;
}

export function apiPlugin(): TestRunnerPlugin {
  const instances = new Map<string, Instance>();
  let origins: string[] = [];
  let nextId = 1;

  const removeDirs = () => {
    for (const i of instances.values()) rmSync(i.dir, { recursive: true, force: true });
  };

  function get(payload: unknown): Instance {
    const id = (payload as Partial<IdPayload> | undefined)?.id;
    const instance = typeof id === 'string' ? instances.get(id) : undefined;
    if (!instance) throw new Error(`No running API with id ${JSON.stringify(id)} (stopped already, or never started).`);
    return instance;
  }

  function serial<T>(instance: Instance, work: () => Promise<T>): Promise<T> {
    const next = instance.busy.then(work, work);
    instance.busy = next.catch(() => undefined);
    return next;
  }

  async function start(seed: Seed): Promise<ApiInfo> {
    if (seed !== 'demo' && seed !== 'empty') throw new Error(`api-start: seed must be 'demo' or 'empty', not ${JSON.stringify(seed)}`);
    const dir = mkdtempSync(join(tmpdir(), 'air-wtr-'));
    const dbPath = join(dir, 'api.db');
    const config: Config = {
      embedSecret: randomBytes(32).toString('base64url'),
      corsOrigins: origins,
      bodyLimitBytes: 1024 * 1024,
      sseMaxPerTenant: 2_000,
      sseHeartbeatMs: 1_000,
      ingestRatePerSecond: 10_000,
    };
    try {
      // Seed exactly as `serve --demo` does (without the traffic simulator), before the app exists.
      const db = openDb(dbPath);
      let tenant: Tenant;
      let other: Tenant;
      let ingestKey: string;
      let clientId: string | null = null;
      try {
        migrate(db);
        if (seed === 'demo') {
          tenant = ensureDemoTenant(db, origins).tenant;
          addOrigins(db, tenant.id, origins);
          clientId = topClient(db, tenant.id);
          other = createTenant(db, { slug: 'other', name: 'Other Lending Co', timezone: 'Europe/Berlin', origins });
          seedAndAggregate(db, other, { seed: 7, days: 3, perDay: 20 });
        } else {
          tenant = createTenant(db, { slug: 'empty', name: 'Empty Co', timezone: 'America/New_York', origins });
          other = createTenant(db, { slug: 'other', name: 'Other Lending Co', timezone: 'Europe/Berlin', origins });
        }
        ingestKey = createApiKey(db, tenant.id, ['ingest'], 'widget tests').key;
      } finally {
        db.$client.close();
      }
      const sign = async (slug: string, scopes: Scope[], clientId?: string) =>
        (await signEmbedToken(config.embedSecret, { tenant: slug, subject: 'widget-tests', scopes, ttlSeconds: TOKEN_TTL_SECONDS, clientId })).token;
      const running = await boot(dbPath, config, 0);
      const address = running.server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const id = `api-${nextId++}`;
      const info: ApiInfo = {
        id,
        apiBase: `http://127.0.0.1:${port}`,
        tenant: tenantInfo(tenant),
        otherTenant: tenantInfo(other),
        tokens: {
          read: await sign(tenant.slug, ['read']),
          write: await sign(tenant.slug, ['read', 'errors:write']),
          otherTenant: await sign(other.slug, ['read']),
          clientLocked: clientId ? await sign(tenant.slug, ['read'], clientId) : null,
        },
        clientId,
      };
      instances.set(id, { info, dir, dbPath, port, config, ingestKey, running, busy: Promise.resolve() });
      return info;
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      throw e;
    }
  }

  async function stop(instance: Instance): Promise<void> {
    instances.delete(instance.info.id);
    await serial(instance, async () => {
      const running = instance.running;
      instance.running = undefined;
      try {
        if (running) await halt(running);
      } finally {
        rmSync(instance.dir, { recursive: true, force: true });
      }
    });
  }

  async function restart(instance: Instance): Promise<void> {
    await serial(instance, async () => {
      const running = instance.running;
      instance.running = undefined;
      if (running) await halt(running);
      instance.running = await boot(instance.dbPath, instance.config, instance.port);
    });
  }

  async function request(url: string, init: RequestInit): Promise<ApiResponse> {
    const res = await fetch(url, init);
    const text = await res.text();
    const json = /\bjson\b/.test(res.headers.get('content-type') ?? '');
    return { status: res.status, body: json && text ? JSON.parse(text) : text };
  }

  return {
    name: 'ai-receptionist-api',

    serverStart({ config }) {
      if (!config.port) throw new Error('ai-receptionist-api: the test runner started without a port');
      const hosts = new Set(['localhost', '127.0.0.1', config.hostname ?? 'localhost']);
      origins = [...hosts].map((host) => `http://${host}:${config.port}`);
      process.on('exit', removeDirs);
    },

    async serverStop() {
      await Promise.allSettled([...instances.values()].map((i) => stop(i)));
      process.off('exit', removeDirs);
    },

    async executeCommand({ command, payload }) {
      switch (command) {
        case 'api-start':
          return start((payload as StartPayload | undefined)?.seed ?? 'demo');
        case 'api-stop':
          await stop(get(payload));
          return true;
        case 'api-restart': {
          const instance = get(payload);
          await restart(instance);
          return instance.info;
        }
        case 'api-ingest': {
          const instance = get(payload);
          const { path, body, headers } = payload as IngestPayload;
          return request(`${instance.info.apiBase}${INGEST_BASE}${path}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...headers, authorization: `Bearer ${instance.ingestKey}` },
            body: typeof body === 'string' ? body : JSON.stringify(body),
          });
        }
        case 'api-stream-count': {
          const instance = get(payload);
          // Streams that finished their replay and receive live events (each open stream once).
          return instance.running ? instance.running.ctx.live.bus.subscriberCount(instance.info.tenant.id) : 0;
        }
        case 'api-fetch': {
          const instance = get(payload);
          const { path, token = 'read' } = payload as FetchPayload;
          if (token !== 'read' && token !== 'write') throw new Error(`api-fetch: token must be 'read' or 'write', not ${JSON.stringify(token)}`);
          return request(`${instance.info.apiBase}${DASHBOARD_BASE}${path}`, { headers: { authorization: `Bearer ${instance.info.tokens[token]}` } });
        }
        default:
          return undefined;
      }
    },
  };
}
