/** What each cycle route does: checks role and scope, then starts, updates or reads the cycle. */
import { WorkflowExecutionAlreadyStartedError, type UpdateDefinition } from '@temporalio/common';
import type { Context } from 'hono';
import {
  cycleStartOptions,
  recordInitialProjection,
  withdrawInitialProjection,
} from '../../../activities/cycle-start.js';
import { assertCalendarCovers } from '../../../domain/calendar.js';
import * as C from '../../../domain/cycle.js';
import { ErrorType } from '../../../domain/errors.js';
import { cycleWorkflowId } from '../../../domain/ids.js';
import { policySchema } from '../../../domain/eager/policy.js';
import type { Actor } from '../../../domain/schemas.js';
import * as W from '../../../workflows/contracts/cycle.js';
import { POLICY } from '../../authz.js';
import type { AppRouteHandler, Env, Services } from '../../context.js';
import { ApiError, notFound } from '../../errors.js';
import {
  actorOf,
  requireAboveCycle,
  earlierUpdateId,
  requireFromLevelOrAbove,
  idempotencyKey,
  requireCalendarAllowed,
  requireCycleInScope,
  resolveScope,
} from '../../guards.js';
import { readState, readStateInScope } from '../../cycle-state.js';
import { inputTaken } from '../../request-clock.js';
import { keptOutcome, outcomeIfKnown, sendUpdate } from '../../updates.js';
import type * as routes from './cycles.routes.js';

export const start: AppRouteHandler<typeof routes.start> = async (c) => {
  const s = c.var.services;
  const body = c.req.valid('json');
  // One read for the scope check and the jurisdiction itself (a start is measured against a bare start).
  const found = await s.read.jurisdiction(body.jurisdictionId);
  if (!found?.ancestors.includes(c.get('principal').scope))
    throw notFound(`jurisdiction ${body.jurisdictionId}`).asDenial();
  const { ancestors: _ancestors, ...jurisdiction } = found;
  const policy = body.policy ?? policySchema.parse({});
  requireCalendarAllowed(s, policy.calendar, 'policy.calendar.kind');
  assertCalendarCovers(policy.calendar, Date.now());
  const options = cycleStartOptions(
    {
      jurisdiction,
      term: body.term,
      positions: body.positions,
      committees: body.committees,
      policy,
      startedBy: actorOf(c),
    },
    s.taskQueue,
  );
  const [input] = options.args;
  const { cycleId, workflowId } = { cycleId: input.cycleId, workflowId: options.workflowId };
  // The workflow starts from exactly this state (same pure function); no round trip to wait for. It
  // is the cycle's projection until the workflow's first activation replaces it, so a GET straight
  // after the start answers even before a worker has picked the cycle up. Written beside the start,
  // not after it (a start is measured against a bare start), and taken back if the start fails.
  const state = C.initialCycleState(
    cycleId,
    { term: input.term, positions: input.positions, committees: input.committees, policy },
    input.jurisdiction,
    Date.now(),
  );
  const [started, projected] = await Promise.allSettled([
    s.temporal.workflow.start<W.CycleWorkflow>(W.cycleWorkflowType, options),
    recordInitialProjection(s.pool, workflowId, state),
  ]);
  if (started.status === 'fulfilled') {
    if (projected.status === 'rejected') throw projected.reason;
    return c.json({ cycleId, workflowId, state }, 201);
  }
  if (projected.status === 'fulfilled' && projected.value) await withdrawInitialProjection(s.pool, workflowId, state);
  const e: unknown = started.reason;
  if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
  const description = await s.temporal.workflow.getHandle(workflowId).describe();
  if (description.memo?.requestHash !== options.memo?.requestHash) {
    throw new ApiError(409, ErrorType.Conflict, `cycle ${cycleId} already exists with a different request`, [
      { path: 'jurisdictionId', rule: 'one cycle per jurisdiction and term' },
    ]);
  }
  return c.json({ cycleId, workflowId, state: await readState(s, cycleId) }, 200);
};

