import type { MiddlewareHandler } from 'hono';
import type { AppDeps, AppEnv } from '../lib/router.js';
import { ApiError } from '../lib/problem.js';
import type { Scope } from '../db/schema.js';
import { makeKeyVerifier } from './keys.js';
import { hasScope, roiAssumptions, type Principal, type TenantContext } from './principal.js';
import { TokenError, verifyEmbedToken } from './tokens.js';

const CHALLENGE = { 'WWW-Authenticate': 'Bearer realm="ai-receptionist"' };
/** Verified embed tokens are remembered briefly: HMAC checks are cheap, but the hot read routes are cheaper still without them. */
const TOKEN_CACHE_MS = 60_000;
const CACHE_MAX = 10_000;
/** A verified API key is trusted this long without another lookup: a revocation takes effect within it. */
const KEY_CACHE_MS = 10_000;
/**
 * A tenant's row (zone, ROI assumptions) is read at most this often per tenant: a change to it
 * applies within this long. Reading it on every request cost about a third of a hot read route's
 * time (the server itself never changes tenants; the CLI does, from another process).
 */
const TENANT_REREAD_MS = 1_000;
/** `last_used_at` is written at most this often per key, not on every request. */
const KEY_TOUCH_MS = 60_000;

function unauthenticated(detail: string, status: 401 = 401): ApiError {
  return new ApiError(status, detail, { headers: CHALLENGE });
}

/**
 * Resolves the credential of a request into a Principal on `c.get('auth')`: an API key
 * (`Authorization: Bearer air_…`) or an embed token (a JWT). With `allowQueryToken`, an
 * `access_token` query parameter is accepted too (for native EventSource clients only).
 */
export function authenticate(deps: AppDeps, options: { allowQueryToken?: boolean } = {}): MiddlewareHandler<AppEnv> {
  const { db, config } = deps;
  const clock = deps.clock ?? Date.now;
  const verifyKey = makeKeyVerifier(db);
  const tenantById = db.$client.prepare<[number], TenantRow>('SELECT id, slug, name, timezone, roi_assumptions FROM tenants WHERE id = ?');
  const tenantBySlug = db.$client.prepare<[string], TenantRow>('SELECT id, slug, name, timezone, roi_assumptions FROM tenants WHERE slug = ?');
  const touchKey = db.$client.prepare('UPDATE api_keys SET last_used_at = ? WHERE id = ?');
  const touched = new Map<string, number>();
  /**
   * Verified credentials, remembered briefly; the tenant they belong to is read apart from them,
   * so a change of its zone or assumptions applies within TENANT_REREAD_MS.
   */
  const verified = new Map<string, { identity: Identity; until: number }>();
  /** Tenants as last read (see TENANT_REREAD_MS). */
  const tenants = new Map<number, { row: TenantRow; tenant: TenantContext; readAt: number }>();

  function loadTenant(row: TenantRow | undefined, now: number): TenantContext | undefined {
    if (!row) return undefined;
    const known = tenants.get(row.id);
    if (known && sameRow(known.row, row)) {
      known.readAt = now;
      return known.tenant;
    }
    const tenant = toTenant(row);
    tenants.set(row.id, { row, tenant, readAt: now });
    return tenant;
  }

  function remember(credential: string, identity: Identity, until: number): void {
    if (verified.size >= CACHE_MAX) verified.clear();
    verified.set(credential, { identity, until });
  }

  async function verifyToken(token: string, now: number): Promise<Identity> {
    let claims;
    try {
      claims = await verifyEmbedToken(config.embedSecret, token, now);
    } catch (e) {
      throw unauthenticated(e instanceof TokenError ? `Embed token rejected: ${e.message}.` : 'Embed token rejected.');
    }
    const row = tenantBySlug.get(claims.tenant);
    if (!row) throw unauthenticated('Embed token rejected: its tenant does not exist.');
    const identity: Identity = { tenantId: row.id, kind: 'embed_token', subject: claims.subject, scopes: new Set(claims.scopes), clientId: claims.clientId };
    remember(token, identity, Math.min(claims.expiresAt, now + TOKEN_CACHE_MS));
    return identity;
  }

  function verifyApiKey(credential: string, now: number): Identity {
    const key = verifyKey(credential);
    if (!key) throw unauthenticated('API key rejected: unknown, malformed or revoked.');
    if ((touched.get(key.id) ?? 0) + KEY_TOUCH_MS < now) {
      touched.set(key.id, now);
      touchKey.run(now, key.id);
    }
    const identity: Identity = { tenantId: key.tenant_id, kind: 'api_key', subject: `key:${key.id}`, scopes: new Set(key.scopes), clientId: null };
    remember(credential, identity, now + KEY_CACHE_MS);
    return identity;
  }

  async function resolve(credential: string, now: number): Promise<Principal> {
    const cached = verified.get(credential);
    const identity =
      cached && cached.until > now ? cached.identity : credential.startsWith('air_') ? verifyApiKey(credential, now) : await verifyToken(credential, now);
    // The tenant as last read, unless that was TENANT_REREAD_MS ago or more.
    const known = tenants.get(identity.tenantId);
    const tenant =
      known && now - known.readAt < TENANT_REREAD_MS && now >= known.readAt ? known.tenant : loadTenant(tenantById.get(identity.tenantId), now);
    if (!tenant) throw unauthenticated('Credential rejected: its tenant does not exist.');
    return { tenant, kind: identity.kind, subject: identity.subject, scopes: identity.scopes, clientId: identity.clientId };
  }

  return async (c, next) => {
    if (c.get('auth')) return next();
    const header = c.req.header('authorization');
    let credential: string | undefined;
    if (header !== undefined) {
      const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
      if (!match) throw unauthenticated('The Authorization header must be "Bearer <API key or embed token>".');
      credential = match[1];
    } else if (options.allowQueryToken) {
      credential = c.req.query('access_token') || undefined;
    }
    if (!credential) throw unauthenticated('No credential: send "Authorization: Bearer <API key or embed token>".');
    const now = clock();
    c.set('auth', await resolve(credential, now));
    await next();
  };
}

/** Answers 403 unless the caller holds one of the scopes. */
export function requireScope(...scopes: Scope[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const p = c.get('auth');
    if (!scopes.some((s) => hasScope(p, s))) {
      throw new ApiError(403, `This needs the ${scopes.map((s) => `"${s}"`).join(' or ')} scope; the credential has ${[...p.scopes].join(', ') || 'none'}.`);
    }
    await next();
  };
}

/** Tenant-wide aggregates mix every client's data, so a client-locked token may not read them. */
export const requireUnlocked: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.get('auth').clientId !== null) {
    throw new ApiError(403, 'This token is locked to one client and cannot read tenant-wide figures.');
  }
  await next();
};

type Identity = Omit<Principal, 'tenant'> & { tenantId: number };

function sameRow(a: TenantRow, b: TenantRow): boolean {
  return a.slug === b.slug && a.name === b.name && a.timezone === b.timezone && a.roi_assumptions === b.roi_assumptions;
}

interface TenantRow {
  id: number;
  slug: string;
  name: string;
  timezone: string;
  roi_assumptions: string;
}

function toTenant(row: TenantRow): TenantContext {
  return { id: row.id, slug: row.slug, name: row.name, timezone: row.timezone, roi: roiAssumptions(JSON.parse(row.roi_assumptions)) };
}
