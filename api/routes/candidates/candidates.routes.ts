/**
 * A candidate's inspection as OpenAPI definitions: read it, the personal-matters record, and the
 * inspection team's inputs (each an Update on the candidate's workflow).
 */
import { createRoute } from '@hono/zod-openapi';
import type { Action } from '../../authz.js';
import { requires } from '../../guards.js';
import type { ZodType } from 'zod';
import * as I from '../../../domain/eager/inspection.js';
import { dossierSchema, stopSchema } from '../../../domain/eager/inspection.js';
import { errorResponses, idempotencyHeaders, json } from '../../openapi.js';
import { candidateStateSchema, personalMattersRecordSchema } from '../../schemas/candidates.js';
import { candidateParams } from '../params.js';

export const getOne = createRoute({
  middleware: requires('candidate.read'),
  method: 'get',
  path: '/v1/cycles/{cycleId}/candidates/{personId}',
  tags: ['candidates'],
  summary: "考察对象详情 (a candidate's inspection)",
  request: { params: candidateParams },
  responses: {
    200: { description: 'live state', content: { 'application/json': { schema: candidateStateSchema } } },
    ...errorResponses(401, 403, 404),
  },
});

export const personalMattersRecord = createRoute({
  middleware: requires('personalMatters.read'),
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
});

/** An inspection-team input: POST …/candidates/{personId}/<path>, answering the candidate's state. */
function candidateInput<P extends string, S extends ZodType>(
  path: P,
  schema: S,
  doc: { action: Action; summary: string; description?: string; example: unknown },
) {
  return createRoute({
    middleware: requires(doc.action),
    method: 'post',
    path: `/v1/cycles/{cycleId}/candidates/{personId}/${path}`,
    tags: ['candidates'],
    summary: doc.summary,
    ...(doc.description ? { description: doc.description } : {}),
    request: { headers: idempotencyHeaders, params: candidateParams, body: json(schema, doc.example) },
    responses: {
      200: {
        description: "accepted; the candidate's state",
        content: { 'application/json': { schema: candidateStateSchema } },
      },
      ...errorResponses(400, 401, 403, 404, 409, 422),
    },
  });
}

export const inspection = candidateInput('inspection', I.inspectionRecordSchema, {
  action: 'candidate.dossier',
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
});

export const personalMatters = candidateInput('personal-matters', I.personalMattersSchema, {
  action: 'candidate.dossier',
  summary: '个人有关事项核查 (declared vs verified, classified)',
  description:
    "Every matter the candidate's policy counts as critical (criticalItems) is compared, as true/false or a count. Each discrepancy is classified omission (漏报: criticism and education, continues) or concealment (瞒报: admonishment, stopped), with the rule that decided it. The details (declared, verified, description) are sealed in PostgreSQL before the candidate's workflow hears of the check: it gets only a reference and the classification. GET …/personal-matters opens them for the organization department.",
  example: {
    items: [
      { item: 'realEstate', declared: 1, verified: 2, description: '核实发现另有一处房产未报告' },
      { item: 'spouseAbroad', declared: false, verified: false },
      { item: 'childrenAbroad', declared: false, verified: false },
      { item: 'business', declared: false, verified: false },
    ],
  },
});

export const dossier = candidateInput('dossier', dossierSchema, {
  action: 'candidate.dossier',
  summary: '考察结论 (close the dossier: passed or stopped)',
  description: 'Passed only when nothing is missing or unclear (必清); the refusal lists what is.',
  example: { result: 'passed', concerns: ['群众反映工作作风偏强势，已提醒'] },
});

export const stop = candidateInput('stop', stopSchema, {
  action: 'candidate.stop',
  summary: '终止考察 (stop a candidate)',
  example: { reason: '个人有关事项瞒报', cause: 'violation' },
});
