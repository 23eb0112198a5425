/**
 * Reports (举报): intake from the five channels, triage, findings, one report's record, and the
 * ledger (举报台账) that answers "how many, how fast, with what result" for a scope and a date range.
 * The reporter's identity and the text are sealed at intake and shown only to intake and investigators.
 */
import { randomBytes } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import { cycleWorkflowId, reportWorkflowId } from '../../domain/ids.js';
import { policySchema } from '../../domain/policy.js';
import * as R from '../../domain/reports.js';
import { ID, type Actor } from '../../domain/schemas.js';
import { getStateQuery } from '../../workflows/cycle.js';
import { getReportQuery, submitFindingUpdate, triageReportUpdate, type ReportInput } from '../../workflows/report.js';
import { allows } from '../authz.js';
import type { App, Services } from '../context.js';
import { ApiError, notFound } from '../errors.js';
import { actorOf, authorize, idempotencyKey, requireInScope, resolveScope } from '../guards.js';
import { errorResponses, idempotencyHeaders, json } from '../openapi.js';
import { queryOr404, sendUpdate, startRecorded } from '../updates.js';
import {
  linkedReportSchema,
  registeredReportSchema,
  reportLedgerSchema,
  reportRecordSchema,
  reportStateSchema,
  reportTimelineSchema,
} from '../schemas/reports.js';

const reportParams = z.object({
  reportId: z
    .string()
    .regex(/^R-[0-9a-f]{16}$/, 'a report id like R-0123456789abcdef')
    .openapi({ param: { name: 'reportId', in: 'path' }, example: 'R-5f2c9a1b3d4e6f70' }),
});

