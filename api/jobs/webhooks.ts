/**
 * Webhook deliveries: each tenant's events, read from its outbox, POSTed signed to the tenant's
 * webhooks that subscribe to their type, retried with backoff, every attempt logged.
 *
 * - Queueing reads the outbox, not the in-memory bus: each webhook keeps its place in its
 *   tenant's event sequence (`last_event_seq`), and the delivery rows and the new place are
 *   written in one transaction. An event committed while the server was down, or between a
 *   commit and a crash, is still delivered; none is queued twice (one delivery per webhook and
 *   event). Only the tenant's own events ever reach its webhooks.
 * - The bus only says when to look: after events of a tenant with an interested webhook are
 *   published, its deliveries are queued and attempted at once. The scheduled job ({@link run})
 *   does the same for every tenant and retries what is due, so a pending delivery survives a
 *   restart.
 * - An attempt claims its delivery first (moving `next_attempt_at` past the attempt's timeout),
 *   so the live path and the job never send the same delivery at once.
 * - Signature and backoff: api/domain/webhooks.ts. The secret is stored sealed
 *   (api/lib/secret-box.ts) and opened for each attempt; one that does not open (damaged, or the
 *   key changed) makes a failed attempt with that reason, and nothing is sent.
 * - Requests go through the outbound policy (api/lib/outbound.ts): a URL on a loopback, private
 *   or link-local address — or a name that resolves to one when delivering — is a failed attempt
 *   whose error says so, and is logged; nothing is sent.
 * - {@link pruneWebhookDeliveries} keeps the delivery log bounded.
 */
import type { Db } from '../db/client.js';
import { FIRST_RETRY_MS, MAX_ATTEMPTS, nextAttemptAt, signWebhook } from '../domain/webhooks.js';
import { uuidv7 } from '../lib/ids.js';
import type { Logger } from '../lib/logger.js';
import { describeOutboundFailure, OutboundPolicy, OutboundRefusedError } from '../lib/outbound.js';
import { SecretBoxError, type SecretBox } from '../lib/secret-box.js';
import { webhookSecretContext } from '../routes/webhooks/webhooks.queries.js';
import type { StreamEvent } from '../stream/events.js';
import type { LivePipeline } from '../stream/live.js';

/** How often the delivery job should run (queue what the live path missed, retry what is due). */
export const WEBHOOK_TICK_MS = 15_000;
/** Events queued per webhook and pass; a longer backlog continues on the next pass. */
const QUEUE_BATCH = 1000;
/** Deliveries claimed per pass. */
const DELIVERY_BATCH = 100;

export interface WebhookDispatcherDeps {
  db: Db;
  clock: () => number;
  live: LivePipeline;
  /** Opens the stored secrets (the box they were sealed with). */
  secrets: SecretBox;
  /** Where deliveries may go; the default refuses internal addresses. */
  outbound?: OutboundPolicy;
  log?: Logger;
}

export interface WebhookDispatcherOptions {
  /** One attempt's time limit. */
  timeoutMs?: number;
  maxAttempts?: number;
  /** The wait after the first failed attempt (then ×4 each time). */
  firstRetryMs?: number;
  /** Attempts in flight at once. */
  concurrency?: number;
}

interface DueDelivery {
  id: string;
  tenant_id: number;
  webhook_id: string;
  body: string;
  attempts: number;
  url: string;
  secret: string;
}

export class WebhookDispatcher {
  readonly #deps: WebhookDispatcherDeps;
  readonly #timeoutMs: number;
  readonly #maxAttempts: number;
  readonly #firstRetryMs: number;
  readonly #concurrency: number;
  readonly #outbound: OutboundPolicy;
  readonly #sql;
  readonly #abort = new AbortController();
  readonly #running = new Set<Promise<unknown>>();
  /** Event types published per tenant since the last look. */
  #seen = new Map<number, Set<string>>();
  #lookScheduled = false;
  #unobserve: (() => void) | undefined;

