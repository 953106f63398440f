/**
 * The data model (SPEC §2). Every table carries `tenant_id`; every lookup is scoped by it.
 *
 * Keys are snake_case in TypeScript too, so a row is already shaped like the API's JSON.
 * Instants are integer milliseconds since the epoch (UTC): compact in indexes, cheap to compare,
 * and turned into ISO 8601 strings only at the edge of the API.
 */
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const ACTION_TYPES = [
  'incoming_call',
  'incoming_text',
  'outbound_followup',
  'appointment_booked',
  'faq_answered',
  'lead_prescreened',
  'crm_updated',
  'escalated',
  'ai_uncertainty',
  'error',
] as const;
export const CHANNELS = ['voice', 'sms', 'email', 'chat'] as const;
export const OUTCOME_STATUSES = ['success', 'failed', 'escalated', 'pending'] as const;
export const ERROR_TYPES = [
  'unrecognized_request',
  'low_confidence',
  'api_failure',
  'integration_down',
  'transfer_failed',
  'other',
] as const;
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export const RESOLUTION_STATUSES = ['unresolved', 'fix_approved', 'needs_review', 'wont_fix', 'resolved'] as const;
export const HEALTH_STATUSES = ['active', 'degraded', 'down', 'unknown'] as const;
export const SENTIMENTS = ['positive', 'neutral', 'negative', 'mixed'] as const;
export const SPEAKERS = ['ai', 'caller', 'agent'] as const;
export const SCOPES = ['ingest', 'read', 'admin', 'errors:write'] as const;

export type ActionType = (typeof ACTION_TYPES)[number];
export type Channel = (typeof CHANNELS)[number];
export type OutcomeStatus = (typeof OUTCOME_STATUSES)[number];
export type ErrorType = (typeof ERROR_TYPES)[number];
export type Severity = (typeof SEVERITIES)[number];
export type ResolutionStatus = (typeof RESOLUTION_STATUSES)[number];
export type HealthStatus = (typeof HEALTH_STATUSES)[number];
export type Sentiment = (typeof SENTIMENTS)[number];
export type Scope = (typeof SCOPES)[number];

/** ROI assumptions (SPEC §4.5), stored per tenant as JSON. */
export interface RoiAssumptions {
  revenue_per_booking: number;
  minutes_per_conversation: number;
  human_hourly_cost: number;
  ai_cost_per_interaction: number;
  currency: string;
  /** Local business hours: [start hour, end hour) on the listed ISO weekdays (1 = Monday). */
  business_hours: { start_hour: number; end_hour: number; weekdays: number[] };
}

export interface TranscriptTurn {
  speaker: (typeof SPEAKERS)[number];
  text: string;
  at: string;
  confidence?: number | null;
}

const now = sql`(cast(unixepoch('subsec') * 1000 as integer))`;

export const tenants = sqliteTable('tenants', {
  id: integer().primaryKey({ autoIncrement: true }),
  slug: text().notNull().unique(),
  name: text().notNull(),
  timezone: text().notNull().default('America/New_York'),
  roi_assumptions: text({ mode: 'json' }).$type<Partial<RoiAssumptions>>().notNull().default(sql`'{}'`),
  created_at: integer().notNull().default(now),
});

/** Origins allowed to embed a tenant's widgets (CORS allowlist); indexed by origin for preflights. */
export const tenant_origins = sqliteTable(
  'tenant_origins',
  {
    tenant_id: integer().notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    origin: text().notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenant_id, t.origin] }), index('tenant_origins_origin').on(t.origin)],
);

export const api_keys = sqliteTable(
  'api_keys',
  {
    /** Public part of the key, used to find it; the secret part is only stored hashed. */
    id: text().primaryKey(),
    tenant_id: integer().notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    name: text().notNull().default(''),
    secret_hash: text().notNull(),
    scopes: text({ mode: 'json' }).$type<Scope[]>().notNull(),
    created_at: integer().notNull().default(now),
    last_used_at: integer(),
    revoked_at: integer(),
  },
  (t) => [index('api_keys_tenant').on(t.tenant_id)],
);

