import type { TenantContext } from '../auth/principal.js';
import type { Db } from '../db/client.js';
import type { TallyActivity } from '../domain/metrics.js';
import type { Statements } from '../lib/sql.js';
import { RealtimeMetrics } from '../routes/metrics/realtime.js';
import { EventBus } from './bus.js';
import { DEFAULT_RETENTION_MS, Outbox } from './outbox.js';

export interface LiveOptions {
  /** metric.update is pushed at most this often per tenant (coalesced). */
  metricIntervalMs?: number;
  /** Events older than this are pruned; a client asking for one gets `event: reset`. */
  retentionMs?: number;
}

/**
 * The live side of one server: the event bus, the outbox that feeds it, today's running metrics,
 * and the coalesced metric.update pushes. Ingest calls {@link activitiesCommitted} after each
 * commit; everything else reads from here.
 */
export class LivePipeline {
  readonly bus = new EventBus();
  readonly outbox: Outbox;
  readonly realtime: RealtimeMetrics;
  readonly retentionMs: number;
  readonly #metricIntervalMs: number;
  readonly #scheduled = new Map<number, ReturnType<typeof setTimeout>>();
  #closed = false;

  constructor(
    db: Db,
    deps: { sql: Statements; clock: () => number },
    options: LiveOptions = {},
  ) {
    this.outbox = new Outbox(db, this.bus, deps.clock);
    this.realtime = new RealtimeMetrics(deps);
    this.retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
    this.#metricIntervalMs = options.metricIntervalMs ?? 500;
  }

  /** Folds committed activities into today's figures and schedules one metric.update for the tenant. */
  activitiesCommitted(tenant: TenantContext, activities: readonly TallyActivity[]): void {
    for (const a of activities) this.realtime.record(tenant, a);
    this.#scheduleMetricUpdate(tenant);
  }

  #scheduleMetricUpdate(tenant: TenantContext): void {
    if (this.#closed || this.#scheduled.has(tenant.id)) return;
    const timer = setTimeout(() => {
      this.#scheduled.delete(tenant.id);
      if (this.#closed) return;
      const snapshot = this.realtime.snapshot(tenant);
      this.outbox.commit(tenant.id, (emit) => emit('metric.update', snapshot));
    }, this.#metricIntervalMs);
    timer.unref?.();
    this.#scheduled.set(tenant.id, timer);
  }

  /** Pushes any scheduled metric.update now (tests, shutdown). */
  flushMetricUpdates(tenants: Iterable<TenantContext>): void {
    for (const tenant of tenants) {
      const timer = this.#scheduled.get(tenant.id);
      if (!timer) continue;
      clearTimeout(timer);
      this.#scheduled.delete(tenant.id);
      this.outbox.commit(tenant.id, (emit) => emit('metric.update', this.realtime.snapshot(tenant)));
    }
  }

  prune(): number {
    return this.outbox.prune(this.retentionMs);
  }

  close(): void {
    this.#closed = true;
    for (const timer of this.#scheduled.values()) clearTimeout(timer);
    this.#scheduled.clear();
  }
}
