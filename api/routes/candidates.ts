/** A candidate's inspection: read it, close the dossier, or stop the candidate. */
import { createRoute, z } from '@hono/zod-openapi';
import { WorkflowNotFoundError, type UpdateDefinition } from '@temporalio/common';
import type { ZodType } from 'zod';
import { candidateWorkflowId, cycleWorkflowId } from '../../domain/ids.js';
import { getStateQuery } from '../../workflows/cycle.js';
import { ApiError, notFound } from '../errors.js';
import { ID, type Actor } from '../../domain/schemas.js';
import * as I from '../../domain/inspection.js';
import * as W from '../../workflows/candidate.js';
import { allows, type Action } from '../authz.js';
import type { App, Services } from '../context.js';
import { actorOf, authorize, idempotencyKey, requireInScope } from '../guards.js';
import { sendUpdate } from '../updates.js';
import { untilCycleHeard } from '../cycle-heard.js';
import { errorResponses, idempotencyHeaders, json } from '../openapi.js';
import { cycleIdParam } from './cycles.js';
import { candidateStateSchema, personalMattersRecordSchema } from '../schemas/candidates.js';

export const candidateParams = z.object({
  cycleId: cycleIdParam,
  personId: z
    .string()
    .regex(ID.person.pattern, ID.person.rule)
    .openapi({ param: { name: 'personId', in: 'path' }, example: 'p001' }),
});
const candidateSchema = candidateStateSchema;

/** The inspection team's inputs on one candidate, each an Update on the candidate's workflow. */
const CANDIDATE_INPUTS: {
  path: string;
  summary: string;
  description?: string;
  action: Action;
  schema: ZodType;
  update: UpdateDefinition<W.CandidateState, [unknown, Actor]>;
  example: unknown;
  /** Turns the validated body into what the workflow is sent (personal matters: sealed first). */
  prepare?: (
    p: { s: Services; cycleId: string; personId: string; key: string; actor: Actor },
    body: never,
  ) => Promise<unknown>;
}[] = [
  {
    path: 'inspection',
    action: 'candidate.dossier',
    schema: I.inspectionRecordSchema,
    update: W.recordInspectionUpdate,
    summary: '考察记录 (record checklist items: 必谈, 家访, 四德反向测评, 必核)',
    description:
      'Interview counts add up; other parts replace what was recorded before. The candidate state says what is still missing or unclear.',
    example: {
      interviews: { superiors: 2, subordinates: 5 },
      checks: {
        personnelFile: { status: 'clear', note: '档案审核无异常' },
        doubtfulPoints: { status: 'unclear', note: '出生日期前后不一致，待核' },
      },
    },
  },
  {
    path: 'personal-matters',
    action: 'candidate.dossier',
    schema: I.personalMattersSchema,
    update: W.recordPersonalMattersUpdate,
    summary: '个人有关事项核查 (declared vs verified, classified)',
    description:
      "Each discrepancy is classified omission (漏报: criticism and education, continues) or concealment (瞒报: admonishment, stopped), with the rule that decided it. The details (declared, verified, description) are sealed in PostgreSQL before the candidate's workflow hears of the check: it gets only a reference and the classification. GET …/personal-matters opens them for the organization department.",
    example: {
      items: [
        { item: 'realEstate', declared: 1, verified: 2, description: '核实发现另有一处房产未报告' },
        { item: 'spouseAbroad', declared: false, verified: false },
      ],
    },
    prepare: async ({ s, cycleId, personId, key, actor }, body: I.PersonalMattersInput) => {
      const rules = await s.temporal.workflow
        .getHandle(candidateWorkflowId(cycleId, personId))
        .query(W.getPersonalMattersRulesQuery);
      return s.sealedDetails.sealPersonalMatters(cycleId, personId, key, body, rules, actor.id);
    },
  },
  {
    path: 'dossier',
    action: 'candidate.dossier',
    schema: W.dossierSchema,
    update: W.completeDossierUpdate,
    summary: '考察结论 (close the dossier: passed or stopped)',
    description: 'Passed only when nothing is missing or unclear (必清); the refusal lists what is.',
    example: { result: 'passed', concerns: ['群众反映工作作风偏强势，已提醒'] },
  },
  {
    path: 'stop',
    action: 'candidate.stop',
    schema: W.stopSchema,
    update: W.stopCandidateUpdate,
    summary: '终止考察 (stop a candidate)',
    example: { reason: '个人有关事项瞒报', cause: 'violation' },
  },
];

export const requireCandidateInScope = (c: Parameters<typeof authorize>[0], s: Services, cycleId: string) =>
  requireInScope(c, s, cycleId.slice(0, cycleId.lastIndexOf(':')), `cycle ${cycleId}`);

