import type { CursorCodec } from './cursor.js';
import { invalidField } from './problem.js';
import type { Statements, Where } from './sql.js';

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

/**
 * Query with `limit + 1` rows and hand the extra one's presence back as `next_cursor`: the key of
 * the last row returned, so the next page starts strictly after it.
 */
export function toPage<R, T>(rows: R[], limit: number, cursors: CursorCodec, key: (row: R) => [number, string], map: (row: R) => T): Page<T> {
  const more = rows.length > limit;
  const shown = more ? rows.slice(0, limit) : rows;
  return { data: shown.map(map), next_cursor: more ? cursors.encode(key(shown[shown.length - 1]!)) : null };
}

/** `cursor` and `offset` are two ways to say where a page starts; only one may be given. */
export function pageStart(cursors: CursorCodec, q: { cursor?: string; offset?: number }) {
  if (q.cursor !== undefined && q.offset !== undefined) throw invalidField('offset', 'cannot be combined with cursor');
  return { key: q.cursor === undefined ? undefined : cursors.decode(q.cursor), offset: q.offset };
}

export interface PageRequest {
  limit: number;
  key?: [number, string];
  offset?: number;
}

/**
 * One page of a table, newest first by (time, id): after the cursor's key, or at an offset. Fetches
 * one row more than asked, which `toPage` turns into `next_cursor`.
 */
export function selectPage<Row>(sql: Statements, from: { table: string; columns: string; time: string }, where: Where, page: PageRequest): Row[] {
  where.before(from.time, 'id', page.key);
  const text =
    `SELECT ${from.columns} FROM ${from.table} WHERE ${where} ORDER BY ${from.time} DESC, id DESC LIMIT ?` + (page.offset !== undefined ? ' OFFSET ?' : '');
  const params = [...where.params, page.limit + 1];
  if (page.offset !== undefined) params.push(page.offset);
  return sql.all<Row>(text, params);
}
