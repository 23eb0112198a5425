/**
 * Joint review (联审) from the departments' side: each department's inbox of open tasks in its scope,
 * sorted by deadline with overdue marked, and the verdict on one candidate.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { requires } from '../../guards.js';
import { WORKING_DAYS_RULE } from '../../../domain/beijing.js';
import { verdictSchema } from '../../../domain/eager/inspection.js';
import { errorResponses, idempotencyHeaders, json } from '../../openapi.js';
import { candidateStateSchema, reviewInboxSchema } from '../../schemas/candidates.js';
import { candidateParams, cycleIdParam } from '../params.js';
import { inboxCursor } from '../../queries/reviews.js';

export const inbox = createRoute({
  middleware: requires('review.read'),
  method: 'get',
  path: '/v1/reviews/inbox',
  tags: ['joint review'],
  summary: "联审待办 (my department's open review tasks)",
  description: `Open tasks of the departments in your reviewer roles, inside your scope, earliest deadline first (tasks without one last), a page at a time: \`next\` is the cursor to pass as \`after\` for the following page, null on the last; \`overdue\` once the deadline has passed. \`chaseAt\` and \`deadline\` are instants (ISO 8601, UTC): policy.jointReview chaseAtWorkingDays and deadlineWorkingDays from the opening. ${WORKING_DAYS_RULE}`,
  request: {
    query: z.strictObject({
      status: z.enum(['open', 'all']).default('open'),
      limit: z.coerce.number().int().min(1).max(1000).default(200),
      cycleId: cycleIdParam
        .optional()
        .openapi({ param: { name: 'cycleId', in: 'query' }, description: "only this cycle's tasks" }),
      after: z
        .string()
        // A cursor of the wrong shape is refused once: its instant is not read (the rule was named twice).
        .regex(inboxCursor.pattern, { error: "a cursor: the previous page's `next`", abort: true })
        .refine((s) => inboxCursor.instantReal(s), "a cursor: the previous page's `next`")
        .optional()
        .openapi({ description: "cursor: the previous page's `next`" }),
    }),
  },
  responses: {
    200: { description: 'tasks', content: { 'application/json': { schema: reviewInboxSchema } } },
    ...errorResponses(400, 401, 403),
  },
});

export const verdict = createRoute({
  middleware: requires('review.submit'),
  method: 'post',
  path: '/v1/cycles/{cycleId}/candidates/{personId}/verdicts',
  tags: ['joint review'],
  summary: "联审意见 (a department's verdict)",
  description:
    'clear | concern | disqualifying, with a reason. Only a reviewer of that department may answer, once; a retry with the same Idempotency-Key returns the first result.',
  request: {
    headers: idempotencyHeaders,
    params: candidateParams,
    body: json(verdictSchema, { department: 'discipline', verdict: 'clear', reason: '经查，未发现违纪违法问题' }),
  },
  responses: {
    200: {
      description: "accepted; the candidate's state",
      content: { 'application/json': { schema: candidateStateSchema } },
    },
    ...errorResponses(400, 401, 403, 404, 409),
  },
});
