import { createRoute, z } from '@hono/zod-openapi';
import { requireScope, requireUnlocked } from '../../auth/middleware.js';
import { notFound } from '../../lib/problem.js';
import { createRouter, type AppContext } from '../../lib/router.js';
import { jsonOk } from '../../lib/schemas.js';
import { serializeActivity } from '../activity/activity.queries.js';
import { ActivitySchema } from '../activity/activity.routes.js';
import { serializeError } from '../errors/errors.queries.js';
import { ErrorSchema } from '../errors/errors.routes.js';
import {
  dailyAccuracy,
  emptyDays,
  getSkill,
  listSkills,
  recentFailedActivities,
  recentSkillErrors,
  serializeSkill,
  SKILL_SORTS,
  SKILL_STATUSES,
} from './skills.queries.js';

/** Days of accuracy per skill in the list (the heatmap) and in the detail of one skill (the chart). */
const HEATMAP_DAYS = 14;
const DETAIL_DAYS = 30;

const DailyAccuracySchema = z
  .object({
    date: z.string().openapi({ description: 'A local day of the tenant, YYYY-MM-DD.', example: '2026-11-20' }),
    accuracy: z.number().nullable().openapi({ description: 'success / (success + failed) that day, 0–1; null when no activity named the skill.' }),
    total: z.number().int().openapi({ description: 'Activities naming the skill that day with outcome success or failed.' }),
  })
  .openapi('DailyAccuracy');

const SkillFields = {
  skill_name: z.string(),
  skill_category: z.string(),
  accuracy_score: z.number().nullable().openapi({ description: 'Accuracy over 30 days, 0–1.' }),
  accuracy_score_7day: z.number().nullable().openapi({ description: 'Accuracy over 7 days, 0–1.' }),
  trend: z.number().nullable().openapi({ description: '7-day accuracy minus that of the 7 days before.' }),
  usage_count: z.number().int().openapi({ description: 'Activities naming the skill over the last 30 days.' }),
  needs_retraining: z.boolean().openapi({ description: '7-day accuracy below 0.75, or a drop (trend) of 10 points or more.' }),
  last_trained_at: z.string().nullable().openapi({ format: 'date-time' }),
  status: z.enum(SKILL_STATUSES).openapi({
    description:
      '`healthy` at 7-day accuracy ≥ 0.85, `watch` at ≥ 0.75, `needs_retraining` below that or when flagged. ' +
      'Without a 7-day accuracy the 30-day one decides; with neither, `watch`.',
  }),
};

export const SkillSchema = z
  .object({
    ...SkillFields,
    daily_accuracy: z.array(DailyAccuracySchema).openapi({ description: `The last ${HEATMAP_DAYS} local days, oldest first, today last.` }),
  })
  .openapi('Skill');

export const SkillDetailSchema = z
  .object({
    ...SkillFields,
    daily_accuracy: z.array(DailyAccuracySchema).openapi({ description: `The last ${DETAIL_DAYS} local days, oldest first, today last.` }),
    recent_failures: z
      .object({
        activities: z.array(ActivitySchema).openapi({ description: 'The latest 20 activities naming the skill that failed, newest first.' }),
        errors: z.array(ErrorSchema).openapi({ description: 'The latest 20 errors of the skill, newest first.' }),
      })
      .openapi('SkillFailures'),
  })
  .openapi('SkillDetail');

const list = createRoute({
  method: 'get',
  path: '/skills',
  tags: ['Skills'],
  summary: 'Every skill, with its daily accuracy for the heatmap',
  middleware: [requireScope('read'), requireUnlocked] as const,
  request: {
    query: z.object({
      sort: z.enum(SKILL_SORTS).default('accuracy').openapi({
        description: '`accuracy`: 30-day accuracy, best first; `usage`: most used first; `trend`: most declining first. Skills without the figure come last.',
      }),
    }),
  },
  responses: jsonOk(z.object({ data: z.array(SkillSchema) }).openapi('SkillList'), 'The skills.'),
});

const detail = createRoute({
  method: 'get',
  path: '/skills/{skill_name}',
  tags: ['Skills'],
  summary: 'One skill, its daily accuracy over 30 days, and its recent failures',
  middleware: [requireScope('read'), requireUnlocked] as const,
  request: { params: z.object({ skill_name: z.string().min(1).max(200) }) },
  responses: jsonOk(SkillDetailSchema, 'The skill.'),
});

export function skillRoutes(ctx: AppContext) {
  return createRouter()
    .openapi(list, (c) => {
      const { tenant } = c.get('auth');
      const now = ctx.clock();
      const daily = dailyAccuracy(ctx, tenant, now, HEATMAP_DAYS);
      const data = listSkills(ctx, tenant.id, c.req.valid('query').sort).map((row) => ({
        ...serializeSkill(row),
        daily_accuracy: daily.get(row.skill_name) ?? emptyDays(tenant.timezone, now, HEATMAP_DAYS),
      }));
      return c.json({ data }, 200);
    })
    .openapi(detail, (c) => {
      const { tenant } = c.get('auth');
      const { skill_name } = c.req.valid('param');
      const row = getSkill(ctx, tenant.id, skill_name);
      if (!row) throw notFound('The skill');
      const now = ctx.clock();
      return c.json(
        {
          ...serializeSkill(row),
          daily_accuracy: dailyAccuracy(ctx, tenant, now, DETAIL_DAYS, row.skill_name).get(row.skill_name) ?? emptyDays(tenant.timezone, now, DETAIL_DAYS),
          recent_failures: {
            activities: recentFailedActivities(ctx, tenant.id, row.skill_name).map(serializeActivity),
            errors: recentSkillErrors(ctx, tenant.id, row.skill_name).map(serializeError),
          },
        },
        200,
      );
    });
}