export const activity = sqliteTable(
  'ai_receptionist_activity',
  {
    id: text().primaryKey(),
    tenant_id: integer().notNull(),
    timestamp: integer().notNull(),
    client_id: text(),
    client_name: text(),
    client_phone: text(),
    action_type: text({ enum: ACTION_TYPES }).notNull(),
    channel: text({ enum: CHANNELS }).notNull(),
    message_in: text(),
    message_out: text(),
    confidence_score: real(),
    skill_name: text(),
    lead_stage: text(),
    outcome_status: text({ enum: OUTCOME_STATUSES }).notNull(),
    response_time_ms: integer(),
    conversation_id: text(),
    metadata: text({ mode: 'json' }).$type<Record<string, unknown>>(),
    external_id: text(),
  },
  (t) => [
    // The feed: newest first, keyset on (timestamp, id) within a tenant.
    index('activity_feed').on(t.tenant_id, t.timestamp, t.id),
    index('activity_action_type').on(t.tenant_id, t.action_type, t.timestamp, t.id),
    index('activity_client').on(t.tenant_id, t.client_id, t.timestamp, t.id),
    // Partial: only rows that have the column are indexed, so an activity without a skill, a
    // conversation or an external id costs its insert nothing here (every lookup is `= ?`).
    index('activity_skill').on(t.tenant_id, t.skill_name, t.timestamp).where(sql`${t.skill_name} IS NOT NULL`),
    index('activity_conversation').on(t.tenant_id, t.conversation_id).where(sql`${t.conversation_id} IS NOT NULL`),
    uniqueIndex('activity_external_id').on(t.tenant_id, t.external_id).where(sql`${t.external_id} IS NOT NULL`),
  ],
);

export const metrics_daily = sqliteTable(
  'ai_receptionist_metrics_daily',
  {
    tenant_id: integer().notNull(),
    /** The tenant's local calendar day, YYYY-MM-DD. */
    date: text().notNull(),
    total_activities: integer().notNull().default(0),
    total_conversations: integer().notNull().default(0),
    inbound_calls: integer().notNull().default(0),
    inbound_texts: integer().notNull().default(0),
    outbound_followups: integer().notNull().default(0),
    appointments_booked: integer().notNull().default(0),
    faq_answered: integer().notNull().default(0),
    leads_prescreened: integer().notNull().default(0),
    crm_updates: integer().notNull().default(0),
    escalations: integer().notNull().default(0),
    errors: integer().notNull().default(0),
    ai_uncertainty: integer().notNull().default(0),
    ai_coverage_pct: real().notNull().default(0),
    booking_rate_pct: real().notNull().default(0),
    lead_conversion_pct: real().notNull().default(0),
    avg_confidence: real(),
    avg_response_time_ms: real(),
    p95_response_time_ms: real(),
    after_hours_conversations: integer().notNull().default(0),
    missed_calls_saved: integer().notNull().default(0),
    unique_clients: integer().notNull().default(0),
    positive_sentiment_pct: real(),
    estimated_revenue: real().notNull().default(0),
    labor_hours_saved: real().notNull().default(0),
    ai_cost: real().notNull().default(0),
    cost_per_interaction: real().notNull().default(0),
    roi_pct: real().notNull().default(0),
    computed_at: integer().notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.tenant_id, t.date] })],
);

export const skills = sqliteTable(
  'ai_receptionist_skills',
  {
    tenant_id: integer().notNull(),
    skill_name: text().notNull(),
    skill_category: text().notNull().default('general'),
    accuracy_score: real(),
    accuracy_score_7day: real(),
    trend: real(),
    usage_count: integer().notNull().default(0),
    needs_retraining: integer({ mode: 'boolean' }).notNull().default(false),
    last_trained_at: integer(),
    updated_at: integer().notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.tenant_id, t.skill_name] })],
);

export const errors = sqliteTable(
  'ai_receptionist_errors',
  {
    id: text().primaryKey(),
    tenant_id: integer().notNull(),
    timestamp: integer().notNull(),
    error_type: text({ enum: ERROR_TYPES }).notNull(),
    severity: text({ enum: SEVERITIES }).notNull(),
    message_in: text(),
    context: text(),
    skill_name: text(),
    component: text(),
    conversation_id: text(),
    root_cause: text(),
    recommended_fix: text(),
    needs_human_review: integer({ mode: 'boolean' }).notNull().default(false),
    resolution_status: text({ enum: RESOLUTION_STATUSES }).notNull().default('unresolved'),
    resolved_by: text(),
    resolved_at: integer(),
    external_id: text(),
  },
  (t) => [
    index('errors_list').on(t.tenant_id, t.timestamp, t.id),
    index('errors_status').on(t.tenant_id, t.resolution_status, t.timestamp),
    uniqueIndex('errors_external_id').on(t.tenant_id, t.external_id),
  ],
);

