/**
 * Webhooks (admin keys only): a tenant registers URLs that receive its events, signed with a
 * secret shown once at creation, and reads back how each delivery went. Delivery itself is the
 * job in api/jobs/webhooks.ts.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { requireScope } from '../../auth/middleware.js';
import { WEBHOOK_DELIVERY_STATUSES } from '../../db/schema.js';
import { FIRST_RETRY_MS, MAX_ATTEMPTS } from '../../domain/webhooks.js';
import { pageStart, toPage } from '../../lib/paginate.js';
import type { OutboundPolicy } from '../../lib/outbound.js';
import { ApiError, invalidField, notFound } from '../../lib/problem.js';
import { createRouter, type AppContext } from '../../lib/router.js';
import { ADMIN_ONLY, ADMIN_SECURITY, jsonOk, page, PageParams, Timestamp } from '../../lib/schemas.js';
import type { SecretBox } from '../../lib/secret-box.js';
import { httpUrl } from '../../lib/urls.js';
import {
  createWebhook,
  deleteWebhook,
  getWebhook,
  listDeliveries,
  listWebhooks,
  MAX_WEBHOOKS_PER_TENANT,
  serializeDelivery,
  serializeWebhook,
  TooManyWebhooksError,
  WEBHOOK_EVENTS,
} from './webhooks.queries.js';

const TAGS = ['Webhooks'];

export const WebhookInputSchema = z
  .object({
    url: httpUrl(
      'Where to POST the events: an http or https URL without credentials, on a public address (loopback, private, link-local and ' +
        'other internal addresses are refused, also when a name resolves to one).',
    ),
    events: z
      .array(z.enum(WEBHOOK_EVENTS))
      .min(1)
      .max(WEBHOOK_EVENTS.length)
      .openapi({ description: 'The event types to deliver.', example: ['fix.approved', 'error.detected'] }),
    description: z.string().trim().max(200).nullish(),
  })
  .strict()
  .openapi('WebhookInput');

const WebhookSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    events: z.array(z.enum(WEBHOOK_EVENTS)),
    description: z.string().nullable(),
    created_at: Timestamp,
  })
  .openapi('Webhook');

const CreatedWebhookSchema = WebhookSchema.extend({
  secret: z.string().openapi({ description: 'Signs every delivery (see `Webhook-Signature`). Shown only in this answer: store it now.' }),
}).openapi('CreatedWebhook');

const AttemptSchema = z
  .object({
    attempt: z.number().int(),
    attempted_at: Timestamp,
    duration_ms: z.number().int(),
    ok: z.boolean(),
    response_status: z.number().int().nullable().openapi({ description: 'The receiver’s HTTP status; null when it did not answer.' }),
    error: z.string().nullable(),
    next_attempt_at: Timestamp.nullable().openapi({ description: 'When the next attempt was scheduled after this one failed; null after a success or the last attempt.' }),
  })
  .openapi('WebhookDeliveryAttempt');

const DeliverySchema = z
  .object({
    id: z.string().openapi({ description: 'Sent as `Webhook-Id` on every attempt.' }),
    event_type: z.enum(WEBHOOK_EVENTS),
    event_seq: z.number().int().openapi({ description: 'The event’s id in the tenant’s stream.' }),
    status: z.enum(WEBHOOK_DELIVERY_STATUSES),
    attempts: z.number().int(),
    next_attempt_at: Timestamp.nullable(),
    last_attempt_at: Timestamp.nullable(),
    last_response_status: z.number().int().nullable(),
    last_error: z.string().nullable(),
    created_at: Timestamp,
    delivered_at: Timestamp.nullable(),
    attempt_log: z.array(AttemptSchema).openapi({ description: 'Every attempt, oldest first.' }),
  })
  .openapi('WebhookDelivery');

const WebhookId = z.object({ id: z.string().min(1).max(100) });

const create = createRoute({
  method: 'post',
  path: '/webhooks',
  tags: TAGS,
  summary: 'Register a webhook',
  description:
    `${ADMIN_ONLY} The webhook receives the events committed after its creation, each POSTed as JSON and signed (see the README). ` +
    `A failed delivery (no 2xx within 10 s) is retried up to ${MAX_ATTEMPTS} attempts in all, ${FIRST_RETRY_MS / 60_000} min after the first ` +
    `failure and four times longer after each next one. At most ${MAX_WEBHOOKS_PER_TENANT} webhooks per tenant (409 beyond).`,
  middleware: [requireScope('admin')] as const,
  security: ADMIN_SECURITY,
  request: { body: { content: { 'application/json': { schema: WebhookInputSchema } }, required: true } },
  responses: { 201: { description: 'Created; the answer holds the secret, shown this once.', content: { 'application/json': { schema: CreatedWebhookSchema } } } },
});

const list = createRoute({
  method: 'get',
  path: '/webhooks',
  tags: TAGS,
  summary: 'The tenant’s webhooks',
  description: `${ADMIN_ONLY} Secrets are never listed.`,
  middleware: [requireScope('admin')] as const,
  security: ADMIN_SECURITY,
  responses: jsonOk(z.object({ data: z.array(WebhookSchema) }).openapi('Webhooks'), 'The webhooks, oldest first.'),
});

const detail = createRoute({
  method: 'get',
  path: '/webhooks/{id}',
  tags: TAGS,
  summary: 'One webhook',
  description: ADMIN_ONLY,
  middleware: [requireScope('admin')] as const,
  security: ADMIN_SECURITY,
  request: { params: WebhookId },
  responses: jsonOk(WebhookSchema, 'The webhook.'),
});

const remove = createRoute({
  method: 'delete',
  path: '/webhooks/{id}',
  tags: TAGS,
  summary: 'Delete a webhook and its delivery log',
  description: `${ADMIN_ONLY} Pending deliveries are dropped.`,
  middleware: [requireScope('admin')] as const,
  security: ADMIN_SECURITY,
  request: { params: WebhookId },
  responses: { 204: { description: 'Deleted.' } },
});

const deliveries = createRoute({
  method: 'get',
  path: '/webhooks/{id}/deliveries',
  tags: TAGS,
  summary: 'A webhook’s deliveries, newest first, with every attempt',
  description: ADMIN_ONLY,
  middleware: [requireScope('admin')] as const,
  security: ADMIN_SECURITY,
  request: { params: WebhookId, query: z.object({ status: z.enum(WEBHOOK_DELIVERY_STATUSES).optional(), ...PageParams }) },
  responses: jsonOk(page(DeliverySchema, 'WebhookDeliveryPage'), 'A page of deliveries.'),
});

export interface WebhookRouteDeps {
  /** Refuses URLs on internal addresses at registration (deliveries check again). */
  outbound: OutboundPolicy;
  /** Seals the secrets as they are stored. */
  secrets: SecretBox;
}

