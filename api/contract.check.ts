/**
 * Compile-time proof that api/contract.ts (the types clients import) is exactly what the routes'
 * schemas and the stream produce. `npm run typecheck` fails on any drift; nothing here runs.
 */
import type { z } from '@hono/zod-openapi';
import type * as C from './contract.js';
import type * as S from './db/schema.js';
import type { ActivitySchema } from './routes/activity/activity.routes.js';
import type { ConversationSchema, ConversationSummarySchema } from './routes/conversations/conversations.routes.js';
import type { ErrorDetailSchema, ErrorPatternSchema, ErrorSchema } from './routes/errors/errors.routes.js';
import type { HourlyRowSchema, KpisSchema, PeriodSchema } from './routes/metrics/metrics.routes.js';
import type { RealtimeSnapshot } from './routes/metrics/realtime.js';
import type { RoiAssumptionsSchema, RoiSchema } from './routes/roi/roi.routes.js';
import type { SkillDetailSchema, SkillSchema } from './routes/skills/skills.routes.js';
import type { SKILL_STATUSES } from './routes/skills/skills.queries.js';
import type { ComponentDetailSchema, ComponentSchema, HealthSummarySchema } from './routes/system-health/system-health.routes.js';
import type { EventType, Topic } from './stream/events.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Same<A, B> = Equal<Flat<A>, Flat<B>>;
type Flat<T> = T extends object ? { [K in keyof T]: Flat<T[K]> } : T;
type Expect<T extends true> = T;

export type ContractMatches = [
  Expect<Same<C.ActionType, S.ActionType>>,
  Expect<Same<C.Channel, S.Channel>>,
  Expect<Same<C.OutcomeStatus, S.OutcomeStatus>>,
  Expect<Same<C.ErrorType, S.ErrorType>>,
  Expect<Same<C.Severity, S.Severity>>,
  Expect<Same<C.ResolutionStatus, S.ResolutionStatus>>,
  Expect<Same<C.HealthStatus, S.HealthStatus>>,
  Expect<Same<C.Sentiment, S.Sentiment>>,
  Expect<Same<C.Speaker, (typeof S.SPEAKERS)[number]>>,
  Expect<Same<C.Topic, Topic>>,
  Expect<Same<C.EventType, EventType>>,
  Expect<Same<C.Activity, z.output<typeof ActivitySchema>>>,
  Expect<Same<C.ConversationSummary, z.output<typeof ConversationSummarySchema>>>,
  Expect<Same<C.Conversation, z.output<typeof ConversationSchema>>>,
  Expect<Same<C.Kpis, z.output<typeof KpisSchema>>>,
  Expect<Same<C.RealtimeSnapshot, RealtimeSnapshot>>,
  Expect<Same<C.Component, z.output<typeof ComponentSchema>>>,
  Expect<Same<C.SystemHealth['summary'], z.output<typeof HealthSummarySchema>>>,
  Expect<Same<C.ReceptionistError, z.output<typeof ErrorSchema>>>,
  Expect<Same<C.ErrorDetail, z.output<typeof ErrorDetailSchema>>>,
  Expect<Same<C.RoiAssumptions, z.output<typeof RoiAssumptionsSchema>>>,
  Expect<Same<C.ComponentDetail, z.output<typeof ComponentDetailSchema>>>,
  Expect<Same<C.SkillStatus, (typeof SKILL_STATUSES)[number]>>,
  Expect<Same<C.MetricsPeriod, z.output<typeof PeriodSchema>>>,
  Expect<Same<C.HourlyMetrics, z.output<typeof HourlyRowSchema>>>,
  Expect<Same<C.Skill, z.output<typeof SkillSchema>>>,
  Expect<Same<C.SkillDetail, z.output<typeof SkillDetailSchema>>>,
  Expect<Same<C.Roi, z.output<typeof RoiSchema>>>,
  Expect<Same<C.ErrorPattern, z.output<typeof ErrorPatternSchema>>>,
];
