/**
 * Conduct supervision of a cycle (checkpoints, rectifications, monitoring points) and the risk
 * register with its roll-up up the tree, as OpenAPI definitions.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Action } from '../../authz.js';
import { requires } from '../../guards.js';
import type { ZodType } from 'zod';
import * as V from '../../../domain/eager/supervision.js';
import { STAGES } from '../../../domain/stages.js';
import { errorResponses, idempotencyHeaders, json } from '../../openapi.js';
import {
  monitoringPointsSchema,
  registeredRiskSchema,
  resolvedRiskSchema,
  riskListSchema,
  riskRegisterSchema,
  supervisionStateSchema,
} from '../../schemas/supervision.js';
import { cycleIdParam, cycleParams, riskParams, scopeQuery } from '../params.js';

const phaseParams = z.object({
  cycleId: cycleIdParam,
  phase: z
    .enum(Object.keys(V.PHASES) as [V.Phase, ...V.Phase[]])
    .openapi({ param: { name: 'phase', in: 'path' }, example: 'inspection' }),
});

export const getState = createRoute({
  middleware: requires('supervision.read'),
  method: 'get',
  path: '/v1/cycles/{cycleId}/supervision',
  tags: ['supervision'],
  summary: "换届风气监督 (a cycle's checkpoints, findings and monitoring)",
  request: { params: cycleParams },
  responses: {
    200: {
      description: "the supervision workflow's state as it last wrote it to PostgreSQL (no wait on Temporal)",
      content: { 'application/json': { schema: supervisionStateSchema } },
    },
    ...errorResponses(401, 403, 404, 503),
  },
});

export const checkpoint = createRoute({
  middleware: requires('supervision.file'),
  method: 'post',
  path: '/v1/cycles/{cycleId}/supervision/checkpoints/{phase}',
  tags: ['supervision'],
  summary: '督查报告 (file a checkpoint: 五查 and findings)',
  description:
    "Filed once, by a supervision team of the level directly above the cycle's jurisdiction (the city's teams for a district's cycle, the district's for its 街道'; a root's cycle by its own level): from any other level, 403 naming `scope`. Every medium risk on the checkpoint's agenda needs an answer; a high-severity finding needs a rectification and holds the cycle's gate until accepted.",
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
});

/** An input of the supervision team on a cycle: POST …/supervision/<path>, answering its state. */
function teamInput<P extends string, S extends ZodType>(
  path: P,
  schema: S,
  doc: { action: Action; summary: string; description?: string; example: unknown },
) {
  return createRoute({
    middleware: requires(doc.action),
    method: 'post',
    path: `/v1/cycles/{cycleId}/supervision/${path}`,
    tags: ['supervision'],
    summary: doc.summary,
    ...(doc.description ? { description: doc.description } : {}),
    request: { headers: idempotencyHeaders, params: cycleParams, body: json(schema, doc.example) },
    responses: {
      200: {
        description: 'accepted; the supervision state',
        content: { 'application/json': { schema: supervisionStateSchema } },
      },
      ...errorResponses(400, 401, 403, 404, 409),
    },
  });
}

export const rectification = teamInput('rectifications', V.acceptRectificationSchema, {
  action: 'supervision.file',
  summary: '整改验收 (accept a rectification)',
  description:
    'From the level that filed the finding (its `raisedIn`) or above: 409 naming `findingId` from a level below it.',
  example: { findingId: '440306:2026/inspection/F1', note: '已约谈相关人员并通报' },
});

export const monitoring = teamInput('monitoring', V.monitoringSchema, {
  action: 'supervision.file',
  summary: "百点监测 (a monitoring point's four scores)",
  example: { point: '三厂街道监测点', scores: { selection: 96, correction: 94, discipline: 98, conduct: 97 } },
});

export const monitoringPoints = createRoute({
  middleware: requires('supervision.read'),
  method: 'get',
  path: '/v1/cycles/{cycleId}/supervision/monitoring',
  tags: ['supervision'],
  summary: "百点监测 (each monitoring point's own scores)",
  description:
    "Each point's four scores as it last filed them, per stage, from the record: the supervision state shows only averages by stage. Filter by `point` or `stage`.",
  request: {
    params: cycleParams,
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
});

// ---- the risk register ---------------------------------------------------------------------

export const registerRisk = createRoute({
  middleware: requires('risk.register'),
  method: 'post',
  path: '/v1/risks',
  tags: ['risks'],
  summary: '登记风险隐患 (register a risk)',
  description:
    "Send an Idempotency-Key to make a retry safe: the same key and body register one risk and answer as the first time. low: handled locally, visible above; medium: on the next supervision checkpoint's agenda; high: supervised from the upper level with a deadline, holding its stage in the cycle (refused at the root, which has no level above: 422 naming level).",
  request: {
    headers: idempotencyHeaders,
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
    201: { description: 'registered', content: { 'application/json': { schema: registeredRiskSchema } } },
    ...errorResponses(400, 401, 403, 404, 422),
  },
});

export const resolveRisk = createRoute({
  middleware: requires('risk.resolve'),
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
});

export const listRisks = createRoute({
  middleware: requires('risk.read'),
  method: 'get',
  path: '/v1/risks',
  tags: ['risks'],
  summary: '风险隐患台账 (the register for my scope)',
  request: {
    query: z.strictObject({
      scope: scopeQuery.optional(),
      level: z.enum(V.SEVERITIES).optional(),
      status: z.enum(['open', 'resolved']).optional(),
      limit: z.coerce.number().int().min(1).max(1000).default(200),
    }),
  },
  responses: {
    200: { description: 'risks', content: { 'application/json': { schema: riskListSchema } } },
    ...errorResponses(400, 401, 403, 404),
  },
});

export const riskRegister = createRoute({
  middleware: requires('risk.read'),
  method: 'get',
  path: '/v1/risks/register',
  tags: ['risks'],
  summary: '风险台账汇总 (counts rolled up the tree)',
  request: { query: z.strictObject({ scope: scopeQuery.optional() }) },
  responses: {
    200: {
      description: 'counts by level and status, measures, by level of jurisdiction',
      content: { 'application/json': { schema: riskRegisterSchema } },
    },
    ...errorResponses(400, 401, 403, 404),
  },
});
