/** What the supervision and risk routes do; the risk rules themselves are in domain/risk-register.ts. */
import { createHash } from 'node:crypto';
import { WorkflowNotFoundError, type UpdateDefinition } from '@temporalio/common';
import type { Context } from 'hono';
import { riskWorkflowId, supervisionWorkflowId } from '../../../domain/ids.js';
import { policySchema, type Policy } from '../../../domain/eager/policy.js';
import {
  checkRiskCycle,
  checkRiskLevel,
  riskDeadline,
  riskResolution,
  riskSupervision,
} from '../../../domain/risk-register.js';
import { JURISDICTION_LEVELS } from '../../../domain/stages.js';
import { readsAsAnotherName } from '../../../domain/text.js';
import type { Actor } from '../../../domain/schemas.js';
import { resolveRiskUpdate } from '../../../workflows/contracts/risk.js';
import {
  acceptRectificationUpdate,
  fileCheckpointUpdate,
  getSupervisionQuery,
  recordMonitoringUpdate,
  takeRiskUpdate,
  type AgendaAnswer,
  type SupervisionState,
} from '../../../workflows/contracts/supervision.js';
import type { Stage } from '../../../domain/stages.js';
import type { AppRouteHandler, Env, Services } from '../../context.js';
import { ASK_WORKFLOW_MS, askBriefly, notReadable, readState } from '../../cycle-state.js';
import { holdOnCycle, type HoldAnswer } from '../../holds.js';
import { ErrorType } from '../../../domain/errors.js';
import { ApiError, ErrorCode, notFound, toApiError } from '../../errors.js';
import {
  actorOf,
  requireFromLevelOrAbove,
  idempotencyKey,
  requireSupervisingLevel,
  requireCycleInScope,
  requireInScope,
  resolveScope,
} from '../../guards.js';
import { inputTaken } from '../../request-clock.js';
import { queryOr404, sendUpdate, startRecorded } from '../../updates.js';
import type * as routes from './supervision.routes.js';

const supervision = (s: Services, cycleId: string) => s.temporal.workflow.getHandle(supervisionWorkflowId(cycleId));

export const getState: AppRouteHandler<typeof routes.getState> = async (c) => {
  const s = c.var.services;
  const { cycleId } = c.req.valid('param');
  await requireCycleInScope(c, s, cycleId);
  const [state, cycle] = await Promise.all([readSupervision(s, cycleId), readState(s, cycleId)]);
  // Supervision is told only the stages it acts on (checkpoints, the end); the stage is the cycle's.
  return c.json({ ...state, cycleStage: cycle.stage }, 200);
};

/**
 * From the projection the workflow writes (no replay, and no wait on a worker or on Temporal); asked
 * of the workflow only when there is none to trust (a run from before projections, or a lost write).
 */
async function readSupervision(s: Services, cycleId: string): Promise<SupervisionState> {
  const projected = await s.read.supervision.live(cycleId);
  if (projected && !projected.stale) return projected.state;
  s.readFromWorkflow('supervision', projected);
  try {
    return await askBriefly(s, ASK_WORKFLOW_MS, `the supervision of cycle ${cycleId}`, () =>
      queryOr404(supervision(s, cycleId), getSupervisionQuery, `supervision of ${cycleId}`),
    );
  } catch (e) {
    throw await notOpenYet(s, cycleId, toApiError(e) ?? notReadable(`the supervision of cycle ${cycleId}`));
  }
}

/**
 * A cycle's supervision starts with the cycle's first step, a moment after the 201 that answered the
 * start: until then it is not found although its cycle is. That is no 404 (the README lets a client
 * send the next input at once), but a short wait: 503 with Retry-After. Any other error stays as it is.
 */
async function notOpenYet(s: Services, cycleId: string, e: ApiError): Promise<ApiError> {
  if (e.status !== 404) return e;
  // Only when the supervision workflow itself is missing: a 404 of its own (an unknown finding) stays.
  const missing = await supervision(s, cycleId)
    .describe()
    .then(
      () => false,
      (x: unknown) => x instanceof WorkflowNotFoundError,
    );
  if (!missing) return e;
  const cycle = await readState(s, cycleId).catch(() => undefined);
  if (cycle?.status !== 'running') return e;
  const soon = new ApiError(
    503,
    ErrorCode.ServiceUnavailable,
    `the supervision of cycle ${cycleId} opens with the cycle's first step; retry in a moment`,
    [{ path: 'cycleId', rule: 'supervision opening' }],
  );
  soon.retryAfterSeconds = 1;
  return soon;
}

/**
 * A checkpoint is filed by a supervision team of a level above the cycle (the city's teams for a
 * district's cycle, the district's for its 街道'): filed once, it could otherwise be filed by the watched
 * level's own team, clean, before the upper level's team came with its findings (found from outside,
 * 12-07: the city team's high finding was then refused as a duplicate, and no hold placed).
 */
