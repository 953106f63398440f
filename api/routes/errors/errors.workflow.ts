/**
 * The error workflow (SPEC §4.2): a person approves a fix, asks for a review, declines or closes
 * an error. A small state machine over `resolution_status`:
 *
 *   open: unresolved, needs_review, fix_approved    final: resolved, wont_fix
 *
 *   approve-fix  → fix_approved     needs-review → needs_review
 *   wont-fix     → wont_fix         resolve      → resolved
 *
 * From an open status any action moves the error to its status, except to the status it already
 * has (approving twice is a 409: there is nothing to approve). A final status never changes again
 * (409). `needs-review` raises `needs_human_review`; the other actions are a person's decision and
 * lower it.
 *
 * Each change is one transaction: the error (status, `resolved_by` = who acted, `resolved_at` for
 * a final status), an audit row, and the events `error.updated` and, for an approval,
 * `fix.approved` with the fix for the AI platform to apply.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { requireScope } from '../../auth/middleware.js';
import type { FixApproved } from '../../contract.js';
import type { ResolutionStatus } from '../../db/schema.js';
import { ApiError, notFound } from '../../lib/problem.js';
import { createRouter, type AppContext } from '../../lib/router.js';
import { jsonOk } from '../../lib/schemas.js';
import { errorAudit, getError, serializeAudit, serializeError, type ErrorDbRow } from './errors.queries.js';
import { ErrorDetailSchema } from './errors.routes.js';

export const WORKFLOW_ACTIONS = {
  'approve-fix': 'fix_approved',
  'needs-review': 'needs_review',
  'wont-fix': 'wont_fix',
  resolve: 'resolved',
} as const satisfies Record<string, ResolutionStatus>;
export type WorkflowAction = keyof typeof WORKFLOW_ACTIONS;

export const FINAL_STATUSES: ReadonlySet<ResolutionStatus> = new Set(['resolved', 'wont_fix']);

const SUMMARIES: Record<WorkflowAction, string> = {
  'approve-fix': 'Approve the recommended fix (emits `fix.approved`)',
  'needs-review': 'Ask for a human review',
  'wont-fix': 'Decline to fix (final)',
  resolve: 'Mark as resolved (final)',
};

const NoteBody = z
  .object({ note: z.string().trim().max(2000).optional().openapi({ description: 'Why; kept in the audit trail and sent with `fix.approved`.' }) })
  .strict()
  .openapi('ErrorWorkflowNote');

function actionRoute(action: WorkflowAction) {
  return createRoute({
    method: 'post',
    path: `/errors/{id}/${action}`,
    tags: ['Errors'],
    summary: SUMMARIES[action],
    description:
      'Needs the `errors:write` scope (or an `admin` key). A token locked to one client may act only on the errors it can read. ' +
      '`resolved` and `wont_fix` are final, and an error already in the target status is not changed: both answer 409.',
    middleware: [requireScope('errors:write')] as const,
    request: {
      params: z.object({ id: z.string().min(1).max(200) }),
      body: { content: { 'application/json': { schema: NoteBody } }, required: false },
    },
    responses: jsonOk(ErrorDetailSchema, 'The updated error and its audit trail.'),
  });
}

export function errorWorkflowRoutes(ctx: AppContext) {
  const sqlite = ctx.db.$client;
  const update = sqlite.prepare<[ResolutionStatus, string, number | null, number, number, string]>(
    'UPDATE ai_receptionist_errors SET resolution_status = ?, resolved_by = ?, resolved_at = ?, needs_human_review = ? WHERE tenant_id = ? AND id = ?',
  );
  const audit = sqlite.prepare<[number, string, number, string, WorkflowAction, ResolutionStatus, ResolutionStatus, string | null]>(
    'INSERT INTO ai_receptionist_error_audit (tenant_id, error_id, at, actor, action, from_status, to_status, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );

  const router = createRouter();
  for (const action of Object.keys(WORKFLOW_ACTIONS) as WorkflowAction[]) {
    const to = WORKFLOW_ACTIONS[action];
    router.openapi(actionRoute(action), (c) => {
      const auth = c.get('auth');
      const { id } = c.req.valid('param');
      const note = c.req.valid('json').note || null;
      const now = ctx.clock();
      // Read and written in one transaction, so two people acting at once cannot both move it.
      const row = ctx.live.outbox.commit(auth.tenant.id, (emit) => {
        const current = getError(ctx, auth, id);
        if (!current) throw notFound('The error');
        const from = current.resolution_status;
        if (FINAL_STATUSES.has(from)) throw new ApiError(409, `The error is ${from}, which is final: it cannot be changed any more.`);
        if (from === to) throw new ApiError(409, `The error is already ${to}.`);
        const next: ErrorDbRow = {
          ...current,
          needs_human_review: action === 'needs-review' ? 1 : 0,
          resolution_status: to,
          resolved_by: auth.subject,
          resolved_at: FINAL_STATUSES.has(to) ? now : null,
        };
        update.run(to, auth.subject, next.resolved_at, next.needs_human_review, auth.tenant.id, current.id);
        audit.run(auth.tenant.id, current.id, now, auth.subject, action, from, to, note);
        emit('error.updated', serializeError(next));
        if (action === 'approve-fix') {
          emit('fix.approved', {
            error_id: next.id,
            error_type: next.error_type,
            root_cause: next.root_cause,
            recommended_fix: next.recommended_fix,
            skill_name: next.skill_name,
            component: next.component,
            approved_by: auth.subject,
            approved_at: new Date(now).toISOString(),
            note,
          } satisfies FixApproved);
        }
        return next;
      });
      return c.json({ ...serializeError(row), audit: errorAudit(ctx, auth.tenant.id, row.id).map(serializeAudit) }, 200);
    });
  }
  return router;
}
