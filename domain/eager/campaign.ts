/** domain/campaign.ts with its schemas built at load, under the same names: for Node code, never for workflows (domain/once.ts). */
import * as lazy from '../campaign.js';

export * from '../campaign.js';
export const startCampaignSchema = lazy.startCampaignSchema();
export const termSchema = lazy.termSchema();
