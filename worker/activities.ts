// Every activity the worker registers, built from its factories and their dependencies.
import type { Pool } from '../activities/db.js';
import { createPingActivities } from '../activities/ping.js';
import type { Client } from '@temporalio/client';
import { createCampaignActivities } from '../activities/campaign.js';
import { createCandidateActivities } from '../activities/candidates.js';
import { createCycleGatewayActivities } from '../activities/cycle-gateway.js';
import { createLedgerActivities } from '../activities/ledger.js';
import { withPermanentFailures } from '../activities/permanent.js';
import { createRecordActivities } from '../activities/record.js';
import { createReportActivities } from '../activities/reports.js';
import { createReviewActivities } from '../activities/reviews.js';
import { createSealer } from '../activities/sealed.js';
import { createSupervisionActivities } from '../activities/supervision.js';
import type { CodecKey } from '../temporal/codec.js';

export function createActivities(deps: { pool: Pool; codecKeys: CodecKey[]; temporal: Client; taskQueue: string }) {
  const sealer = createSealer(deps.codecKeys);
  return withPermanentFailures({
    ...createPingActivities(deps),
    ...createRecordActivities(deps),
    ...createReviewActivities({ pool: deps.pool, client: deps.temporal }),
    ...createReportActivities({ pool: deps.pool, sealer }),
    ...createCycleGatewayActivities({ client: deps.temporal, pool: deps.pool }),
    ...createCandidateActivities({ client: deps.temporal, pool: deps.pool }),
    ...createSupervisionActivities({ pool: deps.pool }),
    ...createCampaignActivities({ pool: deps.pool, client: deps.temporal, taskQueue: deps.taskQueue }),
    ...createLedgerActivities({ pool: deps.pool }),
  });
}
