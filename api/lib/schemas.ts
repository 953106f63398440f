import { z } from '@hono/zod-openapi';
import { invalidField } from './problem.js';

/** Shared request and response schemas: one definition each, reused by every route. */

export const Limit = z.coerce
  .number()
  .int()
  .min(1)
  .max(200)
  .default(50)
  .openapi({ description: 'Page size, 1–200.', example: 50 });

export const Cursor = z
  .string()
  .min(1)
  .max(512)
  .optional()
  .openapi({ description: 'Opaque keyset cursor: the `next_cursor` of the previous page.' });

export const Offset = z.coerce
  .number()
  .int()
  .min(0)
  .max(100_000_000)
  .optional()
  .openapi({ description: 'Row offset, accepted for compatibility; `cursor` is faster at any depth and never skips or repeats rows.' });

/** The paging parameters of every list: `.extend(PageParams)`. */
/** An instant in an answer: ISO 8601 in UTC with milliseconds (`2026-11-20T20:30:00.000Z`). */
export const Timestamp = z.string().openapi({ format: 'date-time' });

/** The description and security entry of the admin routes: the bearer credential must be an API key with `admin`. */
export const ADMIN_ONLY = 'Needs an `admin` API key.';
export const ADMIN_SECURITY = [{ bearer: ['admin'] }];

export const PageParams = { limit: Limit, cursor: Cursor, offset: Offset };

export const Instant = z.iso
  .datetime({ offset: true })
  .openapi({ description: 'ISO 8601 date-time with a zone, e.g. 2026-11-21T14:00:00Z.', example: '2026-11-21T14:00:00Z' });

/**
 * The calendar days a date parameter may name. Before 1970 no data can exist, and the time-zone
 * arithmetic (Date.UTC reads years 0–99 as 1900–1999) and four-digit ISO years break down at the
 * ends of the range.
 */
const FIRST_DAY = '1970-01-01';
const LAST_DAY = '9999-12-30';

export const LocalDate = z.iso
  .date()
  // A string that is not a date at all has its issue already; only dates are checked for range.
  .refine((d) => !/^\d{4}-\d{2}-\d{2}$/.test(d) || (d >= FIRST_DAY && d <= LAST_DAY), `must be between ${FIRST_DAY} and ${LAST_DAY}`)
  .openapi({ description: `A calendar day in the tenant’s time zone, YYYY-MM-DD, from ${FIRST_DAY} to ${LAST_DAY}.`, example: '2026-11-21' });

export const Format = z.enum(['json', 'csv']).default('json').openapi({ description: '`csv` downloads the same rows as a CSV file.' });

/** A query parameter that may repeat (`a=x&a=y`) or carry a comma-separated list (`a=x,y`). */
export function multi<T extends readonly [string, ...string[]]>(values: T, description: string) {
  return z
    .preprocess(
      (v) => (v === undefined ? undefined : (Array.isArray(v) ? v : [v]).flatMap((s) => String(s).split(',')).filter(Boolean)),
      z.array(z.enum(values)).min(1).max(values.length * 2),
    )
    .optional()
    .openapi({ description: `${description} Repeat the parameter or separate values with commas.`, type: 'array', items: { type: 'string', enum: [...values] } } as never);
}

/** Parses an Instant string to milliseconds. */
export function ms(value: string | undefined): number | undefined {
  return value === undefined ? undefined : Date.parse(value);
}

/** A list's `from`/`to` query as milliseconds, after checking that `from` is not after `to`. */
export function timeRange<T extends { from?: string; to?: string }>(q: T): Omit<T, 'from' | 'to'> & { from?: number; to?: number } {
  checkRange(q.from, q.to);
  return { ...q, from: ms(q.from), to: ms(q.to) };
}

/** `from` must not be after `to`; named after the later field so the caller knows which to fix. */
export function checkRange(from: string | undefined, to: string | undefined, toField = 'to'): void {
  if (from !== undefined && to !== undefined && from > to && Date.parse(from) > Date.parse(to)) {
    throw invalidField(toField, `must not be before ${toField === 'to' ? 'from' : 'start_date'}`);
  }
}

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(z.object({ field: z.string(), in: z.string().optional(), message: z.string() })).optional(),
  })
  .openapi('Problem');

/**
 * Error answers are added to every operation of the OpenAPI document in one place (see
 * api/lib/openapi.ts), not declared per route: routes declare only their success responses.
 * These two stay empty while route modules are migrated to that rule.
 */
export const errorResponses = {} as const;
export const notFoundResponse = {} as const;

export function page<T extends z.ZodTypeAny>(item: T, name: string) {
  return z
    .object({
      data: z.array(item),
      next_cursor: z.string().nullable().openapi({ description: 'Pass as `cursor` for the next page; null on the last page.' }),
    })
    .openapi(name);
}

export function jsonOk<T extends z.ZodTypeAny>(schema: T, description: string) {
  return { 200: { description, content: { 'application/json': { schema } } } } as const;
}

export function jsonOrCsvOk<T extends z.ZodTypeAny>(schema: T, description: string) {
  return {
    200: {
      description,
      content: { 'application/json': { schema }, 'text/csv': { schema: z.string().openapi({ description: 'RFC 4180 CSV with a header row.' }) } },
    },
  } as const;
}
