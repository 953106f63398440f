import { createRoute, z } from '@hono/zod-openapi';
import { requireScope, requireUnlocked } from '../../auth/middleware.js';
import { ERROR_TYPES, RESOLUTION_STATUSES, SEVERITIES } from '../../db/schema.js';
import { csvResponse, toCsv } from '../../lib/csv.js';
import { pageStart, toPage } from '../../lib/paginate.js';
import { notFound } from '../../lib/problem.js';
import { createRouter, type AppContext } from '../../lib/router.js';
import { checkRange, Format, Instant, jsonOk, jsonOrCsvOk, ms, multi, page, PageParams, timeRange, Timestamp } from '../../lib/schemas.js';
import {
  ERROR_COLUMNS,
  errorAudit,
  errorPatterns,
  getError,
  listErrors,
  serializeAudit,
  serializeError,
  serializePattern,
} from './errors.queries.js';

/** How many rows a CSV export holds at most. */
export const CSV_MAX_ROWS = 10_000;


export const ErrorSchema = z
  .object({
    id: z.string(),
    timestamp: Timestamp,
    error_type: z.enum(ERROR_TYPES),
    severity: z.enum(SEVERITIES),
    message_in: z.string().nullable().openapi({ description: 'What the caller said.' }),
    context: z.string().nullable(),
    skill_name: z.string().nullable(),
    component: z.string().nullable(),
    conversation_id: z.string().nullable(),
    root_cause: z.string().nullable(),
    recommended_fix: z.string().nullable(),
    needs_human_review: z.boolean(),
    resolution_status: z.enum(RESOLUTION_STATUSES),
    resolved_by: z.string().nullable(),
    resolved_at: Timestamp.nullable(),
  })
  .openapi('ReceptionistError');

const ErrorAuditSchema = z
  .object({
    at: Timestamp,
    actor: z.string().openapi({ description: 'Who changed the status: the CRM user of an embed token, or `key:<id>`.' }),
    action: z.string(),
    from_status: z.enum(RESOLUTION_STATUSES),
    to_status: z.enum(RESOLUTION_STATUSES),
    note: z.string().nullable(),
  })
  .openapi('ErrorAuditEntry');

export const ErrorDetailSchema = ErrorSchema.extend({
  audit: z.array(ErrorAuditSchema).openapi({ description: 'Every status change, oldest first.' }),
}).openapi('ErrorDetail');

export const ErrorPatternSchema = z
  .object({
    error_type: z.enum(ERROR_TYPES),
    root_cause: z.string().nullable(),
    count: z.number().int(),
    unresolved: z.number().int().openapi({ description: 'How many of them are still `unresolved`.' }),
    first_seen: Timestamp,
    last_seen: Timestamp,
    example_message_in: z.string().nullable().openapi({ description: 'The caller’s words in the latest error of the group that has any.' }),
  })
  .openapi('ErrorPattern');

const Status = multi(RESOLUTION_STATUSES, 'Only errors in these resolution statuses.');

const Filters = z.object({
  status: Status,
  severity: multi(SEVERITIES, 'Only these severities.'),
  error_type: multi(ERROR_TYPES, 'Only these error types.'),
  skill_name: z.string().min(1).max(200).optional(),
  from: Instant.optional(),
  to: Instant.optional(),
});

const ListFormat = Format.openapi({
  description:
    `\`csv\` downloads every matching error (newest first, at most ${CSV_MAX_ROWS.toLocaleString('en-US')}, all columns); ` +
    '`limit`, `cursor` and `offset` then do not apply.',
});

const list = createRoute({
  method: 'get',
  path: '/errors',
  tags: ['Errors'],
  summary: 'Errors, newest first',
  description: 'A token locked to one client sees only the errors raised in that client’s conversations.',
  middleware: [requireScope('read')] as const,
  request: { query: Filters.extend({ ...PageParams, format: ListFormat }) },
  responses: jsonOrCsvOk(page(ErrorSchema, 'ErrorPage'), 'A page of errors, or all of them as CSV.'),
});

const patterns = createRoute({
  method: 'get',
  path: '/errors/patterns',
  tags: ['Errors'],
  summary: 'Errors grouped by type and root cause, most frequent first',
  middleware: [requireScope('read'), requireUnlocked] as const,
  request: { query: z.object({ status: Status, from: Instant.optional(), to: Instant.optional(), format: Format }) },
  responses: jsonOrCsvOk(z.object({ data: z.array(ErrorPatternSchema) }).openapi('ErrorPatterns'), 'The patterns, or the same as CSV.'),
});

const detail = createRoute({
  method: 'get',
  path: '/errors/{id}',
  tags: ['Errors'],
  summary: 'One error and its audit trail',
  middleware: [requireScope('read')] as const,
  request: { params: z.object({ id: z.string().min(1).max(200) }) },
  responses: jsonOk(ErrorDetailSchema, 'The error.'),
});

export function errorRoutes(ctx: AppContext) {
  return (
    createRouter()
      .openapi(list, (c) => {
        const { limit, cursor, offset, format, ...q } = c.req.valid('query');
        const f = timeRange(q);
        if (format === 'csv') {
          const rows = listErrors(ctx, c.get('auth'), f, { limit: CSV_MAX_ROWS }).slice(0, CSV_MAX_ROWS).map(serializeError);
          return csvResponse(toCsv(rows, ERROR_COLUMNS), 'errors.csv');
        }
        const start = pageStart(ctx.cursors, { cursor, offset });
        const rows = listErrors(ctx, c.get('auth'), f, { limit, ...start });
        return c.json(toPage(rows, limit, ctx.cursors, (r) => [r.timestamp, r.id], serializeError), 200);
      })
      // Registered before /errors/{id} so that "patterns" is never taken for an id.
      .openapi(patterns, (c) => {
        const { format, ...q } = c.req.valid('query');
        checkRange(q.from, q.to);
        const data = errorPatterns(ctx, c.get('auth'), { status: q.status, from: ms(q.from), to: ms(q.to) }).map(serializePattern);
        if (format === 'csv') {
          return csvResponse(
            toCsv(data, ['error_type', 'root_cause', 'count', 'unresolved', 'first_seen', 'last_seen', 'example_message_in']),
            'error-patterns.csv',
          );
        }
        return c.json({ data }, 200);
      })
      .openapi(detail, (c) => {
        const { id } = c.req.valid('param');
        const row = getError(ctx, c.get('auth'), id);
        if (!row) throw notFound('The error');
        return c.json({ ...serializeError(row), audit: errorAudit(ctx, c.get('auth').tenant.id, row.id).map(serializeAudit) }, 200);
      })
  );
}
