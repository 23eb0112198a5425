/**
 * The cycle routes as OpenAPI definitions: start, list, read, timeline, and one route per stage
 * input. Each stage input is an Update on the cycle's workflow: validated here (strict schema, 400
 * naming the field), then by the workflow's own validator against the live state (409/422 with the
 * reason), answered with the state as it stands after the input.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Action } from '../../authz.js';
import { requires } from '../../guards.js';
import type { ZodType } from 'zod';
import { yearOverrideSchema } from '../../../domain/eager/calendar.js';
import * as C from '../../../domain/eager/cycle.js';
import { CYCLE_STATUSES, JURISDICTION_LEVELS, STAGES } from '../../../domain/stages.js';
import { errorResponses, examples, idempotencyHeaders, json } from '../../openapi.js';
import { cycleListSchema, cycleStateSchema, cycleTimelineSchema, startedCycleSchema } from '../../schemas/cycles.js';
import { cycleParams, scopeQuery } from '../params.js';

export const start = createRoute({
  middleware: requires('cycle.start'),
  method: 'post',
  path: '/v1/cycles',
  tags: ['cycles'],
  summary: '发起换届 (start a cycle)',
  description:
    'Idempotent: the same body again answers 200 with the same cycle; the same jurisdiction and term with a different body answers 409. A compressed calendar (`policy.calendar.kind` compressed: a working day of seconds) is for demos and tests: a deployment refuses it (400) unless its API runs with COMPRESSED_CALENDARS=1.',
  request: { body: json(C.startCycleSchema, examples.start) },
  responses: {
    201: { description: 'started', content: { 'application/json': { schema: startedCycleSchema } } },
    200: {
      description: 'already started with this same body',
      content: { 'application/json': { schema: startedCycleSchema } },
    },
    ...errorResponses(400, 401, 403, 404, 409, 422),
  },
});

export const list = createRoute({
  middleware: requires('cycle.read'),
  method: 'get',
  path: '/v1/cycles',
  tags: ['cycles'],
  summary: '换届列表 (list cycles in my scope)',
  request: {
    query: z.strictObject({
      scope: scopeQuery
        .optional()
        .openapi({ description: 'a jurisdiction id inside your scope; default: your scope', example: '440300' }),
      stage: z.enum(STAGES).optional(),
      status: z.enum(CYCLE_STATUSES).optional(),
      level: z.enum(JURISDICTION_LEVELS).optional(),
      limit: z.coerce.number().int().min(1).max(500).default(100),
      after: z.string().max(60).optional().openapi({ description: 'cursor: the last cycleId of the previous page' }),
    }),
  },
  responses: {
    200: { description: 'cycles, ordered by id', content: { 'application/json': { schema: cycleListSchema } } },
    ...errorResponses(400, 401, 403, 404),
  },
});

export const getOne = createRoute({
  middleware: requires('cycle.read'),
  method: 'get',
  path: '/v1/cycles/{cycleId}',
  tags: ['cycles'],
  summary: '换届详情 (live state of one cycle)',
  request: { params: cycleParams },
  responses: {
    200: { description: 'live state', content: { 'application/json': { schema: cycleStateSchema } } },
    ...errorResponses(401, 403, 404),
  },
});

export const timeline = createRoute({
  middleware: requires('cycle.read'),
  method: 'get',
  path: '/v1/cycles/{cycleId}/timeline',
  tags: ['cycles'],
  summary: '换届时间线 (who did what, when: the record in Postgres)',
  request: { params: cycleParams },
  responses: {
    200: {
      description: 'the cycle row, its people and its events in order',
      content: { 'application/json': { schema: cycleTimelineSchema } },
    },
    ...errorResponses(401, 403, 404),
  },
});

const STAGE_INPUT_TEXT =
  'Validated against the live cycle; a rejection leaves the cycle unchanged. Answers with the state after the input and everything it caused: the next stage once the cycle has entered it, or, when the stage cannot move, `waitingFor` says why (a hold, a suspension, a missing calendar year), so the next input can be sent at once. Send an Idempotency-Key to make retries safe: the input is applied once; the same key with another body is 422 IDEMPOTENCY_KEY_REUSED. Input to an ended cycle answers 409 CLOSED saying whether it closed or was aborted, and why.';

/** A stage input's route: POST /v1/cycles/{cycleId}/<path> with its body schema, answering the state. */
function stageInput<P extends string, S extends ZodType>(
  path: P,
  schema: S,
  doc: { action: Action; summary: string; description?: string; example: unknown },
) {
  return createRoute({
    middleware: requires(doc.action),
    method: 'post',
    path: `/v1/cycles/{cycleId}/${path}`,
    tags: ['cycle inputs'],
    summary: doc.summary,
    description: `${doc.description ? `${doc.description}\n\n` : ''}${STAGE_INPUT_TEXT}`,
    request: { params: cycleParams, headers: idempotencyHeaders, body: json(schema, doc.example) },
    responses: {
      200: { description: 'accepted; the new state', content: { 'application/json': { schema: cycleStateSchema } } },
      ...errorResponses(400, 401, 403, 404, 409, 422),
    },
  });
}