export const list: AppRouteHandler<typeof routes.list> = async (c) => {
  const s = c.var.services;
  const q = c.req.valid('query');
  const scope = await resolveScope(c, s, q.scope);
  const cycles = await s.read.listCycles({ ...q, scope });
  return c.json({ cycles, next: cycles.length === q.limit ? cycles.at(-1)!.id : null }, 200);
};

export const getOne: AppRouteHandler<typeof routes.getOne> = async (c) => {
  const s = c.var.services;
  const { cycleId } = c.req.valid('param');
  return c.json(await readStateInScope(s, c.get('principal').scope, cycleId), 200);
};

export const timeline: AppRouteHandler<typeof routes.timeline> = async (c) => {
  const s = c.var.services;
  const { cycleId } = c.req.valid('param');
  await requireCycleInScope(c, s, cycleId);
  const cycle = await s.read.cycle(cycleId);
  if (!cycle) throw notFound(`cycle ${cycleId}`);
  const [people, events] = await Promise.all([s.read.people(cycleId), s.read.timeline(cycleId)]);
  return c.json({ cycle, people, events }, 200);
};

/** What every stage-input handler is given: the cycle id and the body, both as validated. */
type StageInputContext = Context<Env, string, { out: { param: { cycleId: string }; json: unknown } }>;

/**
 * One handler per stage input: the Update it sends (the role it needs is the route's: cycles.routes.ts),
 * and what the input must pass besides the cycle's own rules, once the cycle is known to be in scope.
 */
function stageInput<I>(
  update: UpdateDefinition<W.InputAccepted, [I, Actor]>,
  check?: (c: StageInputContext, s: Services, cycleId: string) => Promise<Partial<I> | void>,
) {
  return async (c: StageInputContext) => {
    const s = c.var.services;
    const { cycleId } = c.req.valid('param');
    await requireCycleInScope(c, s, cycleId);
    // A retry of an input the cycle took is answered as it was taken before its own checks run again: they
    // read what the input itself may have changed since (found from outside: a resume retried after another
    // level had suspended the cycle again answered 409, as if it had never been taken).
    const taken = check ? await takenBefore(c, s, cycleId) : undefined;
    if (taken) return taken;
    const checked = await check?.(c, s, cycleId);
    return sendStageInput(c, update, checked ?? {});
  };
}

/**
 * The answer to a keyed retry of an input the cycle has taken: its outcome kept in PostgreSQL once
 * answered (a run that has continued as new knows the id no more), else asked of the run. Undefined for a
 * first try, or a retry whose first try was never taken (that one is checked like a new input).
 */
async function takenBefore(c: StageInputContext, s: Services, cycleId: string) {
  const earlier = await earlierUpdateId(c, s);
  const taken =
    earlier &&
    ((await keptOutcome<W.InputAccepted>(s.pool, earlier)) ??
      (await outcomeIfKnown<W.InputAccepted>(s.temporal.workflow.getHandle(cycleWorkflowId(cycleId)), earlier)));
  if (!taken) return undefined;
  inputTaken();
  return c.json(await answerInput(s, cycleId, taken.result), 200);
}

/**
 * Sends a stage input whose caller has been checked (scope, and the input's own checks) and answers it.
 * `checked`: fields the API adds to the body — `asChecked`, what a check of the caller's authority was made
 * against, for the cycle to refuse the input if that has changed by the time it arrives
 * (domain/cycle/inputs.ts, checkedHoldSchema).
 */
