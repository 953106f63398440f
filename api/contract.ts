/**
 * The API's contract as TypeScript types, for clients: the widgets import these with `import type`,
 * and their published declarations carry this file alone, so it imports nothing (no server, no
 * database, no zod). api/contract.check.ts proves at compile time that every type here is exactly
 * what the routes' zod schemas and the stream produce, so client and server cannot drift apart.
 */

export type ActionType =
  | 'incoming_call'
  | 'incoming_text'
  | 'outbound_followup'
  | 'appointment_booked'
  | 'faq_answered'
  | 'lead_prescreened'
  | 'crm_updated'
  | 'escalated'
  | 'ai_uncertainty'
  | 'error';
export type Channel = 'voice' | 'sms' | 'email' | 'chat';
export type OutcomeStatus = 'success' | 'failed' | 'escalated' | 'pending';
export type ErrorType = 'unrecognized_request' | 'low_confidence' | 'api_failure' | 'integration_down' | 'transfer_failed' | 'other';
export type Severity = 'low' | 'medium' | 'high' | 'critical';
export type ResolutionStatus = 'unresolved' | 'fix_approved' | 'needs_review' | 'wont_fix' | 'resolved';
export type HealthStatus = 'active' | 'degraded' | 'down' | 'unknown';
export type Sentiment = 'positive' | 'neutral' | 'negative' | 'mixed';
export type Speaker = 'ai' | 'caller' | 'agent';
export type Topic = 'activity' | 'metrics' | 'health' | 'errors';
export type SkillStatus = 'healthy' | 'watch' | 'needs_retraining';
export type Granularity = 'day' | 'week' | 'month';

/** Instants are ISO 8601 strings in UTC. */
type Instant = string;

export interface Activity {
  id: string;
  timestamp: Instant;
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
  metadata: Record<string, unknown> | null;
}

export interface ConversationSummary {
  id: string;
  client_id: string | null;
  client_name: string | null;
  client_phone: string | null;
  channel: Channel;
  started_at: Instant;
  ended_at: Instant | null;
  duration_seconds: number | null;
  summary: string | null;
  intent: string | null;
  sentiment: Sentiment | null;
  outcome: string | null;
  ended_reason: string | null;
  avg_confidence_score: number | null;
  total_turns: number;
}

export interface TranscriptTurn {
  speaker: Speaker;
  text: string;
  at: string;
  confidence: number | null;
}

export interface Conversation extends ConversationSummary {
  transcript: TranscriptTurn[];
  activities: { id: string; action_type: ActionType; timestamp: Instant }[];
}

/** The KPIs of a day, a period, or today so far (definitions in the OpenAPI document). */
export interface Kpis {
  total_activities: number;
  total_conversations: number;
  inbound_calls: number;
  inbound_texts: number;
  outbound_followups: number;
  appointments_booked: number;
  faq_answered: number;
  leads_prescreened: number;
  crm_updates: number;
  escalations: number;
  errors: number;
  ai_uncertainty: number;
  ai_coverage_pct: number;
  booking_rate_pct: number;
  lead_conversion_pct: number;
  avg_confidence: number | null;
  avg_response_time_ms: number | null;
  p95_response_time_ms: number | null;
  after_hours_conversations: number;
  missed_calls_saved: number;
  unique_clients: number;
  positive_sentiment_pct: number | null;
  estimated_revenue: number;
  labor_hours_saved: number;
  ai_cost: number;
  cost_per_interaction: number;
  roi_pct: number;
}

/** GET /metrics/realtime, and the `data:` of `metric.update`. */
export interface RealtimeSnapshot {
  date: string;
  as_of: Instant;
  today: Kpis;
  yesterday_same_time: Kpis;
}

export interface Component {
  component_name: string;
  status: HealthStatus;
  latency_ms: number | null;
  error_rate: number | null;
  uptime_percentage: number | null;
  last_checked: Instant | null;
  down_since: Instant | null;
  consecutive_failures: number;
  message: string | null;
}

/** GET /system-health. */
export interface SystemHealth {
  data: Component[];
  summary: { active: number; degraded: number; down: number; unknown: number; overall: HealthStatus };
}

export interface ReceptionistError {
  id: string;
  timestamp: Instant;
  error_type: ErrorType;
  severity: Severity;
  message_in: string | null;
  context: string | null;
  skill_name: string | null;
  component: string | null;
  conversation_id: string | null;
  root_cause: string | null;
  recommended_fix: string | null;
  needs_human_review: boolean;
  resolution_status: ResolutionStatus;
  resolved_by: string | null;
  resolved_at: Instant | null;
}

export interface ErrorDetail extends ReceptionistError {
  audit: { at: Instant; actor: string; action: string; from_status: ResolutionStatus; to_status: ResolutionStatus; note: string | null }[];
}

export interface RoiAssumptions {
  revenue_per_booking: number;
  minutes_per_conversation: number;
  human_hourly_cost: number;
  ai_cost_per_interaction: number;
  currency: string;
  business_hours: { start_hour: number; end_hour: number; weekdays: number[] };
}

