/** What each candidate route does. */
import { WorkflowNotFoundError, type UpdateDefinition } from '@temporalio/common';
import type { Context } from 'hono';
import { candidateWorkflowId } from '../../../domain/ids.js';
import { DomainError, ErrorType } from '../../../domain/errors.js';
import * as I from '../../../domain/eager/inspection.js';
import type { Actor } from '../../../domain/schemas.js';
import * as W from '../../../workflows/contracts/candidate.js';
import type { AppRouteHandler, Env, Services } from '../../context.js';
import { untilCycleHeard } from '../../cycle-heard.js';
import { ApiError, beingWritten, notFound } from '../../errors.js';
import { actorOf, idempotencyKey, requireCycleInScope } from '../../guards.js';
import { sendUpdate } from '../../updates.js';
import { answerOf, recordSent, recordedAnswer } from './candidates.answer.js';
import type * as routes from './candidates.routes.js';

const handle = (s: Services, cycleId: string, personId: string) =>
  s.temporal.workflow.getHandle(candidateWorkflowId(cycleId, personId));

/**
 * A candidate the cycle has named but whose workflow has not yet recorded its start is "not ready",
 * not absent. Read from Postgres like the candidate itself.
 */
async function absent(s: Services, cycleId: string, personId: string): Promise<ApiError> {
  // 503 with Retry-After, as every NOT_READY (README): it was a 409, which reads as a final conflict —
  // found from outside, a client dropping inputs the candidate took a moment later.
  if (await s.read.candidates.listedInspecting(cycleId, personId))
    return beingWritten(`candidate ${personId}'s inspection is opening; nothing was applied — retry in a moment`);
  return notFound(`candidate ${personId}`);
}

async function orAbsent<T>(s: Services, cycleId: string, personId: string, p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) throw await absent(s, cycleId, personId);
    if (e instanceof WorkflowNotFoundError) throw await absent(s, cycleId, personId);
    throw e;
  }
}

export const getOne: AppRouteHandler<typeof routes.getOne> = async (c) => {
  const s = c.var.services;
  const { cycleId, personId } = c.req.valid('param');
  // The scope check and the read side by side (one turn of the API's event loop, not two); the
  // state is used only once the check has passed.
  const [, state] = await Promise.all([requireCycleInScope(c, s, cycleId), s.read.candidates.state(cycleId, personId)]);
  if (!state) throw await absent(s, cycleId, personId);
  return c.json(answerOf(c.get('principal').roles, state), 200);
};

export const personalMattersRecord: AppRouteHandler<typeof routes.personalMattersRecord> = async (c) => {
  const s = c.var.services;
  const { cycleId, personId } = c.req.valid('param');
  await requireCycleInScope(c, s, cycleId);
  const row = await s.read.reviews.personalMattersCheck(cycleId, personId);
  if (!row) throw notFound(`personal-matters record of ${personId}`);
  const { details_sealed: sealed, ...rest } = row;
  const details = s.sealer.unseal<{ items: I.PersonalMattersInput['items']; discrepancies: I.Discrepancy[] }>(sealed);
  return c.json({ ...rest, ...details }, 200);
};

type CandidateInputContext = Context<
  Env,
  string,
  { out: { param: { cycleId: string; personId: string }; json: unknown } }
>;
interface Prepared {
  s: Services;
  cycleId: string;
  personId: string;
  key: string;
  actor: Actor;
}

/**
 * One handler per inspection-team input: the Update it sends, the role it needs, and what the body
 * becomes before the workflow hears of it (personal matters: sealed first).
 */
function candidateInput<B, U>(
  update: UpdateDefinition<W.CandidateAnswer, [U, Actor]>,
  prepare: (p: Prepared, body: B) => Promise<U> = async (_p, body) => body as unknown as U,
) {
  return async (c: CandidateInputContext) => {
    const s = c.var.services;
    const { cycleId, personId } = c.req.valid('param');
    await requireCycleInScope(c, s, cycleId);
    const key = await idempotencyKey(c, s);
    const actor = actorOf(c);
    const sent = (async () => {
      // The route validated the body with this input's schema (candidates.routes.ts).
      const body = await prepare({ s, cycleId, personId, key, actor }, c.req.valid('json') as B);
      return sendUpdate(handle(s, cycleId, personId), update, [body, actor], key, `candidate ${personId}`, s.pool);
    })();
    const answered = await recordSent(s, await orAbsent(s, cycleId, personId, sent));
    await untilCycleHeard(s, cycleId, answered);
    return c.json(await recordedAnswer(c, answered), 200);
  };
}

export const inspection: AppRouteHandler<typeof routes.inspection> = candidateInput(W.recordInspectionUpdate);
export const personalMatters: AppRouteHandler<typeof routes.personalMatters> = candidateInput(
  W.recordPersonalMattersUpdate,
  async ({ s, cycleId, personId, key, actor }, body: I.PersonalMattersInput) => {
    // From the record, not a workflow query: the rules were written with the candidate's start.
    const rules = await s.read.candidates.personalMattersRules(cycleId, personId);
    if (!rules) throw notFound(`candidate ${personId}`); // orAbsent tells "opening" from absent
    const issues = I.criticalMatterIssues(body, rules);
    if (issues.length > 0)
      throw new DomainError(
        ErrorType.Validation,
        `invalid input: ${issues.map((i) => `${i.path}: ${i.rule}`).join('; ')}`,
        issues,
      );
    return s.sealedDetails.sealPersonalMatters(cycleId, personId, key, body, rules, actor.id);
  },
);
export const dossier: AppRouteHandler<typeof routes.dossier> = candidateInput(W.completeDossierUpdate);
export const stop: AppRouteHandler<typeof routes.stop> = candidateInput(W.stopCandidateUpdate);
