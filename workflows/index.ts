// Everything the worker's workflow bundle registers. Each is registered under its export name, which
// is the workflow type its contract names (workflows/contracts/): callers start it by that name.
import type { campaignWorkflowType, CampaignWorkflow } from './contracts/campaign.js';
import type { candidateWorkflowType, CandidateWorkflow } from './contracts/candidate.js';
import type { cycleWorkflowType, CycleWorkflow } from './contracts/cycle.js';
import type { pingWorkflowType, PingWorkflow } from './contracts/ping.js';
import type { reportWorkflowType, ReportWorkflow } from './contracts/report.js';
import type { riskWorkflowType, RiskWorkflow } from './contracts/risk.js';
import type { supervisionWorkflowType, SupervisionWorkflow } from './contracts/supervision.js';
import { campaignWorkflow } from './campaign.js';
import { candidateWorkflow } from './candidate.js';
import { cycleWorkflow } from './cycle.js';
import { ledgerRollupWorkflow } from './ledger.js';
import { pingWorkflow } from './ping.js';
import { reportWorkflow } from './report.js';
import { riskWorkflow } from './risk.js';
import { supervisionWorkflow } from './supervision.js';

export {
  campaignWorkflow,
  candidateWorkflow,
  cycleWorkflow,
  ledgerRollupWorkflow,
  pingWorkflow,
  reportWorkflow,
  riskWorkflow,
  supervisionWorkflow,
};

/** Type-checks each implementation against its contract's signature (erased at run time). */
export type Registered = Conforms<
  {
    campaignWorkflow: typeof campaignWorkflow;
    candidateWorkflow: typeof candidateWorkflow;
    cycleWorkflow: typeof cycleWorkflow;
    pingWorkflow: typeof pingWorkflow;
    reportWorkflow: typeof reportWorkflow;
    riskWorkflow: typeof riskWorkflow;
    supervisionWorkflow: typeof supervisionWorkflow;
  },
  {
    campaignWorkflow: CampaignWorkflow;
    candidateWorkflow: CandidateWorkflow;
    cycleWorkflow: CycleWorkflow;
    pingWorkflow: PingWorkflow;
    reportWorkflow: ReportWorkflow;
    riskWorkflow: RiskWorkflow;
    supervisionWorkflow: SupervisionWorkflow;
  }
>;
/** ... and each contract's type name against the export it is registered under. */
export type RegisteredNames = Conforms<
  | typeof campaignWorkflowType
  | typeof candidateWorkflowType
  | typeof cycleWorkflowType
  | typeof pingWorkflowType
  | typeof reportWorkflowType
  | typeof riskWorkflowType
  | typeof supervisionWorkflowType,
  keyof Registered
>;
type Conforms<T extends U, U> = T;
