/**
 * A tenant's webhooks and their deliveries, shared by the admin routes and the CLI. Every query
 * is scoped by the tenant: another tenant's webhook is as missing as one that never existed.
 */
import { randomBytes } from 'node:crypto';
import type { Db } from '../../db/client.js';
import type { WebhookDeliveryStatus } from '../../db/schema.js';
import { uuidv7 } from '../../lib/ids.js';
import type { PageRequest } from '../../lib/paginate.js';
import { SecretBoxError, type SecretBox } from '../../lib/secret-box.js';
import { Where, type Statements } from '../../lib/sql.js';
import { iso } from '../../lib/time.js';
import { EVENT_TOPICS, type EventType } from '../../stream/events.js';

/** The events a webhook may subscribe to: every event of the stream. */
export const WEBHOOK_EVENTS = Object.keys(EVENT_TOPICS) as [EventType, ...EventType[]];
/** Webhooks per tenant: each event is delivered once per subscribed webhook. */
export const MAX_WEBHOOKS_PER_TENANT = 20;

export interface WebhookInput {
  url: string;
  events: readonly EventType[];
  description?: string | null;
}

export interface WebhookDbRow {
  id: string;
  url: string;
  events: string;
  description: string | null;
  created_at: number;
}

export interface DeliveryDbRow {
  id: string;
  event_type: EventType;
  event_seq: number;
  status: WebhookDeliveryStatus;
  attempts: number;
  next_attempt_at: number | null;
  last_attempt_at: number | null;
  last_response_status: number | null;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
}

export interface AttemptDbRow {
  delivery_id: string;
  attempt: number;
  attempted_at: number;
  duration_ms: number;
  ok: number;
  response_status: number | null;
  error: string | null;
  next_attempt_at: number | null;
}

const WEBHOOK_COLUMNS = 'id, url, events, description, created_at';
const DELIVERY_COLUMNS =
  'id, event_type, event_seq, status, attempts, next_attempt_at, last_attempt_at, last_response_status, last_error, created_at, delivered_at';

export class TooManyWebhooksError extends Error {}

/** The associated data of a webhook's sealed secret: the value opens only in its own row. */
export function webhookSecretContext(tenantId: number, webhookId: string): string {
  return `webhooks.secret:${tenantId}:${webhookId}`;
}

/**
 * Registers a webhook with a new secret (returned here once, never again; stored sealed). It
 * receives the events committed after it exists: its place in the outbox starts at the tenant's
 * latest event.
 */
