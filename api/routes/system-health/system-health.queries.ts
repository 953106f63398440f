import type { HealthStatus } from '../../db/schema.js';
import type { AppContext } from '../../lib/router.js';
import { iso } from '../../lib/time.js';

/** How many of a component's checks its detail lists. */
export const RECENT_CHECKS = 100;

/** From best to worst: the overall status is the worst one present. */
const SEVERITY: Record<HealthStatus, number> = { active: 0, unknown: 1, degraded: 2, down: 3 };

const COLUMNS = 'component_name, status, latency_ms, error_rate, uptime_percentage, last_checked, down_since, consecutive_failures, message';

export interface ComponentDbRow {
  component_name: string;
  status: HealthStatus;
  latency_ms: number | null;
  error_rate: number | null;
  uptime_percentage: number | null;
  last_checked: number | null;
  down_since: number | null;
  consecutive_failures: number;
  message: string | null;
}

export interface HealthCheckDbRow {
  checked_at: number;
  ok: number;
  status: HealthStatus;
  latency_ms: number | null;
  message: string | null;
}

export function listComponents(ctx: AppContext, tenantId: number): ComponentDbRow[] {
  return ctx.sql.get<ComponentDbRow>(`SELECT ${COLUMNS} FROM ai_receptionist_system_health WHERE tenant_id = ? ORDER BY component_name`).all(tenantId);
}

export function getComponent(ctx: AppContext, tenantId: number, name: string): ComponentDbRow | undefined {
  return ctx.sql
    .get<ComponentDbRow>(`SELECT ${COLUMNS} FROM ai_receptionist_system_health WHERE tenant_id = ? AND component_name = ?`)
    .get(tenantId, name);
}

export function recentChecks(ctx: AppContext, tenantId: number, name: string): HealthCheckDbRow[] {
  return ctx.sql
    .get<HealthCheckDbRow>(
      'SELECT checked_at, ok, status, latency_ms, message FROM ai_receptionist_health_checks ' +
        'WHERE tenant_id = ? AND component_name = ? ORDER BY checked_at DESC, id DESC LIMIT ?',
    )
    .all(tenantId, name, RECENT_CHECKS);
}

/** Counts per status and the worst one; with no components at all, nothing is known. */
export function summarize(rows: readonly Pick<ComponentDbRow, 'status'>[]) {
  const counts: Record<HealthStatus, number> = { active: 0, degraded: 0, down: 0, unknown: 0 };
  let overall: HealthStatus | undefined;
  for (const { status } of rows) {
    counts[status] += 1;
    if (overall === undefined || SEVERITY[status] > SEVERITY[overall]) overall = status;
  }
  return { ...counts, overall: overall ?? 'unknown' };
}

export function serializeComponent(row: ComponentDbRow) {
  return { ...row, last_checked: iso(row.last_checked), down_since: iso(row.down_since) };
}

export function serializeCheck(row: HealthCheckDbRow) {
  return { ...row, checked_at: iso(row.checked_at), ok: row.ok !== 0 };
}