/** Every status change of an error: who, when, from what to what, and why. */
export const error_audit = sqliteTable(
  'ai_receptionist_error_audit',
  {
    id: integer().primaryKey({ autoIncrement: true }),
    tenant_id: integer().notNull(),
    error_id: text().notNull(),
    at: integer().notNull(),
    actor: text().notNull(),
    action: text().notNull(),
    from_status: text({ enum: RESOLUTION_STATUSES }).notNull(),
    to_status: text({ enum: RESOLUTION_STATUSES }).notNull(),
    note: text(),
  },
  (t) => [index('error_audit_error').on(t.tenant_id, t.error_id, t.at)],
);

export const system_health = sqliteTable(
  'ai_receptionist_system_health',
  {
    tenant_id: integer().notNull(),
    component_name: text().notNull(),
    status: text({ enum: HEALTH_STATUSES }).notNull().default('unknown'),
    latency_ms: real(),
    error_rate: real(),
    uptime_percentage: real(),
    last_checked: integer(),
    down_since: integer(),
    consecutive_failures: integer().notNull().default(0),
    message: text(),
  },
  (t) => [primaryKey({ columns: [t.tenant_id, t.component_name] })],
);

/**
 * Components the health monitor probes over HTTP (SPEC §4.6), configured per tenant by an admin.
 * A component may also (or only) report itself through ingest heartbeats; both feed the same
 * status row and check history.
 */
export const monitored_components = sqliteTable(
  'ai_receptionist_monitored_components',
  {
    tenant_id: integer().notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    component_name: text().notNull(),
    /** An http(s) URL without credentials; a 2xx or 3xx answer within the timeout is a success. */
    probe_url: text().notNull(),
    interval_ms: integer().notNull().default(60_000),
    timeout_ms: integer().notNull().default(5_000),
    /** A successful probe slower than this makes the component `degraded`. */
    latency_threshold_ms: integer().notNull().default(1_000),
    enabled: integer({ mode: 'boolean' }).notNull().default(true),
    created_at: integer().notNull(),
    updated_at: integer().notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenant_id, t.component_name] })],
);

/** The history of checks a component's status and uptime are computed from. */
export const health_checks = sqliteTable(
  'ai_receptionist_health_checks',
  {
    id: integer().primaryKey({ autoIncrement: true }),
    tenant_id: integer().notNull(),
    component_name: text().notNull(),
    checked_at: integer().notNull(),
    ok: integer({ mode: 'boolean' }).notNull(),
    status: text({ enum: HEALTH_STATUSES }).notNull(),
    latency_ms: real(),
    message: text(),
  },
  (t) => [index('health_checks_component').on(t.tenant_id, t.component_name, t.checked_at)],
);

export const conversations = sqliteTable(
  'ai_receptionist_conversations',
  {
    id: text().primaryKey(),
    tenant_id: integer().notNull(),
    client_id: text(),
    client_name: text(),
    client_phone: text(),
    channel: text({ enum: CHANNELS }).notNull(),
    started_at: integer().notNull(),
    ended_at: integer(),
    transcript: text({ mode: 'json' }).$type<TranscriptTurn[]>().notNull(),
    summary: text(),
    intent: text(),
    sentiment: text({ enum: SENTIMENTS }),
    outcome: text(),
    ended_reason: text(),
    avg_confidence_score: real(),
    total_turns: integer().notNull().default(0),
    external_id: text(),
  },
  (t) => [
    index('conversations_list').on(t.tenant_id, t.started_at, t.id),
    index('conversations_client').on(t.tenant_id, t.client_id, t.started_at),
    uniqueIndex('conversations_external_id').on(t.tenant_id, t.external_id),
  ],
);

/** The outbox behind the SSE stream: a per-tenant sequence, written with the row it announces. */
export const events = sqliteTable(
  'events',
  {
    tenant_id: integer().notNull(),
    seq: integer().notNull(),
    type: text().notNull(),
    payload: text().notNull(),
    created_at: integer().notNull(),
    /** Who may receive it: null every credential of the tenant, `*` only unlocked ones, else unlocked ones and that client's. */
    audience: text(),
  },
  // No index on created_at: pruning walks each tenant's oldest events by sequence (see outbox.ts).
  (t) => [primaryKey({ columns: [t.tenant_id, t.seq] })],
);

