/**
 * Where a component's checks are written, for heartbeats (ingest) and probes (the health
 * monitor) alike: one check row, the component's status row, and `system.health.change` when —
 * and only when — the status differs from the stored one (or the component is new, with
 * `previous_status: null`). Runs inside the caller's outbox transaction.
 *
 * Uptime is computed over the last 24 hours of checks; the error rate, unless a heartbeat
 * reports one, over the last hour. A check without a latency keeps the component's last known
 * latency.
 */
import type Database from 'better-sqlite3';
import type { CheckDecision, ComponentState } from '../domain/health.js';
import { round } from '../domain/roi.js';
import { serializeComponent, type ComponentDbRow } from '../routes/system-health/system-health.queries.js';
import type { Emit } from '../stream/outbox.js';

const UPTIME_WINDOW_MS = 24 * 60 * 60_000;
const ERROR_RATE_WINDOW_MS = 60 * 60_000;

const COMPONENT_COLUMNS = 'component_name, status, latency_ms, error_rate, uptime_percentage, last_checked, down_since, consecutive_failures, message';

export class HealthRecorder {
  readonly #component;
  readonly #insertCheck;
  readonly #checkRates;
  readonly #upsertComponent;
  readonly #recentOutcomes;

  constructor(sqlite: Database.Database) {
    this.#component = sqlite.prepare<[number, string], ComponentDbRow>(
      `SELECT ${COMPONENT_COLUMNS} FROM ai_receptionist_system_health WHERE tenant_id = ? AND component_name = ?`,
    );
    this.#insertCheck = sqlite.prepare(
      'INSERT INTO ai_receptionist_health_checks (tenant_id, component_name, checked_at, ok, status, latency_ms, message) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.#checkRates = sqlite.prepare<[number, number, string, number], { uptime: number | null; failing: number | null }>(
      'SELECT avg(ok) AS uptime, avg(CASE WHEN checked_at >= ? THEN 1 - ok END) AS failing FROM ai_receptionist_health_checks ' +
        'WHERE tenant_id = ? AND component_name = ? AND checked_at >= ?',
    );
    this.#upsertComponent = sqlite.prepare(
      'INSERT INTO ai_receptionist_system_health (tenant_id, component_name, status, latency_ms, error_rate, uptime_percentage, last_checked, ' +
        'down_since, consecutive_failures, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ' +
        'ON CONFLICT (tenant_id, component_name) DO UPDATE SET status = excluded.status, latency_ms = excluded.latency_ms, ' +
        'error_rate = excluded.error_rate, uptime_percentage = excluded.uptime_percentage, last_checked = excluded.last_checked, ' +
        'down_since = excluded.down_since, consecutive_failures = excluded.consecutive_failures, message = excluded.message',
    );
    this.#recentOutcomes = sqlite.prepare<[number, string, number, number], { ok: number }>(
      'SELECT ok FROM ai_receptionist_health_checks WHERE tenant_id = ? AND component_name = ? AND checked_at >= ? ' +
        'ORDER BY checked_at DESC, id DESC LIMIT ?',
    );
  }

  /** The component as stored, if it has reported or been probed before. */
  component(tenantId: number, component: string): ComponentDbRow | undefined {
    return this.#component.get(tenantId, component);
  }

  /** The `ok` flags of a component's latest checks since `since`, newest first. */
  recentOutcomes(tenantId: number, component: string, since: number, limit: number): boolean[] {
    return this.#recentOutcomes.all(tenantId, component, since, limit).map((r) => r.ok !== 0);
  }

  /** Records one check, decided from the stored state; answers the component as now stored. */
  record(emit: Emit, tenantId: number, component: string, now: number, decide: (previous: ComponentState | undefined) => CheckDecision): ComponentDbRow {
    const previous = this.#component.get(tenantId, component);
    const check = decide(previous);
    this.#insertCheck.run(tenantId, component, now, check.ok ? 1 : 0, check.status, check.latency_ms, check.message);
    const rates = this.#checkRates.get(now - ERROR_RATE_WINDOW_MS, tenantId, component, now - UPTIME_WINDOW_MS)!;
    const row: ComponentDbRow = {
      component_name: component,
      status: check.status,
      latency_ms: check.latency_ms ?? previous?.latency_ms ?? null,
      error_rate: check.error_rate ?? (rates.failing === null ? null : round(rates.failing, 4)),
      uptime_percentage: rates.uptime === null ? null : round(rates.uptime * 100),
      last_checked: now,
      down_since: check.down_since,
      consecutive_failures: check.consecutive_failures,
      message: check.message,
    };
    this.#upsertComponent.run(
      tenantId, row.component_name, row.status, row.latency_ms, row.error_rate, row.uptime_percentage, row.last_checked,
      row.down_since, row.consecutive_failures, row.message,
    );
    if (previous?.status !== row.status) emit('system.health.change', { ...serializeComponent(row), previous_status: previous?.status ?? null });
    return row;
  }
}
