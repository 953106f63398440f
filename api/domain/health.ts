/**
 * The health rules of SPEC §4.6, as pure functions of a component's previous state and one new
 * check: a probe by the health monitor, or a heartbeat a component sends through ingest.
 *
 * Probes:
 * - a failed probe (an error answer, a timeout, no connection) counts a consecutive failure: the
 *   component is `degraded` at the first and second, `down` from the third on;
 * - a successful probe resets the count; the component is `degraded` while it is slower than its
 *   latency threshold or while any of its recent checks failed (it is recovering), else `active`.
 *
 * Heartbeats say their own status: `down` counts a consecutive failure, `active` and `degraded`
 * reset the count, `unknown` leaves it as it was.
 *
 * Either way `down_since` is when the component went down, kept while it stays down and cleared
 * once it is anything else.
 */
import type { HealthStatus } from '../db/schema.js';

/** Consecutive failed probes after which a component is `down`. */
export const DOWN_AFTER_FAILURES = 3;
/** "Recent checks": the latest this many checks (the new one included) within {@link RECENT_WINDOW_MS}. */
export const RECENT_CHECKS = 5;
export const RECENT_WINDOW_MS = 60 * 60_000;

export interface ComponentState {
  status: HealthStatus;
  consecutive_failures: number;
  down_since: number | null;
}

/** What one check decided: the check itself (`ok`, latency, message) and the component's new state. */
export interface CheckDecision extends ComponentState {
  ok: boolean;
  latency_ms: number | null;
  /** Reported by a heartbeat; otherwise computed from the check history. */
  error_rate: number | null;
  message: string | null;
}

export interface ProbeResult {
  ok: boolean;
  /** Time to the answer's headers; null when there was no answer. */
  latency_ms: number | null;
  /** Why it failed (`HTTP 503`, `timed out after 5000 ms`, …), or the answer's status line. */
  detail: string;
}

export interface HeartbeatReport {
  status: HealthStatus;
  latency_ms?: number | null;
  error_rate?: number | null;
  message?: string | null;
}

function downSince(previous: ComponentState | undefined, status: HealthStatus, now: number): number | null {
  if (status !== 'down') return null;
  return previous?.status === 'down' && previous.down_since !== null ? previous.down_since : now;
}

/**
 * The component after a probe. `earlierOutcomes` are the `ok` flags of its checks before this
 * one, newest first, at most {@link RECENT_CHECKS} − 1 of them and none older than
 * {@link RECENT_WINDOW_MS}.
 */
export function afterProbe(
  previous: ComponentState | undefined,
  probe: ProbeResult,
  earlierOutcomes: readonly boolean[],
  latencyThresholdMs: number,
  now: number,
): CheckDecision {
  const recent = earlierOutcomes.slice(0, RECENT_CHECKS - 1);
  if (!probe.ok) {
    const failures = (previous?.consecutive_failures ?? 0) + 1;
    const status: HealthStatus = failures >= DOWN_AFTER_FAILURES ? 'down' : 'degraded';
    return {
      ok: false,
      status,
      consecutive_failures: failures,
      down_since: downSince(previous, status, now),
      latency_ms: probe.latency_ms,
      error_rate: null,
      message: `${probe.detail} (${failures} failure${failures === 1 ? '' : 's'} in a row)`,
    };
  }
  const failed = recent.filter((ok) => !ok).length;
  const slow = probe.latency_ms !== null && probe.latency_ms > latencyThresholdMs;
  const status: HealthStatus = slow || failed > 0 ? 'degraded' : 'active';
  const message = slow
    ? `slow: ${probe.latency_ms} ms, above the ${latencyThresholdMs} ms threshold`
    : failed > 0
      ? `recovering: ${failed} of the last ${recent.length + 1} checks failed`
      : probe.detail;
  return { ok: true, status, consecutive_failures: 0, down_since: null, latency_ms: probe.latency_ms, error_rate: null, message };
}

/** The component after a heartbeat, which states its own status. */
export function afterHeartbeat(previous: ComponentState | undefined, report: HeartbeatReport, now: number): CheckDecision {
  const ok = report.status === 'active' || report.status === 'degraded';
  const failures = report.status === 'down' ? (previous?.consecutive_failures ?? 0) + 1 : ok ? 0 : (previous?.consecutive_failures ?? 0);
  return {
    ok,
    status: report.status,
    consecutive_failures: failures,
    down_since: downSince(previous, report.status, now),
    latency_ms: report.latency_ms ?? null,
    error_rate: report.error_rate ?? null,
    message: report.message ?? null,
  };
}
