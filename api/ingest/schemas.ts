/**
 * What the ingest routes accept (SPEC §4.3). Every object is strict: an unknown field is a 400
 * naming it, never silently dropped. Ids, the tenant and server timestamps are not fields here:
 * the tenant comes from the credential, ids are made by the server, and an activity's or an
 * error's `timestamp` is the time the server received it.
 *
 * Optional fields also accept `null`, which means the same as leaving them out (clients written
 * in languages that serialize absent values as null need not strip them).
 */
import { z } from '@hono/zod-openapi';
import { ACTION_TYPES, CHANNELS, ERROR_TYPES, HEALTH_STATUSES, OUTCOME_STATUSES, SENTIMENTS, SEVERITIES, SPEAKERS } from '../db/schema.js';

/** Text limits, in characters. */
export const LIMITS = {
  id: 128,
  externalId: 255,
  name: 200,
  phone: 32,
  label: 100,
  message: 10_000,
  note: 2000,
  turns: 500,
  metadataBytes: 8 * 1024,
  metadataDepth: 32,
  batchItems: 1000,
} as const;

const text = (max: number) => z.string().max(max).nullish();
const id = z.string().min(1).max(LIMITS.id);

export const ComponentName = z
  .string()
  .regex(/^[a-z0-9_.-]{1,64}$/, 'must be 1–64 characters of a–z, 0–9, "_", "." or "-"')
  .openapi({ example: 'voice_endpoint' });

const ExternalId = z
  .string()
  .min(1)
  .max(LIMITS.externalId)
  .nullish()
  .openapi({
    description:
      'The sender’s own id for this event. A repeat with the same external_id creates nothing and answers the first result; ' +
      'the same external_id with a different body is a 409.',
  });

const Client = {
  client_id: id.nullish(),
  client_name: text(LIMITS.name),
  client_phone: z
    .string()
    .regex(/^[0-9+()\-. ]{3,32}$/, 'must be 3–32 characters of digits, spaces and + ( ) - .')
    .nullish()
    .openapi({ example: '+15555550123' }),
};

/** Whether a JSON value nests at most `max` objects and arrays deep, found without recursion (the value may be deeper than the stack allows). */
function nestsWithin(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > max) return false;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return true;
}

// The depth is checked first, and stops the checks: serializing a value thousands of levels deep overflows the stack.
const Metadata = z
  .record(z.string(), z.unknown())
  .refine((m) => nestsWithin(m, LIMITS.metadataDepth), { message: `must nest at most ${LIMITS.metadataDepth} levels deep`, abort: true })
  .refine((m) => Buffer.byteLength(JSON.stringify(m)) <= LIMITS.metadataBytes, `must be at most ${LIMITS.metadataBytes} bytes as JSON`)
  .nullish()
  .openapi({ description: `Free-form JSON object, at most ${LIMITS.metadataBytes} bytes serialized and ${LIMITS.metadataDepth} levels deep.` });

export const ActivityInput = z
  .object({
    action_type: z.enum(ACTION_TYPES),
    channel: z.enum(CHANNELS),
    ...Client,
    message_in: text(LIMITS.message).openapi({ description: 'What the caller said or wrote.' }),
    message_out: text(LIMITS.message).openapi({ description: 'What the receptionist answered.' }),
    confidence_score: z.number().min(0).max(1).nullish(),
    skill_name: text(LIMITS.label),
    lead_stage: text(LIMITS.label),
    outcome_status: z.enum(OUTCOME_STATUSES).default('success'),
    response_time_ms: z.number().int().min(0).max(3_600_000).nullish(),
    conversation_id: id.nullish().openapi({ description: 'The id the conversation got when it was ingested.' }),
    metadata: Metadata,
    external_id: ExternalId,
  })
  .strict()
  .openapi('ActivityInput', { description: 'One activity. Its `timestamp` is the time the server receives it.' });
export type ActivityInput = z.infer<typeof ActivityInput>;