/** A day, ISO week or month of GET /metrics/daily (`YYYY-MM-DD` local dates). */
export interface MetricsPeriod extends Kpis {
  period_start: string;
  period_end: string;
}

/** GET /metrics/daily. */
export interface MetricsSeries {
  granularity: Granularity;
  start_date: string;
  end_date: string;
  data: MetricsPeriod[];
}

/** One local hour of GET /metrics/hourly. */
export interface HourlyMetrics {
  hour_start: Instant;
  local_date: string;
  local_hour: number;
  conversations: number;
  bookings: number;
  escalations: number;
  avg_response_time_ms: number | null;
}

/** GET /metrics/hourly: every local hour of the days, empty ones included. */
export interface HourlySeries {
  timezone: string;
  start_date: string;
  end_date: string;
  data: HourlyMetrics[];
}

export interface DailyAccuracy {
  date: string;
  accuracy: number | null;
  total: number;
}

/** A skill of GET /skills, with its last 14 days of accuracy. */
export interface Skill {
  skill_name: string;
  skill_category: string;
  accuracy_score: number | null;
  accuracy_score_7day: number | null;
  trend: number | null;
  usage_count: number;
  needs_retraining: boolean;
  last_trained_at: Instant | null;
  status: SkillStatus;
  daily_accuracy: DailyAccuracy[];
}

/** GET /skills/{skill_name}: 30 days of accuracy and the recent failures. */
export interface SkillDetail extends Skill {
  recent_failures: { activities: Activity[]; errors: ReceptionistError[] };
}

/** GET /roi. */
export interface Roi {
  start_date: string;
  end_date: string;
  revenue_created: number;
  labor_hours_saved: number;
  labor_cost_saved: number;
  ai_cost: number;
  cost_per_interaction: number;
  human_cost: number;
  cost_savings_pct: number;
  roi_pct: number;
  total_conversations: number;
  appointments_booked: number;
  after_hours_conversations: number;
  missed_calls_saved: number;
  assumptions: RoiAssumptions;
}

/** A group of GET /errors/patterns. */
export interface ErrorPattern {
  error_type: ErrorType;
  root_cause: string | null;
  count: number;
  unresolved: number;
  first_seen: Instant;
  last_seen: Instant;
  example_message_in: string | null;
}

/** A page of a list route: pass `next_cursor` back as `cursor` for the next one. */
export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

/** What `fix.approved` carries: the fix for the AI platform to apply. */
export interface FixApproved {
  error_id: string;
  error_type: ErrorType;
  root_cause: string | null;
  recommended_fix: string | null;
  skill_name: string | null;
  component: string | null;
  approved_by: string;
  approved_at: Instant;
  note: string | null;
}

/** The `data:` of each stream event (SPEC §5). */
export interface StreamEventMap {
  'activity.new': Activity;
  'metric.update': RealtimeSnapshot;
  'system.health.change': Component & { previous_status: HealthStatus | null };
  'error.detected': ReceptionistError;
  'error.updated': ReceptionistError;
  'fix.approved': FixApproved;
}
export type EventType = keyof StreamEventMap;

/** An RFC 9457 problem, as every failing route answers it. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  /** The fields at fault, for a 400. */
  errors?: { field: string; in: string; message: string }[];
}

/** The read routes under the dashboard base path and what each answers (the API client's typing). */
export interface DashboardReadRoutes {
  '/activity/feed': Page<Activity>;
  '/activity/count': { total: number; by_action_type: Partial<Record<ActionType, number>> };
  '/metrics/realtime': RealtimeSnapshot;
  '/metrics/daily': MetricsSeries;
  '/metrics/hourly': HourlySeries;
  '/system-health': SystemHealth;
  '/conversations': Page<ConversationSummary>;
  '/skills': { data: Skill[] };
  '/roi': Roi;
  '/errors': Page<ReceptionistError>;
  '/errors/patterns': { data: ErrorPattern[] };
}

/** A read path: one of the routes above, or one item by id or name. */
export type DashboardReadPath =
  | keyof DashboardReadRoutes
  | `/conversations/${string}`
  | `/errors/${string}`
  | `/skills/${string}`
  | `/system-health/${string}`;

/** What a read path answers. */
export type DashboardReadResponse<P extends DashboardReadPath> = P extends keyof DashboardReadRoutes
  ? DashboardReadRoutes[P]
  : P extends `/conversations/${string}`
    ? Conversation
    : P extends `/errors/${string}`
      ? ErrorDetail
      : P extends `/skills/${string}`
        ? SkillDetail
        : P extends `/system-health/${string}`
          ? ComponentDetail
          : never;

/** GET /system-health/{component}: the component and its latest checks, newest first. */
export interface ComponentDetail extends Component {
  checks: { checked_at: Instant; ok: boolean; status: HealthStatus; latency_ms: number | null; message: string | null }[];
}