export function createWebhook(db: Db, secrets: SecretBox, tenantId: number, input: WebhookInput, now: number): { webhook: WebhookDbRow; secret: string } {
  const sqlite = db.$client;
  const webhook: WebhookDbRow = {
    id: `wh_${uuidv7(now).replaceAll('-', '')}`,
    url: input.url,
    events: JSON.stringify([...new Set(input.events)]),
    description: input.description ?? null,
    created_at: now,
  };
  const secret = `whsec_${randomBytes(32).toString('base64url')}`;
  sqlite
    .transaction(() => {
      const count = sqlite.prepare<[number], number>('SELECT count(*) FROM webhooks WHERE tenant_id = ?').pluck().get(tenantId)!;
      if (count >= MAX_WEBHOOKS_PER_TENANT) throw new TooManyWebhooksError(`a tenant may have at most ${MAX_WEBHOOKS_PER_TENANT} webhooks`);
      const last = sqlite.prepare<[number], number>('SELECT coalesce(max(seq), 0) FROM events WHERE tenant_id = ?').pluck().get(tenantId)!;
      sqlite
        .prepare('INSERT INTO webhooks (id, tenant_id, url, events, description, secret, last_event_seq, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(webhook.id, tenantId, webhook.url, webhook.events, webhook.description, secrets.seal(secret, webhookSecretContext(tenantId, webhook.id)), last, now);
    })
    .immediate();
  return { webhook, secret };
}

/**
 * Seals every stored secret that is not sealed under the current key: rows written before secrets
 * were sealed (in clear), and rows sealed under the key derived from EMBED_SECRET once DATA_KEY is
 * set. Run at start-up; answers how many were resealed and how many do not open (those stay as
 * they are, and their deliveries fail with the reason).
 */
export function sealWebhookSecrets(db: Db, secrets: SecretBox): { resealed: number; unreadable: number } {
  const sqlite = db.$client;
  const select = sqlite.prepare<[], { id: string; tenant_id: number; secret: string }>('SELECT id, tenant_id, secret FROM webhooks');
  const update = sqlite.prepare<[string, number, string]>('UPDATE webhooks SET secret = ? WHERE tenant_id = ? AND id = ?');
  let resealed = 0;
  let unreadable = 0;
  sqlite.transaction(() => {
    for (const row of select.all()) {
      const context = webhookSecretContext(row.tenant_id, row.id);
      try {
        const { value, stale } = secrets.open(row.secret, context);
        if (stale) resealed += update.run(secrets.seal(value, context), row.tenant_id, row.id).changes;
      } catch (e) {
        if (!(e instanceof SecretBoxError)) throw e;
        unreadable++;
      }
    }
  }).immediate();
  return { resealed, unreadable };
}

export function listWebhooks(sql: Statements, tenantId: number): WebhookDbRow[] {
  return sql.get<WebhookDbRow>(`SELECT ${WEBHOOK_COLUMNS} FROM webhooks WHERE tenant_id = ? ORDER BY created_at, id`).all(tenantId);
}

export function getWebhook(sql: Statements, tenantId: number, id: string): WebhookDbRow | undefined {
  return sql.get<WebhookDbRow>(`SELECT ${WEBHOOK_COLUMNS} FROM webhooks WHERE tenant_id = ? AND id = ?`).get(tenantId, id);
}

/** Deletes a webhook with its deliveries and their attempts; false when the tenant has no such webhook. */
export function deleteWebhook(db: Db, tenantId: number, id: string): boolean {
  const sqlite = db.$client;
  return sqlite
    .transaction(() => {
      const deleted = sqlite.prepare('DELETE FROM webhooks WHERE tenant_id = ? AND id = ?').run(tenantId, id).changes > 0;
      if (deleted) {
        sqlite
          .prepare('DELETE FROM webhook_delivery_attempts WHERE tenant_id = ? AND delivery_id IN (SELECT id FROM webhook_deliveries WHERE tenant_id = ? AND webhook_id = ?)')
          .run(tenantId, tenantId, id);
        sqlite.prepare('DELETE FROM webhook_deliveries WHERE tenant_id = ? AND webhook_id = ?').run(tenantId, id);
      }
      return deleted;
    })
    .immediate();
}

/** A page of a webhook's deliveries, newest first, each with its attempts (oldest first). */
export function listDeliveries(
  sql: Statements,
  tenantId: number,
  webhookId: string,
  filters: { status?: WebhookDeliveryStatus },
  page: PageRequest,
): { rows: DeliveryDbRow[]; attempts: Map<string, AttemptDbRow[]> } {
  const where = new Where(tenantId).eq('webhook_id', webhookId).eq('status', filters.status).before('created_at', 'id', page.key);
  const text =
    `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT ?` +
    (page.offset !== undefined ? ' OFFSET ?' : '');
  const params = [...where.params, page.limit + 1];
  if (page.offset !== undefined) params.push(page.offset);
  const rows = sql.get<DeliveryDbRow>(text).all(...params);
  const attempts = new Map<string, AttemptDbRow[]>();
  if (rows.length) {
    const all = sql
      .get<AttemptDbRow>(
        'SELECT delivery_id, attempt, attempted_at, duration_ms, ok, response_status, error, next_attempt_at FROM webhook_delivery_attempts ' +
          'WHERE tenant_id = ? AND delivery_id IN (SELECT value FROM json_each(?)) ORDER BY delivery_id, attempt',
      )
      .all(tenantId, JSON.stringify(rows.map((r) => r.id)));
    for (const a of all) {
      const list = attempts.get(a.delivery_id);
      if (list) list.push(a);
      else attempts.set(a.delivery_id, [a]);
    }
  }
  return { rows, attempts };
}

export function serializeWebhook(row: WebhookDbRow) {
  return { id: row.id, url: row.url, events: JSON.parse(row.events) as EventType[], description: row.description, created_at: iso(row.created_at)! };
}

export function serializeDelivery(row: DeliveryDbRow, attempts: readonly AttemptDbRow[]) {
  return {
    ...row,
    next_attempt_at: iso(row.next_attempt_at),
    last_attempt_at: iso(row.last_attempt_at),
    created_at: iso(row.created_at)!,
    delivered_at: iso(row.delivered_at),
    attempt_log: attempts.map(({ delivery_id: _, ...a }) => ({ ...a, ok: a.ok !== 0, attempted_at: iso(a.attempted_at)!, next_attempt_at: iso(a.next_attempt_at) })),
  };
}