export const ActivityBatchInput = z
  .object({ items: z.array(ActivityInput).min(1).max(LIMITS.batchItems) })
  .strict()
  .openapi('ActivityBatchInput', {
    description: `1–${LIMITS.batchItems} activities, stored all or none: a bad item fails the whole batch and is named by its index (\`items.3.channel\`).`,
  });
export type ActivityBatchInput = z.infer<typeof ActivityBatchInput>;

/**
 * The body of POST /activity: one activity or a batch. The single form comes first, so the hot
 * path (one event per request) is parsed once; a batch is recognised by its `items` key.
 */
export const ActivityBody = z.union([ActivityInput, ActivityBatchInput]);
export type ActivityBody = z.infer<typeof ActivityBody>;

export function isBatch(body: unknown): body is { items: unknown } {
  return typeof body === 'object' && body !== null && 'items' in body;
}

const Instant = z.iso.datetime({ offset: true });

export const TranscriptTurnInput = z
  .object({
    speaker: z.enum(SPEAKERS),
    text: z.string().max(LIMITS.message),
    at: Instant.openapi({ description: 'When the turn was spoken or sent (ISO 8601 with a zone); stored in UTC.' }),
    confidence: z.number().min(0).max(1).nullish().openapi({ description: 'The AI’s confidence in its turn, 0–1.' }),
  })
  .strict()
  .openapi('TranscriptTurnInput');
export type TranscriptTurnInput = z.infer<typeof TranscriptTurnInput>;

/**
 * A conversation is usually sent after it happened, so its own `started_at` and `ended_at` are
 * taken from the body: they are facts about the call, not server bookkeeping. `started_at`
 * defaults to the time the server receives it; neither may lie more than a few minutes in the
 * future (the service checks that against its clock), and `ended_at` may not precede
 * `started_at`.
 */
export const ConversationInput = z
  .object({
    external_id: ExternalId,
    ...Client,
    channel: z.enum(CHANNELS),
    started_at: Instant.nullish().openapi({ description: 'When the conversation began; defaults to when the server receives it.' }),
    ended_at: Instant.nullish().openapi({ description: 'When it ended; absent while it goes on.' }),
    transcript: z.array(TranscriptTurnInput).max(LIMITS.turns).default([]),
    summary: text(LIMITS.message),
    intent: text(LIMITS.label),
    sentiment: z.enum(SENTIMENTS).nullish(),
    outcome: text(LIMITS.label),
    ended_reason: text(LIMITS.label),
  })
  .strict()
  .refine((c) => !c.started_at || !c.ended_at || Date.parse(c.ended_at) >= Date.parse(c.started_at), {
    path: ['ended_at'],
    message: 'must not be before started_at',
  })
  .openapi('ConversationInput', { description: 'A conversation and its transcript; `avg_confidence_score` and `total_turns` are computed.' });
export type ConversationInput = z.infer<typeof ConversationInput>;

/** An error the receptionist ran into. Only its type and severity are required: a failing integration has no caller words or conversation. */
export const ErrorInput = z
  .object({
    error_type: z.enum(ERROR_TYPES),
    severity: z.enum(SEVERITIES),
    message_in: text(LIMITS.message).openapi({ description: 'What the caller said.' }),
    context: text(LIMITS.message),
    skill_name: text(LIMITS.label),
    component: ComponentName.nullish(),
    conversation_id: id.nullish(),
    root_cause: text(LIMITS.note),
    recommended_fix: text(LIMITS.note),
    needs_human_review: z.boolean().default(false),
    external_id: ExternalId,
  })
  .strict()
  .openapi('ErrorInput', { description: 'One error. Its `timestamp` is the time the server receives it; it starts `unresolved`.' });
export type ErrorInput = z.infer<typeof ErrorInput>;

export const HealthReportInput = z
  .object({
    status: z.enum(HEALTH_STATUSES),
    latency_ms: z.number().min(0).max(600_000).nullish(),
    error_rate: z.number().min(0).max(1).nullish(),
    message: text(LIMITS.note),
  })
  .strict()
  .openapi('HealthReportInput', { description: 'A heartbeat or status report of one component, checked at the time the server receives it.' });
export type HealthReportInput = z.infer<typeof HealthReportInput>;