export const checkpoint: AppRouteHandler<typeof routes.checkpoint> = async (c) => {
  const { cycleId, phase } = c.req.valid('param');
  // Refuses only a caller whose scope holds the cycle, so it may come before teamInput's scope check.
  await requireSupervisingLevel(c, c.var.services, cycleId, `the ${phase} checkpoint`);
  // A high-severity finding holds the gate the cycle stands at.
  return teamInput(
    c,
    cycleId,
    fileCheckpointUpdate,
    (actor, stage) => [{ ...c.req.valid('json'), phase }, actor, stage] as const,
  );
};

/**
 * From the level that filed the finding or above: the district does not sign off the city team's
 * finding on its own cycle (found from outside: its acceptance lifted the city's hold). A finding
 * filed before it carried its filer's scope takes that of the hold it keeps, if any.
 */
export const rectification: AppRouteHandler<typeof routes.rectification> = async (c) => {
  const s = c.var.services;
  const { cycleId } = c.req.valid('param');
  const { findingId } = c.req.valid('json');
  await requireCycleInScope(c, s, cycleId);
  const finding = (await readSupervision(s, cycleId)).findings.find((f) => f.id === findingId);
  const raisedIn =
    finding?.raisedIn ??
    (finding?.holds ? (await readState(s, cycleId)).holds.find((h) => h.name === finding.holds)?.raisedIn : undefined);
  await requireFromLevelOrAbove(c, s, raisedIn, {
    what: `finding ${findingId}`,
    done: 'filed',
    path: 'findingId',
    act: 'accepted',
  });
  return teamInput(c, cycleId, acceptRectificationUpdate, (actor) => [c.req.valid('json'), actor] as const);
};

/**
 * Scores count for the stage the cycle stands at. A point is its name as it reads (NFKC): 点１ and 点1, or a
 * name with a selector drawn as nothing after it, counted as points apart in the averages (found from
 * outside); such a character is refused, 400 naming `point`.
 */
export const monitoring: AppRouteHandler<typeof routes.monitoring> = (c) => {
  const body = c.req.valid('json');
  if (readsAsAnotherName(body.point))
    throw new ApiError(400, ErrorCode.Validation, 'invalid input: point: a name as it reads', [
      { path: 'point', rule: 'no character drawn as nothing (selectors, joiners) and no compatibility ideograph' },
    ]);
  const point = body.point.normalize('NFKC').replace(/\s+/g, ' ').trim();
  return teamInput(c, c.req.valid('param').cycleId, recordMonitoringUpdate, (actor, stage) => [
    { ...body, point },
    actor,
    stage,
  ]);
};

/**
 * A supervision-team input: the Update to the cycle's supervision workflow, given the stage the cycle
 * stands at as its record says now (an act that depends on it takes it from here: supervision itself
 * is told only the stages it acts on), and answered with that stage.
 */
async function teamInput<A extends [unknown, ...unknown[]]>(
  c: Context<Env>,
  cycleId: string,
  update: UpdateDefinition<SupervisionState, A>,
  args: (actor: Actor, stage: Stage) => A,
) {
  const s = c.var.services;
  await requireCycleInScope(c, s, cycleId);
  const { stage } = await readState(s, cycleId);
  const answer = await sendUpdate(
    supervision(s, cycleId),
    update,
    args(actorOf(c), stage),
    await idempotencyKey(c, s),
    `supervision of ${cycleId}`,
    s.pool,
  ).catch(async (e: unknown) => {
    const known = toApiError(e);
    throw known ? await notOpenYet(s, cycleId, known) : e;
  });
  // Where the cycle stands now: an input racing the one that closed it answers 'closed', not the stage
  // it was sent at (found from outside: a finding that held nothing answered 'election').
  const after = await readState(s, cycleId).catch(() => undefined);
  return c.json({ ...answer, cycleStage: after?.stage ?? stage }, 200);
}

export const monitoringPoints: AppRouteHandler<typeof routes.monitoringPoints> = async (c) => {
  const s = c.var.services;
  const { cycleId } = c.req.valid('param');
  const q = c.req.valid('query');
  await requireCycleInScope(c, s, cycleId);
  return c.json(
    { cycleId, points: await s.read.supervision.monitoringPoints(cycleId, q.point ?? null, q.stage ?? null) },
    200,
  );
};

