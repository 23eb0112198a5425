/** What the report routes do. The reporter, the text and a named official are sealed at intake. */
import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import { reportWorkflowId } from '../../../domain/ids.js';
import { policySchema } from '../../../domain/eager/policy.js';
import * as R from '../../../domain/reports.js';
import { ErrorType } from '../../../domain/errors.js';
import {
  getReportQuery,
  submitFindingUpdate,
  triageReportUpdate,
  type ReportInput,
} from '../../../workflows/contracts/report.js';
import { allows } from '../../authz.js';
import type { AppRouteHandler, Env, Services } from '../../context.js';
import { ApiError, notFound } from '../../errors.js';
import { actorOf, cycleJurisdiction, idempotencyKey, requireInScope, resolveScope } from '../../guards.js';
import { ASK_WORKFLOW_MS, askBriefly, readState } from '../../cycle-state.js';
import { inputTaken } from '../../request-clock.js';
import { sendUpdate, startRecorded } from '../../updates.js';
import { holdOnCycle, type HoldAnswer } from '../../holds.js';
import { holdsNoCycle } from '../../../workflows/contracts/hold.js';
import type * as routes from './reports.routes.js';

/** The report's row; a report outside the caller's scope is absent. */
async function reportRow(c: Context<Env>, s: Services, reportId: string) {
  const row = await s.read.reports.byId(reportId);
  if (!row) throw notFound(`report ${reportId}`);
  await requireInScope(c, s, row.jurisdiction_id, `report ${reportId}`);
  return row;
}

export const intake: AppRouteHandler<typeof routes.intake> = async (c) => {
  const s = c.var.services;
  const body = c.req.valid('json');
  const receivedAtRule = R.receivedAtProblem(Date.parse(body.receivedAt), Date.now());
  if (receivedAtRule)
    throw new ApiError(400, ErrorType.Validation, `invalid body: receivedAt: ${receivedAtRule}`, [
      { path: 'receivedAt', rule: receivedAtRule },
    ]);
  const target = body.target;
  const jurisdictionId = target.type === 'candidate' ? cycleJurisdiction(target.cycleId) : target.jurisdictionId;
  await requireInScope(
    c,
    s,
    jurisdictionId,
    target.type === 'candidate' ? `cycle ${target.cycleId}` : `jurisdiction ${jurisdictionId}`,
    target.type === 'candidate' ? 'target.cycleId' : 'target.jurisdictionId',
  );
  // A report on a candidate runs on that cycle's policy and calendar; others on the defaults.
  let policy: ReportInput['policy'] = policySchema.parse({});
  if (target.type === 'candidate') {
    const cycle = await readState(s, target.cycleId).catch((e: unknown) => {
      // A cycle id in the body that names no cycle: the field says so, not the URL.
      throw e instanceof ApiError && e.status === 404 ? notFound(`cycle ${target.cycleId}`, 'target.cycleId') : e;
    });
    if (
      !cycle.candidates.some((p) => p.personId === target.personId) &&
      !cycle.nominees.some((p) => p.personId === target.personId)
    ) {
      throw new ApiError(
        422,
        ErrorType.Inconsistent,
        `${target.personId} is not a candidate or nominee of cycle ${target.cycleId}`,
        [{ path: 'target.personId', rule: 'a candidate or nominee of the cycle' }],
      );
    }
    policy = { reportDeadlines: cycle.policy.reportDeadlines, calendar: cycle.policy.calendar };
  }
  // The id comes from the Idempotency-Key's binding (this caller, this path; a random one without
  // a key): a retry — even a dozen at once — carries the same id, so registerReport answers it as
  // the first time instead of linking it to its own report as a duplicate.
  const key = await idempotencyKey(c, s);
  const reportId = `R-${createHash('sha256').update(`report:${key}`).digest('hex').slice(0, 16)}`;
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
  // Registered: whatever fails from here, the answer says so (api/request-clock.ts).
  inputTaken();
  // A repeat starts the FIRST report's recorded workflow if that never happened (it was the
  // first intake that crashed): the link then has a workflow behind it.
  const workflow = await startRecorded(s.starter, reportWorkflowId(registered.reportId));
  // A report on a candidate answers once the person is held (api/holds.ts).
  const hold: HoldAnswer =
    target.type === 'candidate'
      ? await holdOnCycle(s, reportWorkflowId(registered.reportId), target.cycleId, workflow)
      : { state: 'none', why: holdsNoCycle(target.type) };
  if (registered.duplicateOf)
    return c.json({ reportId: registered.reportId, duplicateOf: registered.duplicateOf, workflow, hold }, 200);
  return c.json({ reportId: registered.reportId, workflow, hold }, 201);
};

