/** Workflow IDs come only from business keys, through these helpers, so duplicate starts collide. */
export const cycleId = (jurisdictionId: string, term: string) => `${jurisdictionId}:${term}`;
export const cycleWorkflowId = (id: string) => `cycle:${id}`;
export const candidateWorkflowId = (cycle: string, personId: string) => `candidate:${cycle}:${personId}`;
export const pingWorkflowId = (key: string) => `ping:${key}`;
export const supervisionWorkflowId = (cycle: string) => `supervision:${cycle}`;
export const riskWorkflowId = (riskId: string) => `risk:${riskId}`;
export const reportWorkflowId = (reportId: string) => `report:${reportId}`;
