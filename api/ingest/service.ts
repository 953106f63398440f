/**
 * Everything ingest does after validation, shared by the HTTP routes and the traffic simulator:
 * idempotency, the writes, their events and the realtime metrics.
 *
 * Each call is one transaction (the outbox's): the idempotency check, the domain rows, the event
 * rows and the stored answer commit together or not at all, and events are published only after
 * the commit. The `submit…` variants used by the HTTP route share one transaction among the
 * activity requests of the same event-loop turn (group commit). The answer is
 * `{ status, body, replayed }`; `replayed` says the answer repeats one given before and nothing
 * was written.
 */
import { uuidv7 } from '../lib/ids.js';
import type { TenantContext } from '../auth/principal.js';
import type { Diagnoser } from '../domain/diagnosis.js';
import { afterHeartbeat } from '../domain/health.js';
import { round } from '../domain/roi.js';
import { ApiError, invalidField } from '../lib/problem.js';
import { iso } from '../lib/time.js';
import type { AppContext } from '../lib/router.js';
import { ACTIVITY_COLUMNS, serializeActivity, type ActivityDbRow } from '../routes/activity/activity.queries.js';
import { serializeConversation, type ConversationDbRow } from '../routes/conversations/conversations.queries.js';
import { ERROR_COLUMNS, serializeError, type ErrorDbRow } from '../routes/errors/errors.queries.js';
import { serializeComponent } from '../routes/system-health/system-health.queries.js';
import type { Emit } from '../stream/outbox.js';
import { ErrorDiagnosis } from './diagnose.js';
import { HealthRecorder } from './health.js';
import { externalIdClaim, headerClaim, idempotencyConflict, IdempotencyStore, type IdempotencyClaim, type StoredAnswer } from './idempotency.js';
import type { ActivityInput, ConversationInput, ErrorInput, HealthReportInput } from './schemas.js';

export interface IngestResult<B = unknown> {
  status: number;
  body: B;
  /** True when the answer repeats a stored one and nothing was written. */
  replayed: boolean;
  /** `body` as JSON, when it was built from JSON already at hand (the activities' event payloads). */
  json?: string;
}

export type SerializedActivity = ReturnType<typeof serializeActivity>;
export type SerializedConversation = ReturnType<typeof serializeConversation>;
export type SerializedError = ReturnType<typeof serializeError>;
export type SerializedComponent = ReturnType<typeof serializeComponent>;

/** A batch answer: the activities in the order sent, and the indices of those that repeated an earlier `external_id` (not created again). */
export interface ActivityBatchAnswer {
  data: SerializedActivity[];
  replayed: number[];
}

/** An activity request, ready to be written: everything that needs no database is done. */
interface ActivityRequest {
  tenant: TenantContext;
  items: readonly ActivityInput[];
  /** Answer `{ data: activity }` rather than a batch's `{ data: [...], replayed }`. */
  single: boolean;
  /** When the server received it: the activities' timestamp. */
  now: number;
  header: IdempotencyClaim | undefined;
  /** Each item's external_id claim, if it has one. */
  claims: (IdempotencyClaim | undefined)[];
}

interface Queued {
  request: ActivityRequest;
  resolve: (result: IngestResult) => void;
  reject: (error: unknown) => void;
}

/** A group commit is flushed early once it holds this many activities, to bound its transaction. */
const GROUP_MAX_ITEMS = 5000;

/** How far in the future a conversation's own times may lie (clock skew between sender and server). */
export const FUTURE_SKEW_MS = 5 * 60_000;

/** An activity's row: id, tenant_id, timestamp, the input's fields in column order, then external_id. */
export const INSERT_ACTIVITY =
  'INSERT INTO ai_receptionist_activity (id, tenant_id, timestamp, client_id, client_name, client_phone, action_type, channel, ' +
  'message_in, message_out, confidence_score, skill_name, lead_stage, outcome_status, response_time_ms, conversation_id, metadata, external_id) ' +
  'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';

const CONVERSATION_COLUMNS =
  'id, client_id, client_name, client_phone, channel, started_at, ended_at, summary, intent, sentiment, outcome, ended_reason, avg_confidence_score, total_turns';

export class IngestService {
  readonly #ctx: AppContext;
  readonly #idempotency: IdempotencyStore;
  readonly #insertActivity;
  readonly #activityByExternalId;
  readonly #insertConversation;
  readonly #conversationByExternalId;
  readonly #insertError;
  readonly #errorByExternalId;
  readonly #health: HealthRecorder;
  readonly #diagnosis: ErrorDiagnosis;
  #queue: Queued[] = [];
  #queuedItems = 0;
  #flushScheduled = false;

