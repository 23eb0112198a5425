/**
 * What the API reads from Postgres: lists, ledgers, timelines. Reads only; activities write. Every
 * query the routes need lives in api/queries/, one module per area; routes hold no SQL.
 */
import type { Pool } from '../activities/db.js';
import { createCampaignQueries } from './queries/campaigns.js';
import { createCandidateQueries } from './queries/candidates.js';
import { createCycleQueries } from './queries/cycles.js';
import { createReportQueries } from './queries/reports.js';
import { createReviewQueries } from './queries/reviews.js';
import { createSupervisionQueries } from './queries/supervision.js';

export type { CycleListFilters } from './queries/cycles.js';

export function createReadModel(pool: Pool) {
  return {
    ...createCycleQueries(pool),
    reports: createReportQueries(pool),
    reviews: createReviewQueries(pool),
    candidates: createCandidateQueries(pool),
    supervision: createSupervisionQueries(pool),
    campaigns: createCampaignQueries(pool),
  };
}
export type ReadModel = ReturnType<typeof createReadModel>;
