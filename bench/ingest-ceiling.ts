/**
 * The ceiling over batched ingest: the same 1,000 activity rows and 1,000 event rows per
 * transaction, written with the server's own statements, in process, on the same database — no
 * HTTP, no JSON parsing, no validation, no publishing, rows built before the clock starts. What
 * SQLite alone costs for a batch on this machine: the HTTP figure cannot pass it on one writer.
 */
import { findTenant } from '../api/auth/tenants.js';
import { migrate, openDb } from '../api/db/client.js';
import { INSERT_ACTIVITY } from '../api/ingest/service.js';
import { uuidv7 } from '../api/lib/ids.js';
import { iso } from '../api/lib/time.js';
import { INSERT_EVENT, NEXT_SEQ } from '../api/stream/outbox.js';

export interface IngestCeiling {
  /** Mean wall time of one transaction (BEGIN IMMEDIATE … COMMIT, checkpoints included), ms. */
  msPerBatch: number;
  eventsPerSecond: number;
}

export function ingestCeiling(dbPath: string, tenantSlug: string, item: Record<string, unknown>, batches: number, batchSize = 1000): IngestCeiling {
  const db = openDb(dbPath);
  try {
    migrate(db); // the schema the server will run on
    const sqlite = db.$client;
    const tenant = findTenant(db, tenantSlug);
    if (!tenant) throw new Error(`no tenant "${tenantSlug}"`);
    const insertActivity = sqlite.prepare(INSERT_ACTIVITY);
    const insertEvent = sqlite.prepare(INSERT_EVENT);
    const nextSeq = sqlite.prepare<[number], { seq: number }>(NEXT_SEQ);
    const a = item as Record<string, string | number | null | undefined>;
    const times: number[] = [];
    for (let b = -5; b < batches; b++) {
      const now = Date.now();
      const rows = Array.from({ length: batchSize }, (_, i) => {
        const row = {
          id: uuidv7(now), timestamp: now, client_id: `cl_${i % 50}`, client_name: a.client_name ?? null, client_phone: null, action_type: a.action_type,
          channel: a.channel, message_in: null, message_out: null, confidence_score: a.confidence_score ?? null, skill_name: null, lead_stage: null,
          outcome_status: a.outcome_status, response_time_ms: a.response_time_ms ?? null, conversation_id: null, metadata: null,
        };
        return { row, payload: JSON.stringify({ ...row, timestamp: iso(now) }) };
      });
      const t0 = performance.now();
      sqlite.transaction(() => {
        let seq = nextSeq.get(tenant.id)!.seq;
        for (const { row: r, payload } of rows) {
          insertActivity.run(r.id, tenant.id, r.timestamp, r.client_id, r.client_name, r.client_phone, r.action_type, r.channel, r.message_in,
            r.message_out, r.confidence_score, r.skill_name, r.lead_stage, r.outcome_status, r.response_time_ms, r.conversation_id, r.metadata, null);
          insertEvent.run(tenant.id, seq++, 'activity.new', payload, now, r.client_id);
        }
      }).immediate();
      if (b >= 0) times.push(performance.now() - t0);
    }
    const msPerBatch = times.reduce((x, y) => x + y, 0) / times.length;
    return { msPerBatch, eventsPerSecond: (batchSize * 1000) / msPerBatch };
  } finally {
    db.$client.close();
  }
}
