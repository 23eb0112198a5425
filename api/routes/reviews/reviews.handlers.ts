/** What the joint-review routes do. */
import { candidateWorkflowId } from '../../../domain/ids.js';
import { submitVerdictUpdate } from '../../../workflows/contracts/candidate.js';
import { reviewerDepartments } from '../../authz.js';
import { recordSent, recordedAnswer } from '../candidates/candidates.answer.js';
import { inboxCursor } from '../../queries/reviews.js';
import type { AppRouteHandler } from '../../context.js';
import { untilCycleHeard } from '../../cycle-heard.js';
import { ApiError, ErrorCode } from '../../errors.js';
import { actorOf, idempotencyKey, requireCycleInScope } from '../../guards.js';
import { sendUpdate } from '../../updates.js';
import type * as routes from './reviews.routes.js';

export const inbox: AppRouteHandler<typeof routes.inbox> = async (c) => {
  const s = c.var.services;
  const q = c.req.valid('query');
  const p = c.get('principal');
  const tasks = await s.read.reviews.inbox(reviewerDepartments(p.roles), p.scope, {
    status: q.status,
    limit: q.limit,
    cycleId: q.cycleId,
    after: q.after === undefined ? undefined : inboxCursor.parse(q.after),
  });
  return c.json({ tasks, next: tasks.length === q.limit ? inboxCursor.format(tasks.at(-1)!) : null }, 200);
};

export const verdict: AppRouteHandler<typeof routes.verdict> = async (c) => {
  const s = c.var.services;
  const { cycleId, personId } = c.req.valid('param');
  const body = c.req.valid('json');
  if (!reviewerDepartments(c.get('principal').roles).includes(body.department)) {
    throw new ApiError(403, ErrorCode.Forbidden, `only a reviewer of ${body.department} may answer for it`, [
      { path: 'department', rule: 'one of your reviewer departments' },
    ]).asDenial();
  }
  await requireCycleInScope(c, s, cycleId);
  const handle = s.temporal.workflow.getHandle(candidateWorkflowId(cycleId, personId));
  const answered = await recordSent(
    s,
    await sendUpdate(
      handle,
      submitVerdictUpdate,
      [body, actorOf(c)],
      await idempotencyKey(c, s),
      `candidate ${personId}`,
      s.pool,
    ),
  );
  // A disqualifying verdict stops the candidate: answer once the cycle has heard it.
  await untilCycleHeard(s, cycleId, answered);
  return c.json(await recordedAnswer(c, answered), 200);
};