/** What a candidate declared and what verification found are for the organization department only. */
function redactFor(roles: readonly string[], state: W.CandidateState): W.CandidateState {
  if (allows(roles, 'personalMatters.read') || !state.dossier?.personalMatters) return state;
  const { discrepancies: _hidden, ...outcome } = state.dossier.personalMatters;
  return { ...state, dossier: { ...state.dossier, personalMatters: { ...outcome, discrepancies: [] } } };
}

export function registerCandidateRoutes(app: App, s: Services) {
  const inScope = (c: Parameters<typeof authorize>[0], cycleId: string) => requireCandidateInScope(c, s, cycleId);
  const handle = (cycleId: string, personId: string) =>
    s.temporal.workflow.getHandle(candidateWorkflowId(cycleId, personId));
  /** A candidate the cycle has named but whose workflow is still starting is "not ready", not absent. */
  const absent = async (cycleId: string, personId: string): Promise<ApiError> => {
    const cycle = await s.temporal.workflow
      .getHandle(cycleWorkflowId(cycleId))
      .query(getStateQuery)
      .catch(() => undefined);
    const listed = cycle?.candidates.find((c) => c.personId === personId);
    if (listed && !listed.opened)
      return new ApiError(409, 'NOT_READY', `candidate ${personId}'s inspection is opening; retry in a moment`);
    return notFound(`candidate ${personId}`);
  };
  const orAbsent = async <T>(cycleId: string, personId: string, p: Promise<T>): Promise<T> => {
    try {
      return await p;
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) throw await absent(cycleId, personId);
      if (e instanceof WorkflowNotFoundError) throw await absent(cycleId, personId);
      throw e;
    }
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/cycles/{cycleId}/candidates/{personId}',
      tags: ['candidates'],
      summary: "考察对象详情 (a candidate's inspection)",
      request: { params: candidateParams },
      responses: {
        200: { description: 'live state', content: { 'application/json': { schema: candidateSchema } } },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (c) => {
      authorize(c, 'candidate.read');
      const { cycleId, personId } = c.req.valid('param');
      await inScope(c, cycleId);
      const state = await orAbsent(cycleId, personId, handle(cycleId, personId).query(W.getCandidateQuery));
      return c.json(redactFor(c.get('principal').roles, state), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/cycles/{cycleId}/candidates/{personId}/personal-matters',
      tags: ['candidates'],
      summary: '个人有关事项核查记录 (the sealed record, opened)',
      request: { params: candidateParams },
      responses: {
        200: {
          description: 'outcome, consequence, and the compared items',
          content: { 'application/json': { schema: personalMattersRecordSchema } },
        },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (c) => {
      authorize(c, 'personalMatters.read');
      const { cycleId, personId } = c.req.valid('param');
      await inScope(c, cycleId);
      const { rows } = await s.pool.query(
        `SELECT outcome, consequence, details_sealed, checked_by AS "checkedBy", checked_at AS "checkedAt" FROM personal_matters_checks WHERE cycle_id = $1 AND person_id = $2`,
        [cycleId, personId],
      );
      const row = rows[0];
      if (!row) throw notFound(`personal-matters record of ${personId}`);
      const { details_sealed: sealed, ...rest } = row;
      return c.json({ ...rest, ...s.sealer.unseal<Record<string, unknown>>(sealed) }, 200);
    },
  );

  for (const input of CANDIDATE_INPUTS) {
    app.openapi(
      createRoute({
        method: 'post',
        path: `/v1/cycles/{cycleId}/candidates/{personId}/${input.path}`,
        tags: ['candidates'],
        summary: input.summary,
        ...(input.description ? { description: input.description } : {}),
        request: {
          headers: idempotencyHeaders,
          params: candidateParams,
          body: json(input.schema, input.example),
        },
        responses: {
          200: {
            description: "accepted; the candidate's state",
            content: { 'application/json': { schema: candidateSchema } },
          },
          ...errorResponses(400, 401, 403, 404, 409, 422),
        },
      }),
      async (c) => {
        authorize(c, input.action);
        const { cycleId, personId } = c.req.valid('param');
        await inScope(c, cycleId);
        const key = await idempotencyKey(c, s);
        const actor = actorOf(c);
        const sent = (async () => {
          const body = input.prepare
            ? await input.prepare({ s, cycleId, personId, key, actor }, c.req.valid('json') as never)
            : c.req.valid('json');
          return sendUpdate(handle(cycleId, personId), input.update, [body, actor], key, `candidate ${personId}`);
        })();
        const answered = await orAbsent(cycleId, personId, sent);
        await untilCycleHeard(s.temporal, cycleId, answered);
        return c.json(answered, 200);
      },
    );
  }
}
