/**
 * Cycles: start, list, read, timeline, and one route per stage input. Each stage input is an Update
 * on the cycle's workflow: validated here (strict schema, 400 naming the field), then by the
 * workflow's own validator against the live state (409/422 with the reason), answered with the
 * state as it stands after the input. A retried request with the same Idempotency-Key is applied once.
 */
import { createHash } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type UpdateDefinition } from '@temporalio/common';
import { WorkflowIdReusePolicy } from '@temporalio/client';
import type { ZodType } from 'zod';
import { assertCalendarCovers, yearOverrideSchema } from '../../domain/calendar.js';
import { canonical } from '../../domain/canonical.js';
import * as C from '../../domain/cycle.js';
import { ErrorType } from '../../domain/errors.js';
import { cycleId as makeCycleId, cycleWorkflowId } from '../../domain/ids.js';
import { policySchema } from '../../domain/policy.js';
import { ID, type Actor } from '../../domain/schemas.js';
import { SA } from '../../domain/search-attributes.js';
import { CYCLE_STATUSES, JURISDICTION_LEVELS, STAGES } from '../../domain/stages.js';
import * as W from '../../workflows/cycle.js';
import type { Action } from '../authz.js';
import type { App, Services } from '../context.js';
import { ApiError, notFound } from '../errors.js';
import { actorOf, authorize, idempotencyKey, requireInScope, resolveScope } from '../guards.js';
import { sendUpdate } from '../updates.js';
import { errorResponses, examples, idempotencyHeaders, json } from '../openapi.js';
import { cycleListSchema, cycleStateSchema, cycleTimelineSchema, startedCycleSchema } from '../schemas/cycles.js';

export const cycleIdParam = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,40}:\d{4}$/, 'a cycle id <jurisdictionId>:<term>, e.g. 440306:2026')
  .openapi({ param: { name: 'cycleId', in: 'path' }, example: '440306:2026' });
const stateSchema = cycleStateSchema;

interface StageInput {
  path: string;
  summary: string;
  action: Action;
  schema: ZodType;
  update: UpdateDefinition<W.InputAccepted, [unknown, Actor]>;
  example?: unknown;
  description?: string;
}