  /** `diagnoser` gives ingested errors the root cause and fix they lack (the rules of SPEC §4.6 by default). */
  constructor(ctx: AppContext, options: { diagnoser?: Diagnoser } = {}) {
    this.#ctx = ctx;
    const sqlite = ctx.db.$client;
    this.#diagnosis = new ErrorDiagnosis(sqlite, options.diagnoser);
    this.#idempotency = new IdempotencyStore(sqlite);
    this.#insertActivity = sqlite.prepare(INSERT_ACTIVITY);
    this.#activityByExternalId = sqlite.prepare<[number, string], ActivityDbRow>(
      `SELECT ${ACTIVITY_COLUMNS} FROM ai_receptionist_activity WHERE tenant_id = ? AND external_id = ?`,
    );
    this.#insertConversation = sqlite.prepare(
      'INSERT INTO ai_receptionist_conversations (id, tenant_id, client_id, client_name, client_phone, channel, started_at, ended_at, transcript, ' +
        'summary, intent, sentiment, outcome, ended_reason, avg_confidence_score, total_turns, external_id) ' +
        'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.#conversationByExternalId = sqlite.prepare<[number, string], ConversationDbRow>(
      `SELECT ${CONVERSATION_COLUMNS} FROM ai_receptionist_conversations WHERE tenant_id = ? AND external_id = ?`,
    );
    this.#insertError = sqlite.prepare(
      'INSERT INTO ai_receptionist_errors (id, tenant_id, timestamp, error_type, severity, message_in, context, skill_name, component, ' +
        'conversation_id, root_cause, recommended_fix, needs_human_review, resolution_status, external_id) ' +
        'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.#errorByExternalId = sqlite.prepare<[number, string], ErrorDbRow>(
      `SELECT ${ERROR_COLUMNS.join(', ')} FROM ai_receptionist_errors WHERE tenant_id = ? AND external_id = ?`,
    );
    this.#health = new HealthRecorder(sqlite);
  }

  /** One activity; answers `{ data: activity }` (201). */
  activity(tenant: TenantContext, input: ActivityInput, idempotencyKey?: string): IngestResult<{ data: SerializedActivity }> {
    return this.#commitActivities([this.#activityRequest(tenant, [input], idempotencyKey, true)])[0] as IngestResult<{ data: SerializedActivity }>;
  }

  /**
   * A batch, all or nothing; answers `{ data: [...], replayed: [...] }` (201). An item whose
   * `external_id` was ingested before (with the same content) is not created again: its place in
   * `data` holds the activity created the first time, and its index is listed in `replayed`.
   */
  activities(tenant: TenantContext, items: readonly ActivityInput[], idempotencyKey?: string): IngestResult<ActivityBatchAnswer> {
    return this.#commitActivities([this.#activityRequest(tenant, items, idempotencyKey, false)])[0] as IngestResult<ActivityBatchAnswer>;
  }

  /**
   * {@link activity} with group commit: the activity requests that arrive in the same turn of the
   * event loop are written in one transaction per tenant, so a busy server commits (and writes
   * the WAL) once for many small requests instead of once each. Each request still gets its own
   * answer: a 409 fails only its own request, which writes nothing; nothing is answered before
   * the transaction has committed.
   */
  submitActivity(tenant: TenantContext, input: ActivityInput, idempotencyKey?: string): Promise<IngestResult<{ data: SerializedActivity }>> {
    return this.#enqueue(this.#activityRequest(tenant, [input], idempotencyKey, true)) as Promise<IngestResult<{ data: SerializedActivity }>>;
  }

  /** {@link activities} with group commit (see {@link submitActivity}). */
  submitActivities(tenant: TenantContext, items: readonly ActivityInput[], idempotencyKey?: string): Promise<IngestResult<ActivityBatchAnswer>> {
    return this.#enqueue(this.#activityRequest(tenant, items, idempotencyKey, false)) as Promise<IngestResult<ActivityBatchAnswer>>;
  }

  /** Everything about a request that needs no database: its receive time and the hashes of its keys. */
  #activityRequest(tenant: TenantContext, items: readonly ActivityInput[], key: string | undefined, single: boolean): ActivityRequest {
    return {
      tenant,
      items,
      single,
      now: this.#ctx.clock(),
      header: key === undefined ? undefined : headerClaim(key, single ? 'activity' : 'activity-batch', single ? items[0] : { items }),
      claims: items.map((item, i) =>
        item.external_id == null ? undefined : externalIdClaim('activity', item.external_id, item, single ? 'external_id' : `items.${i}.external_id`),
      ),
    };
  }

  #enqueue(request: ActivityRequest): Promise<IngestResult> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ request, resolve, reject });
      this.#queuedItems += request.items.length;
      if (this.#queuedItems >= GROUP_MAX_ITEMS) this.#flush();
      else if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    const queue = this.#queue;
    this.#queue = [];
    this.#queuedItems = 0;
    this.#flushScheduled = false;
    const byTenant = new Map<number, Queued[]>();
    for (const q of queue) {
      const group = byTenant.get(q.request.tenant.id);
      if (group) group.push(q);
      else byTenant.set(q.request.tenant.id, [q]);
    }
    for (const group of byTenant.values()) {
      let outcomes: (IngestResult | ApiError)[];
      try {
        outcomes = this.#commitActivities(group.map((q) => q.request), true);
      } catch (e) {
        for (const q of group) q.reject(e);
        continue;
      }
      group.forEach((q, i) => {
        const outcome = outcomes[i]!;
        if (outcome instanceof ApiError) q.reject(outcome);
        else q.resolve(outcome);
      });
    }
  }

  /**
   * Writes the requests of one tenant in one transaction, in order, and answers each. A request
   * refused with an ApiError (a 409) throws before it writes anything, so with `isolate` its
   * refusal becomes its answer and the others commit; any other error rolls back them all.
   */
  #commitActivities(requests: readonly ActivityRequest[], isolate = false): (IngestResult | ApiError)[] {
    const tenant = requests[0]!.tenant;
    const created: ActivityDbRow[] = [];
    const outcomes = this.#ctx.live.outbox.commit(tenant.id, (emit) =>
      requests.map((request) => {
        if (!isolate) return this.#writeActivities(request, emit, created);
        try {
          return this.#writeActivities(request, emit, created);
        } catch (e) {
          if (e instanceof ApiError) return e;
          throw e;
        }
      }),
    );
    if (created.length > 0) this.#ctx.live.activitiesCommitted(tenant, created);
    return outcomes;
  }

  /** One request inside the transaction: every check first (they may throw a 409), then the writes. */
  #writeActivities(request: ActivityRequest, emit: Emit, created: ActivityDbRow[]): IngestResult {
    const { tenant, items, single, now, header, claims } = request;
    const stored = header && this.#idempotency.find(tenant.id, header);
    if (stored) return replay(stored);

    // What each item is: an activity created before, an earlier item of this request, or new.
    const earlier: (SerializedActivity | number | undefined)[] = new Array(items.length);
    const firstOfKey = new Map<string, number>();
    for (let i = 0; i < items.length; i++) {
      const claim = claims[i];
      if (!claim) continue;
      const first = firstOfKey.get(claim.key);
      if (first !== undefined) {
        if (claims[first]!.hash !== claim.hash) throw idempotencyConflict(claim);
        earlier[i] = first;
        continue;
      }
      earlier[i] = this.#earlierActivity(tenant.id, claim, items[i]!.external_id!);
      if (earlier[i] === undefined) firstOfKey.set(claim.key, i);
    }

    const data: SerializedActivity[] = new Array(items.length);
    // The JSON of each activity, as its event carries it: the answer is built from it.
    const json: string[] = new Array(items.length);
    const replayed: number[] = [];
    const timestamp = iso(now);
    for (let i = 0; i < items.length; i++) {
      if (earlier[i] !== undefined) continue;
      const [row, serialized] = this.#createActivity(tenant.id, items[i]!, now, timestamp);
      json[i] = emit('activity.new', serialized).data;
      const claim = claims[i];
      if (claim) this.#idempotency.save(tenant.id, claim, { status: 201, body: { data: serialized } }, now);
      created.push(row);
      data[i] = serialized;
    }
    for (let i = 0; i < items.length; i++) {
      const e = earlier[i];
      if (e === undefined) continue;
      data[i] = typeof e === 'number' ? data[e]! : e;
      json[i] = typeof e === 'number' ? json[e]! : JSON.stringify(e);
      replayed.push(i);
    }
    const answer = { status: 201, body: single ? { data: data[0] } : { data, replayed }, replayed: replayed.length === items.length };
    if (header) this.#idempotency.save(tenant.id, header, answer, now);
    const body = single ? `{"data":${json[0]}}` : `{"data":[${json.join(',')}],"replayed":[${replayed.join(',')}]}`;
    return { ...answer, json: body };
  }

  /**
   * The activity an `external_id` already stands for: from its stored answer, or, once that key
   * has expired, from the activity itself (the body can then no longer be compared).
   */
  #earlierActivity(tenantId: number, claim: IdempotencyClaim, externalId: string): SerializedActivity | undefined {
    const stored = this.#idempotency.find(tenantId, claim);
    if (stored) return (stored.body as { data: SerializedActivity }).data;
    const row = this.#activityByExternalId.get(tenantId, externalId);
    return row && serializeActivity(row);
  }

  /** Inserts one activity; answers its row and the row as the feed serves it (`timestamp` is `now` formatted). */
  #createActivity(tenantId: number, a: ActivityInput, now: number, timestamp: string): [ActivityDbRow, SerializedActivity] {
    // Keys in the order of the feed's columns, so the event payload is byte for byte what the feed serves.
    const row: ActivityDbRow = {
      id: uuidv7(now),
      timestamp: now,
      client_id: a.client_id ?? null,
      client_name: a.client_name ?? null,
      client_phone: a.client_phone ?? null,
      action_type: a.action_type,
      channel: a.channel,
      message_in: a.message_in ?? null,
      message_out: a.message_out ?? null,
      confidence_score: a.confidence_score ?? null,
      skill_name: a.skill_name ?? null,
      lead_stage: a.lead_stage ?? null,
      outcome_status: a.outcome_status,
      response_time_ms: a.response_time_ms ?? null,
      conversation_id: a.conversation_id ?? null,
      metadata: a.metadata == null ? null : JSON.stringify(a.metadata),
    };
    this.#insertActivity.run(
      row.id, tenantId, row.timestamp, row.client_id, row.client_name, row.client_phone, row.action_type, row.channel,
      row.message_in, row.message_out, row.confidence_score, row.skill_name, row.lead_stage, row.outcome_status,
      row.response_time_ms, row.conversation_id, row.metadata, a.external_id ?? null,
    );
    // What serializeActivity(row) gives, without parsing back the metadata just written.
    return [row, { ...row, timestamp, metadata: a.metadata ?? null }];
  }

  /** One conversation with its transcript; answers `{ data: conversation }` (201) as GET /conversations lists it. */
  conversation(tenant: TenantContext, input: ConversationInput, idempotencyKey?: string): IngestResult<{ data: SerializedConversation }> {
    const now = this.#ctx.clock();
    const started = input.started_at == null ? now : Date.parse(input.started_at);
    const ended = input.ended_at == null ? null : Date.parse(input.ended_at);
    if (started > now + FUTURE_SKEW_MS) throw invalidField('started_at', 'must not be in the future', 'body');
    if (ended !== null && ended > now + FUTURE_SKEW_MS) throw invalidField('ended_at', 'must not be in the future', 'body');
    if (ended !== null && ended < started) throw invalidField('ended_at', 'must not be before started_at', 'body');

    return this.#once(
      tenant.id,
      now,
      idempotencyKey === undefined ? undefined : headerClaim(idempotencyKey, 'conversation', input),
      input.external_id == null ? undefined : externalIdClaim('conversation', input.external_id, input),
      () => {
        const row = input.external_id == null ? undefined : this.#conversationByExternalId.get(tenant.id, input.external_id);
        return row && { status: 201, body: { data: serializeConversation(row) } };
      },
      () => {
        const transcript = input.transcript.map((t) => ({ speaker: t.speaker, text: t.text, at: new Date(t.at).toISOString(), confidence: t.confidence ?? null }));
        let confidenceSum = 0;
        let confidenceN = 0;
        for (const t of transcript) {
          if (t.confidence !== null) {
            confidenceSum += t.confidence;
            confidenceN++;
          }
        }
        const row: ConversationDbRow = {
          id: uuidv7(now),
          client_id: input.client_id ?? null,
          client_name: input.client_name ?? null,
          client_phone: input.client_phone ?? null,
          channel: input.channel,
          started_at: started,
          ended_at: ended,
          summary: input.summary ?? null,
          intent: input.intent ?? null,
          sentiment: input.sentiment ?? null,
          outcome: input.outcome ?? null,
          ended_reason: input.ended_reason ?? null,
          avg_confidence_score: confidenceN === 0 ? null : round(confidenceSum / confidenceN, 4),
          total_turns: transcript.length,
        };
        this.#insertConversation.run(
          row.id, tenant.id, row.client_id, row.client_name, row.client_phone, row.channel, row.started_at, row.ended_at,
          JSON.stringify(transcript), row.summary, row.intent, row.sentiment, row.outcome, row.ended_reason,
          row.avg_confidence_score, row.total_turns, input.external_id ?? null,
        );
        return { status: 201, body: { data: serializeConversation(row) } };
      },
    );
  }

  /**
   * One error, `unresolved`, with the sender's root cause and fix or, for what it left out, the
   * diagnoser's (in the same transaction, so `error.detected` carries them). Answers
   * `{ data: error }` (201).
   */
  error(tenant: TenantContext, input: ErrorInput, idempotencyKey?: string): IngestResult<{ data: SerializedError }> {
    const now = this.#ctx.clock();
    return this.#once(
      tenant.id,
      now,
      idempotencyKey === undefined ? undefined : headerClaim(idempotencyKey, 'error', input),
      input.external_id == null ? undefined : externalIdClaim('error', input.external_id, input),
      () => {
        const row = input.external_id == null ? undefined : this.#errorByExternalId.get(tenant.id, input.external_id);
        return row && { status: 201, body: { data: serializeError(row) } };
      },
      (emit) => {
        const diagnosis = this.#diagnosis.complete(tenant, {
          error_type: input.error_type,
          message_in: input.message_in ?? null,
          skill_name: input.skill_name ?? null,
          component: input.component ?? null,
          context: input.context ?? null,
          root_cause: input.root_cause,
          recommended_fix: input.recommended_fix,
        });
        // Keys in the order of the error list's columns, as GET /errors serves them.
        const row: ErrorDbRow = {
          id: uuidv7(now),
          timestamp: now,
          error_type: input.error_type,
          severity: input.severity,
          message_in: input.message_in ?? null,
          context: input.context ?? null,
          skill_name: input.skill_name ?? null,
          component: input.component ?? null,
          conversation_id: input.conversation_id ?? null,
          root_cause: diagnosis.root_cause,
          recommended_fix: diagnosis.recommended_fix,
          needs_human_review: input.needs_human_review ? 1 : 0,
          resolution_status: 'unresolved',
          resolved_by: null,
          resolved_at: null,
        };
        this.#insertError.run(
          row.id, tenant.id, row.timestamp, row.error_type, row.severity, row.message_in, row.context, row.skill_name, row.component,
          row.conversation_id, row.root_cause, row.recommended_fix, row.needs_human_review, row.resolution_status, input.external_id ?? null,
        );
        const data = serializeError(row);
        emit('error.detected', data);
        return { status: 201, body: { data } };
      },
    );
  }

  /**
   * A heartbeat or status report of one component: appends a check and updates the component
   * (created on its first report), by the heartbeat rules of domain/health.ts, through the same
   * recorder as the health monitor's probes: `down` counts a consecutive failure and starts
   * `down_since`; `active` or `degraded` reset the count; any status but `down` clears
   * `down_since`. Emits `system.health.change` only when the status changes. Answers
   * `{ data: component }` (200).
   */
  healthReport(tenant: TenantContext, component: string, input: HealthReportInput, idempotencyKey?: string): IngestResult<{ data: SerializedComponent }> {
    const now = this.#ctx.clock();
    return this.#once(
      tenant.id,
      now,
      idempotencyKey === undefined ? undefined : headerClaim(idempotencyKey, `system-health/${component}`, input),
      undefined,
      () => undefined,
      (emit) => {
        const row = this.#health.record(emit, tenant.id, component, now, (previous) => afterHeartbeat(previous, input, now));
        return { status: 200, body: { data: serializeComponent(row) } };
      },
    );
  }

  /**
   * Runs `create` once per key, in one transaction with its events and the stored answer. The
   * header key is checked first, then the event's own `external_id` (always, so a retry under a
   * new header key still creates nothing); `expired` finds what an `external_id` created once its
   * stored answer has been pruned.
   */
  #once<B>(
    tenantId: number,
    now: number,
    header: IdempotencyClaim | undefined,
    external: IdempotencyClaim | undefined,
    expired: () => StoredAnswer | undefined,
    create: (emit: Emit) => StoredAnswer,
  ): IngestResult<B> {
    return this.#ctx.live.outbox.commit(tenantId, (emit) => {
      const byHeader = header && this.#idempotency.find(tenantId, header);
      if (byHeader) return replay(byHeader) as IngestResult<B>;
      const byExternalId = external && (this.#idempotency.find(tenantId, external) ?? expired());
      if (byExternalId) {
        // A repeat of the external_id under a new header key: that key now answers the same.
        if (header) this.#idempotency.save(tenantId, header, byExternalId, now);
        return replay(byExternalId) as IngestResult<B>;
      }
      const answer = create(emit);
      if (header) this.#idempotency.save(tenantId, header, answer, now);
      if (external) this.#idempotency.save(tenantId, external, answer, now);
      return { ...answer, replayed: false } as IngestResult<B>;
    });
  }
}

function replay(stored: StoredAnswer): IngestResult {
  return { status: stored.status, body: stored.body, replayed: true };
}
