/**
 * A candidate's final outcome (passed or stopped) reaches its cycle by signal, after the candidate's
 * Update has answered. So that the answer to the input that ended a candidacy reflects its
 * consequences too (a replacement opened, inspection over and the decision stage reached), the route
 * waits, briefly and bounded, until the cycle's state shows the outcome — read from the cycle's
 * projection in Postgres, which the worker writes before the signal's activation completes, so the
 * wait never costs a replay. A cycle without a projection (or whose repair is overdue) is asked through
 * its workflow.
 */
import { cycleWorkflowId } from '../domain/ids.js';
import { getStateQuery } from '../workflows/contracts/cycle.js';
import type { Services } from './context.js';
import { askable } from './cycle-state.js';
import { withinRequest } from './request-clock.js';

/** Long enough for a busy worker; past it the candidate's own answer is still right, only earlier. */
const HEARD_WITHIN_MS = 10_000;

export async function untilCycleHeard(
  s: Pick<Services, 'temporal' | 'read' | 'readFromWorkflow'>,
  cycleId: string,
  candidate: { personId: string; status: string },
): Promise<void> {
  if (candidate.status === 'inspecting') return;
  const handle = s.temporal.workflow.getHandle(cycleWorkflowId(cycleId));
  const deadline = Date.now() + withinRequest(HEARD_WITHIN_MS);
  for (let wait = 10; Date.now() < deadline; wait = Math.min(wait * 2, 200)) {
    // A read that fails ends the wait (the candidate's own answer stands): it must not pass for a cycle
    // without a projection, which would query the workflow.
    const read = await s.read.cycleState(cycleId).then(
      (p) => ({ projected: p }),
      () => undefined,
    );
    if (!read) return;
    const { projected } = read;
    let state = projected && !projected.stale ? projected.state : undefined;
    if (!state && askable(projected)) {
      s.readFromWorkflow('cycle', projected);
      state = await handle.query(getStateQuery).catch(() => undefined);
    } else if (!state) {
      // Stale, its repair on its way: wait for it rather than query a busy workflow (askable).
      await new Promise((r) => setTimeout(r, wait));
      continue;
    }
    // A cycle gone, finished or aborted has nothing more to show.
    if (!state || state.status === 'closed' || state.status === 'aborted') return;
    const entry = state.candidates.find((c) => c.personId === candidate.personId);
    if (!entry || entry.status !== 'inspecting') return;
    await new Promise((r) => setTimeout(r, wait));
  }
}
