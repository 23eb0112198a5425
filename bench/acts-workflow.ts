/**
 * The floor for goal 2's throughput ratio (measurement 1): what the human acts of a cycle cost the
 * Temporal server and the SDK at least, with one Update per act and nothing else — no API, no
 * database, no records, no timers. It takes `act` Updates (each answered at once, with a validator as
 * ours have) until one says it is the last. bench/run.ts drives eleven of these per cycle in the
 * pattern the simulator drives a cycle's workflows (scripts/simulator.ts driveCycle).
 */
import { allHandlersFinished, condition, defineUpdate, setHandler } from '@temporalio/workflow';

export const actUpdate = defineUpdate<number, [string, boolean]>('act');

export async function actsWorkflow(): Promise<number> {
  let taken = 0;
  let last = false;
  setHandler(
    actUpdate,
    (_what, isLast) => {
      taken++;
      if (isLast) last = true;
      return taken;
    },
    {
      validator: (what, _isLast) => {
        if (typeof what !== 'string' || what.length === 0) throw new Error('an act names what it is');
      },
    },
  );
  await condition(() => last && allHandlersFinished());
  return taken;
}