export const launch = stageInput('launch', C.launchSchema, {
  action: 'cycle.input',
  summary: '启动：责任清单、警示教育、承诺书 (launch)',
  example: examples.launch,
});
export const analysis = stageInput('analysis', C.analysisSchema, {
  action: 'cycle.input',
  summary: '分析研判和动议：空缺职位预告 (analysis)',
  example: examples.analysis,
});
export const recommendationRound = stageInput('recommendation-rounds', C.recommendationRoundSchema, {
  action: 'cycle.input',
  summary: '民主推荐：一轮计票（干部大会或全委会）(recommendation round)',
  description:
    '差额: each position offers at least the policy ratio (default 1:3 of seats), and the inspection list drawn from both rounds holds it; fewer is refused (422 naming the ratio and the shortfall) unless `belowRatioReason` records why (not enough eligible people). The reason goes on the record, into `belowRatio` of the state and into the ledger.',
  example: examples.recommendation,
});
export const standingCommittee = stageInput('standing-committee', C.standingCommitteeSchema, {
  action: 'cycle.input',
  summary: '讨论决定：常委会按 1:2 提出人选 (standing committee shortlist)',
  description:
    'A competitive post (policy `competitivePositions`, 差额) is shortlisted at least at the policy ratio (default 1:2 of seats), below it only with `belowRatioReason`, and never with fewer than seats + 1; other posts (等额) only have the ceiling. The answer states per post in `decision.shortlists` whether it is 差额 or 等额.',
  example: examples.standing,
});
export const committeeVote = stageInput('committee-vote', C.committeeVoteSchema, {
  action: 'cycle.input',
  summary: '讨论决定：全委会票决 (full committee vote)',
  example: examples.vote,
});
export const nomineeDrop = stageInput('nominee-drops', C.dropNomineeSchema, {
  action: 'cycle.input',
  summary: '任职公示：取消拟任人选，递补或空缺 (drop a nominee)',
  description:
    "From the full committee's vote until the election's result: while the cycle still stands at decision (a report's hold keeping its gate), during publicity, approval and election. The next shortlisted reserve moves up with a publicity period of its own (the approval then waits for it), or the seat is reported open — always once the approval is recorded. A substantiated report on a nominee drops them this way.",
  example: examples.drop,
});
export const approval = stageInput('approval', C.approvalSchema, {
  action: 'cycle.input',
  summary: '审查审批：上级审批或备案 (approval)',
  description:
    "The upper level's act: recorded by a caller whose scope lies above the cycle's jurisdiction (403 naming `scope` for the jurisdiction's own scope); a root's, whose approval comes from outside the tree, at the root.",
  example: examples.approval,
});
export const election = stageInput('election', C.electionSchema, {
  action: 'cycle.input',
  summary: '大会选举：选举结果 (election result)',
  example: examples.election,
});
export const hold = stageInput('holds', C.organizerHoldSchema, {
  action: 'hold.manage',
  summary: '设置关口暂停 (raise a named hold)',
  example: examples.hold,
});
export const holdRelease = stageInput('hold-releases', C.releaseHoldSchema, {
  action: 'hold.manage',
  summary: '解除关口暂停 (release a hold)',
  description:
    'A hand hold is released with the roles it was raised with, from the level it was raised at or above (otherwise 409 naming `name`). Checked against the hold of that name as it stands when the request is read: if by the time the cycle takes the release another hold has been raised under the name (or none was there and one has been since), 409 naming `name` and nothing changes; send it again to have it checked against that hold.',
  example: { name: 'petition-2026-07', resolution: '经组织核实，问题已澄清' },
});
export const suspend = stageInput('suspend', C.reasonOnlySchema, {
  action: 'cycle.control',
  summary: '暂停换届 (suspend)',
  description:
    "The state's `suspendedIn` names the suspending caller's scope: the cycle is resumed, or aborted, from there or above (a lower level: 409 naming `scope`).",
  example: { reason: '发现严重违纪问题，待查清' },
});
export const resume = stageInput('resume', C.reasonOnlySchema, {
  action: 'cycle.control',
  summary: '恢复换届 (resume)',
  description:
    'From the level that suspended the cycle (`suspendedIn`) or above; otherwise 409 naming `scope`. If the suspension changes between the check and the cycle taking the resumption (resumed, or suspended again by another level), 409 naming `scope` and nothing changes: send it again.',
  example: { reason: '问题已查清处理' },
});
export const abort = stageInput('abort', C.reasonOnlySchema, {
  action: 'cycle.control',
  summary: '终止换届 (abort)',
  description:
    'A suspended cycle is aborted from the level that suspended it (`suspendedIn`) or above; otherwise 409 naming `scope`. If the cycle is suspended, or its suspension lifted, between the check and the cycle taking the abort, 409 naming `scope` and nothing changes: send it again to have it checked against the cycle as it is then.',
  example: { reason: '行政区划调整，本次换届终止' },
});
export const calendarYear = stageInput('calendar-years', yearOverrideSchema, {
  action: 'cycle.control',
  summary: '补充工作日历年份 (supply a calendar year)',
  example: { year: 2027, holidays: ['2027-01-01'], workdays: [] },
});

export type StageInputRoute = ReturnType<typeof stageInput<string, ZodType>>;
