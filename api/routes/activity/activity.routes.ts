import { createRoute, z } from '@hono/zod-openapi';
import { createRouter, type AppContext } from '../../lib/router.js';
import { requireScope } from '../../auth/middleware.js';
import { ACTION_TYPES, CHANNELS, OUTCOME_STATUSES } from '../../db/schema.js';
import { pageStart, toPage } from '../../lib/paginate.js';
import { Instant, jsonOk, multi, page, PageParams, timeRange } from '../../lib/schemas.js';
import { countActivities, listActivities, serializeActivity } from './activity.queries.js';

export const ActivitySchema = z
  .object({
    id: z.string(),
    timestamp: z.string().openapi({ format: 'date-time' }),
    client_id: z.string().nullable(),
    client_name: z.string().nullable(),
    client_phone: z.string().nullable(),
    action_type: z.enum(ACTION_TYPES),
    channel: z.enum(CHANNELS),
    message_in: z.string().nullable(),
    message_out: z.string().nullable(),
    confidence_score: z.number().nullable(),
    skill_name: z.string().nullable(),
    lead_stage: z.string().nullable(),
    outcome_status: z.enum(OUTCOME_STATUSES),
    response_time_ms: z.number().nullable(),
    conversation_id: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()).nullable(),
  })
  .openapi('Activity');

const Filters = z.object({
  action_type: multi(ACTION_TYPES, 'Only these action types.'),
  channel: multi(CHANNELS, 'Only these channels.'),
  client_id: z.string().min(1).max(200).optional(),
  outcome_status: multi(OUTCOME_STATUSES, 'Only these outcomes.'),
  from: Instant.optional(),
  to: Instant.optional(),
  q: z.string().min(1).max(200).optional().openapi({ description: 'Text search in client name, phone and messages.' }),
});

const feed = createRoute({
  method: 'get',
  path: '/activity/feed',
  tags: ['Activity'],
  summary: 'Activities, newest first',
  middleware: [requireScope('read')] as const,
  request: { query: Filters.extend(PageParams) },
  responses: jsonOk(page(ActivitySchema, 'ActivityPage'), 'A page of activities.'),
});

const count = createRoute({
  method: 'get',
  path: '/activity/count',
  tags: ['Activity'],
  summary: 'How many activities match the filters, in all and per action type',
  middleware: [requireScope('read')] as const,
  request: { query: Filters },
  responses: jsonOk(
    z.object({ total: z.number().int(), by_action_type: z.partialRecord(z.enum(ACTION_TYPES), z.number().int()) }).openapi('ActivityCount'),
    'Counts.',
  ),
});

export function activityRoutes(ctx: AppContext) {
  return createRouter()
    .openapi(feed, (c) => {
      const { limit, cursor, offset, ...q } = c.req.valid('query');
      const start = pageStart(ctx.cursors, { cursor, offset });
      const rows = listActivities(ctx, c.get('auth'), timeRange(q), { limit, ...start });
      return c.json(toPage(rows, limit, ctx.cursors, (r) => [r.timestamp, r.id], serializeActivity), 200);
    })
    .openapi(count, (c) => c.json(countActivities(ctx, c.get('auth'), timeRange(c.req.valid('query'))), 200));
}
