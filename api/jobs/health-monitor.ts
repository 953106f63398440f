/**
 * The health monitor (SPEC §4.6): probes each enabled monitored component over HTTP once its
 * interval has passed, and records every probe as a check through the same recorder as ingest
 * heartbeats (api/ingest/health.ts), deciding the status by the rules of api/domain/health.ts.
 *
 * Every probe is bounded by its timeout (`AbortSignal.timeout`): a component that accepts the
 * connection and never answers fails after `timeout_ms`, it does not hold up the others. A probe
 * cut short by the server shutting down records nothing.
 *
 * Probes go through the outbound policy (api/lib/outbound.ts): a URL on a loopback, private or
 * link-local address — or a name that resolves to one when probed — is a failed probe whose message
 * says so, and is logged; nothing is sent.
 *
 * `runDue` is the scheduled job: run it every few seconds; each component is probed no more often
 * than its own interval, measured on the injected clock. {@link pruneHealthChecks} keeps the
 * check history bounded.
 */
import type { Db } from '../db/client.js';
import { afterProbe, RECENT_CHECKS, RECENT_WINDOW_MS, type ProbeResult } from '../domain/health.js';
import { HealthRecorder } from '../ingest/health.js';
import type { Logger } from '../lib/logger.js';
import { describeOutboundFailure, OutboundPolicy, OutboundRefusedError } from '../lib/outbound.js';
import type { ComponentDbRow } from '../routes/system-health/system-health.queries.js';
import type { LivePipeline } from '../stream/live.js';

/** How often the monitor's job should run; components are probed by their own interval. */
export const MONITOR_TICK_MS = 5_000;

export interface MonitoredComponent {
  tenant_id: number;
  component_name: string;
  probe_url: string;
  interval_ms: number;
  timeout_ms: number;
  latency_threshold_ms: number;
}

export interface HealthMonitorDeps {
  db: Db;
  clock: () => number;
  live: LivePipeline;
  /** Where probes may go; the default refuses internal addresses. */
  outbound?: OutboundPolicy;
  log?: Logger;
}

export interface HealthMonitorOptions {
  /** Probes in flight at once, across tenants. */
  concurrency?: number;
}

export class HealthMonitor {
  readonly #deps: HealthMonitorDeps;
  readonly #recorder: HealthRecorder;
  readonly #enabled;
  readonly #concurrency: number;
  readonly #outbound: OutboundPolicy;
  /** When each component (`tenant:name`) is next due; absent means now. */
  readonly #nextDue = new Map<string, number>();
  readonly #inFlight = new Set<string>();

