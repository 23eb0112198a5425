/** What the campaign and daily-ledger routes answer. */
import { z } from '@hono/zod-openapi';
import { countsBy, instant } from './common.js';

const percent = z.number().nullable().openapi({ description: 'percent, null when there is nothing to count' });

export const ledgerFiguresSchema = z.object({
  candidates: z.number().int(),
  integrityOpinions: z.number().int().openapi({ description: "廉政意见: the discipline commission's opinions back" }),
  reviews: z
    .record(
      z.string(),
      z.object({
        opened: z.number().int(),
        answered: z.number().int(),
        chased: z.number().int(),
        escalated: z.number().int(),
        percentAnswered: percent,
      }),
    )
    .openapi({ description: 'joint-review tasks by department' }),
  belowRatio: z.number().int(),
  personalMattersChecked: z.number().int(),
  filesReviewed: z.number().int(),
  reportsReceived: z.number().int(),
  reportsClosed: z.number().int(),
  cycles: z.number().int(),
  byStage: countsBy,
  percent: z.object({
    integrityOpinions: percent,
    personalMattersChecked: percent,
    filesReviewed: percent,
    reportsClosed: percent,
  }),
});

export const dailyLedgerSchema = z.object({
  scope: z.string(),
  day: z.string().openapi({ format: 'date', example: '2026-09-29' }),
  source: z.enum(['snapshot', 'computed']),
  own: ledgerFiguresSchema.openapi({ description: 'the scope itself' }),
  subtree: ledgerFiguresSchema.openapi({ description: 'the scope and everything below it' }),
  computedAt: instant.optional().openapi({ description: 'when the snapshot was taken (snapshots only)' }),
});

export const startedCampaignSchema = z.object({ campaignId: z.string(), workflowId: z.string() });

export const campaignProgressSchema = z.object({
  campaignId: z.string(),
  cursor: z.string().nullable().openapi({ description: 'the last jurisdiction id launched' }),
  exhausted: z.boolean(),
  inFlight: z.array(z.string()),
  finishedEarly: z.array(z.string()),
  launched: z.number().int().openapi({ description: 'cycles this campaign started' }),
  alreadyStarted: z.number().int().openapi({
    description:
      "targets whose cycle of the term was already started elsewhere (directly or by another campaign): not launched, not in inFlight, not waited for; byStage and byStatus count them with the campaign's own",
  }),
  closed: z.number().int(),
  aborted: z.number().int(),
  run: z.number().int(),
  done: z.boolean(),
  targets: z.number().int().openapi({ description: 'jurisdictions of the level under the root' }),
  byStage: countsBy.openapi({
    description:
      "every cycle of the term at the level under the root by stage, the campaign's own and those started elsewhere",
  }),
  byStatus: countsBy.openapi({ description: 'the same cycles by status' }),
});
