/**
 * Reports (举报) as OpenAPI definitions: intake from the five channels, the list (举报列表), the
 * ledger (举报台账), one report's record and timeline, re-triage and the finding.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Action } from '../../authz.js';
import { requires } from '../../guards.js';
import type { ZodType } from 'zod';
import * as R from '../../../domain/eager/reports.js';
import { errorResponses, idempotencyHeaders, json } from '../../openapi.js';
import {
  linkedReportSchema,
  registeredReportSchema,
  reportLedgerSchema,
  reportListSchema,
  reportRecordSchema,
  reportStateSchema,
  reportTimelineSchema,
} from '../../schemas/reports.js';
import { reportParams, scopeQuery } from '../params.js';

export const intake = createRoute({
  middleware: requires('report.intake'),
  method: 'post',
  path: '/v1/reports',
  tags: ['reports'],
  summary: '举报登记 (register a report)',
  description:
    "Send an Idempotency-Key to make a retry safe: the same key and body register nothing new (never a duplicate) and answer as the first time. A report whose channel and channelRef are already registered for the same jurisdiction (the target's) is linked to the first one (200, duplicateOf), not doubled, when it names the same target — the same candidate, the same official by name, or the jurisdiction itself (409 otherwise: another target needs its own reference); the same reference in another jurisdiction is a new report.",
  request: {
    headers: idempotencyHeaders,
    body: json(R.intakeSchema, {
      channel: 'phone',
      channelRef: '12380-20260929-0031',
      category: 'voteBuying',
      target: { type: 'candidate', cycleId: '440306:2026', personId: 'p001' },
      text: '反映该同志在民主推荐前宴请部分代表',
      receivedAt: '2026-09-29T10:15:00+08:00',
      reporter: { phone: '13800000000' },
    }),
  },
  responses: {
    201: {
      description: 'registered; triage and deadline follow',
      content: { 'application/json': { schema: registeredReportSchema } },
    },
    200: {
      description: 'a repeat of a registered report, linked to it',
      content: { 'application/json': { schema: linkedReportSchema } },
    },
    ...errorResponses(400, 401, 403, 404, 409, 422),
  },
});

export const list = createRoute({
  middleware: requires('report.read'),
  method: 'get',
  path: '/v1/reports',
  tags: ['reports'],
  summary: '举报列表 (reports in my scope: triage, deadline, result; no sealed field)',
  description:
    "Reports received in the scope's subtree, open ones first by earliest deadline. Never a sealed field (text, reporter, an official's name, the finding's summary) nor the channel's reference.",
  request: {
    query: z.strictObject({
      scope: scopeQuery.optional(),
      status: z.enum(['open', 'all']).default('all'),
      limit: z.coerce.number().int().min(1).max(500).default(100),
    }),
  },
  responses: {
    200: {
      description: 'open reports first, earliest deadline first',
      content: { 'application/json': { schema: reportListSchema } },
    },
    ...errorResponses(400, 401, 403, 404),
  },
});

/**
 * A ledger bound PostgreSQL can hold: years 0001–9999 in UTC. The bound is sent normalized to UTC,
 * so an offset PostgreSQL refuses (beyond ±15:59) never reaches it either.
 */
const ledgerBound = z.iso
  .datetime({ offset: true })
  .refine((v) => {
    const year = new Date(v).getUTCFullYear();
    return year >= 1 && year <= 9999;
  }, 'an instant from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z')
  .optional();

export const ledger = createRoute({
  middleware: requires('report.ledger'),
  method: 'get',
  path: '/v1/reports/ledger',
  tags: ['reports'],
  summary: '举报台账 (the ledger for a scope and a date range)',
  description:
    'Over reports received in [from, to): received, closed, closed on time, still open, overdue now, disciplinary consequences, and counts by finding, channel, category and triage.',
  request: {
    query: z
      .strictObject({
        scope: scopeQuery.optional(),
        from: ledgerBound,
        to: ledgerBound,
      })
      // An empty or backward range is a mistake, not a ledger of zeros.
      .refine((q) => !q.from || !q.to || Date.parse(q.from) < Date.parse(q.to), {
        path: ['to'],
        message: 'after from',
      }),
  },
  responses: {
    200: { description: 'the ledger', content: { 'application/json': { schema: reportLedgerSchema } } },
    ...errorResponses(400, 401, 403, 404),
  },
});

export const getOne = createRoute({
  middleware: requires('report.read'),
  method: 'get',
  path: '/v1/reports/{reportId}',
  tags: ['reports'],
  summary: '举报详情 (one report)',
  description: "Text, reporter, an official target's name and the finding's summary only for intake and investigators.",
  request: { params: reportParams },
  responses: {
    200: {
      description: 'the record and, while open, the live state',
      content: { 'application/json': { schema: reportRecordSchema } },
    },
    ...errorResponses(401, 403, 404),
  },
});

export const timeline = createRoute({
  middleware: requires('report.read'),
  method: 'get',
  path: '/v1/reports/{reportId}/timeline',
  tags: ['reports'],
  summary: "举报办理过程 (one report's timeline)",
  request: { params: reportParams },
  responses: {
    200: { description: 'events in order', content: { 'application/json': { schema: reportTimelineSchema } } },
    ...errorResponses(401, 403, 404),
  },
});

function reportInput<P extends string, S extends ZodType>(
  path: P,
  schema: S,
  doc: { action: Action; summary: string; description?: string; example: unknown },
) {
  return createRoute({
    middleware: requires(doc.action),
    method: 'post',
    path: `/v1/reports/{reportId}/${path}`,
    tags: ['reports'],
    summary: doc.summary,
    ...(doc.description ? { description: doc.description } : {}),
    request: { headers: idempotencyHeaders, params: reportParams, body: json(schema, doc.example) },
    responses: {
      200: {
        description: "accepted; the report's state",
        content: { 'application/json': { schema: reportStateSchema } },
      },
      ...errorResponses(400, 401, 403, 404, 409),
    },
  });
}

export const triage = reportInput('triage', R.triageSchema, {
  action: 'report.triage',
  summary: '举报分办 (re-triage: important, direct check, supervised)',
  example: { kind: 'supervised', unit: '市纪委监委第三审查调查室', reason: '涉及多名干部，立项督办' },
});

export const finding = reportInput('findings', R.findingSchema, {
  action: 'report.finding',
  summary: "查核结论 (the verification unit's finding)",
  description:
    "The summary can name the reporter or the official: it is sealed in PostgreSQL before the report's workflow hears of the finding (it gets only a reference), and GET /v1/reports/{reportId} shows it only to intake and investigators.",
  example: {
    finding: 'partly',
    consequence: 'disqualification',
    summary: '经查，反映的宴请问题部分属实，取消其拟任资格',
  },
});
