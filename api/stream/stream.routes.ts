import { ServerResponse } from 'node:http';
import { createRoute, z } from '@hono/zod-openapi';
import { requireScope } from '../auth/middleware.js';
import { invalidField } from '../lib/problem.js';
import { createRouter, type AppContext } from '../lib/router.js';
import { multi } from '../lib/schemas.js';
import { TOPICS, type Topic } from './events.js';
import type { StreamHub } from './hub.js';

const SEQ = /^(0|[1-9]\d{0,15})$/;

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
  connection: 'keep-alive',
};
/** @hono/node-server's mark for a response the handler writes itself. */
const ALREADY_SENT = 'x-hono-already-sent';

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
    const lastEventId = last === undefined ? undefined : Number(last);
    const outgoing = (c.env as { outgoing?: unknown } | undefined)?.outgoing;
    if (outgoing instanceof ServerResponse) {
      // On the Node server the frames go straight to the socket. The head is written once every
      // middleware has added its headers (CORS): @hono/node-server leaves a response marked as
      // already sent alone, and by the next turn of the event loop the middleware chain is done.
      const stream = hub.openOnSocket(c.get('auth'), topics, lastEventId, outgoing);
      setImmediate(() => {
        const headers: Record<string, string> = {};
        c.res.headers.forEach((value, name) => {
          if (name !== ALREADY_SENT) headers[name] = value;
        });
        stream.start(200, headers);
      });
      const marker = new Response(null, { headers: { ...SSE_HEADERS, [ALREADY_SENT]: '1' } });
      // Reading the body turns @hono/node-server's lightweight Response into a standard one, whose
      // already-sent mark it honours (its cached fast path would write and end the response).
      void marker.body;
      return marker;
    }
    return new Response(hub.open(c.get('auth'), topics, lastEventId), { headers: SSE_HEADERS });
  });
}
