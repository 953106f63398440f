import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { api_keys, type Scope } from '../db/schema.js';

/**
 * API keys look like `air_<id>_<secret>`. The id finds the row; the secret is 32 random bytes and
 * is stored only as its SHA-256 (a fast hash is right for a high-entropy secret: there is nothing
 * to brute-force, and the hot path stays cheap). The full key is shown once, at creation.
 */
const PREFIX = 'air_';

function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

export function isApiKey(credential: string): boolean {
  return credential.startsWith(PREFIX);
}

export function createApiKey(db: Db, tenantId: number, scopes: Scope[], name = ''): { id: string; key: string } {
  const id = randomBytes(9).toString('base64url');
  const secret = randomBytes(32).toString('base64url');
  db.insert(api_keys)
    .values({ id, tenant_id: tenantId, name, scopes: [...new Set(scopes)], secret_hash: hashSecret(secret).toString('hex') })
    .run();
  return { id, key: `${PREFIX}${id}_${secret}` };
}

export function revokeApiKey(db: Db, tenantId: number, id: string): boolean {
  const res = db.$client
    .prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND tenant_id = ? AND revoked_at IS NULL')
    .run(Date.now(), id, tenantId);
  return res.changes > 0;
}

/** The key's row when the credential is a live key, else null. Timing-safe on the secret. */
export function makeKeyVerifier(db: Db) {
  const find = db.select().from(api_keys).where(eq(api_keys.id, sql.placeholder('id'))).prepare();
  return (credential: string) => {
    if (!isApiKey(credential)) return null;
    const rest = credential.slice(PREFIX.length);
    const sep = rest.indexOf('_', 12);
    if (sep !== 12) return null;
    const row = find.get({ id: rest.slice(0, sep) });
    if (!row || row.revoked_at != null) return null;
    const given = hashSecret(rest.slice(sep + 1));
    const stored = Buffer.from(row.secret_hash, 'hex');
    if (stored.length !== given.length || !timingSafeEqual(stored, given)) return null;
    return row;
  };
}