/**
 * A tenant's webhook: a URL that receives the tenant's events of the listed types, signed with
 * the webhook's secret. The secret is kept to sign deliveries and shown only when created.
 * `last_event_seq` is how far into the tenant's outbox deliveries have been queued: a webhook
 * starts at the events after its creation, and no event is skipped across restarts.
 */
export const webhooks = sqliteTable(
  'webhooks',
  {
    id: text().primaryKey(),
    tenant_id: integer().notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    url: text().notNull(),
    events: text({ mode: 'json' }).$type<string[]>().notNull(),
    description: text(),
    secret: text().notNull(),
    last_event_seq: integer().notNull().default(0),
    created_at: integer().notNull(),
  },
  (t) => [index('webhooks_tenant').on(t.tenant_id, t.created_at)],
);

export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

/**
 * One event to deliver to one webhook: its exact body (retries send the same bytes) and where
 * the delivery stands. `pending` deliveries are attempted when `next_attempt_at` has passed.
 */
export const webhook_deliveries = sqliteTable(
  'webhook_deliveries',
  {
    id: text().primaryKey(),
    tenant_id: integer().notNull(),
    webhook_id: text().notNull(),
    event_seq: integer().notNull(),
    event_type: text().notNull(),
    body: text().notNull(),
    status: text({ enum: WEBHOOK_DELIVERY_STATUSES }).notNull().default('pending'),
    attempts: integer().notNull().default(0),
    next_attempt_at: integer(),
    last_attempt_at: integer(),
    last_response_status: integer(),
    last_error: text(),
    created_at: integer().notNull(),
    delivered_at: integer(),
  },
  (t) => [
    uniqueIndex('webhook_deliveries_event').on(t.webhook_id, t.event_seq),
    index('webhook_deliveries_list').on(t.tenant_id, t.webhook_id, t.created_at, t.id),
    index('webhook_deliveries_due').on(t.status, t.next_attempt_at),
  ],
);

/** Every attempt of a delivery: when, how it went (HTTP status or error) and, if it failed, when the next one is due. */
export const webhook_delivery_attempts = sqliteTable(
  'webhook_delivery_attempts',
  {
    id: integer().primaryKey({ autoIncrement: true }),
    tenant_id: integer().notNull(),
    delivery_id: text().notNull(),
    attempt: integer().notNull(),
    attempted_at: integer().notNull(),
    duration_ms: integer().notNull(),
    ok: integer({ mode: 'boolean' }).notNull(),
    response_status: integer(),
    error: text(),
    next_attempt_at: integer(),
  },
  (t) => [index('webhook_delivery_attempts_delivery').on(t.tenant_id, t.delivery_id, t.attempt)],
);

/**
 * Ingest answers remembered by Idempotency-Key (or a body's external_id): a repeat gets the first
 * answer and creates nothing; the same key with another body is a conflict.
 */
export const idempotency_keys = sqliteTable(
  'idempotency_keys',
  {
    tenant_id: integer().notNull(),
    key: text().notNull(),
    /** SHA-256 of the route and the canonical body, to tell a repeat from a different request. */
    request_hash: text().notNull(),
    status: integer().notNull(),
    response: text().notNull(),
    created_at: integer().notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenant_id, t.key] }), index('idempotency_created').on(t.created_at)],
);

export type Tenant = typeof tenants.$inferSelect;
export type ApiKey = typeof api_keys.$inferSelect;
export type ActivityRow = typeof activity.$inferSelect;
export type NewActivity = typeof activity.$inferInsert;
export type MetricsDailyRow = typeof metrics_daily.$inferSelect;
export type SkillRow = typeof skills.$inferSelect;
export type ErrorRow = typeof errors.$inferSelect;
export type ErrorAuditRow = typeof error_audit.$inferSelect;
export type SystemHealthRow = typeof system_health.$inferSelect;
export type HealthCheckRow = typeof health_checks.$inferSelect;
export type ConversationRow = typeof conversations.$inferSelect;
export type EventRow = typeof events.$inferSelect;
export type MonitoredComponentRow = typeof monitored_components.$inferSelect;
export type WebhookRow = typeof webhooks.$inferSelect;
export type WebhookDeliveryRow = typeof webhook_deliveries.$inferSelect;