  constructor(deps: HealthMonitorDeps, options: HealthMonitorOptions = {}) {
    this.#deps = deps;
    this.#recorder = new HealthRecorder(deps.db.$client);
    this.#enabled = deps.db.$client.prepare<[], MonitoredComponent>(
      'SELECT tenant_id, component_name, probe_url, interval_ms, timeout_ms, latency_threshold_ms FROM ai_receptionist_monitored_components ' +
        'WHERE enabled = 1 ORDER BY tenant_id, component_name',
    );
    this.#concurrency = options.concurrency ?? 32;
    this.#outbound = deps.outbound ?? new OutboundPolicy();
  }

  /**
   * Probes every enabled component that is due (of one tenant, or all), and records the results;
   * answers the components as stored after their probes.
   */
  async runDue(signal: AbortSignal = new AbortController().signal, tenantId?: number): Promise<{ tenant_id: number; component: ComponentDbRow }[]> {
    const now = this.#deps.clock();
    const configured = this.#enabled.all().filter((c) => tenantId === undefined || c.tenant_id === tenantId);
    const keys = new Set(configured.map(key));
    for (const k of this.#nextDue.keys()) if (!keys.has(k)) this.#nextDue.delete(k);
    const due = configured.filter((c) => !this.#inFlight.has(key(c)) && (this.#nextDue.get(key(c)) ?? now) <= now);
    for (const c of due) {
      this.#inFlight.add(key(c));
      this.#nextDue.set(key(c), now + c.interval_ms);
    }
    const results: { tenant_id: number; component: ComponentDbRow }[] = [];
    let next = 0;
    const worker = async () => {
      while (next < due.length && !signal.aborted) {
        const component = due[next++]!;
        try {
          const probe = await this.probe(component, signal);
          if (!signal.aborted) results.push({ tenant_id: component.tenant_id, component: this.record(component, probe) });
        } finally {
          this.#inFlight.delete(key(component));
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#concurrency, due.length) }, worker));
    for (const c of due.slice(next)) this.#inFlight.delete(key(c));
    return results;
  }

  /** One GET of the component's probe URL, bounded by its timeout; never throws. */
  async probe(component: Pick<MonitoredComponent, 'probe_url' | 'timeout_ms'>, signal?: AbortSignal): Promise<ProbeResult> {
    const timeout = AbortSignal.timeout(component.timeout_ms);
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      // Only the status matters: the body is not downloaded, and redirects are not followed.
      const res = await this.#outbound.request(component.probe_url, {
        method: 'GET',
        headers: { 'user-agent': 'ai-receptionist-health-monitor', accept: '*/*' },
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      const latency = elapsed();
      const ok = res.status >= 200 && res.status < 400;
      return { ok, latency_ms: latency, detail: `HTTP ${res.status}${ok ? ` in ${latency} ms` : ''}` };
    } catch (e) {
      if (timeout.aborted) return { ok: false, latency_ms: null, detail: `timed out after ${component.timeout_ms} ms` };
      const detail = describeOutboundFailure(e);
      if (e instanceof OutboundRefusedError) this.#deps.log?.warn('health probe refused by the outbound policy', { url: component.probe_url, reason: detail });
      return { ok: false, latency_ms: null, detail };
    }
  }

  /** Records one probe of a component as a check, in one transaction with its event. */
  record(component: MonitoredComponent, probe: ProbeResult): ComponentDbRow {
    const { tenant_id: tenantId, component_name: name } = component;
    const now = this.#deps.clock();
    return this.#deps.live.outbox.commit(tenantId, (emit) =>
      this.#recorder.record(emit, tenantId, name, now, (previous) =>
        afterProbe(previous, probe, this.#recorder.recentOutcomes(tenantId, name, now - RECENT_WINDOW_MS, RECENT_CHECKS - 1), component.latency_threshold_ms, now),
      ),
    );
  }
}

function key(c: Pick<MonitoredComponent, 'tenant_id' | 'component_name'>): string {
  return `${c.tenant_id}:${c.component_name}`;
}

/** Checks deleted per statement, so a large backlog never holds the write lock for long. */
const PRUNE_BATCH = 5_000;
/** Uptime is computed over the last 24 hours of checks: those are never pruned, whatever the retention. */
const UPTIME_HISTORY_MS = 24 * 3_600_000;

/**
 * Deletes health checks (probes and heartbeats alike) older than `retentionMs` (at least the 24
 * hours uptime is computed from), component by component through its index; answers how many.
 */
export function pruneHealthChecks(db: Db, now: number, retentionMs: number): number {
  const sqlite = db.$client;
  const cutoff = now - Math.max(retentionMs, UPTIME_HISTORY_MS);
  const components = sqlite.prepare<[], { tenant_id: number; component_name: string }>('SELECT tenant_id, component_name FROM ai_receptionist_system_health');
  const batch = sqlite.prepare<[number, string, number, number]>(
    'DELETE FROM ai_receptionist_health_checks WHERE id IN (SELECT id FROM ai_receptionist_health_checks ' +
      'WHERE tenant_id = ? AND component_name = ? AND checked_at < ? LIMIT ?)',
  );
  let deleted = 0;
  for (const c of components.all()) {
    let n: number;
    do {
      n = batch.run(c.tenant_id, c.component_name, cutoff, PRUNE_BATCH).changes;
      deleted += n;
    } while (n === PRUNE_BATCH);
  }
  return deleted;
}
