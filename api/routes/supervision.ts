/**
 * Conduct supervision of a cycle (checkpoints, rectifications, monitoring points) and the risk
 * register with its roll-up up the tree. High risks run under direct supervision from above.
 */
import { randomBytes } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import type { UpdateDefinition } from '@temporalio/common';
import { cycleWorkflowId, riskWorkflowId, supervisionWorkflowId } from '../../domain/ids.js';
import { policySchema, type Policy } from '../../domain/policy.js';
import { ID, type Actor } from '../../domain/schemas.js';
import { addWorkingDays } from '../../domain/calendar.js';
import { JURISDICTION_LEVELS, STAGES } from '../../domain/stages.js';
import * as V from '../../domain/supervision.js';
import { getStateQuery } from '../../workflows/cycle.js';
import { resolveRiskUpdate } from '../../workflows/risk.js';
import {
  acceptRectificationUpdate,
  fileCheckpointUpdate,
  getSupervisionQuery,
  recordMonitoringUpdate,
  type SupervisionState,
} from '../../workflows/supervision.js';
import type { App, Services } from '../context.js';
import { ApiError, notFound } from '../errors.js';
import { actorOf, authorize, idempotencyKey, requireInScope, resolveScope } from '../guards.js';
import { errorResponses, idempotencyHeaders, json } from '../openapi.js';
import { queryOr404, sendUpdate, startRecorded } from '../updates.js';
import { cycleIdParam } from './cycles.js';
import {
  monitoringPointsSchema,
  registeredRiskSchema,
  resolvedRiskSchema,
  riskListSchema,
  riskRegisterSchema,
  supervisionStateSchema,
} from '../schemas/supervision.js';

const riskParams = z.object({
  riskId: z
    .string()
    .regex(/^K-[0-9a-f]{12}$/, 'a risk id like K-0123456789ab')
    .openapi({ param: { name: 'riskId', in: 'path' }, example: 'K-5f2c9a1b3d4e' }),
});
const phaseParams = z.object({
  cycleId: cycleIdParam,
  phase: z
    .enum(Object.keys(V.PHASES) as [V.Phase, ...V.Phase[]])
    .openapi({ param: { name: 'phase', in: 'path' }, example: 'inspection' }),
});

