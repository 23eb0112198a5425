/**
 * Workflow ids come only from business keys, through these pairs — the id from its key and the key
 * back from the id — so a duplicate start collides instead of doubling a process, and an id read
 * back (a workflow list, a search attribute, an audit key) names what it is about. No other module
 * builds or slices an id.
 *
 * Keys never contain `:` in their parts (jurisdiction and person ids are `[A-Za-z0-9_-]`, terms four
 * digits, campaign levels words), so `:` separates them unambiguously.
 */

/** A cycle is one jurisdiction's transition for one term: `<jurisdiction>:<term>`. */
export interface CycleKey {
  jurisdictionId: string;
  term: string;
}
export const cycleId = (jurisdictionId: string, term: string) => `${jurisdictionId}:${term}`;
export function cycleKeyFromId(id: string): CycleKey {
  const [jurisdictionId, term] = parts(id, 2, 'cycle id');
  return { jurisdictionId, term };
}
/** The jurisdiction a cycle belongs to, read from its id (what scope checks need). */
export const jurisdictionOfCycle = (id: string) => cycleKeyFromId(id).jurisdictionId;

/** A campaign is an upper level launching every cycle of one level below it: `<root>:<level>:<term>`. */
export interface CampaignKey {
  rootId: string;
  level: string;
  term: string;
}
export const campaignId = (rootId: string, level: string, term: string) => `${rootId}:${level}:${term}`;
export function campaignKeyFromId(id: string): CampaignKey {
  const [rootId, level, term] = parts(id, 3, 'campaign id');
  return { rootId, level, term };
}

export const cycleWorkflowId = (cycle: string) => `cycle:${cycle}`;
export const cycleIdFromWorkflowId = (workflowId: string) => unprefix('cycle', workflowId);

export const candidateWorkflowId = (cycle: string, personId: string) => `candidate:${cycle}:${personId}`;
export function candidateKeyFromWorkflowId(workflowId: string): { cycleId: string; personId: string } {
  const [jurisdictionId, term, personId] = parts(unprefix('candidate', workflowId), 3, 'candidate workflow id');
  return { cycleId: cycleId(jurisdictionId, term), personId };
}

export const supervisionWorkflowId = (cycle: string) => `supervision:${cycle}`;
export const cycleIdFromSupervisionWorkflowId = (workflowId: string) => unprefix('supervision', workflowId);

/** A risk's id: K- and 12 hex digits, drawn by the register route from the registration's key. */
export const RISK_ID = /^K-[0-9a-f]{12}$/;
export const riskWorkflowId = (riskId: string) => `risk:${riskId}`;
export const riskIdFromWorkflowId = (workflowId: string) => unprefix('risk', workflowId);

export const reportWorkflowId = (reportId: string) => `report:${reportId}`;
export const reportIdFromWorkflowId = (workflowId: string) => unprefix('report', workflowId);

export const campaignWorkflowId = (campaign: string) => `campaign:${campaign}`;
export const campaignIdFromWorkflowId = (workflowId: string) => unprefix('campaign', workflowId);

export const pingWorkflowId = (key: string) => `ping:${key}`;

function unprefix(prefix: string, workflowId: string): string {
  if (!workflowId.startsWith(`${prefix}:`)) throw new Error(`not a ${prefix} workflow id: ${workflowId}`);
  return workflowId.slice(prefix.length + 1);
}

function parts<N extends 2 | 3>(
  id: string,
  n: N,
  what: string,
): N extends 2 ? [string, string] : [string, string, string] {
  const p = id.split(':');
  if (p.length !== n || p.some((x) => x === '')) throw new Error(`not a ${what}: ${id}`);
  return p as N extends 2 ? [string, string] : [string, string, string];
}
