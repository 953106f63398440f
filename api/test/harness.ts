import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, DASHBOARD_BASE } from '../app.js';
import { createApiKey } from '../auth/keys.js';
import { signEmbedToken } from '../auth/tokens.js';
import { migrate, openDb, type Db } from '../db/client.js';
import { tenants, tenant_origins, type Scope, type Tenant } from '../db/schema.js';
import { SecretBox } from '../lib/secret-box.js';
import { Statements } from '../lib/sql.js';
import { LivePipeline, type LiveOptions } from '../stream/live.js';

export const SECRET = 'test-embed-secret-0123456789abcdef-xyz';
/** "Now" in every API test: Friday 2026-11-20, 15:30 in New York (20:30 UTC). */
export const NOW = Date.parse('2026-11-20T20:30:00Z');

export interface TenantFixture {
  tenant: Tenant;
  /** API keys by scope. */
  keys: Record<'read' | 'ingest' | 'admin', string>;
  /** Embed tokens: read, read+errors:write, locked to client `cl_a1`, expired, and one with a forged signature. */
  tokens: { read: string; write: string; locked: string; expired: string; tampered: string };
}

export interface Harness {
  db: Db;
  app: ReturnType<typeof createApp>;
  a: TenantFixture;
  b: TenantFixture;
  clock: { now: number };
  /** The app's live pipeline: bus, outbox, realtime metrics. */
  live: LivePipeline;
  /** The box the app seals webhook secrets with (for the delivery job of a test). */
  secrets: SecretBox;
  /** A request to the dashboard API (paths relative to its base unless they start with `/api` or are absolute). */
  get(path: string, credential?: string, init?: RequestInit): Promise<Response>;
  request(path: string, init?: RequestInit & { credential?: string }): Promise<Response>;
  close(): void;
}

async function fixture(db: Db, slug: string, timezone: string, now: number): Promise<TenantFixture> {
  const tenant = db.insert(tenants).values({ slug, name: slug.toUpperCase(), timezone }).returning().get();
  db.insert(tenant_origins).values({ tenant_id: tenant.id, origin: `https://${slug}.crm.example` }).run();
  const key = (scopes: Scope[]) => createApiKey(db, tenant.id, scopes).key;
  const sign = async (scopes: Scope[], extra: { clientId?: string; ttlSeconds?: number; at?: number } = {}) =>
    (await signEmbedToken(SECRET, { tenant: slug, subject: `user@${slug}`, scopes, ...extra }, extra.at ?? now)).token;
  const read = await sign(['read']);
  const [head, body, sig] = read.split('.');
  const forged = (sig![0] === 'A' ? 'B' : 'A') + sig!.slice(1);
  return {
    tenant,
    keys: { read: key(['read']), ingest: key(['ingest']), admin: key(['admin']) },
    tokens: {
      read,
      write: await sign(['read', 'errors:write']),
      locked: await sign(['read'], { clientId: 'cl_a1' }),
      expired: await sign(['read'], { ttlSeconds: 60, at: now - 3_600_000 }),
      tampered: `${head}.${body}.${forged}`,
    },
  };
}

/** A fresh database file and app for one test file, with two tenants in different zones. */
export async function createHarness(
  options: {
    corsOrigins?: string[];
    bodyLimitBytes?: number;
    sseMaxPerTenant?: number;
    sseHeartbeatMs?: number;
    ingestRatePerSecond?: number;
    /** Let monitors and webhooks register loopback and private URLs (tests with local receivers); refused by default. */
    outboundAllowPrivate?: boolean;
    live?: LiveOptions;
  } = {},
): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'air-test-'));
  const db = openDb(join(dir, 'test.db'));
  migrate(db);
  const clock = { now: NOW };
  const live = new LivePipeline(db, { sql: new Statements(db.$client), clock: () => clock.now }, options.live);
  const app = createApp({
    db,
    config: {
      embedSecret: SECRET,
      corsOrigins: options.corsOrigins ?? [],
      bodyLimitBytes: options.bodyLimitBytes ?? 1024 * 1024,
      sseMaxPerTenant: options.sseMaxPerTenant,
      sseHeartbeatMs: options.sseHeartbeatMs,
      ingestRatePerSecond: options.ingestRatePerSecond,
      outboundAllowPrivate: options.outboundAllowPrivate,
    },
    clock: () => clock.now,
    live,
  });
  const a = await fixture(db, 'acme', 'America/New_York', NOW);
  const b = await fixture(db, 'bravo', 'Europe/Berlin', NOW);
  const url = (path: string) => (path.startsWith('/api') || path.startsWith('/docs') || path.startsWith('/healthz') ? path : DASHBOARD_BASE + path);
  const request = (path: string, init: RequestInit & { credential?: string } = {}) => {
    const { credential, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (credential) headers.set('authorization', `Bearer ${credential}`);
    return Promise.resolve(app.request(url(path), { ...rest, headers }));
  };
  return {
    db,
    app,
    a,
    b,
    clock,
    live,
    secrets: SecretBox.fromConfig({ embedSecret: SECRET }),
    request,
    get: (path, credential, init) => request(path, { ...init, credential }),
    close() {
      live.close();
      db.$client.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Asserts a problem+json answer and returns its body. */
export async function problem(res: Response, status: number) {
  const text = await res.text();
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${text}`);
  if (!res.headers.get('content-type')?.startsWith('application/problem+json')) throw new Error(`not problem+json: ${res.headers.get('content-type')}`);
  const body = JSON.parse(text) as { type: string; title: string; status: number; detail: string; errors?: { field: string; in?: string; message: string }[] };
  if (body.status !== status || !body.title || !body.detail || !body.type) throw new Error(`incomplete problem: ${text}`);
  return body;
}

export async function json<T = any>(res: Response, status = 200): Promise<T> {
  const text = await res.text();
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}