export const registerRisk: AppRouteHandler<typeof routes.registerRisk> = async (c) => {
  const s = c.var.services;
  const body = c.req.valid('json');
  await requireInScope(c, s, body.jurisdictionId, `jurisdiction ${body.jurisdictionId}`, 'jurisdictionId');
  checkRiskCycle(body);
  const jurisdiction = await s.read.jurisdiction(body.jurisdictionId);
  if (!jurisdiction) throw notFound(`jurisdiction ${body.jurisdictionId}`);
  checkRiskLevel(body, jurisdiction);
  // A risk on a cycle counts its deadline on that cycle's calendar; others on the defaults.
  let policy: Policy = policySchema.parse({});
  const cycle = body.cycleId ? await readState(s, body.cycleId) : undefined;
  if (cycle) policy = cycle.policy;
  // The id comes from the Idempotency-Key's binding (random without a key): a retry, even many at
  // once, registers nothing new and answers with the first registration's deadline.
  const key = await idempotencyKey(c, s);
  const riskId = `K-${createHash('sha256').update(`risk:${key}`).digest('hex').slice(0, 12)}`;
  const computed = riskDeadline(body, policy.calendar, Date.now());
  const supervised = riskSupervision(riskId, body, policy, computed);
  // The row and, for a high risk, its supervision workflow's start in one transaction: a crash
  // after it still leaves a workflow to hold the gate (the worker's starter starts it).
  const start = supervised ? { kind: 'risk' as const, taskQueue: s.taskQueue, ...supervised } : undefined;
  const deadline = await s.supervision.registerRisk(riskId, body, computed, actorOf(c), start);
  // Registered: whatever fails from here, the answer says so (api/request-clock.ts).
  inputTaken();
  const workflow = start ? await startRecorded(s.starter, start.workflowId) : undefined;
  // A high risk on a cycle answers once its hold is on the gate (api/holds.ts).
  const hold: HoldAnswer =
    start && workflow && body.cycleId
      ? await holdOnCycle(s, start.workflowId, body.cycleId, workflow)
      : { state: 'none', why: start ? 'the risk names no cycle' : 'only a high risk holds a gate' };
  const agenda = body.level === 'medium' ? await onAgenda(s, riskId, cycle) : undefined;
  return c.json(
    {
      riskId,
      level: body.level,
      deadline: deadline === null ? null : new Date(deadline).toISOString(),
      ...(workflow ? { workflow } : {}),
      hold,
      ...(agenda ? { agenda } : {}),
    },
    201,
  );
};

/**
 * Where a medium risk is tracked: the cycle's supervision puts it on its open last checkpoint, or
 * says the next one takes it, or that none remains (its workflow ended: every checkpoint filed). A
 * risk naming no cycle goes on the next checkpoint of a cycle in its jurisdiction.
 */
async function onAgenda(s: Services, riskId: string, cycle: { cycleId: string } | undefined): Promise<AgendaAnswer> {
  if (!cycle) return { why: 'the risk names no cycle: the next checkpoint to open in its jurisdiction takes it' };
  try {
    return await sendUpdate(
      s.temporal.workflow.getHandle(supervisionWorkflowId(cycle.cycleId)),
      takeRiskUpdate,
      [riskId],
      `agenda:${riskId}`,
      `cycle ${cycle.cycleId}'s supervision`,
      s.pool,
    );
  } catch (e) {
    // Not started yet: its first checkpoint takes the risk as it opens. Ended: nothing is left to open.
    if (e instanceof ApiError && e.status === 404) return { why: 'the next checkpoint to open takes it on its agenda' };
    if (e instanceof ApiError && e.code === ErrorType.Closed)
      return { why: "the cycle's supervision has ended: no checkpoint remains; resolve the risk by hand" };
    throw e;
  }
}

export const resolveRisk: AppRouteHandler<typeof routes.resolveRisk> = async (c) => {
  const s = c.var.services;
  const { riskId } = c.req.valid('param');
  const risk = await s.read.supervision.risk(riskId);
  if (!risk) throw notFound(`risk ${riskId}`);
  await requireInScope(c, s, risk.jurisdictionId, `risk ${riskId}`);
  const body = c.req.valid('json');
  if (risk.level === 'high') {
    if (c.get('principal').scope === risk.jurisdictionId) {
      throw new ApiError(403, ErrorCode.Forbidden, 'a high risk is resolved by the upper level that supervises it', [
        { path: 'scope', rule: "above the risk's jurisdiction" },
      ]).asDenial();
    }
    return c.json(
      await sendUpdate(
        s.temporal.workflow.getHandle(riskWorkflowId(riskId)),
        resolveRiskUpdate,
        [body, actorOf(c)],
        await idempotencyKey(c, s),
        `risk ${riskId}`,
        s.pool,
      ),
      200,
    );
  }
  const actor = actorOf(c);
  const now = Date.now();
  const event = riskResolution({ id: riskId, jurisdictionId: risk.jurisdictionId, status: risk.status }, actor, now);
  await s.supervision.resolveRisk(riskId, body.resolution, actor.id, now, event);
  return c.json({ riskId, status: 'resolved' as const }, 200);
};

export const listRisks: AppRouteHandler<typeof routes.listRisks> = async (c) => {
  const s = c.var.services;
  const q = c.req.valid('query');
  const scope = await resolveScope(c, s, q.scope);
  return c.json({ risks: await s.read.supervision.risks(scope, q) }, 200);
};

export const riskRegister: AppRouteHandler<typeof routes.riskRegister> = async (c) => {
  const s = c.var.services;
  const q = c.req.valid('query');
  const scope = await resolveScope(c, s, q.scope);
  return c.json({ scope, levels: [...JURISDICTION_LEVELS], ...(await s.read.supervision.riskRegister(scope)) }, 200);
};
