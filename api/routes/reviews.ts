/**
 * Joint review (联审) from the departments' side: each department's inbox of open tasks in its scope,
 * sorted by deadline with overdue marked, and the verdict on one candidate.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { verdictSchema } from '../../domain/inspection.js';
import { candidateWorkflowId } from '../../domain/ids.js';
import { submitVerdictUpdate } from '../../workflows/candidate.js';
import { reviewerDepartments } from '../authz.js';
import type { App, Services } from '../context.js';
import { ApiError } from '../errors.js';
import { actorOf, authorize, idempotencyKey } from '../guards.js';
import { errorResponses, idempotencyHeaders, json } from '../openapi.js';
import { sendUpdate } from '../updates.js';
import { untilCycleHeard } from '../cycle-heard.js';
import { candidateParams, requireCandidateInScope } from './candidates.js';
import { WORKING_DAYS_RULE } from '../../domain/beijing.js';
import { candidateStateSchema, reviewInboxSchema } from '../schemas/candidates.js';

export function registerReviewRoutes(app: App, s: Services) {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/reviews/inbox',
      tags: ['joint review'],
      summary: "联审待办 (my department's open review tasks)",
      description: `Open tasks of the departments in your reviewer roles, inside your scope, earliest deadline first; \`overdue\` once the deadline has passed. \`chaseAt\` and \`deadline\` are instants (ISO 8601, UTC): policy.jointReview chaseAtWorkingDays and deadlineWorkingDays from the opening. ${WORKING_DAYS_RULE}`,
      request: {
        query: z.strictObject({
          status: z.enum(['open', 'all']).default('open'),
          limit: z.coerce.number().int().min(1).max(1000).default(200),
        }),
      },
      responses: {
        200: {
          description: 'tasks',
          content: { 'application/json': { schema: reviewInboxSchema } },
        },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => {
      authorize(c, 'review.read');
      const q = c.req.valid('query');
      const p = c.get('principal');
      const { rows } = await s.pool.query(
        `SELECT t.cycle_id AS "cycleId", t.person_id AS "personId", t.candidate_name AS "candidateName", t.position_id AS "positionId",
              t.department, t.jurisdiction_id AS "jurisdictionId", j.name AS "jurisdictionName", t.status, t.opened_at AS "openedAt",
              t.chase_at AS "chaseAt", t.deadline, t.chased_at AS "chasedAt", t.escalated_at AS "escalatedAt", t.verdict, t.answered_at AS "answeredAt",
              (t.verdict IS NULL AND t.status <> 'closed' AND t.deadline < now()) AS overdue
       FROM review_tasks t JOIN jurisdictions j ON j.id = t.jurisdiction_id
       WHERE t.department = ANY($1) AND $2 = ANY(j.ancestors) AND ($3 = 'all' OR t.status IN ('open', 'chased', 'escalated'))
       ORDER BY t.deadline NULLS LAST, t.cycle_id, t.person_id LIMIT $4`,
        [reviewerDepartments(p.roles), p.scope, q.status, q.limit],
      );
      return c.json({ tasks: rows }, 200);
    },
  );

  app.openapi(
    createRoute({
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
    }),
    async (c) => {
      authorize(c, 'review.submit');
      const { cycleId, personId } = c.req.valid('param');
      const body = c.req.valid('json');
      if (!reviewerDepartments(c.get('principal').roles).includes(body.department)) {
        throw new ApiError(403, 'FORBIDDEN', `only a reviewer of ${body.department} may answer for it`, [
          { path: 'department', rule: 'one of your reviewer departments' },
        ]).asDenial();
      }
      await requireCandidateInScope(c, s, cycleId);
      const handle = s.temporal.workflow.getHandle(candidateWorkflowId(cycleId, personId));
      const answered = await sendUpdate(
        handle,
        submitVerdictUpdate,
        [body, actorOf(c)],
        await idempotencyKey(c, s),
        `candidate ${personId}`,
      );
      // A disqualifying verdict stops the candidate: answer once the cycle has heard it.
      await untilCycleHeard(s.temporal, cycleId, answered);
      return c.json(answered, 200);
    },
  );
}