const STAGE_INPUTS: StageInput[] = [
  {
    path: 'launch',
    summary: '启动：责任清单、警示教育、承诺书 (launch)',
    action: 'cycle.input',
    schema: C.launchSchema,
    update: W.recordLaunchUpdate,
    example: examples.launch,
  },
  {
    path: 'analysis',
    summary: '分析研判和动议：空缺职位预告 (analysis)',
    action: 'cycle.input',
    schema: C.analysisSchema,
    update: W.recordAnalysisUpdate,
    example: examples.analysis,
  },
  {
    path: 'recommendation-rounds',
    summary: '民主推荐：一轮计票（干部大会或全委会）(recommendation round)',
    description:
      '差额: each position offers at least the policy ratio (default 1:3 of seats), and the inspection list drawn from both rounds holds it; fewer is refused (422 naming the ratio and the shortfall) unless `belowRatioReason` records why (not enough eligible people). The reason goes on the record, into `belowRatio` of the state and into the ledger.',
    action: 'cycle.input',
    schema: C.recommendationRoundSchema,
    update: W.recordRecommendationRoundUpdate,
    example: examples.recommendation,
  },
  {
    path: 'standing-committee',
    summary: '讨论决定：常委会按 1:2 提出人选 (standing committee shortlist)',
    description:
      'A competitive post (policy `competitivePositions`, 差额) is shortlisted at least at the policy ratio (default 1:2 of seats), below it only with `belowRatioReason`, and never with fewer than seats + 1; other posts (等额) only have the ceiling. The answer states per post in `decision.shortlists` whether it is 差额 or 等额.',
    action: 'cycle.input',
    schema: C.standingCommitteeSchema,
    update: W.recordStandingCommitteeUpdate,
    example: examples.standing,
  },
  {
    path: 'committee-vote',
    summary: '讨论决定：全委会票决 (full committee vote)',
    action: 'cycle.input',
    schema: C.committeeVoteSchema,
    update: W.recordCommitteeVoteUpdate,
    example: examples.vote,
  },
  {
    path: 'nominee-drops',
    summary: '任职公示：取消拟任人选，递补或空缺 (drop a nominee)',
    action: 'cycle.input',
    schema: C.dropNomineeSchema,
    update: W.dropNomineeUpdate,
    example: examples.drop,
  },
  {
    path: 'approval',
    summary: '审查审批：上级审批或备案 (approval)',
    action: 'cycle.input',
    schema: C.approvalSchema,
    update: W.recordApprovalUpdate,
    example: examples.approval,
  },
  {
    path: 'election',
    summary: '大会选举：选举结果 (election result)',
    action: 'cycle.input',
    schema: C.electionSchema,
    update: W.recordElectionUpdate,
    example: examples.election,
  },
  {
    path: 'holds',
    summary: '设置关口暂停 (raise a named hold)',
    action: 'hold.manage',
    schema: C.holdSchema,
    update: W.addHoldUpdate,
    example: examples.hold,
  },
  {
    path: 'hold-releases',
    summary: '解除关口暂停 (release a hold)',
    action: 'hold.manage',
    schema: C.releaseHoldSchema,
    update: W.releaseHoldUpdate,
    example: { name: 'report-R123', resolution: '经核查，举报不属实，予以澄清' },
  },
  {
    path: 'suspend',
    summary: '暂停换届 (suspend)',
    action: 'cycle.control',
    schema: C.reasonOnlySchema,
    update: W.suspendUpdate,
    example: { reason: '发现严重违纪问题，待查清' },
  },
  {
    path: 'resume',
    summary: '恢复换届 (resume)',
    action: 'cycle.control',
    schema: C.reasonOnlySchema,
    update: W.resumeUpdate,
    example: { reason: '问题已查清处理' },
  },
  {
    path: 'abort',
    summary: '终止换届 (abort)',
    action: 'cycle.control',
    schema: C.reasonOnlySchema,
    update: W.abortUpdate,
    example: { reason: '行政区划调整，本次换届终止' },
  },
  {
    path: 'calendar-years',
    summary: '补充工作日历年份 (supply a calendar year)',
    action: 'cycle.control',
    schema: yearOverrideSchema,
    update: W.addCalendarYearUpdate,
    example: { year: 2027, holidays: ['2027-01-01'], workdays: [] },
  },
];

