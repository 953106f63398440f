import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { tenant_origins, tenants, type RoiAssumptions, type Tenant } from '../db/schema.js';
import { isValidTimeZone } from '../lib/time.js';

export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

export class TenantInputError extends Error {}

/** An origin exactly as a browser sends it: scheme, host, optional port; no path. */
export function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
  } catch {
    return false;
  }
}

export function createTenant(
  db: Db,
  input: { slug: string; name?: string; timezone?: string; origins?: string[]; roi?: Partial<RoiAssumptions> },
): Tenant {
  const timezone = input.timezone ?? 'America/New_York';
  if (!SLUG_PATTERN.test(input.slug)) throw new TenantInputError(`slug "${input.slug}" must be 1–64 lowercase letters, digits or dashes`);
  if (!isValidTimeZone(timezone)) throw new TenantInputError(`timezone "${timezone}" is not an IANA time zone (e.g. America/New_York)`);
  const bad = (input.origins ?? []).filter((o) => !isOrigin(o));
  if (bad.length) throw new TenantInputError(`not an origin: ${bad.join(', ')} (write https://crm.example.com, no path or trailing slash)`);
  if (findTenant(db, input.slug)) throw new TenantInputError(`tenant "${input.slug}" already exists`);
  return db.transaction((tx) => {
    const tenant = tx
      .insert(tenants)
      .values({ slug: input.slug, name: input.name ?? input.slug, timezone, roi_assumptions: input.roi ?? {} })
      .returning()
      .get();
    for (const origin of new Set(input.origins ?? [])) tx.insert(tenant_origins).values({ tenant_id: tenant.id, origin }).run();
    return tenant;
  });
}

export function findTenant(db: Db, slug: string): Tenant | undefined {
  return db.select().from(tenants).where(eq(tenants.slug, slug)).get();
}

export function addOrigins(db: Db, tenantId: number, origins: string[]): void {
  for (const origin of origins) db.insert(tenant_origins).values({ tenant_id: tenantId, origin }).onConflictDoNothing().run();
}