async function sendStageInput<I>(
  c: StageInputContext,
  update: UpdateDefinition<W.InputAccepted, [I, Actor]>,
  checked: Partial<I> = {},
) {
  const s = c.var.services;
  const { cycleId } = c.req.valid('param');
  const handle = s.temporal.workflow.getHandle(cycleWorkflowId(cycleId));
  const accepted = await sendUpdate(
    handle,
    update,
    // The route validated the body with this input's schema (cycles.routes.ts), which has no field of
    // `asChecked`'s: the caller cannot name what it was checked against.
    [{ ...(c.req.valid('json') as I), ...checked }, actorOf(c)],
    await idempotencyKey(c, s),
    `cycle ${cycleId}`,
    s.pool,
  ).catch(async (e: unknown) => {
    throw await endedAs(s, e, cycleId);
  });
  return c.json(await answerInput(s, cycleId, accepted), 200);
}

/** The answer to a stage input the cycle took. */
async function answerInput(s: Services, cycleId: string, accepted: W.InputAccepted): Promise<C.CycleState> {
  // The acts the input led to, which the cycle left to its sender (W.CycleActForRecord), go on the
  // record before anyone hears of them; a failure here is a 503, and the retry (same key) gets the
  // same answer and writes them then.
  await s.record.recordCycleAnswer(accepted.forRecord);
  // The Update answers with a version only (see InputAccepted): the answer is the projection once
  // it holds that version, never an older state.
  return readState(s, cycleId, accepted.version);
}

export const launch: AppRouteHandler<typeof routes.launch> = stageInput(W.recordLaunchUpdate);
export const analysis: AppRouteHandler<typeof routes.analysis> = stageInput(W.recordAnalysisUpdate);
export const recommendationRound: AppRouteHandler<typeof routes.recommendationRound> = stageInput(
  W.recordRecommendationRoundUpdate,
);
export const standingCommittee: AppRouteHandler<typeof routes.standingCommittee> = stageInput(
  W.recordStandingCommitteeUpdate,
);
export const committeeVote: AppRouteHandler<typeof routes.committeeVote> = stageInput(W.recordCommitteeVoteUpdate);
export const nomineeDrop: AppRouteHandler<typeof routes.nomineeDrop> = stageInput(W.dropNomineeUpdate);
/**
 * The approval (审查审批) is the upper level's: recorded by a caller whose scope lies above the cycle's
 * jurisdiction (found from outside: a district's own organization department approved its own nominees,
 * under an authority it named). A root has no level above it in the tree: its approval comes from
 * outside and is recorded at the root.
 */
const fromAbove = (c: StageInputContext, s: Services, cycleId: string) =>
  requireAboveCycle(c, s, cycleId, 'the approval');
export const approval: AppRouteHandler<typeof routes.approval> = stageInput(W.recordApprovalUpdate, fromAbove);
export const election: AppRouteHandler<typeof routes.election> = stageInput(W.recordElectionUpdate);
export const hold: AppRouteHandler<typeof routes.hold> = stageInput(W.addHoldUpdate);
/** The roles that raise and release holds by hand, each its own: those authz.ts lets manage holds. */
const HAND_HOLD_ROLES: readonly string[] = POLICY['hold.manage'];
/**
 * A hold raised by hand is released by a hand of the same roles: the supervision team's hold is not
 * the organization department's to lift, nor an organizer's the investigators' (found from outside:
 * every hand hold was recorded as the organizer's and anyone of the three released any). The raiser's
 * roles come from the record of the hold.
 */
