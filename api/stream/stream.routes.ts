import { createRoute, z } from '@hono/zod-openapi';
import { requireScope } from '../auth/middleware.js';
import { invalidField } from '../lib/problem.js';
import { createRouter, type AppContext } from '../lib/router.js';
import { multi } from '../lib/schemas.js';
import { TOPICS, type Topic } from './events.js';
import type { StreamHub } from './hub.js';

const SEQ = /^(0|[1-9]\d{0,15})$/;

const stream = createRoute({
  method: 'get',
  path: '/stream',
  tags: ['Stream'],
  summary: 'Server-Sent Events: the tenant’s live events',
  description:
    'Events `activity.new`, `metric.update`, `system.health.change`, `error.detected`, `error.updated`, `fix.approved`; ' +
    '`data:` is JSON and every event has an `id:` from the tenant’s own sequence. On connect the stream sends `retry:`, ' +
    'the events after `Last-Event-ID` (header) or `last_event_id` (query) in order, then `event: ready` with the id it ' +
    'continues from, then live events — each exactly once. An id older than the retention window gets `event: reset`: ' +
    'refetch over REST. Comment heartbeats keep the connection open. Authenticate with the Authorization header; ' +
    'the `access_token` query parameter exists only for native EventSource, which cannot send headers, and is weaker ' +
    '(URLs end up in logs).',
  middleware: [requireScope('read')] as const,
  request: {
    query: z.object({
      topics: multi(TOPICS, 'Topics to receive (default all).'),
      last_event_id: z.string().regex(SEQ, 'must be a non-negative integer').optional().openapi({ description: 'Resume after this event id.' }),
      access_token: z.string().optional().openapi({ description: 'An embed token, for EventSource clients only (weaker: it appears in URLs).' }),
    }),
    headers: z.object({
      'last-event-id': z.string().optional().openapi({ description: 'Resume after this event id (what EventSource sends on reconnect).' }),
    }),
  },
  responses: {
    200: {
      description: 'An endless text/event-stream.',
      content: { 'text/event-stream': { schema: z.string().openapi({ example: 'id: 42\nevent: activity.new\ndata: {"id":"…"}\n\n' }) } },
    },
  },
});

export function streamRoutes(_ctx: AppContext, hub: StreamHub) {
  return createRouter().openapi(stream, (c) => {
    const q = c.req.valid('query');
    const header = c.req.valid('header')['last-event-id'];
    if (header !== undefined && !SEQ.test(header.trim())) throw invalidField('Last-Event-ID', 'must be a non-negative integer', 'header');
    const last = header !== undefined ? header.trim() : q.last_event_id;
    const topics = new Set<Topic>(q.topics ?? TOPICS);
    const body = hub.open(c.get('auth'), topics, last === undefined ? undefined : Number(last));
    return new Response(body, {
      headers: {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        'x-accel-buffering': 'no',
        connection: 'keep-alive',
      },
    });
  });
}
