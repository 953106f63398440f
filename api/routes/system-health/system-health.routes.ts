import { createRoute, z } from '@hono/zod-openapi';
import { requireScope } from '../../auth/middleware.js';
import { HEALTH_STATUSES } from '../../db/schema.js';
import { notFound } from '../../lib/problem.js';
import { createRouter, type AppContext } from '../../lib/router.js';
import { jsonOk, Timestamp } from '../../lib/schemas.js';
import { getComponent, listComponents, RECENT_CHECKS, recentChecks, serializeCheck, serializeComponent, summarize } from './system-health.queries.js';


export const ComponentSchema = z
  .object({
    component_name: z.string(),
    status: z.enum(HEALTH_STATUSES),
    latency_ms: z.number().nullable(),
    error_rate: z.number().nullable().openapi({ description: 'Share of recent checks that failed, 0–1.' }),
    uptime_percentage: z.number().nullable().openapi({ description: 'Over the last 24 hours, 0–100.' }),
    last_checked: Timestamp.nullable(),
    down_since: Timestamp.nullable(),
    consecutive_failures: z.number().int(),
    message: z.string().nullable(),
  })
  .openapi('Component');

const HealthCheckSchema = z
  .object({
    checked_at: Timestamp,
    ok: z.boolean(),
    status: z.enum(HEALTH_STATUSES),
    latency_ms: z.number().nullable(),
    message: z.string().nullable(),
  })
  .openapi('HealthCheck');

export const HealthSummarySchema = z
  .object({
    active: z.number().int(),
    degraded: z.number().int(),
    down: z.number().int(),
    unknown: z.number().int(),
    overall: z
      .enum(HEALTH_STATUSES)
      .openapi({ description: 'The worst status of any component (down, degraded, unknown, active); `unknown` when there are none.' }),
  })
  .openapi('HealthSummary');

export const ComponentDetailSchema = ComponentSchema.extend({
  checks: z.array(HealthCheckSchema).openapi({ description: `The latest ${RECENT_CHECKS} checks, newest first.` }),
}).openapi('ComponentDetail');

const ComponentName = z
  .string()
  .regex(/^[a-z0-9_.-]{1,64}$/, 'must be 1–64 characters of a–z, 0–9, "_", "." or "-"')
  .openapi({ example: 'voice_endpoint' });

const list = createRoute({
  method: 'get',
  path: '/system-health',
  tags: ['System health'],
  summary: 'Every component and a summary',
  middleware: [requireScope('read')] as const,
  responses: jsonOk(z.object({ data: z.array(ComponentSchema), summary: HealthSummarySchema }).openapi('SystemHealth'), 'The components by name.'),
});

const detail = createRoute({
  method: 'get',
  path: '/system-health/{component}',
  tags: ['System health'],
  summary: 'One component and its recent checks',
  middleware: [requireScope('read')] as const,
  request: { params: z.object({ component: ComponentName }) },
  responses: jsonOk(ComponentDetailSchema, 'The component.'),
});

export function systemHealthRoutes(ctx: AppContext) {
  return createRouter()
    .openapi(list, (c) => {
      const rows = listComponents(ctx, c.get('auth').tenant.id);
      return c.json({ data: rows.map(serializeComponent), summary: summarize(rows) }, 200);
    })
    .openapi(detail, (c) => {
      const tenantId = c.get('auth').tenant.id;
      const row = getComponent(ctx, tenantId, c.req.valid('param').component);
      if (!row) throw notFound('The component');
      return c.json({ ...serializeComponent(row), checks: recentChecks(ctx, tenantId, row.component_name).map(serializeCheck) }, 200);
    });
}
