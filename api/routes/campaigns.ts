/** Campaigns (换届部署): launch every cycle of one level under a root, and watch their progress. */
import { createHash } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { campaignId as makeCampaignId, campaignWorkflowId, startCampaignSchema } from '../../domain/campaign.js';
import { beijingDate } from '../../domain/calendar.js';
import { canonical } from '../../domain/canonical.js';
import { ErrorType } from '../../domain/errors.js';
import { ID } from '../../domain/schemas.js';
import { policySchema } from '../../domain/policy.js';
import { SA } from '../../domain/search-attributes.js';
import { JURISDICTION_LEVELS } from '../../domain/stages.js';
import { campaignWorkflow, getCampaignQuery } from '../../workflows/campaign.js';
import type { App, Services } from '../context.js';
import { ApiError, notFound } from '../errors.js';
import { actorOf, authorize, requireInScope, resolveScope } from '../guards.js';
import { errorResponses, json } from '../openapi.js';
import { queryOr404 } from '../updates.js';
import { campaignProgressSchema, dailyLedgerSchema, startedCampaignSchema } from '../schemas/campaigns.js';

const campaignParams = z.object({
  campaignId: z
    .string()
    .regex(
      new RegExp(`^[A-Za-z0-9_-]{1,40}:(${JURISDICTION_LEVELS.join('|')}):\\d{4}$`),
      'a campaign id <rootId>:<level>:<term>',
    )
    .openapi({ param: { name: 'campaignId', in: 'path' }, example: '440300:township:2026' }),
});

export function registerCampaignRoutes(app: App, s: Services) {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/ledger',
      tags: ['campaigns'],
      summary: '换届进度台账 (the daily ledger for a scope and a day)',
      description:
        "Counts and percentages for the scope itself and its whole subtree: integrity opinions back (of the candidates the discipline commission reviews), joint-review tasks by department (opened, answered, chased, escalated — every configured department alike), lists below their 差额 ratio with a recorded reason (`belowRatio`), personal-matters checks, files reviewed, reports closed, cycles by stage. A past day answers from its snapshot; a day without one is computed from the record as of that day's end.",
      request: {
        query: z.strictObject({
          scope: z.string().regex(ID.jurisdiction.pattern, ID.jurisdiction.rule).optional(),
          date: z.iso.date('a real calendar date YYYY-MM-DD (Beijing)').optional().openapi({
            description:
              'default: today (Beijing). Today answers live figures computed now; a past day its snapshot (or the record as of its end); a day after today is 422 (there are no figures for it yet).',
          }),
        }),
      },
      responses: {
        200: { description: 'the ledger', content: { 'application/json': { schema: dailyLedgerSchema } } },
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    async (c) => {
      authorize(c, 'ledger.read');
      const q = c.req.valid('query');
      const scope = await resolveScope(c, s, q.scope);
      const today = beijingDate(Date.now());
      const day = q.date ?? today;
      if (day > today)
        throw new ApiError(422, ErrorType.Inconsistent, `${day} is after today (${today}, Beijing): no figures yet`, [
          { path: 'date', rule: `at most today (${today}, Beijing)` },
        ]);
      // Today is still moving: its figures are computed now even after the evening's snapshot.
      const { rows } =
        day < today
          ? await s.pool.query(
              'SELECT own, subtree, computed_at AS "computedAt" FROM ledger_snapshots WHERE day = $1 AND jurisdiction_id = $2',
              [day, scope],
            )
          : { rows: [] };
      if (rows[0]) return c.json({ scope, day, source: 'snapshot', ...rows[0] }, 200);
      const [computed] = await s.ledger.computeLedger(day, scope);
      if (!computed) throw notFound(`jurisdiction ${scope}`);
      return c.json({ scope, day, source: 'computed', own: computed.own, subtree: computed.subtree }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/campaigns',
      tags: ['campaigns'],
      summary: '换届部署 (launch the cycles of every jurisdiction of a level under a root)',
      description: 'Idempotent like a cycle start: the same body answers 200 with the same campaign, another body 409.',
      request: {
        body: json(startCampaignSchema, {
          rootId: '440300',
          level: 'township',
          term: '2026',
          window: 20,
          template: {
            positions: [{ id: 'secretary', title: '党工委书记', seats: 1 }],
            committees: { standing: 7, full: 21 },
          },
        }),
      },
      responses: {
        201: {
          description: 'started',
          content: { 'application/json': { schema: startedCampaignSchema } },
        },
        200: {
          description: 'already started with this body',
          content: { 'application/json': { schema: startedCampaignSchema } },
        },
        ...errorResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) => {
      authorize(c, 'campaign.start');
      const body = c.req.valid('json');
      await requireInScope(c, s, body.rootId, `jurisdiction ${body.rootId}`);
      const id = makeCampaignId(body.rootId, body.level, body.term);
      const workflowId = campaignWorkflowId(id);
      const template = { ...body.template, policy: body.template.policy ?? policySchema.parse({}) };
      const requestHash = createHash('sha256')
        .update(canonical({ ...body, template }))
        .digest('hex');
      try {
        await s.temporal.workflow.start(campaignWorkflow, {
          workflowId,
          taskQueue: s.taskQueue,
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
          throw new ApiError(409, 'CONFLICT', `campaign ${id} already exists with a different request`, [
            { path: 'rootId', rule: 'one campaign per root, level and term' },
          ]);
        return c.json({ campaignId: id, workflowId }, 200);
      }
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/campaigns/{campaignId}',
      tags: ['campaigns'],
      summary: '换届部署进度 (progress, by stage and status)',
      request: { params: campaignParams },
      responses: {
        200: {
          description: 'the campaign and its cycles by stage and status',
          content: { 'application/json': { schema: campaignProgressSchema } },
        },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (c) => {
      authorize(c, 'campaign.read');
      const { campaignId } = c.req.valid('param');
      const [rootId, level, term] = campaignId.split(':') as [string, string, string];
      await requireInScope(c, s, rootId, `campaign ${campaignId}`);
      const live = await queryOr404(
        s.temporal.workflow.getHandle(campaignWorkflowId(campaignId)),
        getCampaignQuery,
        `campaign ${campaignId}`,
      );
      const { rows } = await s.pool.query(
        `SELECT (SELECT count(*)::int FROM jurisdictions WHERE $1 = ANY(ancestors) AND level = $2) AS targets,
              coalesce((SELECT jsonb_object_agg(stage, n) FROM (SELECT c.stage, count(*)::int n FROM cycles c JOIN jurisdictions j ON j.id = c.jurisdiction_id
                 WHERE $1 = ANY(j.ancestors) AND j.level = $2 AND c.term = $3 GROUP BY c.stage) x), '{}') AS "byStage",
              coalesce((SELECT jsonb_object_agg(status, n) FROM (SELECT c.status, count(*)::int n FROM cycles c JOIN jurisdictions j ON j.id = c.jurisdiction_id
                 WHERE $1 = ANY(j.ancestors) AND j.level = $2 AND c.term = $3 GROUP BY c.status) x), '{}') AS "byStatus"`,
        [rootId, level, term],
      );
      return c.json({ ...live, ...rows[0] }, 200);
    },
  );
}