  constructor(deps: WebhookDispatcherDeps, options: WebhookDispatcherOptions = {}) {
    this.#deps = deps;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#maxAttempts = options.maxAttempts ?? MAX_ATTEMPTS;
    this.#firstRetryMs = options.firstRetryMs ?? FIRST_RETRY_MS;
    this.#concurrency = options.concurrency ?? 16;
    this.#outbound = deps.outbound ?? new OutboundPolicy();
    const sqlite = deps.db.$client;
    this.#sql = {
      sqlite,
      tenantsWithWebhooks: sqlite.prepare<[], number>('SELECT DISTINCT tenant_id FROM webhooks').pluck(),
      webhooks: sqlite.prepare<[number], { id: string; events: string; last_event_seq: number }>(
        'SELECT id, events, last_event_seq FROM webhooks WHERE tenant_id = ? ORDER BY id',
      ),
      lastSeq: sqlite.prepare<[number], number>('SELECT coalesce(max(seq), 0) FROM events WHERE tenant_id = ?').pluck(),
      newEvents: sqlite.prepare<[number, number, number, string, number], { seq: number; type: string; payload: string; created_at: number }>(
        'SELECT seq, type, payload, created_at FROM events WHERE tenant_id = ? AND seq > ? AND seq <= ? ' +
          'AND type IN (SELECT value FROM json_each(?)) ORDER BY seq LIMIT ?',
      ),
      insertDelivery: sqlite.prepare(
        'INSERT INTO webhook_deliveries (id, tenant_id, webhook_id, event_seq, event_type, body, status, attempts, next_attempt_at, created_at) ' +
          "VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?) ON CONFLICT (webhook_id, event_seq) DO NOTHING",
      ),
      advance: sqlite.prepare('UPDATE webhooks SET last_event_seq = ? WHERE tenant_id = ? AND id = ?'),
      due: sqlite.prepare<[number, number, number], DueDelivery>(
        'SELECT d.id, d.tenant_id, d.webhook_id, d.body, d.attempts, w.url, w.secret FROM webhook_deliveries AS d ' +
          'JOIN webhooks AS w ON w.id = d.webhook_id AND w.tenant_id = d.tenant_id ' +
          "WHERE d.status = 'pending' AND d.next_attempt_at <= ? AND (? = 0 OR d.tenant_id = ?) ORDER BY d.next_attempt_at, d.id LIMIT " +
          DELIVERY_BATCH,
      ),
      claim: sqlite.prepare<[number, string, number]>(
        "UPDATE webhook_deliveries SET next_attempt_at = ? WHERE id = ? AND status = 'pending' AND next_attempt_at <= ?",
      ),
      release: sqlite.prepare<[number, string]>("UPDATE webhook_deliveries SET next_attempt_at = ? WHERE id = ? AND status = 'pending'"),
      finish: sqlite.prepare(
        'UPDATE webhook_deliveries SET status = ?, attempts = ?, next_attempt_at = ?, last_attempt_at = ?, last_response_status = ?, last_error = ?, ' +
          'delivered_at = ? WHERE id = ?',
      ),
      logAttempt: sqlite.prepare(
        'INSERT INTO webhook_delivery_attempts (tenant_id, delivery_id, attempt, attempted_at, duration_ms, ok, response_status, error, next_attempt_at) ' +
          'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
    };
  }

  /** Delivers as events are published (until {@link stop}). */
  start(): void {
    this.#unobserve ??= this.#deps.live.bus.observe((event) => this.#published(event));
  }

  /** Stops listening, aborts attempts in flight (they stay pending) and waits for them. */
  async stop(): Promise<void> {
    this.#unobserve?.();
    this.#unobserve = undefined;
    this.#abort.abort();
    await this.idle();
  }

