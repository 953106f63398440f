import type { Db } from '../db/client.js';
import { roiAssumptions } from '../auth/principal.js';
import { createTenant, findTenant } from '../auth/tenants.js';
import type { Tenant } from '../db/schema.js';
import { aggregateRange } from '../jobs/aggregate.js';
import { addDays } from '../lib/time.js';
import { zone } from '../lib/time.js';
import { seedTenant, type SeedOptions, type SeedResult } from './generator.js';

export const DEMO_TENANT = 'demo';
/** Four weeks, so the panels' default two-week views have a previous period to compare with. */
export const DEMO_DAYS = 28;

/**
 * Seeds a tenant (created when missing) and fills metrics_daily for every seeded day before today,
 * so the daily figures agree with the activities.
 */
export function seedAndAggregate(
  db: Db,
  tenant: Tenant,
  options: Omit<SeedOptions, 'tenantId' | 'timezone'> = {},
): SeedResult & { days_aggregated: number } {
  const now = options.now ?? Date.now();
  const result = seedTenant(db, { ...options, now, tenantId: tenant.id, timezone: tenant.timezone });
  const today = zone(tenant.timezone).localDate(now);
  const days = options.days ?? 14;
  const context = { id: tenant.id, timezone: tenant.timezone, roi: roiAssumptions(tenant.roi_assumptions) };
  aggregateRange(db, context, addDays(today, -days), addDays(today, -1));
  return { ...result, days_aggregated: days };
}

export function tenantHasActivity(db: Db, tenantId: number): boolean {
  return db.$client.prepare('SELECT 1 FROM ai_receptionist_activity WHERE tenant_id = ? LIMIT 1').get(tenantId) !== undefined;
}

/** The demo tenant, created and seeded on first start; the local demo page's origins may embed it. */
export function ensureDemoTenant(db: Db, origins: string[]): { tenant: Tenant; seeded: boolean } {
  const tenant = findTenant(db, DEMO_TENANT) ?? createTenant(db, { slug: DEMO_TENANT, name: 'Harborview Mortgage (demo)', timezone: 'America/New_York', origins });
  if (tenantHasActivity(db, tenant.id)) return { tenant, seeded: false };
  seedAndAggregate(db, tenant, { days: DEMO_DAYS });
  return { tenant, seeded: true };
}
