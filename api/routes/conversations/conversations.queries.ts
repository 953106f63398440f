import type { Principal } from '../../auth/principal.js';
import type { ActionType, Channel, Sentiment, TranscriptTurn } from '../../db/schema.js';
import type { AppContext } from '../../lib/router.js';
import { selectPage, type PageRequest } from '../../lib/paginate.js';
import { Where } from '../../lib/sql.js';
import { iso } from '../../lib/time.js';

export interface ConversationFilters {
  client_id?: string;
  channel?: Channel[];
  sentiment?: Sentiment[];
  outcome?: string;
  from?: number;
  to?: number;
  q?: string;
}

const SUMMARY_COLUMNS =
  'id, client_id, client_name, client_phone, channel, started_at, ended_at, summary, intent, sentiment, outcome, ended_reason, ' +
  'avg_confidence_score, total_turns';

/** The spoken words of a transcript, one turn a line, so a search never matches its JSON keys. */
const TRANSCRIPT_TEXT = "(SELECT group_concat(json_extract(value, '$.text'), char(10)) FROM json_each(transcript))";

export interface ConversationDbRow {
  id: string;
  client_id: string | null;
  client_name: string | null;
  client_phone: string | null;
  channel: Channel;
  started_at: number;
  ended_at: number | null;
  summary: string | null;
  intent: string | null;
  sentiment: Sentiment | null;
  outcome: string | null;
  ended_reason: string | null;
  avg_confidence_score: number | null;
  total_turns: number;
}

export interface ConversationDetailDbRow extends ConversationDbRow {
  transcript: string;
}

export interface ConversationActivityDbRow {
  id: string;
  action_type: ActionType;
  timestamp: number;
}

/** The caller's tenant and, for a token locked to one client, only that client's conversations. */
function scopedWhere(auth: Principal): Where {
  return new Where(auth.tenant.id).eq('client_id', auth.clientId ?? undefined);
}

export function conversationWhere(auth: Principal, f: ConversationFilters): Where {
  return scopedWhere(auth)
    .eq('client_id', f.client_id)
    .in('channel', f.channel)
    .in('sentiment', f.sentiment)
    .eq('outcome', f.outcome)
    .range('started_at', f.from, f.to)
    .search([TRANSCRIPT_TEXT, 'summary', 'client_name', 'client_phone'], f.q);
}

export function listConversations(ctx: AppContext, auth: Principal, f: ConversationFilters, page: PageRequest): ConversationDbRow[] {
  return selectPage<ConversationDbRow>(ctx.sql, { table: 'ai_receptionist_conversations', columns: SUMMARY_COLUMNS, time: 'started_at' }, conversationWhere(auth, f), page);
}

export function getConversation(ctx: AppContext, auth: Principal, id: string): ConversationDetailDbRow | undefined {
  const where = scopedWhere(auth).eq('id', id);
  return ctx.sql
    .get<ConversationDetailDbRow>(`SELECT ${SUMMARY_COLUMNS}, transcript FROM ai_receptionist_conversations WHERE ${where}`)
    .get(...where.params);
}

/**
 * What the receptionist did during a conversation, oldest first. The caller has already been
 * allowed to see the conversation, and these rows are part of it.
 */
export function conversationActivities(ctx: AppContext, tenantId: number, conversationId: string): ConversationActivityDbRow[] {
  return ctx.sql
    .get<ConversationActivityDbRow>(
      'SELECT id, action_type, timestamp FROM ai_receptionist_activity WHERE tenant_id = ? AND conversation_id = ? ORDER BY timestamp, id',
    )
    .all(tenantId, conversationId);
}

export function serializeConversation(row: ConversationDbRow) {
  return {
    id: row.id,
    client_id: row.client_id,
    client_name: row.client_name,
    client_phone: row.client_phone,
    channel: row.channel,
    started_at: iso(row.started_at),
    ended_at: iso(row.ended_at),
    duration_seconds: row.ended_at === null ? null : Math.round((row.ended_at - row.started_at) / 1000),
    summary: row.summary,
    intent: row.intent,
    sentiment: row.sentiment,
    outcome: row.outcome,
    ended_reason: row.ended_reason,
    avg_confidence_score: row.avg_confidence_score,
    total_turns: row.total_turns,
  };
}

export function serializeTurn(turn: TranscriptTurn) {
  return { speaker: turn.speaker, text: turn.text, at: turn.at, confidence: turn.confidence ?? null };
}

export function serializeConversationActivity(row: ConversationActivityDbRow) {
  return { ...row, timestamp: iso(row.timestamp) };
}
