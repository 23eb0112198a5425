/**
 * How a cycle's workflow is started, in one place: the API's POST /v1/cycles and a campaign's
 * launches both come here, so every cycle carries the same summary, details, memo and search
 * attributes however it was started (campaign cycles once lacked the details and the memo).
 */
import { createHash } from 'node:crypto';
import { WorkflowIdReusePolicy, type WorkflowStartOptions } from '@temporalio/client';
import { canonical } from '../domain/canonical.js';
import { cycleId as makeCycleId, cycleWorkflowId } from '../domain/ids.js';
import type { Policy } from '../domain/policy.js';
import type { Actor, Jurisdiction } from '../domain/schemas.js';
import { SA } from '../temporal/search-attributes.js';
import { cycleRow, type CycleState, type Position } from '../domain/cycle.js';
import { CYCLE_STATE_ARRAYS } from '../domain/projection.js';
import { withTransaction, type Pool } from './db.js';
import { writeInitialProjection } from './projection.js';
import { writeCycleRow } from './record.js';
import type { CycleWorkflow, CycleWorkflowInput } from '../workflows/contracts/cycle.js';

/** What starts a cycle: the body of POST /v1/cycles with its policy resolved, and who asked. */
export interface CycleStart {
  jurisdiction: Jurisdiction;
  term: string;
  positions: Position[];
  committees: { standing: number; full: number };
  policy: Policy;
  startedBy: Actor;
  /** Set when a campaign launches the cycle: it is told when the cycle ends. */
  campaignId?: string;
}

/**
 * The hash of the request a cycle was started with, kept in its memo: a repeat start with the same
 * body is the same cycle (200), another body for the same jurisdiction and term a conflict (409).
 * A campaign's cycle hashes the body POST /v1/cycles would have sent for it.
 */
export function cycleRequestHash(c: Pick<CycleStart, 'jurisdiction' | 'term' | 'positions' | 'committees' | 'policy'>) {
  const body = {
    jurisdictionId: c.jurisdiction.id,
    term: c.term,
    positions: c.positions,
    committees: c.committees,
    policy: c.policy,
  };
  return createHash('sha256').update(canonical(body)).digest('hex');
}

export function cycleStartOptions(
  c: CycleStart,
  taskQueue: string,
): WorkflowStartOptions<CycleWorkflow> & { workflowId: string } {
  const id = makeCycleId(c.jurisdiction.id, c.term);
  const { id: jurisdictionId, name, level, parentId } = c.jurisdiction;
  const input: CycleWorkflowInput = {
    cycleId: id,
    jurisdiction: { id: jurisdictionId, name, level, parentId },
    term: c.term,
    positions: c.positions,
    committees: c.committees,
    policy: c.policy,
    startedBy: c.startedBy,
    ...(c.campaignId ? { campaignId: c.campaignId } : {}),
  };
  return {
    workflowId: cycleWorkflowId(id),
    taskQueue,
    args: [input],
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    memo: { requestHash: cycleRequestHash(c) },
    staticSummary: `${name} ${c.term} 换届`,
    staticDetails: `${name}（${jurisdictionId}，${level}）${c.term} 年换届：${c.positions.map((p) => `${p.title}×${p.seats}`).join('、')}`,
    typedSearchAttributes: [
      { key: SA.stage, value: 'launch' },
      { key: SA.status, value: 'running' },
      { key: SA.level, value: level },
      { key: SA.jurisdiction, value: jurisdictionId },
      { key: SA.term, value: c.term },
      { key: SA.cycle, value: id },
      ...(c.campaignId ? [{ key: SA.campaign, value: c.campaignId }] : []),
    ],
  };
}

/**
 * A started cycle's initial state, as its projection and its `cycles` row until its workflow sends
 * its own: a GET, the list and the timeline all answer straight after the 201, before any worker has
 * taken the cycle. Written only if neither exists yet (a repeated start changes nothing; the
 * workflow's own row, at the same version or later, replaces this one). True when written.
 */
export async function recordInitialProjection(pool: Pool, workflowId: string, state: CycleState): Promise<boolean> {
  return withTransaction(pool, async (client) => {
    if (!(await writeInitialProjection(client, workflowId, state, CYCLE_STATE_ARRAYS))) return false;
    await writeCycleRow(client, cycleRow(state), state.startedAt, { ifAbsent: true });
    return true;
  });
}

/**
 * The start it was written for failed: its initial projection and row go. Only while the projection
 * is still the one the start wrote, and the row still at the start's version with no people: what a
 * workflow wrote stays.
 */
export async function withdrawInitialProjection(pool: Pool, workflowId: string, state: CycleState): Promise<void> {
  await withTransaction(pool, async (client) => {
    const { rowCount } = await client.query(
      'DELETE FROM workflow_projections WHERE workflow_id = $1 AND seq = 0 AND run_id IS NULL',
      [workflowId],
    );
    if (!rowCount) return;
    await client.query(
      `DELETE FROM cycles c WHERE c.id = $1 AND c.version = $2
         AND NOT EXISTS (SELECT 1 FROM cycle_people p WHERE p.cycle_id = c.id)`,
      [state.cycleId, state.version],
    );
  });
}
