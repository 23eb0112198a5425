/**
 * A campaign (换届部署): an upper level launching the cycles of every jurisdiction of one level below
 * it, in waves — at most `window` cycles in flight at once — all on one cycle template.
 */
import { z } from 'zod';
import { cycleTemplateSchema } from './cycle.js';
import { once } from './once.js';
import { jurisdictionIdSchema, termSchema } from './schemas.js';
import { JURISDICTION_LEVELS } from './stages.js';

export const startCampaignSchema = once(() =>
  z.strictObject({
    rootId: jurisdictionIdSchema().describe('the upper level launching the campaign'),
    level: z.enum(JURISDICTION_LEVELS).describe('every jurisdiction of this level under the root gets a cycle'),
    term: termSchema(),
    window: z.number().int().min(1).max(2000).default(50).describe('cycles in flight at once (a sliding window)'),
    template: cycleTemplateSchema(),
  }),
);
export type StartCampaignInput = z.infer<ReturnType<typeof startCampaignSchema>>;
export { termSchema };

// The ids have their home with the other workflow ids; re-exported for the campaign's callers.
export { campaignId, campaignWorkflowId } from './ids.js';
