/**
 * The health monitor's configuration (admin keys only): which components of the tenant are
 * probed, at which URL, how often, with what timeout and latency threshold. Statuses themselves
 * are read at /system-health.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { requireScope } from '../../auth/middleware.js';
import { DOWN_AFTER_FAILURES, RECENT_CHECKS } from '../../domain/health.js';
import { HEALTH_STATUSES } from '../../db/schema.js';
import type { OutboundPolicy } from '../../lib/outbound.js';
import { invalidField, notFound } from '../../lib/problem.js';
import { createRouter, type AppContext } from '../../lib/router.js';
import { ADMIN_ONLY, ADMIN_SECURITY, jsonOk, Timestamp } from '../../lib/schemas.js';
import { ComponentName, deleteMonitor, getMonitor, listMonitors, MonitorInputSchema, putMonitor, serializeMonitor } from './monitors.queries.js';

const TAGS = ['System health'];

const MonitorSchema = z
  .object({
    component_name: z.string(),
    probe_url: z.string(),
    interval_ms: z.number().int(),
    timeout_ms: z.number().int(),
    latency_threshold_ms: z.number().int(),
    enabled: z.boolean(),
    created_at: Timestamp,
    updated_at: Timestamp,
    status: z.enum(HEALTH_STATUSES).nullable().openapi({ description: 'The component’s current status; null before its first check.' }),
    last_checked: Timestamp.nullable(),
  })
  .openapi('Monitor');

const Params = z.object({ component: ComponentName });

const list = createRoute({
  method: 'get',
  path: '/monitors',
  tags: TAGS,
  summary: 'The components the health monitor probes',
  description: ADMIN_ONLY,
  middleware: [requireScope('admin')] as const,
  security: ADMIN_SECURITY,
  responses: jsonOk(z.object({ data: z.array(MonitorSchema) }).openapi('Monitors'), 'The monitors by component name.'),
});

const detail = createRoute({
  method: 'get',
  path: '/monitors/{component}',
  tags: TAGS,
  summary: 'One component’s monitor',
  description: ADMIN_ONLY,
  middleware: [requireScope('admin')] as const,
  security: ADMIN_SECURITY,
  request: { params: Params },
  responses: jsonOk(MonitorSchema, 'The monitor.'),
});

const put = createRoute({
  method: 'put',
  path: '/monitors/{component}',
  tags: TAGS,
  summary: 'Probe a component (create or replace its monitor)',
  description:
    `${ADMIN_ONLY} The component is probed with GET every \`interval_ms\`. A failed probe (an error status, a timeout, no connection) makes it ` +
    `\`degraded\`, ${DOWN_AFTER_FAILURES} in a row \`down\`; a successful one makes it \`active\`, or \`degraded\` while it is slower than ` +
    `\`latency_threshold_ms\` or any of its last ${RECENT_CHECKS} checks failed. \`system.health.change\` is emitted when the status changes.`,
  middleware: [requireScope('admin')] as const,
  security: ADMIN_SECURITY,
  request: { params: Params, body: { content: { 'application/json': { schema: MonitorInputSchema } }, required: true } },
  responses: {
    200: { description: 'Replaced.', content: { 'application/json': { schema: MonitorSchema } } },
    201: { description: 'Created.', content: { 'application/json': { schema: MonitorSchema } } },
  },
});

const remove = createRoute({
  method: 'delete',
  path: '/monitors/{component}',
  tags: TAGS,
  summary: 'Stop probing a component',
  description: `${ADMIN_ONLY} Its status and check history stay (heartbeats may still report it).`,
  middleware: [requireScope('admin')] as const,
  security: ADMIN_SECURITY,
  request: { params: Params },
  responses: { 204: { description: 'Deleted.' } },
});

/** `outbound` refuses probe URLs on internal addresses at registration (each probe checks again). */
export function monitorRoutes(ctx: AppContext, outbound: OutboundPolicy) {
  return createRouter()
    .openapi(list, (c) => c.json({ data: listMonitors(ctx.db, c.get('auth').tenant.id).map(serializeMonitor) }, 200))
    .openapi(detail, (c) => {
      const row = getMonitor(ctx.db, c.get('auth').tenant.id, c.req.valid('param').component);
      if (!row) throw notFound('The monitor');
      return c.json(serializeMonitor(row), 200);
    })
    .openapi(put, async (c) => {
      const input = c.req.valid('json');
      const refused = await outbound.check(input.probe_url);
      if (refused) throw invalidField('probe_url', refused, 'body');
      const { row, created } = putMonitor(ctx.db, c.get('auth').tenant.id, c.req.valid('param').component, input, ctx.clock());
      return created ? c.json(serializeMonitor(row), 201) : c.json(serializeMonitor(row), 200);
    })
    .openapi(remove, (c) => {
      if (!deleteMonitor(ctx.db, c.get('auth').tenant.id, c.req.valid('param').component)) throw notFound('The monitor');
      return c.body(null, 204);
    });
}