export function registerSupervisionRoutes(app: App, s: Services) {
  const cycleInScope = (c: Parameters<typeof authorize>[0], cycleId: string) =>
    requireInScope(c, s, cycleId.slice(0, cycleId.lastIndexOf(':')), `cycle ${cycleId}`);
  const supervision = (cycleId: string) => s.temporal.workflow.getHandle(supervisionWorkflowId(cycleId));

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/cycles/{cycleId}/supervision',
      tags: ['supervision'],
      summary: "换届风气监督 (a cycle's checkpoints, findings and monitoring)",
      request: { params: z.object({ cycleId: cycleIdParam }) },
      responses: {
        200: { description: 'live state', content: { 'application/json': { schema: supervisionStateSchema } } },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (c) => {
      authorize(c, 'supervision.read');
      const { cycleId } = c.req.valid('param');
      await cycleInScope(c, cycleId);
      const state = await queryOr404(supervision(cycleId), getSupervisionQuery, `supervision of ${cycleId}`);
      return c.json(state, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/cycles/{cycleId}/supervision/checkpoints/{phase}',
      tags: ['supervision'],
      summary: '督查报告 (file a checkpoint: 五查 and findings)',
      description:
        "Every medium risk on the checkpoint's agenda needs an answer; a high-severity finding needs a rectification and holds the cycle's gate until accepted.",
      request: {
        headers: idempotencyHeaders,
        params: phaseParams,
        body: json(V.checkpointSchema, {
          checklist: Object.fromEntries(Object.keys(V.WU_CHA).map((k) => [k, { status: 'satisfactory', note: '' }])),
          findings: [
            {
              severity: 'high',
              description: '个别代表反映有人打招呼拉票',
              rectification: { owner: '区委组织部', deadlineWorkingDays: 5 },
            },
          ],
          riskResponses: [],
        }),
      },
      responses: {
        200: { description: 'filed', content: { 'application/json': { schema: supervisionStateSchema } } },
        ...errorResponses(400, 401, 403, 404, 409, 422),
      },
    }),
    async (c) => {
      authorize(c, 'supervision.file');
      const { cycleId, phase } = c.req.valid('param');
      await cycleInScope(c, cycleId);
      return c.json(
        await sendUpdate(
          supervision(cycleId),
          fileCheckpointUpdate,
          [{ ...c.req.valid('json'), phase }, actorOf(c)],
          await idempotencyKey(c, s),
          `supervision of ${cycleId}`,
        ),
        200,
      );
    },
  );

  // Inputs of the supervision team on a cycle, each an Update on its supervision workflow.
  const teamInputs = [
    {
      path: 'rectifications',
      summary: '整改验收 (accept a rectification)',
      schema: V.acceptRectificationSchema,
      update: acceptRectificationUpdate,
      example: { findingId: '440306:2026/inspection/F1', note: '已约谈相关人员并通报' },
    },
    {
      path: 'monitoring',
      summary: "百点监测 (a monitoring point's four scores)",
      schema: V.monitoringSchema,
      update: recordMonitoringUpdate,
      example: { point: '三厂街道监测点', scores: { selection: 96, correction: 94, discipline: 98, conduct: 97 } },
    },
  ] as const;
  for (const input of teamInputs) {
    app.openapi(
      createRoute({
        method: 'post',
        path: `/v1/cycles/{cycleId}/supervision/${input.path}`,
        tags: ['supervision'],
        summary: input.summary,
        request: {
          headers: idempotencyHeaders,
          params: z.object({ cycleId: cycleIdParam }),
          body: json(input.schema, input.example),
        },
        responses: {
          200: {
            description: 'accepted; the supervision state',
            content: { 'application/json': { schema: supervisionStateSchema } },
          },
          ...errorResponses(400, 401, 403, 404, 409),
        },
      }),
      async (c) => {
        authorize(c, 'supervision.file');
        const { cycleId } = c.req.valid('param');
        await cycleInScope(c, cycleId);
        const update = input.update as UpdateDefinition<SupervisionState, [unknown, Actor]>;
        return c.json(
          await sendUpdate(
            supervision(cycleId),
            update,
            [c.req.valid('json'), actorOf(c)],
            await idempotencyKey(c, s),
            `supervision of ${cycleId}`,
          ),
          200,
        );
      },
    );
  }

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/cycles/{cycleId}/supervision/monitoring',
      tags: ['supervision'],
      summary: "百点监测 (each monitoring point's own scores)",
      description:
        "Each point's four scores as it last filed them, per stage, from the record: the supervision state shows only averages by stage. Filter by `point` or `stage`.",
      request: {
        params: z.object({ cycleId: cycleIdParam }),
        query: z.strictObject({
          point: V.monitoringSchema.shape.point.optional().openapi({ example: '三厂街道监测点' }),
          stage: z.enum(STAGES).optional(),
        }),
      },
      responses: {
        200: {
          description: 'points, by point then stage',
          content: { 'application/json': { schema: monitoringPointsSchema } },
        },
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    async (c) => {
      authorize(c, 'supervision.read');
      const { cycleId } = c.req.valid('param');
      const q = c.req.valid('query');
      await cycleInScope(c, cycleId);
      const { rows } = await s.pool.query(
        `SELECT point, stage, scores, submitted_by AS "submittedBy", submitted_at AS "submittedAt" FROM monitoring_scores
         WHERE cycle_id = $1 AND ($2::text IS NULL OR point = $2) AND ($3::text IS NULL OR stage = $3)
         ORDER BY point, submitted_at`,
        [cycleId, q.point ?? null, q.stage ?? null],
      );
      return c.json({ cycleId, points: rows }, 200);
    },
  );

  // ---- the risk register ---------------------------------------------------------------------

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/risks',
      tags: ['risks'],
      summary: '登记风险隐患 (register a risk)',
      description:
        "low: handled locally, visible above; medium: on the next supervision checkpoint's agenda; high: supervised from the upper level with a deadline, holding its stage in the cycle.",
      request: {
        body: json(V.riskSchema, {
          jurisdictionId: '440306',
          cycleId: '440306:2026',
          stage: 'decision',
          category: 'petitions',
          level: 'high',
          description: '部分群众因征地补偿问题可能在选举期间聚集',
          measures: ['提前走访化解', '制定应急预案'],
          owner: '街道党工委',
          deadlineWorkingDays: 10,
        }),
      },
      responses: {
        201: {
          description: 'registered',
          content: {
            'application/json': {
              schema: registeredRiskSchema,
            },
          },
        },
        ...errorResponses(400, 401, 403, 404, 422),
      },
    }),
    async (c) => {
      authorize(c, 'risk.register');
      const body = c.req.valid('json');
      await requireInScope(c, s, body.jurisdictionId, `jurisdiction ${body.jurisdictionId}`);
      let policy: Policy = policySchema.parse({});
      if (body.cycleId) {
        if (body.cycleId.slice(0, body.cycleId.lastIndexOf(':')) !== body.jurisdictionId) {
          throw new ApiError(422, 'INCONSISTENT', `cycle ${body.cycleId} is not ${body.jurisdictionId}'s`, [
            { path: 'cycleId', rule: 'a cycle of the same jurisdiction' },
          ]);
        }
        const cycle = await queryOr404(
          s.temporal.workflow.getHandle(cycleWorkflowId(body.cycleId)),
          getStateQuery,
          `cycle ${body.cycleId}`,
        );
        policy = cycle.policy;
      }
      const riskId = `K-${randomBytes(6).toString('hex')}`;
      const deadline =
        body.level === 'high' ? addWorkingDays(policy.calendar, Date.now(), body.deadlineWorkingDays) : null;
      // The row and, for a high risk, its supervision workflow's start in one transaction: a crash
      // after it still leaves a workflow to hold the gate (the worker's starter starts it).
      const start =
        body.level === 'high'
          ? {
              kind: 'risk' as const,
              workflowId: riskWorkflowId(riskId),
              taskQueue: s.taskQueue,
              summary: `高风险督办 ${riskId} · ${V.RISK_CATEGORIES[body.category]} · ${body.stage}`,
              input: {
                riskId,
                jurisdictionId: body.jurisdictionId,
                ...(body.cycleId ? { cycleId: body.cycleId } : {}),
                stage: body.stage,
                deadline,
                calendar: policy.calendar,
                escalateAfterWorkingDays: policy.supervision.escalateAfterWorkingDays,
              },
            }
          : undefined;
      await s.supervision.registerRisk(riskId, body, deadline, actorOf(c), start);
      const workflow = start ? await startRecorded(s.starter, start.workflowId) : undefined;
      return c.json(
        {
          riskId,
          level: body.level,
          deadline: deadline === null ? null : new Date(deadline).toISOString(),
          ...(workflow ? { workflow } : {}),
        },
        201,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/risks/{riskId}/resolve',
      tags: ['risks'],
      summary: '风险化解销号 (resolve a risk)',
      description:
        "A high risk is resolved by the upper level that supervises it (a caller whose scope lies above the risk's jurisdiction).",
      request: {
        headers: idempotencyHeaders,
        params: riskParams,
        body: json(V.resolveRiskSchema, { resolution: '已逐户走访，矛盾化解' }),
      },
      responses: {
        200: { description: 'resolved', content: { 'application/json': { schema: resolvedRiskSchema } } },
        ...errorResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) => {
      authorize(c, 'risk.resolve');
      const { riskId } = c.req.valid('param');
      const { rows } = await s.pool.query('SELECT jurisdiction_id, level, status FROM risks WHERE id = $1', [riskId]);
      const risk = rows[0];
      if (!risk) throw notFound(`risk ${riskId}`);
      await requireInScope(c, s, risk.jurisdiction_id, `risk ${riskId}`);
      const body = c.req.valid('json');
      if (risk.level === 'high') {
        if (c.get('principal').scope === risk.jurisdiction_id) {
          throw new ApiError(403, 'FORBIDDEN', 'a high risk is resolved by the upper level that supervises it', [
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
          ),
          200,
        );
      }
      if (risk.status === 'resolved') throw new ApiError(409, 'CLOSED', `risk ${riskId} is already resolved`);
      const actor = actorOf(c);
      await s.supervision.resolveRisk(riskId, body.resolution, actor.id, Date.now(), {
        key: `risk:${riskId}:resolved`,
        at: Date.now(),
        actor,
        subjectType: 'risk',
        subjectId: riskId,
        cycleId: null,
        jurisdictionId: risk.jurisdiction_id,
        action: 'risk.resolved',
        detail: {},
      });
      return c.json({ riskId, status: 'resolved' as const }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/risks',
      tags: ['risks'],
      summary: '风险隐患台账 (the register for my scope)',
      request: {
        query: z.strictObject({
          scope: z.string().regex(ID.jurisdiction.pattern, ID.jurisdiction.rule).optional(),
          level: z.enum(V.SEVERITIES).optional(),
          status: z.enum(['open', 'resolved']).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(200),
        }),
      },
      responses: {
        200: { description: 'risks', content: { 'application/json': { schema: riskListSchema } } },
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    async (c) => {
      authorize(c, 'risk.read');
      const q = c.req.valid('query');
      const scope = await resolveScope(c, s, q.scope);
      const { rows } = await s.pool.query(
        `SELECT r.id, r.jurisdiction_id AS "jurisdictionId", j.name AS "jurisdictionName", r.cycle_id AS "cycleId", r.stage, r.category, r.level,
              r.description, r.measures, r.owner, r.status, r.deadline, r.overdue_at AS "overdueAt", r.escalated_at AS "escalatedAt",
              r.addressed_at AS "addressedAt", r.resolution, r.created_at AS "createdAt"
       FROM risks r JOIN jurisdictions j ON j.id = r.jurisdiction_id
       WHERE $1 = ANY(j.ancestors) AND ($2::text IS NULL OR r.level = $2) AND ($3::text IS NULL OR r.status = $3)
       ORDER BY r.created_at DESC, r.id LIMIT $4`,
        [scope, q.level ?? null, q.status ?? null, q.limit],
      );
      return c.json({ risks: rows }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/risks/register',
      tags: ['risks'],
      summary: '风险台账汇总 (counts rolled up the tree)',
      request: {
        query: z.strictObject({ scope: z.string().regex(ID.jurisdiction.pattern, ID.jurisdiction.rule).optional() }),
      },
      responses: {
        200: {
          description: 'counts by level and status, measures, by level of jurisdiction',
          content: { 'application/json': { schema: riskRegisterSchema } },
        },
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    async (c) => {
      authorize(c, 'risk.read');
      const q = c.req.valid('query');
      const scope = await resolveScope(c, s, q.scope);
      const { rows } = await s.pool.query(
        `WITH r AS (SELECT r.*, j.level AS jurisdiction_level FROM risks r JOIN jurisdictions j ON j.id = r.jurisdiction_id WHERE $1 = ANY(j.ancestors))
       SELECT count(*)::int AS risks,
              coalesce(sum(jsonb_array_length(measures)), 0)::int AS measures,
              (SELECT coalesce(jsonb_object_agg(k, n), '{}') FROM (SELECT level || '/' || status AS k, count(*)::int n FROM r GROUP BY 1) x) AS "byLevelStatus",
              (SELECT coalesce(jsonb_object_agg(category, n), '{}') FROM (SELECT category, count(*)::int n FROM r GROUP BY 1) x) AS "byCategory",
              (SELECT coalesce(jsonb_object_agg(jurisdiction_level, n), '{}') FROM (SELECT jurisdiction_level, count(*)::int n FROM r GROUP BY 1) x) AS "byJurisdictionLevel",
              count(*) FILTER (WHERE status = 'open' AND escalated_at IS NOT NULL)::int AS escalated
       FROM r`,
        [scope],
      );
      return c.json({ scope, levels: JURISDICTION_LEVELS, ...rows[0] }, 200);
    },
  );
}
