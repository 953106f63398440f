import type { RoiAssumptions, Scope } from '../db/schema.js';

export interface TenantContext {
  id: number;
  slug: string;
  name: string;
  timezone: string;
  roi: RoiAssumptions;
}

/** Who is calling: always resolved from the credential, never from a parameter or a body. */
export interface Principal {
  tenant: TenantContext;
  kind: 'api_key' | 'embed_token';
  /** The CRM user (embed token `sub`) or `key:<id>`; recorded in audit trails. */
  subject: string;
  scopes: ReadonlySet<Scope>;
  /** Set when the token is locked to one client: every read is then limited to that client's rows. */
  clientId: string | null;
}

/** `admin` keys may do everything but ingest; other scopes are exactly what they say. */
export function hasScope(p: Principal, scope: Scope): boolean {
  return p.scopes.has(scope) || (scope !== 'ingest' && p.scopes.has('admin'));
}

export const DEFAULT_ROI: RoiAssumptions = {
  revenue_per_booking: 125,
  minutes_per_conversation: 6,
  human_hourly_cost: 22,
  ai_cost_per_interaction: 0.45,
  currency: 'USD',
  business_hours: { start_hour: 9, end_hour: 17, weekdays: [1, 2, 3, 4, 5] },
};

export function roiAssumptions(stored: Partial<RoiAssumptions> | null | undefined): RoiAssumptions {
  return { ...DEFAULT_ROI, ...stored, business_hours: { ...DEFAULT_ROI.business_hours, ...stored?.business_hours } };
}
