import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { validator } from 'hono/validator';
import { requireScope } from '../../auth/middleware.js';
import { IDEMPOTENCY_HEADER, parseIdempotencyKey, REPLAYED_HEADER } from '../../ingest/idempotency.js';
import { RateLimiter, rateLimit } from '../../ingest/rate-limit.js';
import {
  ActivityBody,
  ComponentName,
  ConversationInput,
  ErrorInput,
  HealthReportInput,
  isBatch,
} from '../../ingest/schemas.js';
import { IngestService, type IngestResult } from '../../ingest/service.js';
import { API_BASE, createRouter, type AppContext, type AppEnv } from '../../lib/router.js';
import { jsonOk } from '../../lib/schemas.js';
import { ActivitySchema } from '../activity/activity.routes.js';
import { ConversationSummarySchema } from '../conversations/conversations.routes.js';
import { ErrorSchema } from '../errors/errors.routes.js';
import { ComponentSchema } from '../system-health/system-health.routes.js';

export const INGEST_BASE = `${API_BASE}/ingest`;

export interface IngestRoutesOptions {
  /** The per-credential limiter; by default 1,000 requests/s with bursts of 2,000 on the app's clock. */
  rateLimiter?: RateLimiter;
}

/**
 * Documented here, parsed by hand in the handler: the hot path validates its body with zod once
 * and nothing else.
 */
