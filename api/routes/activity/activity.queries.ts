import type { AppContext } from '../../lib/router.js';
import type { Principal } from '../../auth/principal.js';
import type { ActionType, Channel, OutcomeStatus } from '../../db/schema.js';
import { selectPage, type PageRequest } from '../../lib/paginate.js';
import { Where } from '../../lib/sql.js';
import { iso } from '../../lib/time.js';

export interface ActivityFilters {
  action_type?: ActionType[];
  channel?: Channel[];
  client_id?: string;
  outcome_status?: OutcomeStatus[];
  from?: number;
  to?: number;
  q?: string;
}

export const ACTIVITY_COLUMNS =
  'id, timestamp, client_id, client_name, client_phone, action_type, channel, message_in, message_out, confidence_score, ' +
  'skill_name, lead_stage, outcome_status, response_time_ms, conversation_id, metadata';

export interface ActivityDbRow {
  id: string;
  timestamp: number;
  client_id: string | null;
  client_name: string | null;
  client_phone: string | null;
  action_type: ActionType;
  channel: Channel;
  message_in: string | null;
  message_out: string | null;
  confidence_score: number | null;
  skill_name: string | null;
  lead_stage: string | null;
  outcome_status: OutcomeStatus;
  response_time_ms: number | null;
  conversation_id: string | null;
  metadata: string | null;
}

/** The filters as a WHERE clause, always within the caller's tenant and, for a locked token, its client. */
export function activityWhere(auth: Principal, f: ActivityFilters): Where {
  return new Where(auth.tenant.id)
    .eq('client_id', auth.clientId ?? undefined)
    .in('action_type', f.action_type)
    .in('channel', f.channel)
    .eq('client_id', f.client_id)
    .in('outcome_status', f.outcome_status)
    .range('timestamp', f.from, f.to)
    .search(['client_name', 'client_phone', 'message_in', 'message_out'], f.q);
}

export function listActivities(ctx: Pick<AppContext, 'sql'>, auth: Principal, f: ActivityFilters, page: PageRequest): ActivityDbRow[] {
  return selectPage<ActivityDbRow>(ctx.sql, { table: 'ai_receptionist_activity', columns: ACTIVITY_COLUMNS, time: 'timestamp' }, activityWhere(auth, f), page);
}

export function countActivities(ctx: AppContext, auth: Principal, f: ActivityFilters) {
  const where = activityWhere(auth, f);
  const rows = ctx.sql
    .get<{ action_type: ActionType; n: number }>(
      `SELECT action_type, count(*) AS n FROM ai_receptionist_activity WHERE ${where} GROUP BY action_type`,
    )
    .all(...where.params);
  const by_action_type: Partial<Record<ActionType, number>> = {};
  let total = 0;
  for (const r of rows) {
    by_action_type[r.action_type] = r.n;
    total += r.n;
  }
  return { total, by_action_type };
}

export function serializeActivity(row: ActivityDbRow) {
  return { ...row, timestamp: iso(row.timestamp), metadata: row.metadata === null ? null : (JSON.parse(row.metadata) as Record<string, unknown>) };
}
