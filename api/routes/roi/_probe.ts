import { createRoute, z } from '@hono/zod-openapi';
import { createRouter, type AppContext } from '../../app.js';
import { requireScope } from '../../auth/middleware.js';
import { errorResponses, jsonOk } from '../../lib/schemas.js';

const count = createRoute({
  method: 'get',
  path: '/p/count',
  middleware: [requireScope('read')] as const,
  request: { query: z.object({ a: z.string().optional() }) },
  responses: { ...jsonOk(z.object({ total: z.number().int(), b: z.record(z.string(), z.number()) }).openapi('PCount'), 'Counts.'), ...errorResponses },
});
export function probeRoutes(_ctx: AppContext) {
  return createRouter()
  .openapi(count, (c) => c.json({ total: 1, b: {} }, 200));
}
