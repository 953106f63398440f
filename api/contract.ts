/**
 * The API's contract as TypeScript types, for clients (the widgets import these with `import type`,
 * so nothing of the API reaches a browser bundle). Each type is what the route's zod schema
 * produces, so the client and the server cannot drift apart silently.
 */
import type { z } from '@hono/zod-openapi';
import type { ActivitySchema } from './routes/activity/activity.routes.js';
import type { ConversationSchema, ConversationSummarySchema } from './routes/conversations/conversations.routes.js';
import type { ErrorDetailSchema, ErrorSchema } from './routes/errors/errors.routes.js';
import type { KpisSchema } from './routes/metrics/metrics.routes.js';
import type { ComponentSchema, HealthSummarySchema } from './routes/system-health/system-health.routes.js';
import type { RoiAssumptionsSchema } from './routes/roi/roi.routes.js';
import type { RealtimeSnapshot } from './routes/metrics/realtime.js';
import type { EventType, Topic } from './stream/events.js';

import type { ErrorType, HealthStatus } from './db/schema.js';

export type {
  ActionType,
  Channel,
  ErrorType,
  HealthStatus,
  OutcomeStatus,
  ResolutionStatus,
  Sentiment,
  Severity,
} from './db/schema.js';
export type { EventType, Topic, RealtimeSnapshot };

export type Activity = z.output<typeof ActivitySchema>;
export type ConversationSummary = z.output<typeof ConversationSummarySchema>;
export type Kpis = z.output<typeof KpisSchema>;
export type Component = z.output<typeof ComponentSchema>;
export type ReceptionistError = z.output<typeof ErrorSchema>;
export type ErrorDetail = z.output<typeof ErrorDetailSchema>;
export type RoiAssumptions = z.output<typeof RoiAssumptionsSchema>;

/** A page of a list route: pass `next_cursor` back as `cursor` for the next one. */
export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

export type Conversation = z.output<typeof ConversationSchema>;
export type TranscriptTurn = Conversation['transcript'][number];
export type Speaker = TranscriptTurn['speaker'];

/** GET /system-health. */
export interface SystemHealth {
  data: Component[];
  summary: z.output<typeof HealthSummarySchema>;
}

/** The `data:` of each stream event (SPEC §5). */
export interface StreamEventMap {
  'activity.new': Activity;
  'metric.update': RealtimeSnapshot;
  'system.health.change': Component & { previous_status: HealthStatus | null };
  'error.detected': ReceptionistError;
  'error.updated': ReceptionistError;
  'fix.approved': {
    error_id: string;
    error_type: ErrorType;
    root_cause: string | null;
    recommended_fix: string | null;
    skill_name: string | null;
    component: string | null;
    approved_by: string;
    approved_at: string;
    note: string | null;
  };
}

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
  '/activity/count': { total: number; by_action_type: Partial<Record<import('./db/schema.js').ActionType, number>> };
  '/metrics/realtime': RealtimeSnapshot;
  '/system-health': SystemHealth;
  '/conversations': Page<ConversationSummary>;
  [conversation: `/conversations/${string}`]: Conversation;
  '/errors': Page<ReceptionistError>;
  [error: `/errors/${string}`]: ErrorDetail;
}
