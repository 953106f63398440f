import { createRoute, z } from '@hono/zod-openapi';
import { requireScope } from '../../auth/middleware.js';
import { ACTION_TYPES, CHANNELS, SENTIMENTS, SPEAKERS, type TranscriptTurn } from '../../db/schema.js';
import { pageStart, toPage } from '../../lib/paginate.js';
import { notFound } from '../../lib/problem.js';
import { createRouter, type AppContext } from '../../lib/router.js';
import { Instant, jsonOk, multi, page, PageParams, timeRange, Timestamp } from '../../lib/schemas.js';
import {
  conversationActivities,
  getConversation,
  listConversations,
  serializeConversation,
  serializeConversationActivity,
  serializeTurn,
} from './conversations.queries.js';


export const ConversationSummarySchema = z
  .object({
    id: z.string(),
    client_id: z.string().nullable(),
    client_name: z.string().nullable(),
    client_phone: z.string().nullable(),
    channel: z.enum(CHANNELS),
    started_at: Timestamp,
    ended_at: Timestamp.nullable(),
    duration_seconds: z.number().int().nullable().openapi({ description: 'From start to end; null while it goes on.' }),
    summary: z.string().nullable(),
    intent: z.string().nullable(),
    sentiment: z.enum(SENTIMENTS).nullable(),
    outcome: z.string().nullable(),
    ended_reason: z.string().nullable(),
    avg_confidence_score: z.number().nullable(),
    total_turns: z.number().int(),
  })
  .openapi('ConversationSummary');

const TurnSchema = z
  .object({
    speaker: z.enum(SPEAKERS),
    text: z.string(),
    at: z.string().openapi({ description: 'When the turn was spoken or sent, as recorded.' }),
    confidence: z.number().nullable().openapi({ description: 'The AI’s confidence in its turn, 0–1; null for other speakers.' }),
  })
  .openapi('TranscriptTurn');

export const ConversationSchema = ConversationSummarySchema.extend({
  transcript: z.array(TurnSchema),
  activities: z
    .array(z.object({ id: z.string(), action_type: z.enum(ACTION_TYPES), timestamp: Timestamp }).openapi('ConversationActivity'))
    .openapi({ description: 'What the receptionist did during the conversation, oldest first.' }),
}).openapi('Conversation');

const Filters = z.object({
  client_id: z.string().min(1).max(200).optional(),
  channel: multi(CHANNELS, 'Only these channels.'),
  sentiment: multi(SENTIMENTS, 'Only these sentiments.'),
  outcome: z.string().min(1).max(200).optional(),
  q: z.string().min(1).max(200).optional().openapi({ description: 'Text search in what was said, the summary, and the client’s name and phone.' }),
  from: Instant.optional().openapi({ description: 'Started at or after.' }),
  to: Instant.optional().openapi({ description: 'Started at or before.' }),
});

const list = createRoute({
  method: 'get',
  path: '/conversations',
  tags: ['Conversations'],
  summary: 'Conversations, newest first (without transcripts)',
  description: 'A token locked to one client sees only that client’s conversations.',
  middleware: [requireScope('read')] as const,
  request: { query: Filters.extend(PageParams) },
  responses: jsonOk(page(ConversationSummarySchema, 'ConversationPage'), 'A page of conversations.'),
});

const detail = createRoute({
  method: 'get',
  path: '/conversations/{id}',
  tags: ['Conversations'],
  summary: 'One conversation with its transcript and activities',
  middleware: [requireScope('read')] as const,
  request: { params: z.object({ id: z.string().min(1).max(200) }) },
  responses: jsonOk(ConversationSchema, 'The conversation.'),
});

export function conversationRoutes(ctx: AppContext) {
  return createRouter()
    .openapi(list, (c) => {
      const { limit, cursor, offset, ...q } = c.req.valid('query');
      const start = pageStart(ctx.cursors, { cursor, offset });
      const rows = listConversations(ctx, c.get('auth'), timeRange(q), { limit, ...start });
      return c.json(toPage(rows, limit, ctx.cursors, (r) => [r.started_at, r.id], serializeConversation), 200);
    })
    .openapi(detail, (c) => {
      const row = getConversation(ctx, c.get('auth'), c.req.valid('param').id);
      if (!row) throw notFound('The conversation');
      return c.json(
        {
          ...serializeConversation(row),
          transcript: (JSON.parse(row.transcript) as TranscriptTurn[]).map(serializeTurn),
          activities: conversationActivities(ctx, c.get('auth').tenant.id, row.id).map(serializeConversationActivity),
        },
        200,
      );
    });
}