  /** Resolves once no delivery work started by published events is in progress. */
  async idle(): Promise<void> {
    while (this.#running.size) await Promise.allSettled([...this.#running]);
  }

  /** The scheduled job: queue every tenant's new events, then attempt every delivery that is due. */
  async run(signal?: AbortSignal): Promise<void> {
    for (const tenantId of this.#sql.tenantsWithWebhooks.all()) this.queue(tenantId);
    await this.#track(this.deliverDue(undefined, signal));
  }

  /** Queues deliveries of a tenant's events committed since each webhook's place; answers how many. */
  queue(tenantId: number): number {
    const { sqlite, webhooks, lastSeq, newEvents, insertDelivery, advance } = this.#sql;
    const now = this.#deps.clock();
    return sqlite
      .transaction(() => {
        let queued = 0;
        const last = lastSeq.get(tenantId)!;
        for (const hook of webhooks.all(tenantId)) {
          if (hook.last_event_seq >= last) continue;
          const events = newEvents.all(tenantId, hook.last_event_seq, last, hook.events, QUEUE_BATCH);
          for (const e of events) {
            const id = uuidv7(now);
            queued += insertDelivery.run(id, tenantId, hook.id, e.seq, e.type, deliveryBody(id, e), now, now).changes;
          }
          advance.run(events.length === QUEUE_BATCH ? events[events.length - 1]!.seq : last, tenantId, hook.id);
        }
        return queued;
      })
      .immediate();
  }

  /** Attempts every pending delivery that is due (of one tenant, or all), until none is left. */
  async deliverDue(tenantId?: number, signal?: AbortSignal): Promise<void> {
    const stop = signal ? AbortSignal.any([signal, this.#abort.signal]) : this.#abort.signal;
    while (!stop.aborted) {
      const now = this.#deps.clock();
      const lease = now + this.#timeoutMs + 60_000;
      const claimed = this.#sql.due.all(now, tenantId ?? 0, tenantId ?? 0).filter((d) => this.#sql.claim.run(lease, d.id, now).changes === 1);
      if (claimed.length === 0) return;
      let next = 0;
      const worker = async () => {
        while (next < claimed.length) await this.#attempt(claimed[next++]!, stop);
      };
      await Promise.all(Array.from({ length: Math.min(this.#concurrency, claimed.length) }, worker));
    }
  }

  async #attempt(d: DueDelivery, stop: AbortSignal): Promise<void> {
    if (stop.aborted) {
      this.#sql.release.run(this.#deps.clock(), d.id);
      return;
    }
    const attempt = d.attempts + 1;
    const timestamp = Math.floor(this.#deps.clock() / 1000);
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const started = performance.now();
    let status: number | null = null;
    let error: string | null = null;
    try {
      const secret = this.#deps.secrets.open(d.secret, webhookSecretContext(d.tenant_id, d.webhook_id)).value;
      const res = await this.#outbound.request(d.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'ai-receptionist-webhooks',
          'webhook-id': d.id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signWebhook(secret, timestamp, d.body),
        },
        body: d.body,
        signal: AbortSignal.any([stop, timeout]),
      });
      status = res.status;
      if (status < 200 || status >= 300) error = `HTTP ${status}`;
    } catch (e) {
      if (stop.aborted && !timeout.aborted) {
        // Shutting down: not the receiver's fault, so not an attempt; it is retried after the restart.
        this.#sql.release.run(this.#deps.clock(), d.id);
        return;
      }
      if (e instanceof SecretBoxError) {
        error = `not sent: the webhook's signing secret cannot be read (${e.message})`;
        this.#deps.log?.error('webhook secret unreadable', { webhook: d.webhook_id, delivery: d.id, error: e.message });
      } else {
        error = timeout.aborted ? `timed out after ${this.#timeoutMs} ms` : describeOutboundFailure(e);
        if (e instanceof OutboundRefusedError) this.#deps.log?.warn('webhook delivery refused by the outbound policy', { webhook: d.webhook_id, delivery: d.id, error });
      }
    }
    const duration = Math.round(performance.now() - started);
    const now = this.#deps.clock();
    const ok = error === null;
    const next = ok ? null : nextAttemptAt(attempt, now, this.#maxAttempts, this.#firstRetryMs);
    const outcome = ok ? 'delivered' : next === null ? 'failed' : 'pending';
    this.#sql.sqlite.transaction(() => {
      this.#sql.finish.run(outcome, attempt, next, now, status, error, ok ? now : null, d.id);
      this.#sql.logAttempt.run(d.tenant_id, d.id, attempt, now, duration, ok ? 1 : 0, status, error, next);
    })();
    if (outcome === 'failed') this.#deps.log?.warn('webhook delivery failed', { webhook: d.webhook_id, delivery: d.id, attempts: attempt, error });
  }

  #published(event: StreamEvent): void {
    let types = this.#seen.get(event.tenantId);
    if (!types) this.#seen.set(event.tenantId, (types = new Set()));
    types.add(event.type);
    if (this.#lookScheduled) return;
    this.#lookScheduled = true;
    // Once per turn of the event loop, however many events were published in it.
    void this.#track(
      new Promise<void>((resolve) =>
        setImmediate(() => {
          try {
            this.#look();
          } finally {
            resolve();
          }
        }),
      ),
    );
  }

  /** Queues and attempts the deliveries of the tenants whose published events some webhook wants. */
  #look(): void {
    this.#lookScheduled = false;
    const seen = this.#seen;
    this.#seen = new Map();
    if (this.#abort.signal.aborted) return;
    for (const [tenantId, published] of seen) {
      try {
        const interested = this.#sql.webhooks.all(tenantId).some((w) => (JSON.parse(w.events) as string[]).some((t) => published.has(t)));
        if (!interested) continue;
        this.queue(tenantId);
      } catch (error) {
        // The scheduled job queues what this missed.
        this.#deps.log?.error('webhook queueing failed', { tenant: tenantId, error: error instanceof Error ? error.message : String(error) });
        continue;
      }
      this.#track(this.deliverDue(tenantId)).catch((error: unknown) =>
        this.#deps.log?.error('webhook delivery failed', { tenant: tenantId, error: error instanceof Error ? error.message : String(error) }),
      );
    }
  }

  #track<T>(work: Promise<T>): Promise<T> {
    this.#running.add(work);
    const done = () => void this.#running.delete(work);
    work.then(done, done);
    return work;
  }
}

/**
 * The body POSTed for an event: the delivery id, the event's type, its id in the tenant's stream,
 * when it happened, and its payload exactly as the stream serves it.
 */
function deliveryBody(id: string, e: { seq: number; type: string; payload: string; created_at: number }): string {
  return `{"id":${JSON.stringify(id)},"type":${JSON.stringify(e.type)},"event_id":${e.seq},"created_at":${JSON.stringify(new Date(e.created_at).toISOString())},"data":${e.payload}}`;
}

/** Deliveries (with their attempts) deleted per transaction, so a large backlog never holds the write lock for long. */
const PRUNE_BATCH = 1_000;

/**
 * Deletes finished deliveries (`delivered` or `failed`) created more than `retentionMs` ago, with
 * their attempts, webhook by webhook through its index; a `pending` delivery is never deleted,
 * however old. Answers how many deliveries were deleted.
 */
export function pruneWebhookDeliveries(db: Db, now: number, retentionMs: number): number {
  const sqlite = db.$client;
  const cutoff = now - retentionMs;
  const hooks = sqlite.prepare<[], { tenant_id: number; id: string }>('SELECT tenant_id, id FROM webhooks');
  const finished = sqlite.prepare<[number, string, number, number], string>(
    "SELECT id FROM webhook_deliveries WHERE tenant_id = ? AND webhook_id = ? AND created_at < ? AND status IN ('delivered', 'failed') LIMIT ?",
  ).pluck();
  const deleteAttempts = sqlite.prepare<[number, string]>(
    'DELETE FROM webhook_delivery_attempts WHERE tenant_id = ? AND delivery_id IN (SELECT value FROM json_each(?))',
  );
  const deleteDeliveries = sqlite.prepare<[number, string]>(
    "DELETE FROM webhook_deliveries WHERE tenant_id = ? AND id IN (SELECT value FROM json_each(?)) AND status IN ('delivered', 'failed')",
  );
  const pruneBatch = sqlite.transaction((tenantId: number, webhookId: string) => {
    const ids = JSON.stringify(finished.all(tenantId, webhookId, cutoff, PRUNE_BATCH));
    deleteAttempts.run(tenantId, ids);
    return deleteDeliveries.run(tenantId, ids).changes;
  });
  let deleted = 0;
  for (const hook of hooks.all()) {
    let n: number;
    do {
      n = pruneBatch.immediate(hook.tenant_id, hook.id);
      deleted += n;
    } while (n === PRUNE_BATCH);
  }
  return deleted;
}