export function registerCycleRoutes(app: App, s: Services) {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/cycles',
      tags: ['cycles'],
      summary: '发起换届 (start a cycle)',
      description:
        'Idempotent: the same body again answers 200 with the same cycle; the same jurisdiction and term with a different body answers 409.',
      request: { body: json(C.startCycleSchema, examples.start) },
      responses: {
        201: {
          description: 'started',
          content: {
            'application/json': {
              schema: startedCycleSchema,
            },
          },
        },
        200: {
          description: 'already started with this same body',
          content: {
            'application/json': {
              schema: startedCycleSchema,
            },
          },
        },
        ...errorResponses(400, 401, 403, 404, 409, 422),
      },
    }),
    async (c) => {
      authorize(c, 'cycle.start');
      const body = c.req.valid('json');
      await requireInScope(c, s, body.jurisdictionId, `jurisdiction ${body.jurisdictionId}`);
      const jurisdiction = (await s.read.jurisdiction(body.jurisdictionId))!;
      const policy = body.policy ?? policySchema.parse({});
      const unknownCompetitive = policy.competitivePositions.filter((p) => !body.positions.some((x) => x.id === p));
      if (unknownCompetitive.length > 0) {
        throw new ApiError(
          400,
          ErrorType.Validation,
          `competitivePositions names unknown position(s) ${unknownCompetitive.join(', ')}`,
          [{ path: 'policy.competitivePositions', rule: 'must be position ids of this cycle' }],
        );
      }
      assertCalendarCovers(policy.calendar, Date.now());
      const id = makeCycleId(body.jurisdictionId, body.term);
      const workflowId = cycleWorkflowId(id);
      const requestHash = createHash('sha256')
        .update(canonical({ ...body, policy }))
        .digest('hex');
      const { id: _jid, name, level, parentId } = jurisdiction;
      const input: W.CycleWorkflowInput = {
        cycleId: id,
        jurisdiction: { id: _jid, name, level, parentId },
        term: body.term,
        positions: body.positions,
        committees: body.committees,
        policy,
        startedBy: actorOf(c),
      };
      try {
        await s.temporal.workflow.start(W.cycleWorkflow, {
          workflowId,
          taskQueue: s.taskQueue,
          args: [input],
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
          memo: { requestHash },
          staticSummary: `${jurisdiction.name} ${body.term} 换届`,
          staticDetails: `${jurisdiction.name}（${jurisdiction.id}，${jurisdiction.level}）${body.term} 年换届：${body.positions.map((p) => `${p.title}×${p.seats}`).join('、')}`,
          typedSearchAttributes: [
            { key: SA.stage, value: 'launch' },
            { key: SA.status, value: 'running' },
            { key: SA.level, value: jurisdiction.level },
            { key: SA.jurisdiction, value: jurisdiction.id },
            { key: SA.term, value: body.term },
            { key: SA.cycle, value: id },
          ],
        });
        // The workflow starts from exactly this state (same pure function); no round trip to wait for.
        const state = C.initialCycleState(
          id,
          { term: input.term, positions: input.positions, committees: input.committees, policy },
          input.jurisdiction,
          Date.now(),
        );
        return c.json({ cycleId: id, workflowId, state }, 201);
      } catch (e) {
        if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
        const handle = s.temporal.workflow.getHandle(workflowId);
        const description = await handle.describe();
        if (description.memo?.requestHash !== requestHash) {
          throw new ApiError(409, ErrorType.Conflict, `cycle ${id} already exists with a different request`, [
            { path: 'jurisdictionId', rule: 'one cycle per jurisdiction and term' },
          ]);
        }
        return c.json({ cycleId: id, workflowId, state: await handle.query(W.getStateQuery) }, 200);
      }
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/cycles',
      tags: ['cycles'],
      summary: '换届列表 (list cycles in my scope)',
      request: {
        query: z.strictObject({
          scope: z
            .string()
            .regex(ID.jurisdiction.pattern, ID.jurisdiction.rule)
            .optional()
            .openapi({ description: 'a jurisdiction id inside your scope; default: your scope', example: '440300' }),
          stage: z.enum(STAGES).optional(),
          status: z.enum(CYCLE_STATUSES).optional(),
          level: z.enum(JURISDICTION_LEVELS).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
          after: z
            .string()
            .max(60)
            .optional()
            .openapi({ description: 'cursor: the last cycleId of the previous page' }),
        }),
      },
      responses: {
        200: {
          description: 'cycles, ordered by id',
          content: {
            'application/json': {
              schema: cycleListSchema,
            },
          },
        },
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    async (c) => {
      authorize(c, 'cycle.read');
      const q = c.req.valid('query');
      const scope = await resolveScope(c, s, q.scope);
      const cycles = await s.read.listCycles({ ...q, scope });
      return c.json({ cycles, next: cycles.length === q.limit ? cycles.at(-1)!.id : null }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/cycles/{cycleId}',
      tags: ['cycles'],
      summary: '换届详情 (live state of one cycle)',
      request: { params: z.object({ cycleId: cycleIdParam }) },
      responses: {
        200: { description: 'live state', content: { 'application/json': { schema: stateSchema } } },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (c) => {
      authorize(c, 'cycle.read');
      const { cycleId } = c.req.valid('param');
      await requireCycleInScope(c, cycleId);
      return c.json(await readState(cycleId), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/cycles/{cycleId}/timeline',
      tags: ['cycles'],
      summary: '换届时间线 (who did what, when: the record in Postgres)',
      request: { params: z.object({ cycleId: cycleIdParam }) },
      responses: {
        200: {
          description: 'the cycle row, its people and its events in order',
          content: {
            'application/json': {
              schema: cycleTimelineSchema,
            },
          },
        },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (c) => {
      authorize(c, 'cycle.read');
      const { cycleId } = c.req.valid('param');
      await requireCycleInScope(c, cycleId);
      const cycle = await s.read.cycle(cycleId);
      if (!cycle) throw notFound(`cycle ${cycleId}`);
      const [people, events] = await Promise.all([s.read.people(cycleId), s.read.timeline(cycleId)]);
      return c.json({ cycle, people, events }, 200);
    },
  );

  for (const input of STAGE_INPUTS) {
    app.openapi(
      createRoute({
        method: 'post',
        path: `/v1/cycles/{cycleId}/${input.path}`,
        tags: ['cycle inputs'],
        summary: input.summary,
        description: `${input.description ? `${input.description}\n\n` : ''}Validated against the live cycle; a rejection leaves the cycle unchanged. Answers with the state after the input and everything it caused: the next stage once the cycle has entered it, or, when the stage cannot move, \`waitingFor\` says why (a hold, a suspension, a missing calendar year), so the next input can be sent at once. Send an Idempotency-Key to make retries safe: the input is applied once; the same key with another body is 422 IDEMPOTENCY_KEY_REUSED. Input to an ended cycle answers 409 CLOSED saying whether it closed or was aborted, and why.`,
        request: {
          params: z.object({ cycleId: cycleIdParam }),
          headers: idempotencyHeaders,
          body: json(input.schema, input.example),
        },
        responses: {
          200: { description: 'accepted; the new state', content: { 'application/json': { schema: stateSchema } } },
          ...errorResponses(400, 401, 403, 404, 409, 422),
        },
      }),
      async (c) => {
        authorize(c, input.action);
        const { cycleId } = c.req.valid('param');
        await requireCycleInScope(c, cycleId);
        const handle = s.temporal.workflow.getHandle(cycleWorkflowId(cycleId));
        await sendUpdate(
          handle,
          input.update,
          [c.req.valid('json'), actorOf(c)],
          await idempotencyKey(c, s),
          `cycle ${cycleId}`,
        ).catch(async (e: unknown) => {
          throw await endedAs(e, cycleId);
        });
        // The Update answers with a version only (see InputAccepted); the state read now includes it.
        return c.json(await readState(cycleId), 200);
      },
    );
  }

  /** The live state; a finished cycle's final state is in Postgres, so its history is not replayed. */
  async function readState(cycleId: string): Promise<C.CycleState> {
    const row = await s.read.cycle(cycleId);
    if (row && (row.status === 'closed' || row.status === 'aborted') && row.state?.cycleId) return row.state;
    try {
      return await s.temporal.workflow.getHandle(cycleWorkflowId(cycleId)).query(W.getStateQuery);
    } catch (e) {
      // Past Temporal's retention the record in Postgres is the answer.
      const row = e instanceof WorkflowNotFoundError ? await s.read.cycle(cycleId) : undefined;
      if (!row) throw e instanceof WorkflowNotFoundError ? notFound(`cycle ${cycleId}`) : e;
      return row.state;
    }
  }

  /**
   * Temporal calls every ended cycle's workflow "completed", an aborted one too; the record says how
   * it ended, and the refusal says that and why.
   */
  async function endedAs(e: unknown, cycleId: string): Promise<unknown> {
    if (!(e instanceof ApiError) || e.code !== ErrorType.Closed) return e;
    const row = await s.read.cycle(cycleId).catch(() => undefined);
    if (row?.status === 'aborted') {
      return new ApiError(
        409,
        ErrorType.Closed,
        `cycle ${cycleId} was aborted (${row.state?.statusReason ?? ''}); it takes no more input`,
      );
    }
    if (row?.status === 'closed')
      return new ApiError(
        409,
        ErrorType.Closed,
        `cycle ${cycleId} is closed (the election is recorded); it takes no more input`,
      );
    return e;
  }

  async function requireCycleInScope(c: Parameters<typeof actorOf>[0], cycleId: string) {
    const jurisdictionId = cycleId.slice(0, cycleId.lastIndexOf(':'));
    await requireInScope(c, s, jurisdictionId, `cycle ${cycleId}`);
  }
}
