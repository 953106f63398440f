import type { Db } from '../db/client.js';
import type { EventBus } from './bus.js';
import { UNLOCKED_ONLY, type EventType, type StreamEvent } from './events.js';

export type Emit = (type: EventType, payload: unknown) => StreamEvent;

export const DEFAULT_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

export const NEXT_SEQ = 'SELECT coalesce(max(seq), 0) + 1 AS seq FROM events WHERE tenant_id = ?';
export const INSERT_EVENT = 'INSERT INTO events (tenant_id, seq, type, payload, created_at, audience) VALUES (?, ?, ?, ?, ?, ?)';

/**
 * The transactional outbox: a domain change and the events announcing it are written in one
 * SQLite transaction, and the events are published to the bus only after it commits. So an event
 * is on the stream if and only if its row is on disk, and a reconnecting client can replay it.
 */
export class Outbox {
  readonly #sqlite;
  readonly #nextSeq;
  readonly #insert;
  readonly #after;
  readonly #oldest;
  readonly #tenants;
  readonly #firstKept;
  readonly #pruneBefore;
  readonly #conversationClient;

  constructor(
    db: Db,
    readonly bus: EventBus,
    readonly clock: () => number = Date.now,
  ) {
    this.#sqlite = db.$client;
    this.#nextSeq = this.#sqlite.prepare<[number], { seq: number }>(NEXT_SEQ);
    this.#insert = this.#sqlite.prepare(INSERT_EVENT);
    this.#after = this.#sqlite.prepare<
      [number, number, number],
      { seq: number; type: EventType; payload: string; created_at: number; audience: string | null }
    >('SELECT seq, type, payload, created_at, audience FROM events WHERE tenant_id = ? AND seq > ? ORDER BY seq LIMIT ?');
    this.#conversationClient = this.#sqlite.prepare<[number, string], { client_id: string | null }>(
      'SELECT client_id FROM ai_receptionist_conversations WHERE tenant_id = ? AND id = ?',
    );
    // Two subqueries, not `min(seq), max(seq)` in one: SQLite answers a lone min() or max() from
    // the index in a step, but both together scan every stored event of the tenant.
    this.#oldest = this.#sqlite.prepare<[number, number], { first: number | null; last: number | null }>(
      'SELECT (SELECT min(seq) FROM events WHERE tenant_id = ?) AS first, (SELECT max(seq) FROM events WHERE tenant_id = ?) AS last',
    );
    // Pruning walks each tenant's events from its oldest to the first one still kept (a tenant's
    // events are created in sequence order), so no index on created_at is needed: ingest would pay
    // for one on every event.
    this.#tenants = this.#sqlite.prepare<[], number>('SELECT id FROM tenants').pluck();
    this.#firstKept = this.#sqlite.prepare<[number, number], number>('SELECT seq FROM events WHERE tenant_id = ? AND created_at >= ? ORDER BY seq LIMIT 1').pluck();
    this.#pruneBefore = this.#sqlite.prepare('DELETE FROM events WHERE tenant_id = ? AND seq < ?');
  }

  /**
   * Runs `work` in a transaction; every `emit` inside it appends an event row with the tenant's
   * next sequence number. After the commit the events are published, in order. If `work` throws,
   * nothing is written and nothing is published.
   */
  commit<T>(tenantId: number, work: (emit: Emit) => T): T {
    const pending: StreamEvent[] = [];
    const run = this.#sqlite.transaction(() => {
      let seq = this.#nextSeq.get(tenantId)!.seq;
      const now = this.clock();
      const emit: Emit = (type, payload) => {
        const audience = this.#audience(tenantId, type, payload as Record<string, unknown>);
        const event: StreamEvent = { tenantId, seq: seq++, type, data: JSON.stringify(payload), createdAt: now, audience };
        this.#insert.run(tenantId, event.seq, type, event.data, now, audience);
        pending.push(event);
        return event;
      };
      return work(emit);
    });
    const result = run.immediate();
    for (const event of pending) this.bus.publish(event);
    return result;
  }

  /**
   * Who may receive an event, decided here for every event so no emitter can forget it: system
   * health is for every credential; an activity, or an error of a conversation, for unlocked
   * credentials and those locked to its client; aggregates, approved fixes and rows without a
   * client only for unlocked ones.
   */
  #audience(tenantId: number, type: EventType, payload: Record<string, unknown>): string | null {
    switch (type) {
      case 'system.health.change':
        return null;
      case 'activity.new':
        return typeof payload.client_id === 'string' ? payload.client_id : UNLOCKED_ONLY;
      case 'error.detected':
      case 'error.updated':
        return this.#clientOf(tenantId, payload.conversation_id) ?? UNLOCKED_ONLY;
      default:
        return UNLOCKED_ONLY;
    }
  }

  #clientOf(tenantId: number, conversationId: unknown): string | null | undefined {
    return typeof conversationId === 'string' ? this.#conversationClient.get(tenantId, conversationId)?.client_id : undefined;
  }

  /** Up to `limit` stored events after `seq`, oldest first. */
  after(tenantId: number, seq: number, limit = 1000): StreamEvent[] {
    return this.#after
      .all(tenantId, seq, limit)
      .map((r) => ({ tenantId, seq: r.seq, type: r.type, data: r.payload, createdAt: r.created_at, audience: r.audience }));
  }

  /** The first and last sequence numbers still stored for a tenant (null when it has none). */
  window(tenantId: number): { first: number | null; last: number | null } {
    return this.#oldest.get(tenantId, tenantId)!;
  }

  /**
   * Deletes events older than the retention window; answers how many. The newest event of a
   * tenant is always kept, so its sequence never restarts.
   */
  prune(retentionMs = DEFAULT_RETENTION_MS): number {
    const cutoff = this.clock() - retentionMs;
    return this.#sqlite.transaction(() => {
      let deleted = 0;
      for (const tenantId of this.#tenants.all()) {
        const last = this.window(tenantId).last;
        if (last === null) continue;
        deleted += this.#pruneBefore.run(tenantId, Math.min(this.#firstKept.get(tenantId, cutoff) ?? last, last)).changes;
      }
      return deleted;
    })();
  }
}
