/**
 * The floor for the bench's memory measurement (4): a workflow that does nothing but wait on a
 * timer, bundled and cached by the same SDK as ours, so the per-workflow cost of our workflows can
 * be read as a ratio to what any workflow costs.
 */
import { sleep } from '@temporalio/workflow';

export async function idleWorkflow(): Promise<void> {
  await sleep('7 days');
}