const idempotencyKeyParameter = {
  in: 'header' as const,
  name: IDEMPOTENCY_HEADER,
  required: false,
  description:
    'Makes the request safe to retry: a repeat with the same key and body answers the first answer (with `Idempotent-Replayed: true`) ' +
    'and creates nothing; the same key with a different body is a 409. 1–255 visible ASCII characters; kept for 24 hours. ' +
    'Without it, an event’s own `external_id` plays the same role.',
  schema: { type: 'string' as const, minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' },
};

const replayedHeader = {
  [REPLAYED_HEADER]: { description: '`true` when the answer repeats a stored one and nothing was written.', schema: { type: 'string' as const, enum: ['true'] } },
};

function created<T extends z.ZodTypeAny>(schema: T, description: string) {
  return { 201: { description, headers: replayedHeader, content: { 'application/json': { schema } } } } as const;
}

function jsonBody<T extends z.ZodTypeAny>(schema: T) {
  return { content: { 'application/json': { schema } }, required: true };
}

const activity = createRoute({
  method: 'post',
  path: '/activity',
  tags: ['Ingest'],
  summary: 'Ingest one activity, or a batch of up to 1,000',
  description:
    'One activity, or `{ "items": [...] }` stored all or none. A bad item fails the batch and is named by its index (`items.3.channel`). ' +
    'Without an `Idempotency-Key`, an item whose `external_id` was sent before is not created again: `data` holds the activity ' +
    'created the first time and `replayed` lists its index. Each new activity is announced as `activity.new`.',
  parameters: [idempotencyKeyParameter],
  request: { body: jsonBody(ActivityBody) },
  responses: created(
    z.union([
      z.object({ data: ActivitySchema }).openapi('IngestedActivity'),
      z
        .object({
          data: z.array(ActivitySchema),
          replayed: z.array(z.number().int()).openapi({ description: 'Indices of the items that repeated an earlier `external_id` and were not created again.' }),
        })
        .openapi('IngestedActivityBatch'),
    ]),
    'Stored (or, for a repeat, stored before): the activity as the feed serves it, or the batch in the order sent.',
  ),
});

const conversation = createRoute({
  method: 'post',
  path: '/conversations',
  tags: ['Ingest'],
  summary: 'Ingest a conversation and its transcript',
  parameters: [idempotencyKeyParameter],
  request: { body: jsonBody(ConversationInput) },
  responses: created(z.object({ data: ConversationSummarySchema }).openapi('IngestedConversation'), 'Stored: the conversation as GET /conversations lists it.'),
});

const error = createRoute({
  method: 'post',
  path: '/errors',
  tags: ['Ingest'],
  summary: 'Ingest an error',
  description: 'The error starts `unresolved` and is announced as `error.detected`.',
  parameters: [idempotencyKeyParameter],
  request: { body: jsonBody(ErrorInput) },
  responses: created(z.object({ data: ErrorSchema }).openapi('IngestedError'), 'Stored: the error as GET /errors serves it.'),
});

const healthReport = createRoute({
  method: 'post',
  path: '/system-health/{component}',
  tags: ['Ingest'],
  summary: 'Report a component’s status (a heartbeat)',
  description:
    'Appends a check to the component’s history and updates it (it is created on its first report). `down` counts consecutive ' +
    'failures and starts `down_since`; any other status clears `down_since`. `system.health.change` is emitted only when the status changes.',
  parameters: [idempotencyKeyParameter],
  request: { params: z.object({ component: ComponentName }), body: jsonBody(HealthReportInput) },
  responses: jsonOk(z.object({ data: ComponentSchema }).openapi('ReportedComponent'), 'The component after the report.'),
});

const JSON_MEDIA_TYPE = /^application\/([a-z-.]+\+)?json(;\s*[a-zA-Z0-9-]+=([^;]+))*$/i;
const JSON_HEADERS = { 'content-type': 'application/json' };

/** Whether a request without a Content-Type still carries a body (which then has no declared type). */
async function hasBody(c: Context): Promise<boolean> {
  if (c.req.raw.body === null) return false;
  return (await c.req.arrayBuffer()).byteLength > 0;
}

/** Marks a replayed answer; the status and body are the stored ones. */
function markReplay(c: Context<AppEnv>, result: IngestResult): void {
  if (result.replayed) c.header(REPLAYED_HEADER, 'true');
}

export function ingestRoutes(ctx: AppContext, options: IngestRoutesOptions = {}) {
  const service = new IngestService(ctx);
  const limiter = options.rateLimiter ?? new RateLimiter({ clock: ctx.clock });
  const router = createRouter();
  router.use('*', requireScope('ingest'), rateLimit(limiter));

  // Registered by hand rather than with `openapi()`: its validator parses with zod's async path,
  // which skips the compiled fast path and doubles the cost of a 1,000-item batch. The document
  // is the same; the body is checked as `openapi()` would (media type, JSON, schema, one hook).
  router.openAPIRegistry.registerPath(activity);
  router.post(
    '/activity',
    async (c, next) => {
      const type = c.req.header('content-type');
      if (type === undefined ? await hasBody(c) : !JSON_MEDIA_TYPE.test(type)) throw new HTTPException(415, { message: 'Unsupported Media Type' });
      await next();
    },
    validator('json', (value, c) => {
      const result = ActivityBody.safeParse(value);
      if (result.success) return result.data;
      // Neither form fits: report the issues of the form the body has, so a bad item is named by its path.
      const [issue] = result.error.issues;
      const issues = result.error.issues.length === 1 && issue?.code === 'invalid_union' ? issue.errors[isBatch(value) ? 1 : 0] : undefined;
      return router.defaultHook?.({ success: false, error: issues ? new z.ZodError(issues) : result.error, target: 'json' } as never, c as never) as never;
    }),
    async (c) => {
      const body = c.req.valid('json');
      const key = parseIdempotencyKey(c.req.header(IDEMPOTENCY_HEADER));
      const tenant = c.get('auth').tenant;
      // Through the group commit: concurrent requests share one transaction (the hot path).
      const result = 'items' in body ? await service.submitActivities(tenant, body.items, key) : await service.submitActivity(tenant, body, key);
      markReplay(c, result);
      // The answer is built from the activities' JSON as written to the outbox, not serialized again.
      return result.json === undefined ? c.json(result.body, result.status as 201) : c.body(result.json, result.status as 201, JSON_HEADERS);
    },
  );

  return router
    .openapi(conversation, (c) => {
      const result = service.conversation(c.get('auth').tenant, c.req.valid('json'), parseIdempotencyKey(c.req.header(IDEMPOTENCY_HEADER)));
      markReplay(c, result);
      return c.json(result.body, result.status as 201);
    })
    .openapi(error, (c) => {
      const result = service.error(c.get('auth').tenant, c.req.valid('json'), parseIdempotencyKey(c.req.header(IDEMPOTENCY_HEADER)));
      markReplay(c, result);
      return c.json(result.body, result.status as 201);
    })
    .openapi(healthReport, (c) => {
      const { component } = c.req.valid('param');
      const result = service.healthReport(c.get('auth').tenant, component, c.req.valid('json'), parseIdempotencyKey(c.req.header(IDEMPOTENCY_HEADER)));
      markReplay(c, result);
      return c.json(result.body, result.status as 200);
    });
}