export const holdRelease: AppRouteHandler<typeof routes.holdRelease> = async (c) => {
  const s = c.var.services;
  const { cycleId } = c.req.valid('param');
  const { name } = c.req.valid('json');
  await requireCycleInScope(c, s, cycleId);
  // A retry of a release the cycle took gets that release's answer: the hold may have been raised
  // again since, by another hand, and the checks below would refuse the retry as if it were a new
  // release. One whose first try was never taken is checked like a new one.
  const taken = await takenBefore(c, s, cycleId);
  if (taken) return taken;
  // The system's holds (a report's, a finding's, a risk's, the calendar's) are the cycle's to refuse by
  // their own rule, naming what releases them. A hand hold carries its raiser's roles and scope since
  // 12-04; an older one's roles are read from its record, and it has no scope to compare.
  const system = C.SYSTEM_HOLD_NAME.test(name);
  const hold = system ? undefined : (await readState(s, cycleId)).holds.find((h) => h.name === name);
  const raisedAs = system
    ? []
    : ((hold?.raisedAs ?? (await s.read.holdRaisedAs(cycleId, name)))?.filter((r) => HAND_HOLD_ROLES.includes(r)) ??
      []);
  // Every hand-hold role of the raiser: a supervisor who is also an organizer raised it as both, and
  // the organization department alone may not lift it (found from outside: either role could).
  const mine: readonly string[] = c.get('principal').roles;
  if (raisedAs.length > 0 && !raisedAs.every((r) => mine.includes(r)))
    throw new ApiError(
      409,
      ErrorType.Conflict,
      `hold ${name} was raised as ${raisedAs.join(' and ')} and is released only by a caller with ${raisedAs.length > 1 ? 'each of those roles' : 'that role'}`,
      [{ path: 'name', rule: `released by a caller with the role(s) it was raised with: ${raisedAs.join(', ')}` }],
    );
  // From the raiser's level or above: the city's hold on a district's cycle is not the district's to
  // lift (found from outside).
  await requireFromLevelOrAbove(c, s, hold?.raisedIn, {
    what: `hold ${name}`,
    done: 'raised',
    path: 'name',
    act: 'released',
  });
  // Checked against this hold as read: the cycle refuses the release if the name holds another by then
  // (found from outside: releases sent as the city raised a hold of the same name lifted the city's).
  return sendStageInput(c, W.releaseHoldUpdate, { asChecked: C.checkedHold(hold) });
};
export const suspend: AppRouteHandler<typeof routes.suspend> = stageInput(W.suspendUpdate);
/**
 * A suspended cycle is resumed, or aborted, from the level that suspended it or above: the city's
 * suspension of a district's cycle is not the district's to lift (found from outside: it was).
 */
async function fromTheSuspendingLevel(
  c: StageInputContext,
  s: Services,
  cycleId: string,
): Promise<Partial<C.StatusChangeInput>> {
  const state = await readState(s, cycleId);
  const suspendedIn = C.suspendedBy(state);
  if (state.status === 'suspended')
    await requireFromLevelOrAbove(c, s, suspendedIn ?? undefined, {
      what: `cycle ${cycleId}`,
      done: 'suspended',
      path: 'scope',
    });
  // Checked against the suspension as read: a suspension by another level since (the city's, as the
  // district aborts) makes the cycle refuse the input (found from outside: it aborted the suspended cycle).
  return { asChecked: { suspendedIn } };
}
export const resume: AppRouteHandler<typeof routes.resume> = stageInput(W.resumeUpdate, fromTheSuspendingLevel);
export const abort: AppRouteHandler<typeof routes.abort> = stageInput(W.abortUpdate, fromTheSuspendingLevel);
export const calendarYear: AppRouteHandler<typeof routes.calendarYear> = stageInput(W.addCalendarYearUpdate);

/**
 * Temporal calls every ended cycle's workflow "completed", an aborted one too; the record says how
 * it ended, and the refusal says that and why.
 */
async function endedAs(s: Services, e: unknown, cycleId: string): Promise<unknown> {
  if (!(e instanceof ApiError) || e.code !== ErrorType.Closed) return e;
  const row = await s.read.cycle(cycleId).catch(() => undefined);
  if (row?.status === 'aborted') {
    const reason = 'cycleId' in row.state ? (row.state.statusReason ?? '') : '';
    return new ApiError(409, ErrorType.Closed, `cycle ${cycleId} was aborted (${reason}); it takes no more input`, [
      { path: '(url)', rule: 'takes input while it runs' },
    ]);
  }
  if (row?.status === 'closed')
    return new ApiError(
      409,
      ErrorType.Closed,
      `cycle ${cycleId} is closed (the election is recorded); it takes no more input`,
    );
  return e;
}
