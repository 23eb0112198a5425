// Everything the worker's workflow bundle registers.
export { pingWorkflow } from './ping.js';
export { cycleWorkflow } from './cycle.js';
export { candidateWorkflow } from './candidate.js';
export { reportWorkflow } from './report.js';
export { supervisionWorkflow } from './supervision.js';
export { riskWorkflow } from './risk.js';
export { campaignWorkflow } from './campaign.js';
export { ledgerRollupWorkflow } from './ledger.js';
