import { createHmac } from 'node:crypto';
import { decodeJwt, errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { Scope } from '../db/schema.js';

/**
 * Embed tokens: HS256 JWTs for browsers, minted by the host CRM's server.
 *
 * Claims: `tenant` (the tenant's slug), `sub` (the CRM user), `scope` (space-separated: `read`,
 * `errors:write`), `iat`, `exp` (at most 24 h after `iat`), `aud` = "ai-receptionist", and an
 * optional `client_id` that locks the token to one client's rows.
 *
 * Each tenant signs with its own key, derived from the server's EMBED_SECRET and the slug, so a
 * host that signs its own tokens (with `ai-receptionist token --signing-key`) can never mint one
 * for another tenant.
 */
export const EMBED_AUDIENCE = 'ai-receptionist';
export const EMBED_SCOPES = ['read', 'errors:write'] as const satisfies readonly Scope[];
export const MAX_TOKEN_TTL_SECONDS = 24 * 60 * 60;
export const DEFAULT_TOKEN_TTL_SECONDS = 15 * 60;

export interface EmbedClaims {
  tenant: string;
  subject: string;
  scopes: Scope[];
  clientId: string | null;
  expiresAt: number;
}

export function tenantSigningKey(embedSecret: string, tenantSlug: string): Uint8Array {
  return createHmac('sha256', embedSecret).update(`embed-token:${tenantSlug}`).digest();
}

export async function signEmbedToken(
  embedSecret: string,
  claims: { tenant: string; subject: string; scopes: Scope[]; ttlSeconds?: number; clientId?: string | null },
  now = Date.now(),
): Promise<{ token: string; expiresAt: number }> {
  const ttl = claims.ttlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS;
  if (!(ttl > 0 && ttl <= MAX_TOKEN_TTL_SECONDS)) throw new RangeError(`ttl must be between 1 s and 24 h`);
  const iat = Math.floor(now / 1000);
  const payload: Record<string, unknown> = { tenant: claims.tenant, scope: claims.scopes.join(' ') };
  if (claims.clientId) payload.client_id = claims.clientId;
  const token = await new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.subject)
    .setAudience(EMBED_AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ttl)
    .sign(tenantSigningKey(embedSecret, claims.tenant));
  return { token, expiresAt: (iat + ttl) * 1000 };
}

export class TokenError extends Error {}

/** Verifies signature, audience, expiry and the 24 h cap; answers the claims or throws TokenError. */
export async function verifyEmbedToken(embedSecret: string, token: string, now = Date.now()): Promise<EmbedClaims> {
  let tenant: unknown;
  try {
    tenant = decodeJwt(token).tenant;
  } catch {
    throw new TokenError('the token is not a JWT');
  }
  if (typeof tenant !== 'string' || !tenant) throw new TokenError('the token names no tenant');
  try {
    const { payload } = await jwtVerify(token, tenantSigningKey(embedSecret, tenant), {
      algorithms: ['HS256'],
      audience: EMBED_AUDIENCE,
      requiredClaims: ['exp', 'iat', 'sub'],
      currentDate: new Date(now),
    });
    if (payload.exp! - payload.iat! > MAX_TOKEN_TTL_SECONDS) throw new TokenError('the token lives longer than 24 hours');
    const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
    const unknown = scopes.filter((s) => !(EMBED_SCOPES as readonly string[]).includes(s));
    if (unknown.length) throw new TokenError(`unknown scope ${unknown.join(', ')}`);
    const clientId = payload.client_id;
    if (clientId !== undefined && (typeof clientId !== 'string' || !clientId)) throw new TokenError('client_id must be a string');
    return { tenant, subject: payload.sub!, scopes: scopes as Scope[], clientId: clientId ?? null, expiresAt: payload.exp! * 1000 };
  } catch (e) {
    if (e instanceof TokenError) throw e;
    if (e instanceof joseErrors.JWTExpired) throw new TokenError('the token has expired');
    throw new TokenError('the token is not valid');
  }
}