export function registerReportRoutes(app: App, s: Services) {
  const reportRow = async (c: Parameters<typeof authorize>[0], reportId: string) => {
    const { rows } = await s.pool.query('SELECT * FROM reports WHERE id = $1', [reportId]);
    const row = rows[0];
    if (!row) throw notFound(`report ${reportId}`);
    await requireInScope(c, s, row.jurisdiction_id, `report ${reportId}`);
    return row;
  };

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/reports',
      tags: ['reports'],
      summary: '举报登记 (register a report)',
      description:
        'A report with a channelRef already registered is linked to the first one (200, duplicateOf), not doubled.',
      request: {
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
          content: {
            'application/json': { schema: linkedReportSchema },
          },
        },
        ...errorResponses(400, 401, 403, 404, 422),
      },
    }),
    async (c) => {
      authorize(c, 'report.intake');
      const body = c.req.valid('json');
      const target = body.target;
      const jurisdictionId =
        target.type === 'candidate' ? target.cycleId.slice(0, target.cycleId.lastIndexOf(':')) : target.jurisdictionId;
      await requireInScope(
        c,
        s,
        jurisdictionId,
        target.type === 'candidate' ? `cycle ${target.cycleId}` : `jurisdiction ${jurisdictionId}`,
      );
      // A report on a candidate runs on that cycle's policy and calendar; others on the defaults.
      let policy: ReportInput['policy'] = policySchema.parse({});
      if (target.type === 'candidate') {
        const cycle = await queryOr404(
          s.temporal.workflow.getHandle(cycleWorkflowId(target.cycleId)),
          getStateQuery,
          `cycle ${target.cycleId}`,
        );
        if (
          !cycle.candidates.some((p) => p.personId === target.personId) &&
          !cycle.nominees.some((p) => p.personId === target.personId)
        ) {
          throw new ApiError(
            422,
            'INCONSISTENT',
            `${target.personId} is not a candidate or nominee of cycle ${target.cycleId}`,
            [{ path: 'target.personId', rule: 'a candidate or nominee of the cycle' }],
          );
        }
        policy = { reportDeadlines: cycle.policy.reportDeadlines, calendar: cycle.policy.calendar };
      }
      const reportId = `R-${randomBytes(8).toString('hex')}`;
      const input: ReportInput = {
        reportId,
        jurisdictionId,
        category: body.category,
        channel: body.channel,
        receivedAt: Date.parse(body.receivedAt),
        policy,
        target: target.type === 'candidate' ? target : { type: target.type, jurisdictionId },
        registeredBy: actorOf(c),
      };
      // The row and its workflow's start in one transaction: a crash after it loses nothing.
      const registered = await s.reports.registerReport(reportId, body, jurisdictionId, actorOf(c), {
        kind: 'report',
        workflowId: reportWorkflowId(reportId),
        taskQueue: s.taskQueue,
        summary: `举报 ${reportId} · ${R.CATEGORIES[body.category]} · ${R.CHANNELS[body.channel]}`,
        input,
      });
      // A repeat starts the FIRST report's recorded workflow if that never happened (it was the
      // first intake that crashed): the link then has a workflow behind it.
      const workflow = await startRecorded(s.starter, reportWorkflowId(registered.reportId));
      if (registered.duplicateOf)
        return c.json({ reportId: registered.reportId, duplicateOf: registered.duplicateOf, workflow }, 200);
      return c.json({ reportId: registered.reportId, workflow }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/reports/ledger',
      tags: ['reports'],
      summary: '举报台账 (the ledger for a scope and a date range)',
      description:
        'Over reports received in [from, to): received, closed, closed on time, still open, overdue now, disciplinary consequences, and counts by finding, channel, category and triage.',
      request: {
        query: z.strictObject({
          scope: z.string().regex(ID.jurisdiction.pattern, ID.jurisdiction.rule).optional(),
          from: z.iso.datetime({ offset: true }).optional(),
          to: z.iso.datetime({ offset: true }).optional(),
        }),
      },
      responses: {
        200: { description: 'the ledger', content: { 'application/json': { schema: reportLedgerSchema } } },
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    async (c) => {
      authorize(c, 'report.ledger');
      const q = c.req.valid('query');
      const scope = await resolveScope(c, s, q.scope);
      const { rows } = await s.pool.query(
        `WITH r AS (
         SELECT r.* FROM reports r JOIN jurisdictions j ON j.id = r.jurisdiction_id
         WHERE $1 = ANY(j.ancestors) AND r.received_at >= COALESCE($2::timestamptz, '-infinity') AND r.received_at < COALESCE($3::timestamptz, 'infinity'))
       SELECT count(*)::int AS received,
              count(*) FILTER (WHERE status = 'closed')::int AS closed,
              count(*) FILTER (WHERE closed_on_time)::int AS "closedOnTime",
              count(*) FILTER (WHERE status <> 'closed')::int AS open,
              count(*) FILTER (WHERE status <> 'closed' AND deadline < now())::int AS "overdueNow",
              count(*) FILTER (WHERE escalated_at IS NOT NULL)::int AS escalated,
              count(*) FILTER (WHERE consequence = ANY($4))::int AS disciplinary,
              coalesce(sum(duplicates), 0)::int AS "linkedDuplicates",
              (SELECT coalesce(jsonb_object_agg(finding, n), '{}') FROM (SELECT finding, count(*)::int n FROM r WHERE finding IS NOT NULL GROUP BY finding) x) AS "byFinding",
              (SELECT coalesce(jsonb_object_agg(channel, n), '{}') FROM (SELECT channel, count(*)::int n FROM r GROUP BY channel) x) AS "byChannel",
              (SELECT coalesce(jsonb_object_agg(category, n), '{}') FROM (SELECT category, count(*)::int n FROM r GROUP BY category) x) AS "byCategory",
              (SELECT coalesce(jsonb_object_agg(triage, n), '{}') FROM (SELECT triage, count(*)::int n FROM r WHERE triage IS NOT NULL GROUP BY triage) x) AS "byTriage",
              (SELECT coalesce(jsonb_object_agg(consequence, n), '{}') FROM (SELECT consequence, count(*)::int n FROM r WHERE consequence IS NOT NULL GROUP BY consequence) x) AS "byConsequence"
       FROM r`,
        [scope, q.from ?? null, q.to ?? null, R.DISCIPLINARY],
      );
      return c.json({ scope, from: q.from ?? null, to: q.to ?? null, ...rows[0] }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/reports/{reportId}',
      tags: ['reports'],
      summary: '举报详情 (one report)',
      description:
        "Text, reporter, an official target's name and the finding's summary only for intake and investigators.",
      request: { params: reportParams },
      responses: {
        200: {
          description: 'the record and, while open, the live state',
          content: { 'application/json': { schema: reportRecordSchema } },
        },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (c) => {
      authorize(c, 'report.read');
      const { reportId } = c.req.valid('param');
      const row = await reportRow(c, reportId);
      const live = await s.temporal.workflow
        .getHandle(reportWorkflowId(reportId))
        .query(getReportQuery)
        .catch(() => undefined);
      const sensitive = allows(c.get('principal').roles, 'report.readSensitive');
      const {
        text_sealed: text,
        reporter_sealed: reporter,
        target_sealed: targetName,
        summary: legacySummary,
        summary_sealed: summary,
        ...record
      } = row;
      return c.json(
        {
          ...record,
          live,
          ...(sensitive
            ? {
                text: s.sealer.unseal(text),
                reporter: reporter ? s.sealer.unseal(reporter) : null,
                ...(targetName ? { target: s.sealer.unseal(targetName) } : {}),
                // Findings closed before summaries were sealed keep theirs in the clear column.
                summary: summary ? s.sealer.unseal(summary) : (legacySummary ?? null),
              }
            : {}),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/reports/{reportId}/timeline',
      tags: ['reports'],
      summary: "举报办理过程 (one report's timeline)",
      request: { params: reportParams },
      responses: {
        200: {
          description: 'events in order',
          content: { 'application/json': { schema: reportTimelineSchema } },
        },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (c) => {
      authorize(c, 'report.read');
      const { reportId } = c.req.valid('param');
      await reportRow(c, reportId);
      const { rows } = await s.pool.query(
        `SELECT id::text, at, actor, role, action, detail FROM audit_events WHERE subject_type = 'report' AND subject_id = $1 ORDER BY audit_events.at, audit_events.id`,
        [reportId],
      );
      return c.json({ events: rows }, 200);
    },
  );

  const reportUpdate = (
    path: string,
    summary: string,
    action: 'report.triage' | 'report.finding',
    schema: typeof R.triageSchema | typeof R.findingSchema,
    example: unknown,
    update: typeof triageReportUpdate | typeof submitFindingUpdate,
    /** Turns the validated body into what the workflow is sent (a finding: its summary sealed first). */
    prepare: (body: never, reportId: string, key: string, actor: Actor) => Promise<unknown> = async (b) => b,
    description?: string,
  ) => {
    app.openapi(
      createRoute({
        method: 'post',
        path: `/v1/reports/{reportId}/${path}`,
        tags: ['reports'],
        summary,
        ...(description ? { description } : {}),
        request: {
          headers: idempotencyHeaders,
          params: reportParams,
          body: json(schema, example),
        },
        responses: {
          200: {
            description: "accepted; the report's state",
            content: { 'application/json': { schema: reportStateSchema } },
          },
          ...errorResponses(400, 401, 403, 404, 409),
        },
      }),
      async (c) => {
        authorize(c, action);
        const { reportId } = c.req.valid('param');
        await reportRow(c, reportId);
        const handle = s.temporal.workflow.getHandle(reportWorkflowId(reportId));
        const key = await idempotencyKey(c, s);
        const actor = actorOf(c);
        const body = await prepare(c.req.valid('json') as never, reportId, key, actor);
        return c.json(
          await sendUpdate(
            handle,
            update as typeof submitFindingUpdate,
            [body as never, actor],
            key,
            `report ${reportId}`,
          ),
          200,
        );
      },
    );
  };
  reportUpdate(
    'triage',
    '举报分办 (re-triage: important, direct check, supervised)',
    'report.triage',
    R.triageSchema,
    { kind: 'supervised', unit: '市纪委监委第三审查调查室', reason: '涉及多名干部，立项督办' },
    triageReportUpdate,
  );
  reportUpdate(
    'findings',
    "查核结论 (the verification unit's finding)",
    'report.finding',
    R.findingSchema,
    { finding: 'partly', consequence: 'disqualification', summary: '经查，反映的宴请问题部分属实，取消其拟任资格' },
    submitFindingUpdate,
    async (f: R.FindingInput, reportId, key, actor) => {
      const { summary, ...rest } = f;
      return { ...rest, summaryRef: await s.sealedDetails.sealFindingSummary(reportId, key, summary, actor.id) };
    },
    "The summary can name the reporter or the official: it is sealed in PostgreSQL before the report's workflow hears of the finding (it gets only a reference), and GET /v1/reports/{reportId} shows it only to intake and investigators.",
  );
}
