/**
 * The components the health monitor probes, per tenant; shared by the admin routes, the CLI and
 * the monitor job.
 */
import { z } from '@hono/zod-openapi';
import type { Db } from '../../db/client.js';
import type { HealthStatus } from '../../db/schema.js';
import { ComponentName } from '../../ingest/schemas.js';
import { httpUrl } from '../../lib/urls.js';
import { iso } from '../../lib/time.js';

export const MONITOR_LIMITS = {
  interval: { min: 10_000, max: 24 * 3_600_000, default: 60_000 },
  timeout: { min: 100, max: 60_000, default: 5_000 },
  latencyThreshold: { min: 1, max: 600_000, default: 1_000 },
} as const;

const ms = (what: string, limits: { min: number; max: number; default: number }) =>
  z
    .number()
    .int()
    .min(limits.min)
    .max(limits.max)
    .default(limits.default)
    .openapi({ description: `${what}, in milliseconds (${limits.min.toLocaleString('en-US')}–${limits.max.toLocaleString('en-US')}).` });

export const MonitorInputSchema = z
  .object({
    probe_url: httpUrl(
      'Probed with GET: a 2xx or 3xx answer within the timeout is a success. http or https, without credentials, on a public address ' +
        '(loopback, private, link-local and other internal addresses are refused, also when a name resolves to one).',
    ),
    interval_ms: ms('How often to probe', MONITOR_LIMITS.interval),
    timeout_ms: ms('How long a probe may take before it counts as failed', MONITOR_LIMITS.timeout),
    latency_threshold_ms: ms('A successful probe slower than this makes the component degraded', MONITOR_LIMITS.latencyThreshold),
    enabled: z.boolean().default(true).openapi({ description: 'A disabled monitor keeps its configuration but is not probed.' }),
  })
  .strict()
  .refine((m) => m.timeout_ms <= m.interval_ms, { path: ['timeout_ms'], message: 'must not exceed interval_ms' })
  .openapi('MonitorInput');
export type MonitorInput = z.infer<typeof MonitorInputSchema>;

export { ComponentName };

export interface MonitorDbRow {
  component_name: string;
  probe_url: string;
  interval_ms: number;
  timeout_ms: number;
  latency_threshold_ms: number;
  enabled: number;
  created_at: number;
  updated_at: number;
  status: HealthStatus | null;
  last_checked: number | null;
}

const SELECT =
  'SELECT m.component_name, m.probe_url, m.interval_ms, m.timeout_ms, m.latency_threshold_ms, m.enabled, m.created_at, m.updated_at, ' +
  'h.status, h.last_checked FROM ai_receptionist_monitored_components AS m ' +
  'LEFT JOIN ai_receptionist_system_health AS h ON h.tenant_id = m.tenant_id AND h.component_name = m.component_name WHERE m.tenant_id = ?';

export function listMonitors(db: Db, tenantId: number): MonitorDbRow[] {
  return db.$client.prepare<[number], MonitorDbRow>(`${SELECT} ORDER BY m.component_name`).all(tenantId);
}

export function getMonitor(db: Db, tenantId: number, component: string): MonitorDbRow | undefined {
  return db.$client.prepare<[number, string], MonitorDbRow>(`${SELECT} AND m.component_name = ?`).get(tenantId, component);
}

/** Creates or replaces a component's monitor; `created` says which. */
export function putMonitor(db: Db, tenantId: number, component: string, input: MonitorInput, now: number): { row: MonitorDbRow; created: boolean } {
  const sqlite = db.$client;
  const created = sqlite
    .transaction(() => {
      const exists = sqlite.prepare('SELECT 1 FROM ai_receptionist_monitored_components WHERE tenant_id = ? AND component_name = ?').get(tenantId, component);
      sqlite
        .prepare(
          'INSERT INTO ai_receptionist_monitored_components (tenant_id, component_name, probe_url, interval_ms, timeout_ms, latency_threshold_ms, enabled, ' +
            'created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, component_name) DO UPDATE SET ' +
            'probe_url = excluded.probe_url, interval_ms = excluded.interval_ms, timeout_ms = excluded.timeout_ms, ' +
            'latency_threshold_ms = excluded.latency_threshold_ms, enabled = excluded.enabled, updated_at = excluded.updated_at',
        )
        .run(tenantId, component, input.probe_url, input.interval_ms, input.timeout_ms, input.latency_threshold_ms, input.enabled ? 1 : 0, now, now);
      return !exists;
    })
    .immediate();
  return { row: getMonitor(db, tenantId, component)!, created };
}

/** Stops probing a component; its status and check history stay. False when it had no monitor. */
export function deleteMonitor(db: Db, tenantId: number, component: string): boolean {
  return db.$client.prepare('DELETE FROM ai_receptionist_monitored_components WHERE tenant_id = ? AND component_name = ?').run(tenantId, component).changes > 0;
}

export function serializeMonitor(row: MonitorDbRow) {
  return {
    ...row,
    enabled: row.enabled !== 0,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
    last_checked: iso(row.last_checked),
  };
}
