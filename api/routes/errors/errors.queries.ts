import type { AppContext } from '../../lib/router.js';
import type { Principal } from '../../auth/principal.js';
import type { ErrorType, ResolutionStatus, Severity } from '../../db/schema.js';
import { selectPage, type PageRequest } from '../../lib/paginate.js';
import { Where } from '../../lib/sql.js';
import { iso } from '../../lib/time.js';

export interface ErrorFilters {
  status?: ResolutionStatus[];
  severity?: Severity[];
  error_type?: ErrorType[];
  skill_name?: string;
  from?: number;
  to?: number;
}

export const ERROR_COLUMNS = [
  'id',
  'timestamp',
  'error_type',
  'severity',
  'message_in',
  'context',
  'skill_name',
  'component',
  'conversation_id',
  'root_cause',
  'recommended_fix',
  'needs_human_review',
  'resolution_status',
  'resolved_by',
  'resolved_at',
] as const;

const COLUMNS = ERROR_COLUMNS.join(', ');

export interface ErrorDbRow {
  id: string;
  timestamp: number;
  error_type: ErrorType;
  severity: Severity;
  message_in: string | null;
  context: string | null;
  skill_name: string | null;
  component: string | null;
  conversation_id: string | null;
  root_cause: string | null;
  recommended_fix: string | null;
  needs_human_review: number;
  resolution_status: ResolutionStatus;
  resolved_by: string | null;
  resolved_at: number | null;
}

export interface ErrorAuditDbRow {
  at: number;
  actor: string;
  action: string;
  from_status: ResolutionStatus;
  to_status: ResolutionStatus;
  note: string | null;
}

export interface ErrorPatternDbRow {
  error_type: ErrorType;
  root_cause: string | null;
  count: number;
  unresolved: number;
  first_seen: number;
  last_seen: number;
  example_message_in: string | null;
}

/**
 * The caller's tenant and, for a token locked to one client, only errors raised in that client's
 * conversations (an error without a conversation is not attributable to any client).
 */
function scopedWhere(auth: Principal): Where {
  const where = new Where(auth.tenant.id);
  if (auth.clientId !== null) {
    where.add('conversation_id IN (SELECT id FROM ai_receptionist_conversations WHERE tenant_id = ? AND client_id = ?)', auth.tenant.id, auth.clientId);
  }
  return where;
}

export function errorWhere(auth: Principal, f: ErrorFilters): Where {
  return scopedWhere(auth)
    .in('resolution_status', f.status)
    .in('severity', f.severity)
    .in('error_type', f.error_type)
    .eq('skill_name', f.skill_name)
    .range('timestamp', f.from, f.to);
}

export function listErrors(ctx: AppContext, auth: Principal, f: ErrorFilters, page: PageRequest): ErrorDbRow[] {
  return selectPage<ErrorDbRow>(ctx.sql, { table: 'ai_receptionist_errors', columns: COLUMNS, time: 'timestamp' }, errorWhere(auth, f), page);
}

export function getError(ctx: AppContext, auth: Principal, id: string): ErrorDbRow | undefined {
  const where = scopedWhere(auth).eq('id', id);
  return ctx.sql.get<ErrorDbRow>(`SELECT ${COLUMNS} FROM ai_receptionist_errors WHERE ${where}`).get(...where.params);
}

/** The status changes of one error, oldest first. The caller has already checked the error is visible to it. */
export function errorAudit(ctx: AppContext, tenantId: number, errorId: string): ErrorAuditDbRow[] {
  return ctx.sql
    .get<ErrorAuditDbRow>(
      'SELECT at, actor, action, from_status, to_status, note FROM ai_receptionist_error_audit WHERE tenant_id = ? AND error_id = ? ORDER BY at, id',
    )
    .all(tenantId, errorId);
}

/**
 * Errors grouped by type and root cause, most frequent first. The example is the caller's words
 * from the latest error of the group that has any.
 */
export function errorPatterns(ctx: AppContext, auth: Principal, f: Pick<ErrorFilters, 'status' | 'from' | 'to'>): ErrorPatternDbRow[] {
  const where = errorWhere(auth, f);
  const sql =
    'WITH matched AS (' +
    ' SELECT error_type, root_cause, timestamp, resolution_status, message_in,' +
    ' row_number() OVER (PARTITION BY error_type, root_cause ORDER BY message_in IS NULL, timestamp DESC, id DESC) AS recency' +
    ` FROM ai_receptionist_errors WHERE ${where})` +
    ' SELECT error_type, root_cause, count(*) AS count, sum(resolution_status = \'unresolved\') AS unresolved,' +
    ' min(timestamp) AS first_seen, max(timestamp) AS last_seen, max(CASE WHEN recency = 1 THEN message_in END) AS example_message_in' +
    ' FROM matched GROUP BY error_type, root_cause ORDER BY count DESC, last_seen DESC, error_type, root_cause';
  return ctx.sql.get<ErrorPatternDbRow>(sql).all(...where.params);
}

export function serializeError(row: ErrorDbRow) {
  return { ...row, timestamp: iso(row.timestamp), needs_human_review: row.needs_human_review !== 0, resolved_at: iso(row.resolved_at) };
}

export function serializeAudit(row: ErrorAuditDbRow) {
  return { ...row, at: iso(row.at) };
}

export function serializePattern(row: ErrorPatternDbRow) {
  return { ...row, first_seen: iso(row.first_seen), last_seen: iso(row.last_seen) };
}