export const list: AppRouteHandler<typeof routes.list> = async (c) => {
  const s = c.var.services;
  const q = c.req.valid('query');
  const scope = await resolveScope(c, s, q.scope);
  return c.json({ reports: await s.read.reports.list(scope, q.status, q.limit) }, 200);
};

export const ledger: AppRouteHandler<typeof routes.ledger> = async (c) => {
  const s = c.var.services;
  const q = c.req.valid('query');
  const scope = await resolveScope(c, s, q.scope);
  // Sent normalized to UTC, so an offset PostgreSQL refuses (beyond ±15:59) never reaches it.
  const utc = (v: string | undefined) => (v === undefined ? null : new Date(v).toISOString());
  const figures = await s.read.reports.ledger(scope, utc(q.from), utc(q.to));
  return c.json({ scope, from: q.from ?? null, to: q.to ?? null, ...figures }, 200);
};

export const getOne: AppRouteHandler<typeof routes.getOne> = async (c) => {
  const s = c.var.services;
  const { reportId } = c.req.valid('param');
  // The workflow's state from its projection in Postgres (no replay), read beside the record and its
  // scope check and used only once that has passed; asked of the workflow only when there is none to
  // trust (a report from before projections, or one that lost a write).
  const [row, projected] = await Promise.all([reportRow(c, s, reportId), s.read.reports.live(reportId)]);
  let live = projected && !projected.stale ? projected.state : undefined;
  if (!live) {
    s.readFromWorkflow('report', projected);
    live = await askBriefly(s, ASK_WORKFLOW_MS, `report ${reportId}`, () =>
      s.temporal.workflow.getHandle(reportWorkflowId(reportId)).query(getReportQuery),
    ).catch(() => undefined);
  }
  const sensitive = allows(c.get('principal').roles, 'report.readSensitive');
  const {
    text_sealed: text,
    reporter_sealed: reporter,
    target_sealed: targetName,
    summary: legacySummary,
    summary_sealed: summary,
    channel_ref: channelRef,
    ...record
  } = row;
  return c.json(
    {
      ...record,
      live,
      ...(sensitive
        ? {
            // The channel's reference (a hotline ticket, a letter's number) ties a report to its source.
            channel_ref: channelRef,
            text: s.sealer.unseal<string>(text),
            reporter: reporter ? s.sealer.unseal<NonNullable<R.IntakeInput['reporter']>>(reporter) : null,
            ...(targetName ? { target: s.sealer.unseal<{ name: string }>(targetName) } : {}),
            // Findings closed before summaries were sealed keep theirs in the clear column.
            summary: summary ? s.sealer.unseal<string>(summary) : (legacySummary ?? null),
          }
        : {}),
    },
    200,
  );
};

export const timeline: AppRouteHandler<typeof routes.timeline> = async (c) => {
  const s = c.var.services;
  const { reportId } = c.req.valid('param');
  await reportRow(c, s, reportId);
  return c.json({ events: await s.read.reports.timeline(reportId) }, 200);
};

export const triage: AppRouteHandler<typeof routes.triage> = async (c) => {
  const s = c.var.services;
  const { reportId } = c.req.valid('param');
  await reportRow(c, s, reportId);
  const handle = s.temporal.workflow.getHandle(reportWorkflowId(reportId));
  const key = await idempotencyKey(c, s);
  return c.json(
    await sendUpdate(handle, triageReportUpdate, [c.req.valid('json'), actorOf(c)], key, `report ${reportId}`, s.pool),
    200,
  );
};

/** The finding's summary is sealed first: the workflow is sent only a reference to it. */
export const finding: AppRouteHandler<typeof routes.finding> = async (c) => {
  const s = c.var.services;
  const { reportId } = c.req.valid('param');
  await reportRow(c, s, reportId);
  const handle = s.temporal.workflow.getHandle(reportWorkflowId(reportId));
  const key = await idempotencyKey(c, s);
  const actor = actorOf(c);
  const { summary, ...rest } = c.req.valid('json');
  const message = { ...rest, summaryRef: await s.sealedDetails.sealFindingSummary(reportId, key, summary, actor.id) };
  return c.json(
    await sendUpdate(handle, submitFindingUpdate, [message, actor], key, `report ${reportId}`, s.pool),
    200,
  );
};