export function webhookRoutes(ctx: AppContext, deps: WebhookRouteDeps) {
  return createRouter()
    .openapi(create, async (c) => {
      const tenantId = c.get('auth').tenant.id;
      const input = c.req.valid('json');
      const refused = await deps.outbound.check(input.url);
      if (refused) throw invalidField('url', refused, 'body');
      let created;
      try {
        created = createWebhook(ctx.db, deps.secrets, tenantId, input, ctx.clock());
      } catch (e) {
        if (e instanceof TooManyWebhooksError) throw new ApiError(409, `The tenant already has ${MAX_WEBHOOKS_PER_TENANT} webhooks; delete one first.`);
        throw e;
      }
      return c.json({ ...serializeWebhook(created.webhook), secret: created.secret }, 201);
    })
    .openapi(list, (c) => c.json({ data: listWebhooks(ctx.sql, c.get('auth').tenant.id).map(serializeWebhook) }, 200))
    .openapi(detail, (c) => {
      const row = getWebhook(ctx.sql, c.get('auth').tenant.id, c.req.valid('param').id);
      if (!row) throw notFound('The webhook');
      return c.json(serializeWebhook(row), 200);
    })
    .openapi(remove, (c) => {
      if (!deleteWebhook(ctx.db, c.get('auth').tenant.id, c.req.valid('param').id)) throw notFound('The webhook');
      return c.body(null, 204);
    })
    .openapi(deliveries, (c) => {
      const tenantId = c.get('auth').tenant.id;
      const { id } = c.req.valid('param');
      const { limit, cursor, offset, status } = c.req.valid('query');
      if (!getWebhook(ctx.sql, tenantId, id)) throw notFound('The webhook');
      const start = pageStart(ctx.cursors, { cursor, offset });
      const { rows, attempts } = listDeliveries(ctx.sql, tenantId, id, { status }, { limit, ...start });
      return c.json(
        toPage(rows, limit, ctx.cursors, (r) => [r.created_at, r.id], (r) => serializeDelivery(r, attempts.get(r.id) ?? [])),
        200,
      );
    });
}
