/** Campaigns (换届部署) and the daily progress ledger, as OpenAPI definitions. */
import { createRoute, z } from '@hono/zod-openapi';
import { requires } from '../../guards.js';
import { startCampaignSchema } from '../../../domain/eager/campaign.js';
import { errorResponses, json } from '../../openapi.js';
import { campaignProgressSchema, dailyLedgerSchema, startedCampaignSchema } from '../../schemas/campaigns.js';
import { campaignParams, scopeQuery } from '../params.js';
import { realDate } from '../../../domain/schemas.js';

export const ledger = createRoute({
  middleware: requires('ledger.read'),
  method: 'get',
  path: '/v1/ledger',
  tags: ['campaigns'],
  summary: '换届进度台账 (the daily ledger for a scope and a day)',
  description:
    "Counts and percentages for the scope itself and its whole subtree: integrity opinions back (of the candidates the discipline commission reviews), joint-review tasks by department (opened, answered, chased, escalated — every configured department alike), lists below their 差额 ratio with a recorded reason (`belowRatio`), personal-matters checks, files reviewed, reports closed, cycles by stage. A past day answers from its snapshot; a day without one is computed from the record as of that day's end.",
  request: {
    query: z.strictObject({
      scope: scopeQuery.optional(),
      date: realDate('a real calendar date YYYY-MM-DD (Beijing)').optional().openapi({
        description:
          'default: today (Beijing). Today answers live figures computed now; a past day its snapshot (or the record as of its end); a day after today is 422 (there are no figures for it yet).',
      }),
    }),
  },
  responses: {
    200: { description: 'the ledger', content: { 'application/json': { schema: dailyLedgerSchema } } },
    ...errorResponses(400, 401, 403, 404, 422),
  },
});

export const start = createRoute({
  middleware: requires('campaign.start'),
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
    201: { description: 'started', content: { 'application/json': { schema: startedCampaignSchema } } },
    200: {
      description: 'already started with this body',
      content: { 'application/json': { schema: startedCampaignSchema } },
    },
    ...errorResponses(400, 401, 403, 404, 409, 422),
  },
});

export const progress = createRoute({
  middleware: requires('campaign.read'),
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
});
