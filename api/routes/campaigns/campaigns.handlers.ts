/** What the campaign and ledger routes do. */
import { createHash } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { campaignId as makeCampaignId, campaignWorkflowId } from '../../../domain/campaign.js';
import { beijingDate } from '../../../domain/calendar.js';
import { canonical } from '../../../domain/canonical.js';
import { ErrorType } from '../../../domain/errors.js';
import { policySchema } from '../../../domain/eager/policy.js';
import { JURISDICTION_LEVELS } from '../../../domain/stages.js';
import { SA } from '../../../temporal/search-attributes.js';
import {
  campaignWorkflowType,
  getCampaignQuery,
  type CampaignWorkflow,
} from '../../../workflows/contracts/campaign.js';
import type { AppRouteHandler } from '../../context.js';
import { ApiError, notFound } from '../../errors.js';
import { actorOf, requireCalendarAllowed, requireInScope, resolveScope } from '../../guards.js';
import { queryOr404 } from '../../updates.js';
import type * as routes from './campaigns.routes.js';

export const ledger: AppRouteHandler<typeof routes.ledger> = async (c) => {
  const s = c.var.services;
  const q = c.req.valid('query');
  const scope = await resolveScope(c, s, q.scope);
  const today = beijingDate(Date.now());
  const day = q.date ?? today;
  if (day > today)
    throw new ApiError(422, ErrorType.Inconsistent, `${day} is after today (${today}, Beijing): no figures yet`, [
      { path: 'date', rule: `at most today (${today}, Beijing)` },
    ]);
  // Today is still moving: its figures are computed now even after the evening's snapshot.
  const snapshot = day < today ? await s.read.campaigns.ledgerSnapshot(day, scope) : undefined;
  if (snapshot) return c.json({ scope, day, source: 'snapshot' as const, ...snapshot }, 200);
  const [computed] = await s.ledger.computeLedger(day, scope);
  if (!computed) throw notFound(`jurisdiction ${scope}`);
  return c.json({ scope, day, source: 'computed' as const, own: computed.own, subtree: computed.subtree }, 200);
};

export const start: AppRouteHandler<typeof routes.start> = async (c) => {
  const s = c.var.services;
  const body = c.req.valid('json');
  await requireInScope(c, s, body.rootId, `jurisdiction ${body.rootId}`, 'rootId');
  // A campaign reaches the places at one level under its root: at the root's own level it would start
  // the root's cycle alone, above it nothing (found from outside: both were 201).
  const root = await s.read.jurisdiction(body.rootId);
  if (root && JURISDICTION_LEVELS.indexOf(body.level) <= JURISDICTION_LEVELS.indexOf(root.level))
    throw new ApiError(
      422,
      ErrorType.Inconsistent,
      `level ${body.level} is not below ${body.rootId}'s (${root.level}): a campaign reaches the places under its root`,
      [{ path: 'level', rule: `a level below the root's (${root.level})` }],
    );
  const id = makeCampaignId(body.rootId, body.level, body.term);
  const workflowId = campaignWorkflowId(id);
  const template = { ...body.template, policy: body.template.policy ?? policySchema.parse({}) };
  requireCalendarAllowed(s, template.policy.calendar, 'template.policy.calendar.kind');
  const requestHash = createHash('sha256')
    .update(canonical({ ...body, template }))
    .digest('hex');
  try {
    await s.temporal.workflow.start<CampaignWorkflow>(campaignWorkflowType, {
      workflowId,
      taskQueue: s.taskQueue,
      // A campaign runs once per root, level and term: sent again after it finished, the start answers with
      // what exists (found from outside: the default policy started a second run, which waited for ever on
      // cycles that had ended, and took another body as well).
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      memo: { requestHash },
      args: [
        {
          campaignId: id,
          rootId: body.rootId,
          level: body.level,
          term: body.term,
          window: body.window,
          template,
          startedBy: actorOf(c),
        },
      ],
      staticSummary: `换届部署 ${body.rootId} ${body.level} ${body.term}`,
      typedSearchAttributes: [
        { key: SA.jurisdiction, value: body.rootId },
        { key: SA.level, value: body.level },
        { key: SA.term, value: body.term },
      ],
    });
    return c.json({ campaignId: id, workflowId }, 201);
  } catch (e) {
    if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
    const d = await s.temporal.workflow.getHandle(workflowId).describe();
    if (d.memo?.requestHash !== requestHash)
      throw new ApiError(409, ErrorType.Conflict, `campaign ${id} already exists with a different request`, [
        { path: 'rootId', rule: 'one campaign per root, level and term' },
      ]);
    return c.json({ campaignId: id, workflowId }, 200);
  }
};

export const progress: AppRouteHandler<typeof routes.progress> = async (c) => {
  const s = c.var.services;
  const { campaignId } = c.req.valid('param');
  const [rootId, level, term] = campaignId.split(':') as [string, string, string];
  await requireInScope(c, s, rootId, `campaign ${campaignId}`);
  const live = await queryOr404(
    s.temporal.workflow.getHandle(campaignWorkflowId(campaignId)),
    getCampaignQuery,
    `campaign ${campaignId}`,
  );
  // How the campaign keeps its own books (visitsKept) is not part of its progress.
  const { visitsKept: _visitsKept, ...shown } = live;
  return c.json(
    { ...shown, alreadyStarted: live.alreadyStarted ?? 0, ...(await s.read.campaigns.progress(rootId, level, term)) },
    200,
  );
};
