/**
 * A report on a candidate and a high risk on a cycle each hold the cycle, through their own
 * workflow's first step. Registration answers only once that hold is on the cycle (and on its
 * record), so no input sent after the answer can pass the gate the hold is meant to shut — found
 * from outside: answering first let an input sent within ~60 ms carry a cycle past its held gate.
 */
import { WorkflowNotFoundError } from '@temporalio/common';
import { HOLD_PLACED_UPDATE_ID, holdPlacedUpdate } from '../workflows/contracts/hold.js';
import type { Services } from './context.js';
import { awaitCycleVersion } from './cycle-state.js';

export type HoldAnswer =
  { state: 'placed'; name: string } | { state: 'none'; why: string } | { state: 'pending'; why: string };

const NOT_CONFIRMED =
  'Temporal did not confirm the hold in time; the workflow places it when it runs, and until then the gate is not held';

/** The hold's state once the workflow `workflowId` has placed it on `cycleId` (or found nothing to hold). */
export async function holdOnCycle(
  s: Services,
  workflowId: string,
  cycleId: string,
  started: 'running' | 'pending',
): Promise<HoldAnswer> {
  if (started === 'pending') return { state: 'pending', why: NOT_CONFIRMED };
  let placed;
  try {
    placed = await s.temporal.workflow
      .getHandle(workflowId)
      .executeUpdate(holdPlacedUpdate, { updateId: HOLD_PLACED_UPDATE_ID });
  } catch (e) {
    // A repeated registration of one already closed: its hold was released with it.
    if (e instanceof WorkflowNotFoundError)
      return { state: 'none', why: 'its workflow has ended and released its hold' };
    console.error(`api: hold of ${workflowId} not confirmed: ${(e as Error).message}`);
    return { state: 'pending', why: NOT_CONFIRMED };
  }
  if (placed.state === 'none') return placed;
  if (placed.cycleVersion !== undefined) await awaitCycleVersion(s, cycleId, placed.cycleVersion);
  return { state: 'placed', name: placed.name };
}
